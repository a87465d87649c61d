"""The volunteer form, declared once: its fields, their limits and labels, and its two kinds of
repeated rows (memberships; qualifications with obtained and expiry dates).

The toolkit (`beredskap.platform.web.forms`) reads the single fields; the rows are read here,
each cell with a message of its own beside it and a link in the error summary. What passes
still goes through `beredskap.register.volunteers.service` (the API's rules: mobile numbers
through `phonenumbers`, an e-mail address, a point in Norway snapped to the home-area grid,
each organisation and qualification once); its errors land on the form's fields and cells.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError

from beredskap.platform.columns import coerce_email
from beredskap.platform.contact_details import normalise_mobile
from beredskap.platform.digits import parse_digits
from beredskap.platform.errors import DomainValidationError
from beredskap.platform.web.form_fields import WHOLE
from beredskap.platform.web.forms import (
    Checkbox,
    Decimal,
    Form,
    Group,
    Invalid,
    NumberFormat,
    OptionalText,
    Text,
    at_most,
    blank_form,
    optional,
    parse_form,
)
from beredskap.platform.web.i18n import N_
from beredskap.register.volunteers.models import Availability, Volunteer
from beredskap.register.volunteers.schemas import (
    MAX_MEMBERSHIPS,
    MAX_QUALIFICATIONS,
    MembershipIn,
)

HOME = Group("home_area", N_("Home area"))
MEMBERSHIPS = Group("memberships", N_("Memberships"))
QUALIFICATIONS = Group("qualifications", N_("Qualifications"))
Cells = list[str]
COORDINATE = Invalid(N_("enter a number, e.g. 59.956"))


class VolunteerInput(BaseModel):
    """The volunteer form's single fields, in its order (the error summary follows it)."""

    full_name: Annotated[Text, Field(title=N_("Name"), min_length=1, max_length=200)]
    mobile: Annotated[Text, Field(title=N_("Mobile"), min_length=1, max_length=32)]
    email: Annotated[OptionalText, Field(title=N_("E-mail")), at_most(254)] = None
    home_lat: Annotated[optional(Decimal), Field(title=N_("Latitude")), HOME, COORDINATE] = None
    home_lon: Annotated[optional(Decimal), Field(title=N_("Longitude")), HOME, COORDINATE] = None
    availability: Annotated[Availability, Field(title=N_("Availability"))] = Availability.AVAILABLE
    active: Annotated[Checkbox, Field(title=N_("Active"))] = False
    sms_consent: Annotated[Checkbox, Field(title=N_("Consents to callouts by SMS"))] = False
    membership_organisation_id: Annotated[Cells, MEMBERSHIPS] = []
    membership_role: Annotated[Cells, MEMBERSHIPS] = []
    membership_remove: Annotated[Cells, MEMBERSHIPS] = []
    qualification_type_id: Annotated[Cells, QUALIFICATIONS] = []
    qualification_obtained_on: Annotated[Cells, QUALIFICATIONS] = []
    qualification_expires_on: Annotated[Cells, QUALIFICATIONS] = []
    qualification_remove: Annotated[Cells, QUALIFICATIONS] = []


