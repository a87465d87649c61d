"""Every capability's tables in one `Base.metadata` (for Alembic and tests): one schema and
one migration history."""

from beredskap.main.capabilities import CAPABILITIES
from beredskap.platform.db import Base

MODEL_MODULES = tuple(module for capability in CAPABILITIES for module in capability.models)
metadata = Base.metadata
