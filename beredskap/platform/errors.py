"""Domain errors shared by every entry point (API, web, CLI, seeders)."""

from __future__ import annotations


class DomainValidationError(ValueError):
    """A value breaks a rule of the register; names the field so callers can point at it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFoundError(LookupError):
    """No record of that kind with that id."""

    def __init__(self, entity: str, entity_id: object) -> None:
        super().__init__(f"No {entity} with id {entity_id}.")
        self.entity = entity
        self.entity_id = entity_id


class ConflictError(Exception):
    """The change is well-formed but the register's state does not allow it now."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
