"""Users, API tokens and web sessions: create, authenticate, revoke. Never commits."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Update, bindparam, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from beredskap.platform.auth.models import ApiToken, Role, User, WebSession
from beredskap.platform.auth.permissions import PEOPLE_READERS, PERSONAL_DATA_ROLES
from beredskap.platform.auth.secrets import (
    check_new_password,
    digest,
    generate_password,
    hash_password,
    new_token,
    verify_password,
)
from beredskap.platform.auth.strength import personal_words
from beredskap.platform.columns import utcnow
from beredskap.platform.errors import N_, DomainValidationError

# last_seen / last_used are refreshed at most this often, so reads do not write every time.
_TOUCH_INTERVAL = timedelta(minutes=5)

if TYPE_CHECKING:
    from beredskap.register.organisations.models import Organisation


@dataclass(frozen=True)
class Principal:
    """Who is making a request, and what they may touch."""

    user_id: int
    email: str
    role: Role
    organisation_ids: frozenset[int]
    csrf_token: str | None = None  # set for browser sessions only
    session_ends_at: datetime | None = None  # a browser session's absolute end (the warning)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def may_edit_organisation(self, organisation_id: int | None) -> bool:
        """Admins edit everything; organisation editors only their own organisations."""
        if self.role == Role.ADMIN:
            return True
        return (
            self.role == Role.ORG_EDITOR
            and organisation_id is not None
            and organisation_id in self.organisation_ids
        )

    def may_edit_equipment_of(self, organisation_id: int | None) -> bool:
        """Something of an equipment line: admins and the organisation's own editors; the duty
        officer any line, but only its status and notes (`may_edit_equipment_fully`)."""
        return self.role == Role.DUTY_OFFICER or self.may_edit_organisation(organisation_id)

    def may_edit_equipment_fully(self, organisation_id: int | None) -> bool:
        """Every field of a line (quantity, site, type, identifier...) and moving it: admins
        and the organisation's own editors. The duty officer only sets its status and notes
        during an incident; what the line is stays its organisation's word."""
        return self.may_edit_organisation(organisation_id)

    @property
    def sees_contact_details(self) -> bool:
        """The council sees aggregates and the register, never people's contact details."""
        return self.role != Role.COUNCIL

    @property
    def sees_personal_data(self) -> bool:
        """Volunteers' mobile, e-mail and home area: only the roles that need them. Planners
        see names and qualifications (to invite people to exercises), the council no one."""
        return self.role in PERSONAL_DATA_ROLES

    @property
    def sees_people(self) -> bool:
        """People's names (volunteers, the users behind a record): every role but the council,
        which sees counts."""
        return self.role in PEOPLE_READERS

    def sees_members_of(self, organisation_id: int) -> bool:
        """Names and qualifications of an organisation's volunteers: the roles that read
        volunteers; an organisation editor only its own organisations' members."""
        if self.role == Role.ORG_EDITOR:
            return organisation_id in self.organisation_ids
        return self.sees_people

    @property
    def sees_only_members_of(self) -> frozenset[int] | None:
        """Which volunteers a lookup (a list, one record, a search) may find, for the roles
        the matrix lets read volunteers: an organisation editor only its own organisations'
        members (the set), the others every volunteer (None)."""
        return self.organisation_ids if self.role == Role.ORG_EDITOR else None

    def sees_member_of_any(self, organisation_ids: Collection[int]) -> bool:
        """One volunteer's name and record, by the organisations they belong to: the roles that
        read volunteers; an organisation editor only its own organisations' members (one in
        no organisation, or only in others, is nobody it may know of)."""
        if self.role == Role.ORG_EDITOR:
            return not self.organisation_ids.isdisjoint(organisation_ids)
        return self.sees_people

    def sees_small_counts_of(self, organisation_id: int | None) -> bool:
        """Exact counts of people below the suppression threshold (one or two) among an
        organisation's members, or, for None, among people of no one organisation (a whole
        drill, members of none): whoever may see those people's names. Others (the council,
        an organisation editor for other organisations) read "fewer than 3", as "one member
        with a boat licence" points at a person."""
        if organisation_id is None:
            return self.sees_people and self.role != Role.ORG_EDITOR
        return self.sees_members_of(organisation_id)

    def sees_phones_of(self, organisation_id: int) -> bool:
        """The mobile numbers of an organisation's volunteers."""
        return self.sees_personal_data and self.sees_members_of(organisation_id)


@dataclass(frozen=True)
class Identified:
    """Who a credential belongs to, and (at most every few minutes) the statement that notes
    its use, for the caller to run in a short write transaction after the lookup."""

    principal: Principal
    touch: Update | None = None


