"""User, UserOrganisation, ApiToken, WebSession and LoginFailure tables."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from beredskap.platform.audit.models import Audited
from beredskap.platform.columns import (
    Timestamped,
    UtcDateTime,
    Versioned,
    coerce_email,
    coerce_enum,
    enum_type,
    optional_text,
    utcnow,
)
from beredskap.platform.db import Base
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.platform.privacy.declaration import (
    STAFF_EMAIL,
    STAFF_USER,
    DataClass,
    identifies,
    personal,
    secret,
)
from beredskap.platform.privacy.retention import Action, Period, retains

if TYPE_CHECKING:
    from beredskap.register.organisations.models import Organisation


class Role(enum.StrEnum):
    ADMIN = "admin"  # beredskapskoordinator
    DUTY_OFFICER = "duty_officer"  # vakthavende
    COUNCIL = "council"  # beredskapsråd: read-only, aggregated, no personal data
    ORG_EDITOR = "org_editor"  # kontaktperson i laget: its own organisations only
    PLANNER = "planner"  # øvingsplanlegger


class User(Audited, Versioned, Timestamped, Base):
    """Someone who logs in to the register."""

    __tablename__ = "users"
    __audit_exclude__ = frozenset({"password_hash", "last_login_at"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info=identifies(STAFF_USER))
    email: Mapped[str] = mapped_column(
        String(254), unique=True, info=personal(DataClass.CONTACT, STAFF_EMAIL)
    )
    display_name: Mapped[str | None] = mapped_column(String(200), info=personal(DataClass.IDENTITY))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    password_hash: Mapped[str | None] = mapped_column(String(200), info=secret())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # When the user was disabled (`auth.service.disable_user`: a leaver), None while active.
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    # The register's organisations, named, not imported: the platform knows no domain.
    organisations: Mapped[list[Organisation]] = relationship(
        "Organisation", secondary="user_organisations", order_by="Organisation.id"
    )

    @validates("email")
    def _validate_email(self, _key: str, value: str) -> str:
        email = coerce_email("email", value)
        if email is None:
            raise DomainValidationError("email", N_("is required"))
        return email.lower()

    @validates("display_name")
    def _validate_display_name(self, _key: str, value: str | None) -> str | None:
        return optional_text("display_name", value, 200)

    @validates("role")
    def _validate_role(self, _key: str, value: Any) -> Role:
        return coerce_enum(Role, "role", value)


class UserOrganisation(Audited, Base):
    """The organisations an `org_editor` may edit."""

    __tablename__ = "user_organisations"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ApiToken(Audited, Base):
    """A bearer token for the API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    __audit_exclude__ = frozenset({"token_hash", "last_used_at"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    user: Mapped[User] = relationship()


class WebSession(Audited, Base):
    """A logged-in browser; the cookie holds a random key whose SHA-256 is stored here."""

    __tablename__ = "web_sessions"
    __audit_exclude__ = frozenset({"token_hash", "csrf_token", "last_seen_at"})
    # Sessions end after hours; the rows (who was logged in when) go after the security log's
    # period.
    __table_args__ = ({"info": retains(Period.SECURITY_LOG, "created_at", Action.DELETE)},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, info=identifies(STAFF_USER)
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    user: Mapped[User] = relationship()


class LoginFailure(Base):
    """A failed login, kept for the slow-down window (shared by every web process)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Whatever was typed: usually a staff user's address.
    email: Mapped[str] = mapped_column(String(254), info=personal(DataClass.CONTACT, STAFF_EMAIL))
    client_address: Mapped[str | None] = mapped_column(String(64), info=personal(DataClass.ONLINE))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (
        Index("ix_login_failures_email_occurred_at", "email", "occurred_at"),
        Index("ix_login_failures_client_address_occurred_at", "client_address", "occurred_at"),
        {"info": retains(Period.SECURITY_LOG, "occurred_at", Action.DELETE)},
    )