@dataclass
class MembershipRow:
    organisation_id: str = ""
    role: str = ""
    remove: bool = False
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class QualificationRow:
    qualification_type_id: str = ""
    obtained_on: str = ""
    expires_on: str = ""
    remove: bool = False
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class VolunteerForm:
    """The form as read: the single fields (`form`), the rows as typed with their messages,
    and, once everything is fine, what the service is given."""

    form: Form[VolunteerInput]
    memberships: list[MembershipRow] = field(default_factory=list)
    qualifications: list[QualificationRow] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    membership_items: list[dict[str, Any]] = field(default_factory=list)
    qualification_items: list[dict[str, Any]] = field(default_factory=list)
    # The service's list index -> the row it came from (its errors name the index).
    membership_rows: list[int] = field(default_factory=list)
    qualification_rows: list[int] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.form.valid and not self.row_errors

    @property
    def row_errors(self) -> list[tuple[str, str, str]]:
        """(cell id, label, message) of every row's messages, for the error summary."""
        _ = self.form.translations.gettext
        items = []
        for number, membership in enumerate(self.memberships, start=1):
            for cell, message in membership.errors.items():
                label = _("Membership %(row)s") % {"row": number}
                items.append((f"membership-{number}-{cell}", label, message))
        for number, qualification in enumerate(self.qualifications, start=1):
            for cell, message in qualification.errors.items():
                label = _("Qualification %(row)s") % {"row": number}
                items.append((f"qualification-{number}-{cell}", label, message))
        return items

    def add_domain_error(self, error: DomainValidationError) -> None:
        """A service's error on its field, or on the row and cell it names
        (`memberships.1.organisation_id`, `qualifications.0.qualification_type_id`)."""
        parts = error.field.split(".")
        message = error.translated(self.form.translations, self.form.number)
        if len(parts) == 3 and parts[0] in ("memberships", "qualifications") and parts[1].isdigit():
            index = int(parts[1])
            if parts[0] == "memberships" and index < len(self.membership_rows):
                row = self.memberships[self.membership_rows[index]]
                row.errors.setdefault("organisation_id", message)
                return
            if parts[0] == "qualifications" and index < len(self.qualification_rows):
                cell = parts[2] if parts[2] in ("obtained_on", "expires_on") else "type"
                row_q = self.qualifications[self.qualification_rows[index]]
                row_q.errors.setdefault(cell, message)
                return
        self.form.add_domain_error(error)  # e.g. home_area: the group of lat and lon

    def context(self) -> dict[str, Any]:
        context = self.form.context()
        context["error_items"] = context["error_items"] + self.row_errors
        context["has_errors"] = bool(self.form.errors) or bool(self.row_errors)
        context["membership_rows"] = self.memberships
        context["qualification_rows"] = self.qualifications
        return context


def values_of(volunteer: Volunteer, point: tuple[float, float] | None) -> dict[str, Any]:
    """A stored volunteer as the form's single values (`point`: its home area, lat and lon)."""
    return {
        "full_name": volunteer.full_name,
        "mobile": volunteer.mobile,
        "email": volunteer.email or "",
        "home_lat": f"{point[0]:.3f}" if point else "",
        "home_lon": f"{point[1]:.3f}" if point else "",
        "availability": volunteer.availability.value,
        "active": volunteer.active,
        "sms_consent": volunteer.sms_consent,
    }


def stored_form(
    translations: Any,
    volunteer: Volunteer,
    point: tuple[float, float] | None,
    editable: Collection[int],
    *,
    number: NumberFormat | None = None,
) -> VolunteerForm:
    """The form of a stored volunteer: its memberships of `editable` organisations and its
    qualifications as rows, and one empty row of each to add."""
    form = blank_form(VolunteerInput, translations, values_of(volunteer, point), number)
    memberships = [
        MembershipRow(str(m.organisation_id), m.role or "")
        for m in sorted(volunteer.memberships, key=lambda m: m.organisation_id)
        if m.organisation_id in editable
    ]
    qualifications = [
        QualificationRow(str(q.qualification_type_id), _day(q.obtained_on), _day(q.expires_on))
        for q in sorted(volunteer.qualifications, key=lambda q: q.qualification_type_id)
    ]
    return VolunteerForm(
        form, [*memberships, MembershipRow()], [*qualifications, QualificationRow()]
    )


def new_form(translations: Any, organisation_id: int) -> VolunteerForm:
    """An empty form, a member of the organisation it was opened from."""
    values = {"availability": Availability.AVAILABLE.value, "active": True, "sms_consent": False}
    form = blank_form(VolunteerInput, translations, values)
    return VolunteerForm(form, [MembershipRow(str(organisation_id))], [QualificationRow()])


def add_row(result: VolunteerForm, kind: str) -> None:
    """One more empty row of memberships or qualifications (the "add a row" buttons)."""
    if kind == "membership" and len(result.memberships) < MAX_MEMBERSHIPS:
        result.memberships.append(MembershipRow())
    if kind == "qualification" and len(result.qualifications) < MAX_QUALIFICATIONS:
        result.qualifications.append(QualificationRow())


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _cells(values: Mapping[str, Any], name: str, count: int) -> list[str]:
    cells = [str(cell)[:200] for cell in values.get(name) or []][:count]
    return cells + [""] * (count - len(cells))


def _removed(values: Mapping[str, Any], name: str) -> set[int]:
    return {int(v) for v in values.get(name) or [] if isinstance(v, str) and WHOLE.match(v)}


