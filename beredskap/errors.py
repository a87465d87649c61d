"""Domain errors shared by every entry point (API, web, CLI, seeders)."""

from __future__ import annotations


class DomainValidationError(ValueError):
    """A value breaks a rule of the register; names the field so callers can point at it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
