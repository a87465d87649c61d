"""The planner's exercise form: raw input in, an `ExerciseCreate` or messages per field out.

Dates and times are typed in Oslo time (date and time inputs) and handed on naive, which
`exercises.times.to_utc` reads as Oslo wall time. What passes here still goes through
`exercises.planning.service`, the rules the API applies; its errors land on the form's fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from babel.support import Translations
from pydantic import ValidationError

from alerts.callouts.form import NEED_ROWS_SHOWN, NeedRow, need_rows, read_needs, read_wanted
from alerts.models import MAX_MESSAGE_LENGTH, MAX_RADIUS_M
from beredskap.platform.errors import DomainValidationError
from beredskap.platform.web.form_fields import (
    chosen_ids,
    clean,
    decimal_number,
    has_control_characters,
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
FIELD_LABELS = {
    "title": N_("Title"),
    "type": N_("Type of exercise"),
    "starts_at": N_("Starts"),
    "ends_at": N_("Ends"),
    "scenario": N_("Scenario"),
    "objectives": N_("Objectives"),
    "organisation_ids": N_("Organisations"),
    "agreement_ids": N_("Agreements"),
    "site_ids": N_("Sites"),
    "volunteer_ids": N_("Invited volunteers"),
    "place": N_("Place"),
    "reminder_hours": N_("Reminders (hours before the start)"),
    "drill_message": N_("Drill message"),
    "drill_radius_km": N_("Drill radius (km)"),
    "drill_needs": N_("Drill needs"),
    "drill_wanted": N_("How many in all"),
    "recurrence": N_("Repeats"),
}
# Where the shared rules (pydantic and the service) put a problem, as a field of this form.
_FIELD_OF = {
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
    """What was typed (kept for the form), the drill's needs rows, messages by field."""

    values: dict[str, Any] = field(default_factory=dict)
    needs: list[NeedRow] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    body: ExerciseCreate | None = None


@dataclass
class RawExercise:
    """The form as posted: text fields, and the repeated fields as lists."""

    text: dict[str, str]
    organisation_ids: list[str] = field(default_factory=list)
    agreement_ids: list[str] = field(default_factory=list)
    site_ids: list[str] = field(default_factory=list)
    volunteer_ids: list[str] = field(default_factory=list)
    need_qualification: list[str] = field(default_factory=list)
    need_count: list[str] = field(default_factory=list)


def _wall_time(day_text: str, time_text: str) -> datetime | None:
    """A date (YYYY-MM-DD) and a time (HH:MM) typed in Oslo, as a naive datetime."""
    match = TIME.match(time_text)
    try:
        day = date.fromisoformat(day_text) if len(day_text) == 10 else None
        if day is None or match is None:
            return None
        return datetime.combine(day, time(int(match.group(1)), int(match.group(2))))
    except ValueError:
        return None


def empty_form() -> ExerciseForm:
    return ExerciseForm(
        values={
            "type": ExerciseType.TABLETOP.value,
            "start_time": "18:00",
            "end_time": "20:00",
            "organisation_ids": [],
            "agreement_ids": [],
            "site_ids": [],
            "volunteer_ids": [],
            "recurrence_preset": "",
        },
        needs=[NeedRow() for _ in range(NEED_ROWS_SHOWN)],
    )


@dataclass(frozen=True)
class Options:
    """What the form's choices offer (ids), and the qualification codes by id."""

    organisation_ids: set[int]
    agreement_ids: set[int]
    site_ids: set[int]
    volunteer_ids: set[int]
    qualification_codes: dict[int, str]


def _text_fields(text: dict[str, str], errors: dict[str, str], _: Any) -> None:
    for name, limit, required in (
        ("title", MAX_TITLE, True),
        ("scenario", MAX_TEXT, False),
        ("objectives", MAX_TEXT, False),
    ):
        value = clean(text.get(name))
        if required and not value:
            errors[name] = _("is required")
        elif has_control_characters(value):
            errors[name] = _("contains characters that are not allowed")
        elif len(value) > limit:
            errors[name] = _("at most %(count)s characters") % {"count": limit}