def principal_for(
    user: User, csrf_token: str | None = None, session_ends_at: datetime | None = None
) -> Principal:
    return Principal(
        user_id=user.id,
        email=user.email,
        role=user.role,
        organisation_ids=frozenset(o.id for o in user.organisations),
        csrf_token=csrf_token,
        session_ends_at=session_ends_at,
    )


def add_user(
    session: Session,
    *,
    email: str,
    role: Role | str,
    password: str | None = None,
    organisations: list[Organisation] | None = None,
    display_name: str | None = None,
) -> tuple[User, str | None]:
    """Create a user; returns the user and the generated password when none was given."""
    generated = None
    if password is None:
        password = generated = generate_password()
    user = User(email=email, role=role, display_name=display_name, active=True)
    check_new_password(password, personal_words(user.email, user.display_name))
    if session.scalar(select(User.id).where(User.email == user.email)) is not None:
        raise DomainValidationError(
            "email", N_("a user with %(email)s exists already"), email=user.email
        )
    _check_organisations(user.role, organisations)
    user.password_hash = hash_password(password)
    user.organisations = list(organisations or [])
    session.add(user)
    session.flush()
    return user, generated


def _check_organisations(role: Role, organisations: list[Organisation] | None) -> None:
    """An org_editor is tied to one organisation at least; nobody else to any."""
    if role == Role.ORG_EDITOR and not organisations:
        raise DomainValidationError("organisation", N_("an org_editor needs an organisation"))
    if role != Role.ORG_EDITOR and organisations:
        raise DomainValidationError(
            "organisation", N_("only an org_editor is tied to organisations")
        )


def change_role(
    session: Session, user: User, role: Role | str, organisations: list[Organisation]
) -> None:
    """Give the user another role (and, for an org_editor, the organisations it edits). What
    they may do changes at their next request: a principal is read per request."""
    role = Role(role)
    _check_organisations(role, organisations)
    user.role = role
    user.organisations = list(organisations)
    session.flush()


def authenticate_password(session: Session, email: str, password: str) -> User | None:
    """The active user with that e-mail and password, or None (same time either way)."""
    user = session.scalars(
        select(User)
        .where(User.email == email.strip().lower())
        .options(selectinload(User.organisations))
    ).first()
    ok = verify_password(user.password_hash if user else None, password)
    if not (ok and user and user.active):
        return None
    user.last_login_at = utcnow()
    return user


def create_token(
    session: Session, user: User, *, days: int, label: str | None = None
) -> tuple[ApiToken, str]:
    """A new bearer token for the user; the plain token is returned once and never stored."""
    token = new_token()
    row = ApiToken(
        user=user,
        token_hash=digest(token),
        label=label,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return row, token


def revoke_tokens(session: Session, *, token: str | None = None, user: User | None = None) -> int:
    """Revoke one token (by its value) or every live token of a user; returns how many."""
    query = select(ApiToken).where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())
    if token is not None:
        query = query.where(ApiToken.token_hash == digest(token))
    elif user is not None:
        query = query.where(ApiToken.user_id == user.id)
    else:
        raise ValueError("name a token or a user")
    rows = list(session.scalars(query))
    for row in rows:
        row.revoked_at = utcnow()
    session.flush()
    return len(rows)


# These run before every request: one round trip each (joined, not select-in, loading), and
# built once so that only the parameter changes per request.
_TOKEN_LOOKUP = (
    select(ApiToken)
    .where(ApiToken.token_hash == bindparam("token_hash"))
    .options(joinedload(ApiToken.user).joinedload(User.organisations))
)
_SESSION_LOOKUP = (
    select(WebSession)
    .where(WebSession.token_hash == bindparam("token_hash"))
    .options(joinedload(WebSession.user).joinedload(User.organisations))
)


