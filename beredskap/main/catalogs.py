"""Keeps the .po catalogs in step with every capability's messages:
`python -m beredskap.main.catalogs`, then translate the new entries of `locale/nb`."""

from __future__ import annotations

from pathlib import Path

from beredskap.main.capabilities import CAPABILITIES
from beredskap.platform.web.catalogs import update_catalogs

MESSAGE_SOURCES: tuple[Path, ...] = tuple(
    source for capability in CAPABILITIES for source in capability.message_sources
)

if __name__ == "__main__":
    update_catalogs(MESSAGE_SOURCES)
