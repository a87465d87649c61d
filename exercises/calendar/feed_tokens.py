"""Calendar feed tokens: a per-user secret in the .ics URL, for calendar clients that cannot
send an Authorization header.

One token per user; only its SHA-256 is stored, the plain token is shown once. It opens the
exercise feed and nothing else: the app registers `principal_from_feed_token` for that one
route (`beredskap.platform.deps.identify` consults it for no other), and it is not an API
token, so it is refused as a bearer token everywhere. Services flush, never commit.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload
from starlette.requests import Request

from beredskap.platform.api.problems import ProblemError
from beredskap.platform.auth.models import User
from beredskap.platform.auth.secrets import digest, new_token
from beredskap.platform.auth.service import Identified, principal_for, use_is_due
from beredskap.platform.columns import utcnow
from beredskap.platform.errors import N_, ConflictError
from exercises.models import CalendarFeedToken

TOKEN_PREFIX = "bkcal_"  # tells a feed token from an API token (bk_) at a glance
TOKEN_PARAMETER = "token"
FEED_PATH = "/api/v1/exercises/calendar.ics"
FEED_ROUTE = "exercises.calendar_ics"
MAX_TOKEN_LENGTH = 128


def create_or_rotate(session: Session, user_id: int) -> str:
    """A new feed token for the user (the old one, if any, stops working); returns it once.

    Renewing deletes the old row and inserts a new one, so the audit log shows both (an
    update would change only excluded or undiffed columns, and leave no entry).
    """
    revoke(session, user_id)
    token = new_token(TOKEN_PREFIX)
    session.add(CalendarFeedToken(user_id=user_id, token_hash=digest(token), created_at=utcnow()))
    session.flush()
    return token


def revoke(session: Session, user_id: int) -> bool:
    """Delete the user's feed token; whether there was one."""
    row = session.scalars(
        select(CalendarFeedToken).where(CalendarFeedToken.user_id == user_id)
    ).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def current(session: Session, user_id: int) -> CalendarFeedToken | None:
    """The user's feed token row (never the token itself: only its hash is kept)."""
    return session.scalars(
        select(CalendarFeedToken).where(CalendarFeedToken.user_id == user_id)
    ).first()


def require_public_url(public_url: str | None) -> str:
    """The base of a feed link: only the configured public address, never a request's Host
    header (a forged one would send the token to another host)."""
    if not public_url:
        raise ConflictError(
            N_(
                "calendar links need the service's public address (BEREDSKAP_PUBLIC_URL); "
                "ask the administrator to set it"
            )
        )
    return public_url


def feed_url(base_url: str, token: str, organisation_id: int | None = None) -> str:
    """The subscribable URL of the feed, with the token (and an organisation filter)."""
    query: dict[str, str | int] = {TOKEN_PARAMETER: token}
    if organisation_id is not None:
        query["organisation_id"] = organisation_id
    return f"{base_url.rstrip('/')}{FEED_PATH}?{urlencode(query)}"


def _refused(
    detail: str = "This calendar link is not valid: it was renewed or revoked. Get a new link "
    "on the exercise calendar page.",
) -> ProblemError:
    return ProblemError(401, "Not authenticated", detail, headers={"WWW-Authenticate": "Bearer"})


def expired(row: CalendarFeedToken, valid_days: int) -> bool:
    """Whether the link is older than it may be (`BEREDSKAP_CALENDAR_FEED_DAYS`)."""
    return row.created_at <= utcnow() - timedelta(days=valid_days)


def principal_from_feed_token(request: Request, session: Session) -> Identified | None:
    """The owner of the `?token=` in the URL, or None without one; 401 for a wrong token.

    Runs in the thread pool (from `identify`). The last use is noted at most every few
    minutes (`identify` runs the touch in its own short transaction), so a calendar's
    polling does not turn the feed's read into a write.
    """
    token = request.query_params.get(TOKEN_PARAMETER)
    if token is None:
        return None
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        raise _refused()
    found = session.execute(
        select(CalendarFeedToken, User)
        .join(User, User.id == CalendarFeedToken.user_id)
        .where(CalendarFeedToken.token_hash == digest(token))
        .options(selectinload(User.organisations))
    ).first()
    if found is None or not found.User.active:
        raise _refused()
    row = found.CalendarFeedToken
    if expired(row, request.app.state.settings.calendar_feed_days):
        raise _refused(
            "This calendar link has expired. Make a new one on the exercise calendar page."
        )
    touch = None
    if use_is_due(row.last_used_at):
        touch = (
            update(CalendarFeedToken)
            .where(CalendarFeedToken.id == row.id)
            .values(last_used_at=utcnow())
        )
    return Identified(principal_for(found.User), touch)
