"""The duty officer's callout form: declared once (`CalloutInput`), read by the form toolkit,
and handed on as a `CalloutCreate` when every field is fine.

The page reads the fields itself (not through FastAPI's validation), so bad input shows the
form again with messages in the reader's language, never a problem document. What passes here
still goes through `alerts.callouts.planning.plan`, the rules the API applies; its errors land
on the form's fields by their codes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from babel.support import Translations
from pydantic import BaseModel, Field, ValidationError

from alerts.callouts.schemas import CalloutCreate
from alerts.models import MAX_MESSAGE_LENGTH, MAX_RADIUS_M, MAX_WANTED
from beredskap.platform.errors import Param
from beredskap.platform.web.form_fields import WHOLE, clean, decimal_number
from beredskap.platform.web.forms import (
    Checkbox,
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
from beredskap.register.addresses.resolve import Located
from beredskap.register.addresses.search import MAX_QUERY

MAX_TITLE = 200
MAX_NEED_ROWS = 20
NEED_ROWS_SHOWN = 3
DEFAULT_RADIUS_KM = 10.0
MAX_KM = MAX_RADIUS_M / 1000
RADIUS = Invalid(N_("enter a radius above 0 and at most %(km)s km"), km=MAX_RADIUS_M // 1000)
NEEDS = Group("needs", N_("Needs"))
# The needs rows: a qualification (its id) and how many, as typed.
NeedCells = Annotated[list[str], NEEDS]


class CalloutInput(BaseModel):
    """The callout form's fields, in its order (the error summary follows it)."""

    # Empty: the message's first words (`title_from`), one field less on a phone at night.
    title: Annotated[OptionalText, Field(title=N_("Title")), at_most(MAX_TITLE)] = None
    message: Annotated[
        Text, Field(title=N_("Message"), min_length=1, max_length=MAX_MESSAGE_LENGTH)
    ]
    exercise: Checkbox = False
    # Where, by address: the combobox fills lat and lon; without a script the page looks the
    # address up (`place_by_address`) when no coordinates are given.
    address: Annotated[OptionalText, Field(title=N_("Address")), at_most(MAX_QUERY)] = None
    lat: Annotated[Decimal, Field(title=N_("Latitude")), Invalid(N_("enter a number, e.g. 59.956"))]
    lon: Annotated[
        Decimal, Field(title=N_("Longitude")), Invalid(N_("enter a number, e.g. 59.956"))
    ]
    radius_km: Annotated[Decimal, Field(title=N_("Radius (km)"), gt=0, le=MAX_KM), RADIUS]
    need_qualification: NeedCells = []
    need_count: NeedCells = []
    organisation_ids: Annotated[
        Ids, Field(title=N_("Organisations"), max_length=200), among("organisation_ids")
    ] = []
    agreement_ids: Annotated[
        Ids, Field(title=N_("Agreements"), max_length=200), among("agreement_ids")
    ] = []
    wanted: Annotated[
        optional(Annotated[Whole, Field(ge=1, le=MAX_WANTED)]),
        Field(title=N_("How many in all")),
        Invalid(N_("enter a whole number from 1 to %(high)s"), high=MAX_WANTED),
    ] = None
    thank_when_covered: Checkbox = False
    escalate_after_min: Annotated[
        optional(Annotated[Whole, Field(ge=1, le=1440)]),
        Field(title=N_("Escalate after (minutes)")),
        Invalid(N_("enter the minutes to wait, from 1 to 1440")),
    ] = None
    voice_after_min: Annotated[
        optional(Annotated[Whole, Field(ge=1, le=1440)]),
        Field(title=N_("Phone those who have not answered after (minutes)")),
        Invalid(N_("enter the minutes to wait, from 1 to 1440")),
    ] = None
    escalate_radius_km: Annotated[
        optional(Annotated[Decimal, Field(gt=0, le=MAX_KM)]),
        Field(title=N_("Wider radius (km)")),
        RADIUS,
    ] = None
    escalate_organisation_ids: Annotated[
        Ids,
        Field(title=N_("Next circle of organisations"), max_length=200),
        among("organisation_ids"),
    ] = []
    escalate_voice_after_min: Annotated[
        optional(Annotated[Whole, Field(ge=1, le=1440)]),
        Field(title=N_("Phone those the escalation asks after (minutes)")),
        Invalid(N_("enter the minutes to wait, from 1 to 1440")),
    ] = None
    # The incident map's equipment filter, carried through the form so it is still said when
    # the form comes back with a message (`alerts.callouts.from_map`); no field of a callout.
    capability: Annotated[OptionalText, Field(title=N_("Capability")), at_most(40)] = None
    resource_type: Annotated[OptionalText, Field(title=N_("Resource type")), at_most(20)] = None


