"""The exercise calendar page (/exercises): a month grid or a list, filtered by
organisation, and the "subscribe" section that makes the caller's .ics link.

Every role may see it: titles, types, times and organisations, no people. Query input is
read by hand so that a wrong month, view or organisation gets a 400 page that says what was
wrong (never a 422 problem document or a 500). The list shows any period (`?view=list&from=
2025-01-01&to=2025-12-31`, either end open); an unreadable date or a period that ends before
it starts comes back as the list's form with the message at its field (400). On a phone the
month grid's CSS turns it into a list of the days that hold exercises, so one URL serves both
(the grid of 42 cells is too narrow to read there, and a phone has no other way to ask for the
list first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from babel.dates import format_date, get_day_names
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from beredskap.platform.auth.permissions import ALL_ROLES, Rule
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import NORWAY, today_in_norway, utcnow
from beredskap.platform.deps import CurrentPrincipal, SessionDep, SettingsDep
from beredskap.platform.digits import parse_digits
from beredskap.platform.errors import ConflictError
from beredskap.platform.web.i18n import FORMAT_LOCALES, language_of, translations_for
from beredskap.platform.web.rendering import render
from beredskap.register.organisations.models import Organisation
from exercises.calendar import feed_tokens
from exercises.calendar.month_grid import (
    FIRST_YEAR,
    LAST_YEAR,
    Month,
    build_grid,
    grid_bounds,
    month_of,
    oslo_midnight,
    parse_month,
)
from exercises.labels import exercise_label
from exercises.models import Exercise, ExerciseStatus, ExerciseType
from exercises.queries import exercises_between
from exercises.roles import EXERCISE_PLANNERS

router = APIRouter(include_in_schema=False)
RULES: dict[str, Rule] = {
    "web.exercises": ALL_ROLES,
    "web.calendar_feed_create": ALL_ROLES,
    "web.calendar_feed_revoke": ALL_ROLES,
}

VIEWS = ("month", "list")
LIST_SIZE = 200  # upcoming and past exercises in the list view, each
PAST_DAYS = 366  # the list view's default past: the last twelve months; a period shows any
DAY_PATTERN = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class BadQueryError(Exception):
    """A query parameter the page cannot use; its message is shown on the 400 page."""


@dataclass(frozen=True)
class CalendarQuery:
    view: str
    month: Month | None  # None: the list's default (upcoming, then past) or a period
    organisation: Organisation | None
    # The list's period, each end optional; the text typed, to show again with its error.
    period_from: date | None = None
    period_to: date | None = None
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def period(self) -> bool:
        return bool(self.typed) and not self.errors


def _read_day(text: str) -> date | None:
    """`2025-06-30` as a date, or None (not a date, or outside the years the calendar draws)."""
    match = DAY_PATTERN.fullmatch(text)
    if match is None:
        return None
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def _read_period(
    request: Request,
) -> tuple[date | None, date | None, dict[str, str], dict[str, str]]:
    """The list's period from `from` and `to`: the days, what was typed, and each field's
    error (an unreadable date; an end before the start, at the end's field)."""
    translations = translations_for(request)
    typed = {
        name: request.query_params.get(name, "").strip()
        for name in ("from", "to")
        if request.query_params.get(name, "").strip()
    }
    days: dict[str, date | None] = {}
    errors: dict[str, str] = {}
    for name, text in typed.items():
        days[name] = _read_day(text)
        if days[name] is None:
            errors[name] = translations.gettext(
                "Write the date as year-month-day between %(first)s and %(last)s, for example "
                "2025-06-30."
            ) % {"first": FIRST_YEAR, "last": LAST_YEAR}
    start, end = days.get("from"), days.get("to")
    if start is not None and end is not None and end < start:
        errors["to"] = translations.gettext("The period cannot end before it starts.")
    return start, end, typed, errors


def _read_query(request: Request, session: Session) -> CalendarQuery:
    translations = translations_for(request)
    params = request.query_params
    view = params.get("view", "month").strip() or "month"
    if view not in VIEWS:
        raise BadQueryError(translations.gettext("The view must be “month” or “list”."))
    month = None
    if params.get("month", "").strip():
        month = parse_month(params["month"])
        if month is None:
            raise BadQueryError(
                translations.gettext(
                    "The month must be written as year-month, for example 2027-03."
                )
            )
    organisation = None
    raw_organisation = params.get("organisation_id", "").strip()
    if raw_organisation:
        organisation_id = parse_digits(raw_organisation, max_digits=9)
        organisation = session.get(Organisation, organisation_id) if organisation_id else None
        if organisation is None:
            raise BadQueryError(translations.gettext("There is no such organisation."))
    start, end, typed, errors = _read_period(request)
    if typed:  # a period is a list of its own, not a month
        view, month = "list", None
    if view == "month" and month is None:
        month = month_of(today_in_norway())
    return CalendarQuery(view, month, organisation, start, end, typed, errors)


def _bad_query(request: Request, principal: Principal, message: str) -> Response:
    translations = translations_for(request)
    return render(
        request,
        "error.html",
        {
            "status": 400,
            "title": translations.gettext("The calendar cannot show that"),
            "explanation": message,
        },
        principal=principal,
        status_code=400,
    )


def _exercises(
    session: Session,
    starts: datetime,
    ends: datetime | None,
    organisation: Organisation | None,
    *,
    newest_first: bool = False,
) -> list[Exercise]:
    query = exercises_between(
        starts, ends, organisation_id=organisation.id if organisation else None
    )
    if newest_first:
        query = query.order_by(None).order_by(Exercise.starts_at.desc(), Exercise.id.desc())
    return list(session.scalars(query.limit(LIST_SIZE)))


def _link(query: CalendarQuery, **changes: object) -> str:
    """The page's URL with some parameters changed (None drops one)."""
    params: dict[str, object] = {
        "view": query.view if query.view != "month" else None,
        "month": str(query.month) if query.month else None,
        "organisation_id": query.organisation.id if query.organisation else None,
        "from": query.typed.get("from"),
        "to": query.typed.get("to"),
    } | changes
    kept = {name: value for name, value in params.items() if value is not None}
    return "/exercises" + (f"?{urlencode(kept)}" if kept else "")


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    query: CalendarQuery,
    *,
    new_feed_url: str | None = None,
    feed_done: str | None = None,
    feed_problem: ConflictError | None = None,
    status: int = 200,
) -> Response:
    language = language_of(request)
    locale = FORMAT_LOCALES[language]
    translations = translations_for(request)
    today = today_in_norway()
    context: dict[str, object] = {
        "active": "exercises",
        "query": query,
        "view": query.view,
        "organisation": query.organisation,
        "organisations": list(session.scalars(select(Organisation).order_by(Organisation.name))),
        "type_labels": {kind.value: exercise_label(translations, kind) for kind in ExerciseType},
        "cancelled": ExerciseStatus.CANCELLED,
        "may_plan": principal.role in EXERCISE_PLANNERS,
        "feed": feed_tokens.current(session, principal.user_id),
        "new_feed_url": new_feed_url,
        "feed_done": feed_done,
        "feed_problem": feed_problem.translated(translations) if feed_problem else None,
        "list_link": _link(query, view="list", month=None),
        "grid_link": _link(
            query,
            view=None,
            month=str(query.month or month_of(today)),
            **{"from": None, "to": None},
        ),
        "typed": query.typed,
        "errors": query.errors,
        "error_items": [
            (
                name,
                translations.gettext("From") if name == "from" else translations.gettext("To"),
                message,
            )
            for name, message in query.errors.items()
        ],
    }
    if query.month is not None:
        month = query.month
        context["month_title"] = format_date(month.first_day, "LLLL y", locale=locale).capitalize()
        context["previous_link"] = _link(query, month=str(month.previous))
        context["next_link"] = _link(query, month=str(month.next))
        context["this_month_link"] = _link(query, month=str(month_of(today)))
    if query.view == "month" and query.month is not None:
        first, last = grid_bounds(query.month)
        rows = _exercises(
            session,
            oslo_midnight(first),
            oslo_midnight(last + timedelta(days=1)),
            query.organisation,
        )
        context["weeks"] = build_grid(query.month, rows, today)
        names = get_day_names("abbreviated", locale=locale)
        context["weekdays"] = [names[index] for index in range(7)]  # Babel: 0 is Monday
        context["day_label"] = lambda day: format_date(day, "EEEE d. MMMM", locale=locale)
    elif query.errors:
        context["sections"] = []
    elif query.period:
        _period(session, query, context)
    elif query.month is not None:
        context["sections"] = [
            (
                None,
                _exercises(
                    session,
                    oslo_midnight(query.month.first_day),
                    oslo_midnight(query.month.last_day + timedelta(days=1)),
                    query.organisation,
                ),
            )
        ]
    else:
        now = utcnow()
        upcoming = _exercises(session, now, None, query.organisation)
        past = [
            row
            for row in _exercises(
                session, now - timedelta(days=PAST_DAYS), now, query.organisation, newest_first=True
            )
            if row.ends_at <= now
        ]
        context["sections"] = [("upcoming", upcoming), ("past", past)]
    context["stamp"] = lambda value: (
        format_date(value.astimezone(NORWAY).date(), "EEE d. MMM y", locale=locale)
        + value.astimezone(NORWAY).strftime(" %H:%M")
    )
    return render(
        request,
        "exercises/calendar.html",
        context,
        principal=principal,
        status_code=400 if query.errors else status,
    )


