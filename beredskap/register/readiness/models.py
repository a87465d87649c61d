"""PlanRevision: the municipality's yearly revision of its preparedness plan, as recorded."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from beredskap.platform.audit.models import Audited
from beredskap.platform.columns import Timestamped, optional_text, required_text
from beredskap.platform.db import Base
from beredskap.platform.privacy.declaration import STAFF_USER, identifies


class PlanRevision(Audited, Timestamped, Base):
    """One revision of the plan (forskrift om kommunal beredskapsplikt: revised at least
    once a year): when, by which body or role, what was reviewed, and a note."""

    __tablename__ = "plan_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revised_on: Mapped[date] = mapped_column(Date, index=True)
    # A body or a role ("Beredskapsrådet", "Kommunestyret"), not a person's name.
    revised_by: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(Text)  # what was reviewed
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), info=identifies(STAFF_USER)
    )

    @validates("revised_by")
    def _validate_revised_by(self, _key: str, value: str) -> str:
        return required_text("revised_by", value, 200)

    @validates("scope")
    def _validate_scope(self, _key: str, value: str) -> str:
        return required_text("scope", value, 4000)

    @validates("note")
    def _validate_note(self, _key: str, value: str | None) -> str | None:
        return optional_text("note", value, 4000)
