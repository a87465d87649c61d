"""The evaluation report pages: /exercises/{id}/report (HTML, printable), its chart
(/chart.svg) and PDF (/report.pdf), the planners' forms for lessons learned and the
evaluation, and /exercises/overdue.

Every write goes through `exercises.evaluation.lessons`, the same code the API uses; bad input shows
the report again with a message per field (422) and changes nothing. The report shows
counts and organisation names only, so every role may read it. `overdue_router` holds the
fixed path /exercises/overdue and is included before any /exercises/{exercise_id} route.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import partial
from typing import Annotated, Any, ClassVar

from babel.support import Translations
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy.orm import Session

from beredskap.platform.api.types import PathId
from beredskap.platform.auth.permissions import ALL_ROLES, Rule
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.errors import ConflictError, DomainValidationError
from beredskap.platform.web.forms import (
    Group,
    Invalid,
    OptionalText,
    PostedForm,
    Text,
    Whole,
    among,
    at_most,
    optional,
    parse_form,
)
from beredskap.platform.web.i18n import FORMAT_LOCALES, N_, language_of, translations_for
from beredskap.platform.web.rendering import render, stamp
from beredskap.register.small_counts import SUPPRESS_BELOW
from exercises.evaluation import lessons
from exercises.evaluation.chart import ChartTexts, chart_png, chart_svg
from exercises.evaluation.disclosure import any_withheld
from exercises.evaluation.overdue import overdue
from exercises.evaluation.pdf import report_pdf
from exercises.evaluation.report import build_report, minutes_text, share_text
from exercises.labels import exercise_label
from exercises.models import MAX_TEXT, ActionStatus, Exercise
from exercises.roles import EXERCISE_PLANNERS

router = APIRouter(prefix="/exercises", include_in_schema=False)
overdue_router = APIRouter(prefix="/exercises", include_in_schema=False)
RULES: dict[str, Rule] = {
    "web.exercise_report": ALL_ROLES,
    "web.exercise_chart": ALL_ROLES,
    "web.exercise_report_pdf": ALL_ROLES,
    "web.exercises_overdue": ALL_ROLES,
    "web.exercise_observation_create": EXERCISE_PLANNERS,
    "web.exercise_action_create": EXERCISE_PLANNERS,
    "web.exercise_action_close": EXERCISE_PLANNERS,
    "web.exercise_evaluate": EXERCISE_PLANNERS,
}

MAX_OWNER = 200
# The chart is our own scriptless SVG, shown through <img>; matplotlib styles it with
# inline style attributes, which its own document (not the page) must allow.
CHART_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _chart_texts(translations: Translations) -> ChartTexts:
    _ = translations.gettext
    return ChartTexts(
        title=_("Cumulative answers over time"),
        minutes_axis=_("Minutes since the callout was sent"),
        count_axis=_("Answers"),
        answers=_("All answers"),
        yes=_("Yes"),
        wanted=_("Wanted"),
    )


def _count_text(translations: Translations) -> Callable[[int | None], str]:
    """A count of people, or "fewer than 3" where it is withheld from the reader."""
    fewer = translations.gettext("fewer than %(count)s") % {"count": SUPPRESS_BELOW}
    return lambda value: fewer if value is None else str(value)


def _labeller(translations: Translations) -> Any:
    return lambda value: exercise_label(translations, value)


def _report_page(
    request: Request,
    session: Session,
    principal: Principal,
    exercise: Exercise,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    report = build_report(session, exercise, principal.sees_small_counts_of)
    translations = translations_for(request)
    return render(
        request,
        "exercises/report.html",
        {
            "active": "exercises",
            "report": report,
            "exercise": exercise,
            "drill": report.drill,
            "label": _labeller(translations),
            "stamp": stamp,
            "minutes": partial(minutes_text, locale=FORMAT_LOCALES[language_of(request)]),
            "share": partial(share_text, locale=FORMAT_LOCALES[language_of(request)]),
            "count": _count_text(translations),
            "withheld": report.drill is not None and any_withheld(report.drill),
            "suppress_below": SUPPRESS_BELOW,
            "may_edit": principal.role in EXERCISE_PLANNERS,
            "completed": exercise.status.value == "completed",
            "errors": errors or {},
            "values": values or {},
            "done": done,
            "today": today_in_norway(),
            "max_text": MAX_TEXT,
            "max_owner": MAX_OWNER,
        },
        principal=principal,
        status_code=status_code,
    )


_DONE = {
    "observation": N_("The observation is added."),
    "action": N_("The follow-up action is added."),
    "closed": N_("The action is closed."),
    "evaluated": N_("The evaluation is recorded."),
}


@router.get("/{exercise_id:int}/report", name="web.exercise_report")
def report_page(
    exercise_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    done: str | None = None,
) -> Response:
    """The evaluation report: facts, the drill's figures and chart, lessons learned."""
    exercise = lessons.get_exercise(session, exercise_id)
    message = _DONE.get(done or "")
    return _report_page(
        request,
        session,
        principal,
        exercise,
        done=translations_for(request).gettext(message) if message else None,
    )