def _reminders(text: str, errors: dict[str, str], _: Any) -> list[int] | None:
    """Hours before the start, comma-separated, as minutes; empty: the default."""
    if not text:
        return None
    parts = [part.strip() for part in text.split(",") if part.strip()]
    hours = [decimal_number(part) for part in parts]
    if (
        len(parts) > MAX_REMINDERS
        or any(value is None for value in hours)
        or any(not 0 < (value or 0) * 60 <= MAX_REMINDER_OFFSET_MIN for value in hours)
    ):
        errors["reminder_hours"] = _(
            "enter up to %(count)s numbers of hours, each above 0 and at most %(high)s"
        ) % {"count": MAX_REMINDERS, "high": MAX_REMINDER_OFFSET_MIN // 60}
        return None
    return [max(1, round((value or 0) * 60)) for value in hours]


def _drill(
    text: dict[str, str], form: ExerciseForm, options: Options, _: Any
) -> dict[str, Any] | None:
    errors = form.errors
    message = clean(text.get("drill_message"))
    if not message:
        errors["drill_message"] = _("an alert drill needs the message its SMS sends")
    elif has_control_characters(message) or len(message) > MAX_MESSAGE_LENGTH:
        errors["drill_message"] = _("at most %(count)s characters") % {"count": MAX_MESSAGE_LENGTH}
    radius_km = decimal_number(clean(text.get("drill_radius_km")))
    if radius_km is None or not 0 < radius_km * 1000 <= MAX_RADIUS_M:
        errors["drill_radius_km"] = _("enter a radius above 0 and at most %(km)s km") % {
            "km": MAX_RADIUS_M // 1000
        }
    needs, problem = read_needs(form.needs, options.qualification_codes, _)
    if problem is not None:
        errors["drill_needs"] = problem
    wanted, problem = read_wanted(clean(text.get("drill_wanted")), _)
    if problem is not None:
        errors["drill_wanted"] = problem
    return {
        "message": message,
        "radius_m": (radius_km or 0) * 1000,
        "needs": needs,
        "wanted": wanted,
    }


def parse_exercise_form(
    translations: Translations, raw: RawExercise, options: Options
) -> ExerciseForm:
    """Check the form; `body` is set only when every field is fine."""
    _ = translations.gettext
    form = ExerciseForm()
    errors = form.errors
    text = {name: (value or "")[:5000] for name, value in raw.text.items()}
    form.values.update(text)
    for name in ("organisation_ids", "agreement_ids", "site_ids", "volunteer_ids"):
        form.values[name] = getattr(raw, name)[:500]
    form.needs = need_rows(raw.need_qualification, raw.need_count)
    _text_fields(text, errors, _)
    kind = clean(text.get("type"))
    if kind not in {member.value for member in ExerciseType}:
        errors["type"] = _("choose one of the options")
    starts = _wall_time(clean(text.get("start_date")), clean(text.get("start_time")))
    ends = _wall_time(clean(text.get("end_date")), clean(text.get("end_time")))
    if starts is None:
        errors["starts_at"] = _("enter a date and a time, e.g. 2027-03-02 18:00")
    if ends is None:
        errors["ends_at"] = _("enter a date and a time, e.g. 2027-03-02 18:00")
    chosen: dict[str, list[int]] = {}
    for name, allowed in (
        ("organisation_ids", options.organisation_ids),
        ("agreement_ids", options.agreement_ids),
        ("site_ids", options.site_ids),
        ("volunteer_ids", options.volunteer_ids),
    ):
        ids = chosen_ids(getattr(raw, name), allowed, most=500)
        if ids is None:
            errors[name] = _("choose one of the options")
        chosen[name] = ids or []
    place = None
    lat_text, lon_text = clean(text.get("lat")), clean(text.get("lon"))
    if lat_text or lon_text:
        lat, lon = decimal_number(lat_text), decimal_number(lon_text)
        if lat is None or lon is None or not -90 <= lat <= 90 or not -180 <= lon <= 180:
            errors["place"] = _("enter latitude and longitude, e.g. 59.956 and 11.049")
        else:
            place = {"lat": lat, "lon": lon}
    offsets = _reminders(clean(text.get("reminder_hours")), errors, _)
    drill = None
    if kind == ExerciseType.ALERT_DRILL.value:
        drill = _drill(text, form, options, _)
        if place is None and "place" not in errors:
            errors["place"] = _("an alert drill needs a place: where its callout is centred")
    recurrence = _recurrence(text, errors, _)
    if errors:
        return form
    try:
        form.body = ExerciseCreate(
            title=clean(text.get("title")),
            type=ExerciseType(kind),
            starts_at=starts,  # type: ignore[arg-type]  # checked above
            ends_at=ends,  # type: ignore[arg-type]
            scenario=clean(text.get("scenario")) or None,
            objectives=clean(text.get("objectives")) or None,
            place=place,  # type: ignore[arg-type]  # pydantic reads the dict
            reminder_offsets_min=offsets,
            drill=drill,  # type: ignore[arg-type]
            recurrence={"rrule": recurrence} if recurrence else None,  # type: ignore[arg-type]
            **chosen,
        )
    except ValidationError as error:
        for problem in error.errors():
            location = ".".join(str(part) for part in problem["loc"] if not isinstance(part, int))
            name = _FIELD_OF.get(location, location.split(".")[0])
            errors.setdefault(
                name if name in FIELD_LABELS else "title",
                _("Invalid value: %(message)s") % {"message": problem["msg"]},
            )
    return form


def _recurrence(text: dict[str, str], errors: dict[str, str], _: Any) -> str | None:
    preset = clean(text.get("recurrence_preset"))
    if not preset:
        return None
    if preset == "custom":
        rule = clean(text.get("rrule"))
        if not rule:
            errors["recurrence"] = _("write the rule, e.g. FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU")
            return None
        return rule[:500]
    if preset not in RECURRENCE_PRESETS:
        errors["recurrence"] = _("choose one of the options")
        return None
    return RECURRENCE_PRESETS[preset][1]


# Messages of the shared rules (the service, `exercises.times`) in the reader's language.
_DOMAIN_MESSAGES = [
    (
        re.compile(r"does not exist in Europe/Oslo"),
        N_("that time does not exist in Norway: the clocks go forward that night"),
    ),
    (re.compile(r"^must be at least a minute after"), N_("must be after the start")),
    (re.compile(r"^an exercise lasts at most 14 days"), N_("an exercise lasts at most 14 days")),
    (
        re.compile(r"^an alert drill must start in the future"),
        N_("an alert drill must start in the future"),
    ),
    (re.compile(r"outside Norway|is not a coordinate"), N_("the point is outside Norway")),
    (
        re.compile(r"^not a valid RRULE|^give one"),
        N_("not a rule we can read, e.g. FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU"),
    ),
    (re.compile(r"^an exercise recurs at most daily"), N_("an exercise repeats at most daily")),
    (re.compile(r"^the rule gives no occurrence"), N_("the rule gives no date")),
    (re.compile(r"^unknown qualification"), N_("choose one of the options")),
    (re.compile(r"^no \w+ with id"), N_("choose one of the options")),
]


def add_domain_error(
    translations: Translations, form: ExerciseForm, error: DomainValidationError
) -> None:
    """Put an error of the shared rules on the form's field, in the reader's language."""
    name = _FIELD_OF.get(error.field, error.field)
    if name not in FIELD_LABELS:
        name = "title"
    for pattern, msgid in _DOMAIN_MESSAGES:
        if pattern.search(error.message):
            form.errors[name] = translations.gettext(msgid)
            return
    form.errors[name] = translations.gettext("Invalid value: %(message)s") % {
        "message": error.message
    }
