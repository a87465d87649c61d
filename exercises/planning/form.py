"""The planner's exercise form: declared once (`ExerciseInput`), read by the form toolkit,
and handed on as an `ExerciseCreate` when every field is fine.

Dates and times are typed in Oslo time (date and time inputs) and handed on naive, which
`exercises.times.to_utc` reads as Oslo wall time. What passes here still goes through
`exercises.planning.service`, the rules the API applies; its errors land on the form's fields
by their codes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Annotated, Any

from babel.support import Translations
from pydantic import BaseModel, BeforeValidator, Field, ValidationError

from alerts.callouts.form import NEED_ROWS_SHOWN, NeedRow, need_rows, read_needs
from alerts.models import MAX_MESSAGE_LENGTH, MAX_RADIUS_M, MAX_WANTED
from beredskap.platform.web.form_fields import decimal_number
from beredskap.platform.web.forms import (
    Decimal,
    Form,
    Group,
    Ids,
    Invalid,
    NumberFormat,
    OptionalText,
    Text,
    Whole,
    among,
    at_most,
    blank_form,
    optional,
    parse_form,
)
from beredskap.platform.web.i18n import N_
from exercises.models import MAX_TEXT, MAX_TITLE, ExerciseType
from exercises.planning.schemas import MAX_REMINDER_OFFSET_MIN, MAX_REMINDERS, ExerciseCreate

TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
# Common routine drills as RFC 5545 rules (Oslo wall time); "custom" takes the typed rule.
RECURRENCE_PRESETS = {
    "quarterly_first_tuesday": (
        N_("Every first Tuesday of the quarter"),
        "FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU",
    ),
    "monthly_first_tuesday": (N_("Every first Tuesday of the month"), "FREQ=MONTHLY;BYDAY=1TU"),
    "weekly": (N_("Every week"), "FREQ=WEEKLY"),
    "yearly": (N_("Every year"), "FREQ=YEARLY"),
}
MAX_KM = MAX_RADIUS_M / 1000


def _day(value: Any) -> Any:
    """A date as the date input sends it (YYYY-MM-DD)."""
    text = value.strip() if isinstance(value, str) else value
    return date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else value


def _clock(value: Any) -> Any:
    """A time of day as typed (18:00, 18.00, 9:30)."""
    match = TIME.match(value.strip()) if isinstance(value, str) else None
    return time(int(match.group(1)), int(match.group(2))) if match else value


def _hours(value: Any) -> Any:
    """Hours before the start, comma-separated, as minutes; empty: the default (None)."""
    if not isinstance(value, str):
        return value
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts:
        return None
    hours = [decimal_number(part) for part in parts]
    if len(parts) > MAX_REMINDERS or any(
        hour is None or not 0 < hour * 60 <= MAX_REMINDER_OFFSET_MIN for hour in hours
    ):
        raise ValueError("not hours before the start")
    return [max(1, round((hour or 0) * 60)) for hour in hours]


WHEN = Invalid(N_("enter a date and a time, e.g. 2027-03-02 18:00"))
Day = Annotated[date, BeforeValidator(_day), WHEN]
Clock = Annotated[time, BeforeValidator(_clock), WHEN]
STARTS = Group("starts_at", N_("Starts"))
ENDS = Group("ends_at", N_("Ends"))
PLACE = Group("place", N_("Place"))
AT_PLACE = Invalid(N_("enter latitude and longitude, e.g. 59.956 and 11.049"))
DRILL_NEEDS = Group("drill_needs", N_("Drill needs"))
RECURRENCE = Group("recurrence", N_("Repeats"))
RADIUS = Invalid(N_("enter a radius above 0 and at most %(km)s km"), km=MAX_RADIUS_M // 1000)


class ExerciseInput(BaseModel):
    """The exercise form's fields, in its order (the error summary follows it)."""

    title: Annotated[Text, Field(title=N_("Title"), min_length=1, max_length=MAX_TITLE)]
    type: Annotated[ExerciseType, Field(title=N_("Type of exercise"))]
    start_date: Annotated[Day, Field(title=N_("Date")), STARTS]
    start_time: Annotated[Clock, Field(title=N_("Time")), STARTS]
    end_date: Annotated[Day, Field(title=N_("Date")), ENDS]
    end_time: Annotated[Clock, Field(title=N_("Time")), ENDS]
    scenario: Annotated[OptionalText, Field(title=N_("Scenario")), at_most(MAX_TEXT)] = None
    objectives: Annotated[OptionalText, Field(title=N_("Objectives")), at_most(MAX_TEXT)] = None
    organisation_ids: Annotated[
        Ids, Field(title=N_("Organisations"), max_length=500), among("organisation_ids")
    ] = []
    agreement_ids: Annotated[
        Ids, Field(title=N_("Agreements"), max_length=500), among("agreement_ids")
    ] = []
    site_ids: Annotated[Ids, Field(title=N_("Sites"), max_length=500), among("site_ids")] = []
    volunteer_ids: Annotated[
        Ids, Field(title=N_("Invited volunteers"), max_length=500), among("volunteer_ids")
    ] = []
    lat: Annotated[
        optional(Annotated[Decimal, Field(ge=-90, le=90)]),
        Field(title=N_("Latitude")),
        PLACE,
        AT_PLACE,
    ] = None
    lon: Annotated[
        optional(Annotated[Decimal, Field(ge=-180, le=180)]),
        Field(title=N_("Longitude")),
        PLACE,
        AT_PLACE,
    ] = None
    reminder_hours: Annotated[
        list[int] | None,
        BeforeValidator(_hours),
        Field(title=N_("Reminders (hours before the start)")),
        Invalid(
            N_("enter up to %(count)s numbers of hours, each above 0 and at most %(high)s"),
            count=MAX_REMINDERS,
            high=MAX_REMINDER_OFFSET_MIN // 60,
        ),
    ] = None
    drill_message: Annotated[
        OptionalText, Field(title=N_("Drill message")), at_most(MAX_MESSAGE_LENGTH)
    ] = None
    drill_radius_km: Annotated[
        optional(Annotated[Decimal, Field(gt=0, le=MAX_KM)]),
        Field(title=N_("Drill radius (km)")),
        RADIUS,
    ] = None
    need_qualification: Annotated[list[str], DRILL_NEEDS] = []
    need_count: Annotated[list[str], DRILL_NEEDS] = []
    drill_wanted: Annotated[
        optional(Annotated[Whole, Field(ge=1, le=MAX_WANTED)]),
        Field(title=N_("How many in all")),
        Invalid(N_("enter a whole number from 1 to %(high)s"), high=MAX_WANTED),
    ] = None
    recurrence_preset: Annotated[OptionalText, Field(title=N_("How often")), RECURRENCE] = None
    rrule: Annotated[OptionalText, Field(title=N_("Own rule")), RECURRENCE, at_most(500)] = None