# Where the shared rules (the API's schema and `plan`) put a problem, as a field of this form.
FIELD_OF = {
    "radius_m": "radius_km",
    "area": "lat",
    "escalation": "escalate_after_min",
    "escalation.radius_m": "escalate_radius_km",
    "escalation.organisation_ids": "escalate_organisation_ids",
    "escalation.after_min": "escalate_after_min",
    "escalation.voice_after_min": "escalate_voice_after_min",
}


@dataclass
class NeedRow:
    qualification: str = ""
    count: str = ""


@dataclass
class CalloutForm:
    """The form as the toolkit read it, the needs rows, and the callout once all is fine."""

    form: Form[CalloutInput]
    needs: list[NeedRow] = field(default_factory=list)
    body: CalloutCreate | None = None

    @property
    def errors(self) -> dict[str, str]:
        return self.form.errors


Problem = tuple[str, Mapping[str, Param]]


def empty_form(
    translations: Translations, prefill: Mapping[str, str], qualification_ids: set[int]
) -> CalloutForm:
    """A new form; the incident map's link fills in the point, radius and qualification."""
    values: dict[str, Any] = {
        "thank_when_covered": True,
        "exercise": False,
        "organisation_ids": [],
        "escalate_organisation_ids": [],
        "agreement_ids": [],
    }
    for name in ("lat", "lon"):
        value = decimal_number(clean(prefill.get(name))[:40])
        values[name] = f"{value:.6f}" if value is not None else ""
    radius_m = decimal_number(clean(prefill.get("radius_m"))[:40])
    radius_km = radius_m / 1000 if radius_m and 0 < radius_m <= MAX_RADIUS_M else DEFAULT_RADIUS_KM
    values["radius_km"] = f"{radius_km:g}"
    # The incident map's address and equipment filter come along (shown, never trusted: the
    # equipment is looked up again, and the address is only a label beside the point).
    for name, limit in (("address", MAX_QUERY), ("capability", 40), ("resource_type", 20)):
        text = "".join(ch for ch in clean(prefill.get(name)) if ch.isprintable())
        values[name] = text[:limit]
    qualification = clean(prefill.get("qualification"))
    first = NeedRow()
    if WHOLE.match(qualification) and int(qualification) in qualification_ids:
        first = NeedRow(qualification, "1")
    needs = [first] + [NeedRow() for _ in range(NEED_ROWS_SHOWN - 1)]
    return CalloutForm(blank_form(CalloutInput, translations, values), needs)


def need_rows(qualifications: list[str], counts: list[str]) -> list[NeedRow]:
    """The needs rows as posted (kept for the form again), at least NEED_ROWS_SHOWN."""
    rows = list(zip(qualifications, counts, strict=False))[:MAX_NEED_ROWS]
    shown = [NeedRow(qualification[:20], count[:20]) for qualification, count in rows]
    return shown + [NeedRow() for _ in range(NEED_ROWS_SHOWN - len(shown))]


def read_needs(
    rows: list[NeedRow], qualification_codes: dict[int, str]
) -> tuple[list[dict[str, Any]], Problem | None]:
    """The needs of the filled rows ({qualification code, count}), or what is wrong."""
    needs: list[dict[str, Any]] = []
    problem: Problem | None = None
    for row in rows:
        qualification, count = row.qualification.strip(), row.count.strip()
        if not qualification and not count:
            continue
        if not WHOLE.match(qualification) or int(qualification) not in qualification_codes:
            problem = (N_("choose a qualification for each row with a count"), {})
        elif not WHOLE.match(count) or not 1 <= int(count) <= MAX_WANTED:
            problem = (
                N_("enter how many, a whole number from 1 to %(high)s"),
                {"high": MAX_WANTED},
            )
        else:
            code = qualification_codes[int(qualification)]
            needs.append({"qualification": code, "count": int(count)})
    if problem is None and not needs:
        problem = (N_("say what is needed: at least one qualification and how many"), {})
    if problem is None and len({need["qualification"] for need in needs}) != len(needs):
        problem = (N_("name each qualification once"), {})
    return needs, problem