def live_token(session: Session, token: str) -> ApiToken | None:
    """The unrevoked, unexpired token of an active user with this value, or None."""
    row = session.scalars(_TOKEN_LOOKUP, {"token_hash": digest(token)}).unique().first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row if row.user.active else None


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a live bearer token belongs to."""
    row = live_token(session, token)
    return row.user if row else None


def use_is_due(last_use: datetime | None) -> bool:
    """Whether a token's or session's last use is old enough to be written again."""
    return last_use is None or utcnow() - last_use > _TOUCH_INTERVAL


def use_statement(row: ApiToken | WebSession) -> Update:
    """The UPDATE that notes a token's or web session's use now, for a write transaction of
    its own: a read that turns into a write can fail on SQLite when another writer holds
    the lock."""
    model = type(row)
    column = "last_used_at" if model is ApiToken else "last_seen_at"
    return update(model).where(model.id == row.id).values({column: utcnow()})


def start_session(session: Session, user: User, *, hours: int) -> tuple[WebSession, str]:
    """Log a browser in; returns the row and the cookie value (stored only as a hash)."""
    cookie = new_token(prefix="")
    row = WebSession(
        user=user,
        token_hash=digest(cookie),
        csrf_token=new_token(prefix=""),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    return row, cookie


def session_for_cookie(
    session: Session, cookie: str, *, idle: timedelta | None = None
) -> WebSession | None:
    """The live web session behind a cookie value: not past its absolute end, of an active
    user, and (with `idle`) used within that time. The last use is noted at most every
    `_TOUCH_INTERVAL`, so a session may end up to that much before `idle` has passed."""
    row = session.scalars(_SESSION_LOOKUP, {"token_hash": digest(cookie)}).unique().first()
    now = utcnow()
    if row is None or row.expires_at <= now or not row.user.active:
        return None
    if idle is not None and (row.last_seen_at or row.created_at) <= now - idle:
        return None
    return row


def extend_session(session: Session, cookie: str, *, hours: int) -> WebSession | None:
    """Give a live web session another `hours` from now (WCAG 2.2.1: the user asked before
    it ended); None when the cookie's session has already ended."""
    row = session.scalars(select(WebSession).where(WebSession.token_hash == digest(cookie))).first()
    now = utcnow()
    if row is None or row.expires_at <= now or not row.user.active:
        return None
    row.expires_at = now + timedelta(hours=hours)
    row.last_seen_at = now
    session.flush()
    return row


def end_session(session: Session, cookie: str) -> None:
    row = session.scalars(select(WebSession).where(WebSession.token_hash == digest(cookie))).first()
    if row is not None:
        session.delete(row)
        session.flush()


# Leavers and new passwords -------------------------------------------------------------


def find_user(session: Session, email: str) -> User | None:
    """The user with that e-mail address (as typed: case and spaces ignored), or None."""
    return session.scalars(select(User).where(User.email == email.strip().lower())).first()


def end_sessions(session: Session, user_id: int, *, keep: str | None = None) -> int:
    """End every web session of a user, but the one behind the cookie `keep` (the browser
    that asked); returns how many ended. Rows are deleted through the ORM, so each is
    audited."""
    query = select(WebSession).where(WebSession.user_id == user_id)
    if keep is not None:
        query = query.where(WebSession.token_hash != digest(keep))
    rows = list(session.scalars(query))
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


@dataclass(frozen=True)
class CutOff:
    """What disabling a user ended."""

    sessions: int
    tokens: int


def disable_user(session: Session, user: User) -> CutOff:
    """A leaver: the user can no longer log in, and every credential ends now.

    Web sessions are deleted and API tokens revoked here. Every other credential a
    capability gives a user (the calendar feed's token) is looked up with its user and
    refused while `active` is false, so the platform need not know it; disabling is not
    undone by any command, so none of them comes back. Disabling twice changes nothing but
    ends whatever was made meanwhile (nothing can be).
    """
    if user.active:
        user.active = False
        user.disabled_at = utcnow()
    sessions = end_sessions(session, user.id)
    tokens = revoke_tokens(session, user=user)
    return CutOff(sessions=sessions, tokens=tokens)


def set_password(
    session: Session, user: User, password: str, *, keep_session: str | None = None
) -> int:
    """Give the user a new password (checked like any new one) and end their web sessions
    but `keep_session` (the browser that changed it); returns how many ended. API tokens
    are kept: they are credentials of their own, revoked with `beredskap token revoke`."""
    check_new_password(password, personal_words(user.email, user.display_name))
    user.password_hash = hash_password(password)
    session.flush()
    return end_sessions(session, user.id, keep=keep_session)


def change_own_password(
    session: Session,
    user_id: int,
    *,
    current: str,
    new: str,
    keep_session: str | None = None,
) -> int:
    """A logged-in user changes their own password: the current one must be right (on
    `current_password`), the new one good (on `password`). Ends their other sessions."""
    user = session.get(User, user_id)
    if user is None or not verify_password(user.password_hash, current):
        raise DomainValidationError("current_password", N_("is not your current password"))
    if verify_password(user.password_hash, new):
        raise DomainValidationError("password", N_("is the password you have now"))
    return set_password(session, user, new, keep_session=keep_session)
