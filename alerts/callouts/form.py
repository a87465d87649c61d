"""The duty officer's callout form: raw input in, a `CalloutCreate` or messages per field out.

The page reads the fields itself (not through FastAPI's validation), so bad input shows the
form again with messages in the reader's language, never a problem document. What passes here
still goes through `alerts.callouts.planning.plan`, the rules the API applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from babel.support import Translations
from pydantic import ValidationError

from alerts.callouts.schemas import CalloutCreate
from alerts.models import MAX_MESSAGE_LENGTH, MAX_RADIUS_M, MAX_WANTED
from beredskap.platform.errors import DomainValidationError
from beredskap.platform.web.form_fields import (
    WHOLE,
    chosen_ids,
    clean,
    decimal_number,
    has_control_characters,
)
from beredskap.platform.web.i18n import N_

MAX_TITLE = 200
MAX_NEED_ROWS = 20
NEED_ROWS_SHOWN = 3
DEFAULT_RADIUS_KM = 10.0
# Field names of the form, in its order (the error summary follows it).
FIELD_LABELS = {
    "title": N_("Title"),
    "message": N_("Message"),
    "lat": N_("Latitude"),
    "lon": N_("Longitude"),
    "radius_km": N_("Radius (km)"),
    "needs": N_("Needs"),
    "organisation_ids": N_("Organisations"),
    "agreement_ids": N_("Agreements"),
    "wanted": N_("How many in all"),
    "escalate_after_min": N_("Escalate after (minutes)"),
    "escalate_radius_km": N_("Wider radius (km)"),
    "escalate_organisation_ids": N_("Next circle of organisations"),
}
# Where the shared rules (pydantic and `plan`) put a problem, as a field of this form.
_FIELD_OF = {
    "radius_m": "radius_km",
    "area": "lat",
    "escalation": "escalate_after_min",
    "escalation.radius_m": "escalate_radius_km",
    "escalation.organisation_ids": "escalate_organisation_ids",
    "escalation.after_min": "escalate_after_min",
}


@dataclass
class NeedRow:
    qualification: str = ""
    count: str = ""


@dataclass
class CalloutForm:
    """What was typed (kept for the form), the needs rows, and the messages by field."""

    values: dict[str, Any] = field(default_factory=dict)
    needs: list[NeedRow] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    body: CalloutCreate | None = None


@dataclass
class RawCallout:
    """The form as posted: text fields, and the repeated fields as lists."""

    text: dict[str, str]
    need_qualification: list[str]
    need_count: list[str]
    organisation_ids: list[str]
    escalate_organisation_ids: list[str]
    agreement_ids: list[str] = field(default_factory=list)


def empty_form(prefill: dict[str, str], qualification_ids: set[int]) -> CalloutForm:
    """A new form; the incident map's link fills in the point, radius and qualification."""
    form = CalloutForm(
        values={
            "thank_when_covered": True,
            "exercise": False,
            "organisation_ids": [],
            "escalate_organisation_ids": [],
            "agreement_ids": [],
        }
    )
    for name in ("lat", "lon"):
        value = decimal_number(clean(prefill.get(name))[:40])
        form.values[name] = f"{value:.6f}" if value is not None else ""
    radius_m = decimal_number(clean(prefill.get("radius_m"))[:40])
    radius_km = radius_m / 1000 if radius_m and 0 < radius_m <= MAX_RADIUS_M else DEFAULT_RADIUS_KM
    form.values["radius_km"] = f"{radius_km:g}"
    qualification = clean(prefill.get("qualification"))
    first = NeedRow()
    if WHOLE.match(qualification) and int(qualification) in qualification_ids:
        first = NeedRow(qualification, "1")
    form.needs = [first] + [NeedRow() for _ in range(NEED_ROWS_SHOWN - 1)]
    return form


def need_rows(qualifications: list[str], counts: list[str]) -> list[NeedRow]:
    """The needs rows as posted (kept for the form again), at least NEED_ROWS_SHOWN."""
    rows = list(zip(qualifications, counts, strict=False))[:MAX_NEED_ROWS]
    shown = [NeedRow(qualification[:20], count[:20]) for qualification, count in rows]
    return shown + [NeedRow() for _ in range(NEED_ROWS_SHOWN - len(shown))]


def read_needs(
    rows: list[NeedRow], qualification_codes: dict[int, str], _: Any
) -> tuple[list[dict[str, Any]], str | None]:
    """The needs of the filled rows ({qualification code, count}), or what is wrong."""
    needs: list[dict[str, Any]] = []
    problem = None
    for row in rows:
        qualification, count = row.qualification.strip(), row.count.strip()
        if not qualification and not count:
            continue
        if not WHOLE.match(qualification) or int(qualification) not in qualification_codes:
            problem = _("choose a qualification for each row with a count")
        elif not WHOLE.match(count) or not 1 <= int(count) <= MAX_WANTED:
            problem = _("enter how many, a whole number from 1 to %(high)s") % {"high": MAX_WANTED}
        else:
            needs.append(
                {"qualification": qualification_codes[int(qualification)], "count": int(count)}
            )
    if problem is None and not needs:
        problem = _("say what is needed: at least one qualification and how many")
    return needs, problem


def read_wanted(text: str, _: Any) -> tuple[int | None, str | None]:
    """How many in all (optional), or what is wrong."""
    if not text:
        return None, None
    if WHOLE.match(text) and 1 <= int(text) <= MAX_WANTED:
        return int(text), None
    return None, _("enter a whole number from 1 to %(high)s") % {"high": MAX_WANTED}


