"""The app's settings: the settings sections of every capability in one class, read once from
the environment."""

from __future__ import annotations

from functools import lru_cache

from beredskap.main.capabilities import CAPABILITIES
from beredskap.platform.settings import PlatformSettings


def compose_settings(sections: list[type[PlatformSettings]]) -> type[PlatformSettings]:
    """One settings class made of the given sections (each a subclass of the platform's), so
    one object serves every package as its own section."""
    leaves = [
        section
        for section in dict.fromkeys(sections)
        if not any(other is not section and issubclass(other, section) for other in sections)
    ]
    return type(
        "Settings",
        tuple(reversed(leaves)),
        {"__module__": __name__, "__doc__": "Every capability's settings section."},
    )


Settings = compose_settings(
    [capability.settings for capability in CAPABILITIES if capability.settings is not None]
)


@lru_cache
def get_settings() -> PlatformSettings:
    """The process-wide settings, read once."""
    return Settings()
