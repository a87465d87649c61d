"""The planner's exercise pages: /exercises/new (plan one, or a recurring series),
/exercises/{id} (details, participants, links to the live drill and the report) and the
confirmed cancel.

Saving goes through `exercises.planning.service`, the API's rules. Conflicts do not block:
when there are some, the form comes back listing them with "Save anyway", and only that saves. The
`{exercise_id}` paths take any segment, so `beredskap.main.app` includes this router after the
other exercises pages (calendar, overdue, report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from babel.support import Translations
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from beredskap.platform.api.types import PathId
from beredskap.platform.auth.permissions import ALL_ROLES, Rule
from beredskap.platform.auth.service import Principal
from beredskap.platform.deps import CurrentPrincipal, SessionDep, SettingsDep
from beredskap.platform.errors import ConflictError, DomainValidationError
from beredskap.platform.web.forms import OptionalText, PostedForm, at_most, parse_form
from beredskap.platform.web.i18n import FORMAT_LOCALES, N_, language_of, translations_for
from beredskap.platform.web.rendering import number_format, render, stamp
from beredskap.register.agreements.models import Agreement
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.small_counts import SUPPRESS_BELOW
from beredskap.register.volunteers.models import Volunteer
from beredskap.register.web.map_forms import active_qualification_types
from exercises.labels import LABELS, exercise_label
from exercises.models import Exercise, ExerciseStatus, ExerciseType
from exercises.planning import service
from exercises.planning.conflicts import Conflict
from exercises.planning.form import (
    FIELD_OF,
    RECURRENCE_PRESETS,
    ExerciseForm,
    Options,
    empty_form,
    parse_exercise_form,
)
from exercises.planning.rule_words import rule_in_words
from exercises.roles import EXERCISE_PLANNERS
from exercises.times import to_utc

router = APIRouter(prefix="/exercises", include_in_schema=False)
MOVED_SHOWN = 6  # the first dates of a series shown when its rule does not start on the chosen


@dataclass(frozen=True)
class Moved:
    """A repeat rule whose first date is not the chosen start, and its first dates."""

    chosen: datetime
    first_dates: list[datetime]


RULES: dict[str, Rule] = {
    "web.exercise_new": EXERCISE_PLANNERS,
    "web.exercise_create": EXERCISE_PLANNERS,
    "web.exercise": ALL_ROLES,
    "web.exercise_cancel_confirm": EXERCISE_PLANNERS,
    "web.exercise_cancel": EXERCISE_PLANNERS,
}

MAX_VOLUNTEER_CHOICES = 2_000  # active volunteers offered by name; more is a search's job
SERIES_SHOWN = 12


class CancelInput(BaseModel):
    """The cancel form: why, optionally."""

    reason: Annotated[OptionalText, Field(title=N_("Reason (optional)")), at_most(500)] = None


def labels(translations: Translations) -> dict[str, dict[str, str]]:
    """The type and status labels of exercises, by enum and value."""
    return {
        enum_class.__name__: {
            member.value: exercise_label(translations, member) for member in members
        }
        for enum_class, members in LABELS.items()
    }


def _choices(session: Session, language: str) -> dict[str, Any]:
    """What the form offers: organisations, agreements, sites, volunteers, qualifications."""
    qualifications = sorted(
        (
            (entry.id, entry.code, entry.name_nb if language == "nb" else entry.name_en)
            for entry in active_qualification_types(session)
        ),
        key=lambda entry: entry[2].lower(),
    )
    return {
        "organisations": list(session.scalars(select(Organisation).order_by(Organisation.name))),
        "agreements": list(
            session.scalars(
                select(Agreement)
                .options(selectinload(Agreement.organisation))
                .order_by(Agreement.reference)
            )
        ),
        "sites": list(
            session.scalars(
                select(Site).options(selectinload(Site.organisation)).order_by(Site.name)
            )
        ),
        "volunteers": list(
            session.execute(
                select(Volunteer.id, Volunteer.full_name)
                .where(Volunteer.active.is_(True))
                .order_by(Volunteer.full_name, Volunteer.id)
                .limit(MAX_VOLUNTEER_CHOICES)
            ).all()
        ),
        "qualifications": qualifications,
    }


def _options(choices: dict[str, Any]) -> Options:
    return Options(
        organisation_ids={row.id for row in choices["organisations"]},
        agreement_ids={row.id for row in choices["agreements"]},
        site_ids={row.id for row in choices["sites"]},
        volunteer_ids={row[0] for row in choices["volunteers"]},
        qualification_codes={entry[0]: entry[1] for entry in choices["qualifications"]},
    )


def _form_page(
    request: Request,
    principal: Principal,
    form: ExerciseForm,
    choices: dict[str, Any],
    *,
    conflicts: list[Conflict] | None = None,
    moved: Moved | None = None,
    first_date_confirmed: str | None = None,
    status_code: int = 200,
) -> Response:
    translations = translations_for(request)
    return render(
        request,
        "exercises/exercise_form.html",
        {
            "active": "exercises",
            "form": form,
            **form.form.context(),
            "types": list(ExerciseType),
            "labels": labels(translations),
            "presets": [
                (key, translations.gettext(label))
                for key, (label, _rule) in RECURRENCE_PRESETS.items()
            ],
            "conflicts": conflicts or [],
            "moved": moved,
            "first_date_confirmed": first_date_confirmed,
            "stamp": stamp,
            **choices,
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/new", name="web.exercise_new")
def new_exercise(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """An empty exercise form."""
    form = empty_form(translations_for(request))
    return _form_page(request, principal, form, _choices(session, language_of(request)))


@router.post("/new", name="web.exercise_create")
def create_exercise(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    posted: PostedForm,
) -> Response:
    """Save and go to the exercise; with conflicts, ask first; bad input: the form again."""
    choices = _choices(session, language_of(request))
    form = parse_exercise_form(
        translations_for(request), posted, _options(choices), number_format(request)
    )
    if form.body is None:
        return _form_page(request, principal, form, choices, status_code=422)
    try:
        planned = service.create_exercises(
            session,
            form.body,
            actor=principal.email,
            default_offsets=settings.exercise_reminder_offsets,
        )
    except DomainValidationError as error:
        session.rollback()
        form.form.add_domain_error(error, FIELD_OF)
        return _form_page(request, principal, form, choices, status_code=422)
    first = planned.exercises[0].starts_at
    # Confirmed for this first date only: a start or rule changed since asks again.
    first_date_confirmed = posted.get("confirm_first_date") == first.isoformat()
    chosen = to_utc("starts_at", form.body.starts_at)  # the service has accepted it
    if form.body.recurrence is not None and first != chosen and not first_date_confirmed:
        # A rule may not start on the chosen date (the first Tuesday of a quarter chosen in
        # its second week starts three months later): nothing saved, the dates are shown.
        session.rollback()
        moved = Moved(chosen, [e.starts_at for e in planned.exercises[:MOVED_SHOWN]])
        choices = _choices(session, language_of(request))
        return _form_page(request, principal, form, choices, moved=moved)
    confirm_conflicts = posted.get("confirm_conflicts")
    if planned.conflicts and not confirm_conflicts:
        # Nothing saved: the planner sees the conflicts and may save anyway.
        session.rollback()
        choices = _choices(session, language_of(request))
        return _form_page(
            request,
            principal,
            form,
            choices,
            conflicts=planned.conflicts,
            first_date_confirmed=first.isoformat() if first_date_confirmed else None,
        )
    return RedirectResponse(f"/exercises/{planned.exercises[0].id}?done=created", status_code=303)


def _series(session: Session, exercise: Exercise) -> list[Exercise]:
    if exercise.series_id is None:
        return []
    return list(
        session.scalars(
            select(Exercise)
            .where(Exercise.series_id == exercise.series_id)
            .order_by(Exercise.starts_at, Exercise.id)
            .limit(SERIES_SHOWN)
        )
    )


def _exercise_page(
    request: Request,
    session: Session,
    principal: Principal,
    exercise: Exercise,
    *,
    done: str | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    translations = translations_for(request)
    invited = service.invited_as_seen(principal, exercise)
    return render(
        request,
        "exercises/exercise.html",
        {
            "active": "exercises",
            "exercise": exercise,
            "labels": labels(translations),
            "stamp": stamp,
            "sees_people": principal.sees_people,
            "invited_names": [volunteer.full_name for volunteer in invited.named],
            "invited_others": invited.others,
            "any_others": invited.others_in_all > 0,
            "suppress_below": SUPPRESS_BELOW,
            "series": _series(session, exercise),
            "rule_words": rule_in_words(
                exercise.series.rrule if exercise.series else None,
                translations,
                FORMAT_LOCALES[language_of(request)],
            ),
            "cancellable": exercise.status in (ExerciseStatus.PLANNED, ExerciseStatus.RUNNING),
            "done": done,
            "problem": problem,
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/{exercise_id:int}", name="web.exercise")
def exercise_page(
    exercise_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    done: str | None = None,
) -> Response:
    """One exercise: when (Oslo time), what, where, who, its series and its callout."""
    exercise = service.get_exercise(session, exercise_id)
    translations = translations_for(request)
    message = {
        "created": translations.gettext("The exercise is saved."),
        "cancelled": translations.gettext("The exercise is cancelled."),
    }.get(done or "")
    return _exercise_page(request, session, principal, exercise, done=message)


@router.get("/{exercise_id:int}/cancel", name="web.exercise_cancel_confirm")
def confirm_cancel(
    exercise_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """Ask before cancelling: what it does, an optional reason, and the button."""
    exercise = service.get_exercise(session, exercise_id)
    return render(
        request,
        "exercises/exercise_cancel.html",
        {"active": "exercises", "exercise": exercise, "stamp": stamp, "errors": {}},
        principal=principal,
    )


@router.post("/{exercise_id:int}/cancel", name="web.exercise_cancel")
def cancel(
    exercise_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    posted: PostedForm,
) -> Response:
    """Cancel the exercise (a running drill's callout stops), then back to its page."""
    exercise = service.get_exercise(session, exercise_id)
    translations = translations_for(request)
    form = parse_form(CancelInput, posted, translations, number=number_format(request))
    if not form.valid:
        return render(
            request,
            "exercises/exercise_cancel.html",
            {
                "active": "exercises",
                "exercise": exercise,
                "stamp": stamp,
                "reason": str(form.values.get("reason", ""))[:600],
                "errors": form.errors,
            },
            principal=principal,
            status_code=422,
        )
    try:
        service.cancel_exercise(session, exercise, reason=form.fields["reason"])
    except ConflictError:
        session.rollback()
        exercise = service.get_exercise(session, exercise_id)
        problem = translations.gettext("The exercise is completed or cancelled already.")
        return _exercise_page(
            request, session, principal, exercise, problem=problem, status_code=409
        )
    return RedirectResponse(f"/exercises/{exercise_id}?done=cancelled", status_code=303)