def parse_callout_form(
    translations: Translations,
    raw: RawCallout,
    *,
    qualification_codes: dict[int, str],
    organisation_ids: set[int],
    agreement_ids: set[int] = frozenset(),
) -> CalloutForm:
    """Check the form; `body` is set only when every field is fine."""
    _ = translations.gettext
    form = CalloutForm()
    errors = form.errors
    text = {name: (value or "")[:5000] for name, value in raw.text.items()}
    form.values.update(text)
    form.values["exercise"] = bool(clean(text.get("exercise")))
    form.values["thank_when_covered"] = bool(clean(text.get("thank_when_covered")))
    form.values["organisation_ids"] = raw.organisation_ids[:200]
    form.values["escalate_organisation_ids"] = raw.escalate_organisation_ids[:200]
    form.values["agreement_ids"] = raw.agreement_ids[:50]
    for name, limit in (("title", MAX_TITLE), ("message", MAX_MESSAGE_LENGTH)):
        value = clean(text.get(name))
        if not value:
            errors[name] = _("is required")
        elif has_control_characters(value):
            errors[name] = _("contains characters that are not allowed")
        elif len(value) > limit:
            errors[name] = _("at most %(count)s characters") % {"count": limit}
    point: dict[str, float] = {}
    for name in ("lat", "lon"):
        value = decimal_number(clean(text.get(name)))
        if value is None:
            errors[name] = _("enter a number, e.g. 59.956")
        else:
            point[name] = value
    radius_km = decimal_number(clean(text.get("radius_km")))
    if radius_km is None or not 0 < radius_km * 1000 <= MAX_RADIUS_M:
        errors["radius_km"] = _("enter a radius above 0 and at most %(km)s km") % {
            "km": MAX_RADIUS_M // 1000
        }
    form.needs = need_rows(raw.need_qualification, raw.need_count)
    needs, problem = read_needs(form.needs, qualification_codes, _)
    if problem is not None:
        errors["needs"] = problem
    elif len({need["qualification"] for need in needs}) != len(needs):
        errors["needs"] = _("name each qualification once")
    wanted, problem = read_wanted(clean(text.get("wanted")), _)
    if problem is not None:
        errors["wanted"] = problem
    chosen = chosen_ids(raw.organisation_ids, organisation_ids, most=200)
    if chosen is None:
        errors["organisation_ids"] = _("choose one of the options")
    chosen_agreements = chosen_ids(raw.agreement_ids, set(agreement_ids), most=200)
    if chosen_agreements is None:
        errors["agreement_ids"] = _("choose one of the options")
    escalation = _escalation(translations, text, raw, organisation_ids, errors)
    if errors:
        return form
    try:
        form.body = CalloutCreate(
            title=clean(text.get("title")),
            message=clean(text.get("message")),
            exercise=bool(form.values["exercise"]),
            lat=point["lat"],
            lon=point["lon"],
            radius_m=float(radius_km or 0) * 1000,
            needs=needs,
            organisation_ids=chosen or [],
            agreement_ids=chosen_agreements or [],
            wanted=wanted,
            thank_when_covered=bool(form.values["thank_when_covered"]),
            escalation=escalation,
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


def _escalation(
    translations: Translations,
    text: dict[str, str],
    raw: RawCallout,
    organisation_ids: set[int],
    errors: dict[str, str],
) -> dict[str, Any] | None:
    """The escalation fields: all empty means none; minutes and a way to widen otherwise."""
    _ = translations.gettext
    after = clean(text.get("escalate_after_min"))
    radius_text = clean(text.get("escalate_radius_km"))
    extra = chosen_ids(raw.escalate_organisation_ids, organisation_ids, most=200)
    if extra is None:
        errors["escalate_organisation_ids"] = _("choose one of the options")
        return None
    if not after and not radius_text and not extra:
        return None
    if not (WHOLE.match(after) and 1 <= int(after) <= 1440):
        errors["escalate_after_min"] = _("enter the minutes to wait, from 1 to 1440")
        return None
    radius_km = decimal_number(radius_text) if radius_text else None
    if radius_text and (radius_km is None or not 0 < radius_km * 1000 <= MAX_RADIUS_M):
        errors["escalate_radius_km"] = _("enter a radius above 0 and at most %(km)s km") % {
            "km": MAX_RADIUS_M // 1000
        }
        return None
    return {
        "after_min": int(after),
        "radius_m": radius_km * 1000 if radius_km is not None else None,
        "organisation_ids": extra,
    }


# Messages of the shared rules (`plan`, the service) in the reader's language.
_DOMAIN_MESSAGES = [
    (re.compile(r"outside Norway|is not a coordinate"), N_("the point is outside Norway")),
    (re.compile(r"^must be wider than radius_m$"), N_("must be wider than the radius")),
    (
        re.compile(r"^say how to escalate"),
        N_("say how to escalate: a wider radius, more organisations, or both"),
    ),
    (
        re.compile(r"already asks every organisation"),
        N_("the callout asks every organisation already: choose its first circle above"),
    ),
    (
        re.compile(r"^more than \d+ volunteers match"),
        N_("too many volunteers match: narrow the radius or the needs"),
    ),
]


def add_domain_error(
    translations: Translations, form: CalloutForm, error: DomainValidationError
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