# Where the shared rules (the API's schema and the service) put a problem, as a form field.
FIELD_OF = {
    "lat": "place",
    "lon": "place",
    "area": "place",
    "drill": "drill_message",
    "drill.message": "drill_message",
    "drill.radius_m": "drill_radius_km",
    "drill.needs": "drill_needs",
    "drill.wanted": "drill_wanted",
    "recurrence.rrule": "recurrence",
    "reminder_offsets_min": "reminder_hours",
}


@dataclass
class ExerciseForm:
    """The form as the toolkit read it, the drill's needs rows, and the exercise once all
    is fine."""

    form: Form[ExerciseInput]
    needs: list[NeedRow] = field(default_factory=list)
    body: ExerciseCreate | None = None

    @property
    def errors(self) -> dict[str, str]:
        return self.form.errors


def empty_form(translations: Translations) -> ExerciseForm:
    values = {
        "type": ExerciseType.TABLETOP.value,
        "start_time": "18:00",
        "end_time": "20:00",
        "organisation_ids": [],
        "agreement_ids": [],
        "site_ids": [],
        "volunteer_ids": [],
        "recurrence_preset": "",
    }
    return ExerciseForm(
        blank_form(ExerciseInput, translations, values),
        [NeedRow() for _ in range(NEED_ROWS_SHOWN)],
    )


