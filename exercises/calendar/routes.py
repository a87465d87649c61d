"""The exercise calendar as a subscribable .ics feed, and the caller's feed token.

`GET /api/v1/exercises/calendar.ics` takes a bearer token or, for calendar clients that
cannot send headers, the caller's feed token as `?token=` (see `exercises.calendar.feed_tokens`).
Polling clients get 304 from ETag / Last-Modified. `POST /api/v1/me/calendar-feed` makes or
renews the token and shows the URL once; `DELETE` revokes it.

This router is included before the exercise-id routes: `calendar.ics` is a fixed path.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session, selectinload

from beredskap.platform.api.crud import get_or_404
from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.types import MAX_ID
from beredskap.platform.auth.permissions import ALL_ROLES, Rule
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.deps import CurrentPrincipal, SessionDep, SettingsDep
from beredskap.platform.errors import NotFoundError
from beredskap.platform.web.i18n import translations_for
from beredskap.register.organisations.models import Organisation
from exercises.calendar import feed_tokens
from exercises.calendar.ics import FeedContext, build_feed
from exercises.models import Exercise
from exercises.queries import exercises_between

router = APIRouter(tags=["exercises"], responses=PROBLEM_RESPONSES)
# Titles, times, places and organisations, no people: every role. The feed also takes the
# caller's own feed token in its URL.
RULES: dict[str, Rule] = {
    "exercises.calendar_ics": ALL_ROLES,
    "calendar_feed.create": ALL_ROLES,
    "calendar_feed.delete": ALL_ROLES,
}

CALENDAR_MEDIA_TYPE = "text/calendar; charset=utf-8"
FEED_HISTORY = timedelta(days=366)  # past exercises kept in the feed: the last twelve months
MAX_FEED_EVENTS = 10_000
OrganisationFilter = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="Only this organisation's exercises")
]
FeedToken = Annotated[
    str | None,
    Query(
        max_length=feed_tokens.MAX_TOKEN_LENGTH,
        description="Your calendar feed token, for calendar clients that cannot send a "
        "bearer token (POST /api/v1/me/calendar-feed makes one)",
    ),
]


def feed_exercises(
    session: Session, organisation_id: int | None, *, now: datetime
) -> list[Exercise]:
    """What the feed lists: from twelve months back, everything ahead, earliest first."""
    query = (
        exercises_between(now - FEED_HISTORY, None, organisation_id=organisation_id)
        .options(selectinload(Exercise.sites))
        .limit(MAX_FEED_EVENTS)
    )
    return list(session.scalars(query))


def _not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if since is None or last_modified is None:
        return False
    try:
        parsed = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False  # an unreadable date is ignored, as the RFC says
    if parsed.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= parsed


@router.get(
    "/exercises/calendar.ics",
    name=feed_tokens.FEED_ROUTE,
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "The iCalendar feed"},
        304: {"description": "Not modified since the ETag or date the client sent"},
    },
)
def calendar_ics(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    organisation_id: OrganisationFilter = None,
    token: FeedToken = None,  # read by the feed-token credential; declared for the docs
) -> Response:
    """Every exercise (twelve months back, all ahead) or one organisation's, as iCalendar."""
    del principal, token  # any role may read the feed; who it was is checked already
    translations = translations_for(request)
    name = translations.gettext("Exercises")
    feed_key = "exercises"
    if organisation_id is not None:
        organisation = get_or_404(session, Organisation, organisation_id, "organisation")
        name = f"{name}: {organisation.name}"
        feed_key = f"exercises-organisation-{organisation.id}"
    rows = feed_exercises(session, organisation_id, now=utcnow())
    body = build_feed(
        rows,
        FeedContext(name, translations, settings.public_url, feed_key),
        today=today_in_norway(),
    )
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    last_modified = max((row.updated_at.astimezone(UTC) for row in rows), default=None)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if last_modified is not None:
        headers["Last-Modified"] = format_datetime(last_modified, usegmt=True)
    if _not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="exercises.ics"'
    return Response(body, media_type=CALENDAR_MEDIA_TYPE, headers=headers)


class CalendarFeedOut(BaseModel):
    """The feed's URL with the token in it: shown once, since only its hash is kept."""

    url: str
    token: str


@router.post(
    "/me/calendar-feed",
    name="calendar_feed.create",
    status_code=201,
    response_model=CalendarFeedOut,
)
def create_calendar_feed(
    session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal
) -> CalendarFeedOut:
    """Make (or renew: the old link stops working) your calendar feed link; 409 when the
    service's public address is not configured (the link would have no host to name)."""
    base = feed_tokens.require_public_url(settings.public_url)
    token = feed_tokens.create_or_rotate(session, principal.user_id)
    return CalendarFeedOut(url=feed_tokens.feed_url(base, token), token=token)


@router.delete("/me/calendar-feed", name="calendar_feed.delete", status_code=204)
def delete_calendar_feed(session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Revoke your calendar feed link; calendars subscribed to it get 401 from then on."""
    if not feed_tokens.revoke(session, principal.user_id):
        raise NotFoundError("calendar feed link", principal.user_id)
    return Response(status_code=204)