def _date(row: QualificationRow, cell: str, text: str, message: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        row.errors[cell] = message
        return None


def parse_volunteer_form(
    translations: Any,
    posted: Mapping[str, Any],
    *,
    organisation_ids: Collection[int],
    qualification_type_ids: Collection[int],
    number: NumberFormat | None = None,
) -> VolunteerForm:
    """Check the form. `organisation_ids`: the organisations whose memberships the reader may
    set; `qualification_type_ids`: those offered. The rows that pass become the service's
    lists; empty rows and rows ticked "remove" are left out."""
    form = parse_form(VolunteerInput, posted, translations, number=number)
    values = form.values
    result = VolunteerForm(form)
    _read_memberships(result, values, organisation_ids)
    _read_qualifications(result, values, qualification_type_ids)
    for name, check in (("mobile", normalise_mobile), ("email", coerce_email_field)):
        if name in form.fields and form.fields[name] is not None:
            try:
                form.fields[name] = check(form.fields[name])
            except DomainValidationError as error:
                form.add_domain_error(error.at(name))
    lat, lon = form.fields.get("home_lat"), form.fields.get("home_lon")
    if (lat is None) != (lon is None) and "home_area" not in form.errors:
        form.add_error("home_lat", N_("enter both latitude and longitude, or neither"))
    if not result.valid:
        return result
    typed = form.fields
    result.fields = {
        "full_name": typed["full_name"],
        "mobile": typed["mobile"],
        "email": typed["email"],
        "availability": typed["availability"],
        "active": typed["active"],
    }
    result.fields["home_area"] = (lat, lon) if lat is not None and lon is not None else None
    return result


def coerce_email_field(value: str) -> str | None:
    return coerce_email("email", value)


def _read_memberships(
    result: VolunteerForm, values: Mapping[str, Any], organisation_ids: Collection[int]
) -> None:
    count = min(len(values.get("membership_organisation_id") or []), MAX_MEMBERSHIPS)
    organisations = _cells(values, "membership_organisation_id", count)
    roles = _cells(values, "membership_role", count)
    removed = _removed(values, "membership_remove")
    for index, (organisation, role) in enumerate(zip(organisations, roles, strict=True)):
        row = MembershipRow(organisation, role, remove=index in removed)
        result.memberships.append(row)
        if row.remove or (not organisation.strip() and not role.strip()):
            continue
        chosen = parse_digits(organisation.strip(), max_digits=10)
        if chosen is None or chosen not in organisation_ids:
            row.errors["organisation_id"] = result.form.message(N_("choose one of the options"))
            continue
        if len(role.strip()) > 100:
            row.errors["role"] = result.form.message(N_("at most %(count)s characters"), count=100)
            continue
        try:  # the API's shape of a membership (its role: printable text)
            MembershipIn(organisation_id=chosen, role=role.strip() or None)
        except ValidationError:
            row.errors["role"] = result.form.message(N_("contains characters that are not allowed"))
            continue
        result.membership_rows.append(index)
        result.membership_items.append({"organisation_id": chosen, "role": role.strip() or None})


def _read_qualifications(
    result: VolunteerForm, values: Mapping[str, Any], type_ids: Collection[int]
) -> None:
    count = min(len(values.get("qualification_type_id") or []), MAX_QUALIFICATIONS)
    types = _cells(values, "qualification_type_id", count)
    obtained = _cells(values, "qualification_obtained_on", count)
    expires = _cells(values, "qualification_expires_on", count)
    removed = _removed(values, "qualification_remove")
    bad_date = result.form.message(N_("enter a date as YYYY-MM-DD"))
    for index, cells in enumerate(zip(types, obtained, expires, strict=True)):
        kind, got, ends = cells
        row = QualificationRow(kind, got, ends, remove=index in removed)
        result.qualifications.append(row)
        if row.remove or not any(cell.strip() for cell in cells):
            continue
        chosen = parse_digits(kind.strip(), max_digits=10)
        if chosen is None or chosen not in type_ids:
            row.errors["type"] = result.form.message(N_("choose one of the options"))
        obtained_on = _date(row, "obtained_on", got, bad_date)
        expires_on = _date(row, "expires_on", ends, bad_date)
        if obtained_on and expires_on and expires_on < obtained_on:
            row.errors["expires_on"] = result.form.message(
                N_("the expiry date must not be before the date obtained")
            )
        if row.errors:
            continue
        result.qualification_rows.append(index)
        result.qualification_items.append(
            {
                "qualification_type_id": chosen,
                "obtained_on": obtained_on,
                "expires_on": expires_on,
            }
        )