@dataclass(frozen=True)
class Options:
    """What the form's choices offer (ids), and the qualification codes by id."""

    organisation_ids: set[int]
    agreement_ids: set[int]
    site_ids: set[int]
    volunteer_ids: set[int]
    qualification_codes: dict[int, str]


def parse_exercise_form(
    translations: Translations,
    posted: Mapping[str, Any],
    options: Options,
    number: NumberFormat | None = None,
) -> ExerciseForm:
    """Check the form; `body` is set only when every field is fine."""
    context = {
        "organisation_ids": options.organisation_ids,
        "agreement_ids": options.agreement_ids,
        "site_ids": options.site_ids,
        "volunteer_ids": options.volunteer_ids,
    }
    form = parse_form(ExerciseInput, posted, translations, number=number, context=context)
    values = form.values
    result = ExerciseForm(form, need_rows(values["need_qualification"], values["need_count"]))
    typed = form.fields
    place = _place(form)
    drill = _drill(result, options) if typed.get("type") == ExerciseType.ALERT_DRILL else None
    recurrence = _recurrence(form)
    if not form.valid:
        return result
    try:
        result.body = ExerciseCreate(
            title=typed["title"],
            type=typed["type"],
            starts_at=datetime.combine(typed["start_date"], typed["start_time"]),
            ends_at=datetime.combine(typed["end_date"], typed["end_time"]),
            scenario=typed["scenario"],
            objectives=typed["objectives"],
            place=place,  # type: ignore[arg-type]  # pydantic reads the dict
            reminder_offsets_min=typed["reminder_hours"],
            drill=drill,  # type: ignore[arg-type]
            recurrence={"rrule": recurrence} if recurrence else None,  # type: ignore[arg-type]
            organisation_ids=typed["organisation_ids"],
            agreement_ids=typed["agreement_ids"],
            site_ids=typed["site_ids"],
            volunteer_ids=typed["volunteer_ids"],
        )
    except ValidationError as error:
        form.add_validation_error(error, FIELD_OF)
    return result


def _place(form: Form[ExerciseInput]) -> dict[str, float] | None:
    """Latitude and longitude, both or neither; an alert drill needs them."""
    lat, lon = form.fields.get("lat"), form.fields.get("lon")
    if lat is None and lon is None:
        if form.fields.get("type") == ExerciseType.ALERT_DRILL:
            form.add_error(
                "place", N_("an alert drill needs a place: where its callout is centred")
            )
        return None
    if lat is None or lon is None:
        form.add_error("place", AT_PLACE.code)
        return None
    return {"lat": lat, "lon": lon}


def _drill(result: ExerciseForm, options: Options) -> dict[str, Any]:
    """The alert drill's callout: its message, radius, needs and how many in all."""
    form = result.form
    typed = form.fields
    if "drill_message" in typed and not typed["drill_message"]:
        form.add_error("drill_message", N_("an alert drill needs the message its SMS sends"))
    if "drill_radius_km" in typed and typed["drill_radius_km"] is None:
        form.add_error("drill_radius_km", RADIUS.code, **RADIUS.params)
    needs, problem = read_needs(result.needs, options.qualification_codes)
    if problem is not None:
        form.add_error("drill_needs", problem[0], **problem[1])
    return {
        "message": typed.get("drill_message"),
        "radius_m": (typed.get("drill_radius_km") or 0) * 1000,
        "needs": needs,
        "wanted": typed.get("drill_wanted"),
    }


def _recurrence(form: Form[ExerciseInput]) -> str | None:
    """The rule: a preset's, or the planner's own."""
    preset, rule = form.fields.get("recurrence_preset"), form.fields.get("rrule")
    if not preset:
        return None
    if preset == "custom":
        if not rule and "rrule" in form.fields:
            form.add_error("rrule", N_("write the rule, e.g. FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU"))
        return rule
    if preset not in RECURRENCE_PRESETS:
        form.add_error("recurrence_preset", N_("choose one of the options"))
        return None
    return RECURRENCE_PRESETS[preset][1]