def _period(session: Session, query: CalendarQuery, context: dict[str, object]) -> None:
    """The exercises of the period, earliest first (the first LIST_SIZE, and how many)."""
    starts = oslo_midnight(query.period_from) if query.period_from else None
    ends = oslo_midnight(query.period_to + timedelta(days=1)) if query.period_to else None
    organisation_id = query.organisation.id if query.organisation else None
    statement = exercises_between(starts, ends, organisation_id=organisation_id)
    context["sections"] = [("period", list(session.scalars(statement.limit(LIST_SIZE))))]
    context["period_total"] = session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    )
    context["period_from"] = query.period_from
    context["period_to"] = query.period_to


@router.get("/exercises", name="web.exercises")
def calendar_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """The month grid (`?month=2027-03`) or the list (`?view=list`), optionally one
    organisation's exercises (`?organisation_id=`)."""
    try:
        query = _read_query(request, session)
    except BadQueryError as error:
        return _bad_query(request, principal, str(error))
    done = request.query_params.get("feed")
    return _page(request, session, principal, query, feed_done=done if done == "revoked" else None)


Text = Annotated[str | None, Form()]


@router.post("/exercises/feed", name="web.calendar_feed_create")
def create_feed(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    organisation_id: Text = None,
) -> Response:
    """Make or renew the caller's calendar link and show it, once (only its hash is kept)."""
    chosen = parse_digits(organisation_id, max_digits=9)
    organisation = session.get(Organisation, chosen) if chosen else None
    query = CalendarQuery("month", month_of(today_in_norway()), organisation)
    try:  # only the configured public address goes into a link
        base = feed_tokens.require_public_url(settings.public_url)
    except ConflictError as problem:  # say so on the page, make nothing
        return _page(request, session, principal, query, feed_problem=problem, status=409)
    token = feed_tokens.create_or_rotate(session, principal.user_id)
    url = feed_tokens.feed_url(base, token, organisation.id if organisation else None)
    return _page(request, session, principal, query, new_feed_url=url)


@router.post("/exercises/feed/revoke", name="web.calendar_feed_revoke")
def revoke_feed(session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Revoke the caller's calendar link; subscribed calendars stop updating."""
    feed_tokens.revoke(session, principal.user_id)
    return RedirectResponse("/exercises?feed=revoked", status_code=303)