def parse_callout_form(
    translations: Translations,
    posted: Mapping[str, Any],
    *,
    qualification_codes: dict[int, str],
    organisation_ids: set[int],
    agreement_ids: set[int] = frozenset(),
    number: NumberFormat | None = None,
    locate: Callable[[str], Located] | None = None,
) -> CalloutForm:
    """Check the form; `body` is set only when every field is fine. `locate` finds a typed
    address's point (the address search) when no coordinates are given."""
    form = parse_form(
        CalloutInput,
        posted,
        translations,
        number=number,
        context={"organisation_ids": organisation_ids, "agreement_ids": set(agreement_ids)},
    )
    if locate is not None:
        place_by_address(form, locate)
    typed = form.fields
    result = CalloutForm(
        form, need_rows(form.values["need_qualification"], form.values["need_count"])
    )
    needs, problem = read_needs(result.needs, qualification_codes)
    if problem is not None:
        form.add_error("needs", problem[0], **problem[1])
    escalation = _escalation(form)
    if not form.valid:
        return result
    try:
        result.body = CalloutCreate(
            title=typed["title"] or title_from(typed["message"]),
            message=typed["message"],
            exercise=typed["exercise"],
            lat=typed["lat"],
            lon=typed["lon"],
            radius_m=typed["radius_km"] * 1000,
            needs=needs,
            organisation_ids=typed["organisation_ids"],
            agreement_ids=typed["agreement_ids"],
            wanted=typed["wanted"],
            thank_when_covered=typed["thank_when_covered"],
            escalation=escalation,
            voice_after_min=typed["voice_after_min"],
        )
    except ValidationError as error:
        form.add_validation_error(error, FIELD_OF)
    return result


TITLE_FROM_MESSAGE = 60  # characters of the message's beginning a title is made of


def title_from(message: str) -> str:
    """A title made of the message's first words: its first line, cut after the last whole
    word that fits, "..." when cut."""
    first_line = " ".join((message.strip().splitlines() or [""])[0].split())
    if len(first_line) <= TITLE_FROM_MESSAGE:
        return first_line
    room = first_line[: TITLE_FROM_MESSAGE - 2]
    cut = room.rfind(" ")
    kept = room[:cut] if cut > 0 else room[:-1]
    return kept.rstrip(" ,.;:-") + "..."


def place_by_address(form: Form[CalloutInput], locate: Callable[[str], Located]) -> None:
    """An address and no coordinates at all: the address's point, or its message on the
    address field (and none on the coordinates left empty)."""
    typed = str(form.values.get("address") or "").strip()
    if not typed or any(str(form.values.get(name) or "").strip() for name in ("lat", "lon")):
        return
    for name in ("lat", "lon"):
        form.errors.pop(name, None)
    address = form.fields.get("address")
    if not address:  # unreadable: its own message says why
        return
    located = locate(address)
    if located.found is None:
        form.add_error("address", located.code or "", **located.params)
        return
    for name, value in (("lat", located.found.lat), ("lon", located.found.lon)):
        form.fields[name] = value
        form.values[name] = f"{value:.6f}"
    form.values["address"] = located.found.label


def _escalation(form: Form[CalloutInput]) -> dict[str, Any] | None:
    """The escalation fields: all empty means none; minutes and a way to widen otherwise."""
    typed = form.fields
    after = typed.get("escalate_after_min")
    radius_km = typed.get("escalate_radius_km")
    extra = typed.get("escalate_organisation_ids")
    voice = typed.get("escalate_voice_after_min")
    if not after and not radius_km and not extra and not voice:
        return None
    if after is None:
        form.add_error("escalate_after_min", N_("enter the minutes to wait, from 1 to 1440"))
        return None
    return {
        "after_min": after,
        "radius_m": radius_km * 1000 if radius_km is not None else None,
        "organisation_ids": extra or [],
        "voice_after_min": voice,
    }
