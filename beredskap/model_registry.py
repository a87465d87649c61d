"""Imports every model module so `Base.metadata` knows all tables (for Alembic and tests).

A composition root like `app.py` and `cli.py`: the one place in the core that names the
callout tables of `alerts` and the exercise tables of `exercises` (exceptions the import
contract states), because there is one
schema and one migration history.
"""

from alerts import models as alerts_models
from beredskap.agreements import models as agreements_models
from beredskap.audit import models as audit_models
from beredskap.auth import models as auth_models
from beredskap.db import Base
from beredskap.inventory import models as inventory_models
from beredskap.organisations import models as organisations_models
from beredskap.volunteers import models as volunteers_models
from exercises import models as exercises_models

MODEL_MODULES = (
    organisations_models,
    inventory_models,
    volunteers_models,
    agreements_models,
    audit_models,
    auth_models,
    alerts_models,
    exercises_models,
)
metadata = Base.metadata