@router.get("/{exercise_id:int}/chart.svg", name="web.exercise_chart")
def chart(
    exercise_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Cumulative answers over minutes since the callout (an alert drill that was sent)."""
    exercise = lessons.get_exercise(session, exercise_id)
    report = build_report(session, exercise, principal.sees_small_counts_of)
    if report.drill is None or "series" in report.drill.withheld:
        return Response(status_code=404, headers=CHART_HEADERS)
    svg = chart_svg(
        report.drill.series, report.drill.wanted, _chart_texts(translations_for(request))
    )
    return Response(svg, media_type="image/svg+xml", headers=CHART_HEADERS)


def _pdf_filename(exercise: Exercise) -> str:
    return f"evaluation-exercise-{exercise.id}-{exercise.starts_at:%Y-%m-%d}.pdf"


@router.get("/{exercise_id:int}/report.pdf", name="web.exercise_report_pdf")
def report_pdf_download(
    exercise_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """The report as a PDF to file or send on."""
    exercise = lessons.get_exercise(session, exercise_id)
    report = build_report(session, exercise, principal.sees_small_counts_of)
    translations = translations_for(request)
    png = (
        None
        if report.drill is None or "series" in report.drill.withheld
        else chart_png(report.drill.series, report.drill.wanted, _chart_texts(translations))
    )
    content = report_pdf(
        report, translations, _labeller(translations), png, language=language_of(request)
    )
    headers = {
        "Content-Disposition": f'attachment; filename="{_pdf_filename(exercise)}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    return Response(content, media_type="application/pdf", headers=headers)


def _due_day(value: Any) -> Any:
    """A due date as a date field sends it (2026-12-31) or as typed in Norway (31.12.2026)."""
    text = value.strip() if isinstance(value, str) else ""
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return value


class _LessonForm(BaseModel):
    """The wording the lessons' forms share."""

    form_messages: ClassVar[Mapping[str, str]] = {
        "missing": N_("Fill this in."),
        "string_too_short": N_("Fill this in."),
        "string_too_long": N_("At most %(count)s characters."),
        "control_characters": N_("Control characters are not allowed."),
    }


LessonText = Annotated[Text, Field(min_length=1, max_length=MAX_TEXT)]


class ObservationInput(_LessonForm):
    text: Annotated[LessonText, Group("observation", N_("New observation"))]


class ActionInput(_LessonForm):
    description: Annotated[LessonText, Field(title=N_("What will be done"))]
    owner: Annotated[Text, Field(title=N_("Owner"), min_length=1, max_length=MAX_OWNER)]
    due_on: Annotated[
        date,
        BeforeValidator(_due_day),
        Field(title=N_("Due"), ge=lessons.EARLIEST_DUE, le=lessons.LATEST_DUE),
        Invalid(N_("Give a date, e.g. 31.12.2026.")),
    ]
    observation_id: Annotated[
        optional(Whole),
        Field(title=N_("From observation")),
        among("observation_ids"),
        Invalid(N_("Choose one of the observations.")),
    ] = None


class CloseInput(_LessonForm):
    closing_note: Annotated[OptionalText, at_most(MAX_TEXT), Group("close", N_("Closing note"))] = (
        None
    )


class EvaluationInput(_LessonForm):
    summary: Annotated[LessonText, Field(title=N_("Summary of the evaluation"))]


def _redirect(exercise_id: int, done: str) -> Response:
    return RedirectResponse(f"/exercises/{exercise_id}/report?done={done}#lessons", status_code=303)


@router.post("/{exercise_id:int}/observations", name="web.exercise_observation_create")
def add_observation(
    exercise_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    exercise = lessons.get_exercise(session, exercise_id)
    form = parse_form(ObservationInput, posted, translations_for(request))
    if not form.valid:
        return _report_page(
            request,
            session,
            principal,
            exercise,
            errors=form.errors,
            values={"observation": form.values.get("text", "")},
            status_code=422,
        )
    lessons.add_observation(session, exercise, form.fields["text"], actor=principal.email)
    return _redirect(exercise_id, "observation")


@router.post("/{exercise_id:int}/actions", name="web.exercise_action_create")
def add_action(
    exercise_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    exercise = lessons.get_exercise(session, exercise_id)
    observations = {item.id for item in exercise.observations}
    form = parse_form(
        ActionInput,
        posted,
        translations_for(request),
        context={"observation_ids": observations},
    )
    if not form.valid:
        return _report_page(
            request,
            session,
            principal,
            exercise,
            errors=form.errors,
            values=form.values,
            status_code=422,
        )
    lessons.add_action(
        session,
        exercise,
        description=form.fields["description"],
        owner=form.fields["owner"],
        due_on=form.fields["due_on"],
        observation_id=form.fields["observation_id"],
    )
    return _redirect(exercise_id, "action")


@router.post("/{exercise_id:int}/actions/{action_id:int}/close", name="web.exercise_action_close")
def close_action(
    exercise_id: PathId,
    action_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    exercise = lessons.get_exercise(session, exercise_id)
    action = lessons.get_action(session, action_id)
    translations = translations_for(request)
    if action.exercise_id != exercise.id:
        return _report_page(
            request,
            session,
            principal,
            exercise,
            errors={"close": translations.gettext("That action belongs to another exercise.")},
            status_code=404,
        )
    form = parse_form(CloseInput, posted, translations)
    if action.status == ActionStatus.CLOSED:
        form.errors["close"] = translations.gettext("The action is closed already.")
    if not form.valid:
        return _report_page(
            request, session, principal, exercise, errors=form.errors, status_code=409
        )
    lessons.close_action(session, action, form.fields["closing_note"], now=utcnow())
    return _redirect(exercise_id, "closed")


@router.post("/{exercise_id:int}/evaluation", name="web.exercise_evaluate")
def evaluate(
    exercise_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    exercise = lessons.get_exercise(session, exercise_id)
    translations = translations_for(request)
    form = parse_form(EvaluationInput, posted, translations)
    summary = form.values.get("summary", "")
    errors = form.errors
    if not form.valid:
        return _report_page(
            request,
            session,
            principal,
            exercise,
            errors=errors,
            values={"summary": summary},
            status_code=422,
        )
    try:
        lessons.record_evaluation(session, exercise, form.fields["summary"], now=utcnow())
    except (ConflictError, DomainValidationError):
        session.rollback()
        errors["summary"] = translations.gettext("Only a completed exercise can be evaluated.")
        exercise = lessons.get_exercise(session, exercise_id)
        return _report_page(
            request,
            session,
            principal,
            exercise,
            errors=errors,
            values={"summary": summary},
            status_code=409,
        )
    return _redirect(exercise_id, "evaluated")


@overdue_router.get("/overdue", name="web.exercises_overdue")
def overdue_page(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """What is overdue: exercising, testing agreements, evaluating, following up."""
    found = overdue(session, today=today_in_norway(), now=utcnow())
    translations = translations_for(request)
    return render(
        request,
        "exercises/overdue.html",
        {"active": "exercises", "overdue": found, "label": _labeller(translations)},
        principal=principal,
    )
