"""CrisisRole: a role of the municipality's crisis management (kriseledelse) with its people."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from beredskap.platform.audit.models import Audited
from beredskap.platform.columns import (
    Timestamped,
    Versioned,
    coerce_contacts,
    optional_text,
    required_text,
)
from beredskap.platform.db import Base
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.platform.privacy.declaration import DataClass, personal

MAX_POSITION = 999
MAX_HOLDERS = 10


class CrisisRole(Audited, Versioned, Timestamped, Base):
    """A role (ordfører, kommunedirektør, beredskapskoordinator, ...) alerted in the order of
    `position`; its holders in order: the first is the primary, the rest deputies."""

    __tablename__ = "crisis_roles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    duties: Mapped[str | None] = mapped_column(Text)  # what the role does when alerted
    holders: Mapped[list[dict[str, str]]] = mapped_column(
        JSON, default=list, info=personal(DataClass.CONTACT)
    )

    __table_args__ = (
        CheckConstraint(f"position BETWEEN 1 AND {MAX_POSITION}", name="position_range"),
    )

    @validates("title")
    def _validate_title(self, _key: str, value: str) -> str:
        return required_text("title", value, 120)

    @validates("duties")
    def _validate_duties(self, _key: str, value: str | None) -> str | None:
        return optional_text("duties", value, 2000)

    @validates("position")
    def _validate_position(self, _key: str, value: int) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_POSITION:
            raise DomainValidationError(
                "position", N_("a whole number from 1 to %(count)s"), count=MAX_POSITION
            )
        return value

    @validates("holders")
    def _validate_holders(
        self, _key: str, value: list[dict[str, Any]] | None
    ) -> list[dict[str, str]]:
        holders = coerce_contacts("holders", value)
        if len(holders) > MAX_HOLDERS:
            raise DomainValidationError(
                "holders", N_("at most %(count)s people"), count=MAX_HOLDERS
            )
        return holders
