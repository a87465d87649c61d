"""The agreement form, declared once: its single fields, its two kinds of repeated rows
(commitments: a resource type or a qualification with a number; contacts) and its service area
(drawn on the map, pasted or uploaded as GeoJSON, or removed).

The toolkit (`beredskap.platform.web.forms`) reads the single fields; the rows are read here,
each cell with a message of its own beside it and a link in the error summary. What passes
still goes through `beredskap.register.agreements.service` and the model's validators (the
API's rules: the reference unique, the period in order, each type committed once, contacts'
phones and e-mails, the area a valid (Multi)Polygon in Norway), whose errors land on the
form's fields and cells.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from geoalchemy2.shape import to_shape
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from pyproj import Geod
from shapely.geometry import shape

from beredskap.platform.api.geometry import AreaIn, area_out
from beredskap.platform.columns import coerce_area
from beredskap.platform.digits import parse_digits
from beredskap.platform.errors import DomainValidationError
from beredskap.platform.web.form_fields import WHOLE
from beredskap.platform.web.forms import (
    Checkbox,
    Form,
    OptionalDate,
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
from beredskap.register.agreements.models import (
    MAX_COMMITTED,
    Agreement,
    AgreementStatus,
    AgreementTask,
)
from beredskap.register.agreements.schemas import MAX_COMMITMENTS, MAX_CONTACTS, Contact

MAX_ID = 2_147_483_647
# An uploaded or pasted area: the request's own limit (1 MB) leaves room for the other fields.
MAX_AREA_BYTES = 700_000
AREA = "service_area"
Cells = list[str]


class AgreementInput(BaseModel):
    """The agreement form's single fields, in its order (the error summary follows it)."""

    organisation_id: Annotated[
        Annotated[Whole, Field(ge=1, le=MAX_ID)],
        among("organisation_ids"),
        Field(title=N_("Organisation")),
    ]
    reference: Annotated[
        Text, Field(title=N_("Reference (case number)"), min_length=1), at_most(64)
    ]
    title: Annotated[Text, Field(title=N_("Title"), min_length=1), at_most(200)]
    status: Annotated[AgreementStatus, Field(title=N_("Status"))] = AgreementStatus.DRAFT
    valid_from: Annotated[date, Field(title=N_("Valid from"))]
    valid_until: Annotated[OptionalDate, Field(title=N_("Valid until"))] = None
    notice_period_days: Annotated[
        optional(Annotated[Whole, Field(ge=0, le=3650)]), Field(title=N_("Notice period (days)"))
    ] = None
    annual_review_on: Annotated[OptionalDate, Field(title=N_("Annual review"))] = None
    committed_mobilisation_minutes: Annotated[
        optional(Annotated[Whole, Field(ge=0, le=10080)]),
        Field(title=N_("Mobilisation time (minutes)")),
    ] = None
    tasks: Annotated[list[AgreementTask], Field(title=N_("Tasks"))] = []
    callout_route: Annotated[OptionalText, Field(title=N_("Alerting route")), at_most(4000)] = None
    alert_order: Annotated[
        optional(Annotated[Whole, Field(ge=1, le=999)]), Field(title=N_("Order in the alert list"))
    ] = None
    document_reference: Annotated[
        OptionalText, Field(title=N_("Document reference")), at_most(300)
    ] = None
    payment_terms: Annotated[OptionalText, Field(title=N_("Payment terms")), at_most(4000)] = None
    insurance_terms: Annotated[OptionalText, Field(title=N_("Insurance terms")), at_most(4000)] = (
        None
    )
    exercise_duty: Annotated[OptionalText, Field(title=N_("Exercise duty")), at_most(4000)] = None
    police_rescue_precedence: Annotated[
        Checkbox, Field(title=N_("The police's rescue work takes precedence"))
    ] = False
    service_area: Annotated[OptionalText, Field(title=N_("Service area"))] = None
    remove_area: Annotated[Checkbox, Field(title=N_("Remove the service area"))] = False


# The single fields in the model's names (the area is read apart).
AGREEMENT_FIELDS = (
    "organisation_id",
    "reference",
    "title",
    "status",
    "valid_from",
    "valid_until",
    "notice_period_days",
    "annual_review_on",
    "committed_mobilisation_minutes",
    "tasks",
    "callout_route",
    "alert_order",
    "document_reference",
    "payment_terms",
    "insurance_terms",
    "exercise_duty",
    "police_rescue_precedence",
)
CONTACT_CELLS = ("name", "role", "phone", "email")


@dataclass
class CommitmentRow:
    kind: str = ""  # "resource:<id>" or "qualification:<id>"
    quantity: str = ""
    remove: bool = False
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class ContactRow:
    name: str = ""
    role: str = ""
    phone: str = ""
    email: str = ""
    remove: bool = False
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class AgreementForm:
    """The form as read: the single fields, the rows as typed with their messages, and,
    once everything is fine, what the service is given."""

    form: Form[AgreementInput]
    commitments: list[CommitmentRow] = field(default_factory=list)
    contacts: list[ContactRow] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    commitment_items: list[dict[str, Any]] = field(default_factory=list)
    contact_items: list[dict[str, Any]] = field(default_factory=list)
    commitment_rows: list[int] = field(default_factory=list)
    contact_rows: list[int] = field(default_factory=list)
    # The area: "keep" (unchanged), or "set" with `area` (None: removed / none).
    area_change: str = "keep"
    area: dict[str, Any] | None = None

    @property
    def valid(self) -> bool:
        return self.form.valid and not self.row_errors

    @property
    def row_errors(self) -> list[tuple[str, str, str]]:
        _ = self.form.translations.gettext
        items = []
        for number, commitment in enumerate(self.commitments, start=1):
            for cell, message in commitment.errors.items():
                label = _("Commitment %(row)s") % {"row": number}
                items.append((f"commitment-{number}-{cell}", label, message))
        for number, contact in enumerate(self.contacts, start=1):
            for cell, message in contact.errors.items():
                label = _("Contact %(row)s") % {"row": number}
                items.append((f"contact-{number}-{cell}", label, message))
        return items

    def clear_errors(self) -> None:
        self.form.errors.clear()
        for row in (*self.commitments, *self.contacts):
            row.errors.clear()

    def add_domain_error(self, error: DomainValidationError) -> None:
        """A service's or model's error on its field, or on the row and cell it names
        (`commitments.1.resource_type_id`, `contacts[0].phone`)."""
        message = error.translated(self.form.translations, self.form.number)
        name = error.field.replace("[", ".").replace("]", "")
        parts = name.split(".")
        if len(parts) >= 2 and parts[1].isdigit():
            index = int(parts[1])
            if parts[0] == "commitments" and index < len(self.commitment_rows):
                row = self.commitments[self.commitment_rows[index]]
                row.errors.setdefault("kind", message)
                return
            if parts[0] == "contacts" and index < len(self.contact_rows):
                cell = parts[2] if len(parts) > 2 and parts[2] in CONTACT_CELLS else "name"
                self.contacts[self.contact_rows[index]].errors.setdefault(cell, message)
                return
        if parts[0] == "quantity":
            self.form.errors.setdefault("", message)
            return
        self.form.add_domain_error(error)

    def context(self) -> dict[str, Any]:
        context = self.form.context()
        context["error_items"] = context["error_items"] + self.row_errors
        context["has_errors"] = bool(self.form.errors) or bool(self.row_errors)
        context["commitment_rows"] = self.commitments
        context["contact_rows"] = self.contacts
        return context


# A stored agreement as the form --------------------------------------------------------------


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def values_of(agreement: Agreement) -> dict[str, Any]:
    return {
        "organisation_id": str(agreement.organisation_id),
        "reference": agreement.reference,
        "title": agreement.title,
        "status": agreement.status.value,
        "valid_from": _day(agreement.valid_from),
        "valid_until": _day(agreement.valid_until),
        "notice_period_days": _number(agreement.notice_period_days),
        "annual_review_on": _day(agreement.annual_review_on),
        "committed_mobilisation_minutes": _number(agreement.committed_mobilisation_minutes),
        "tasks": list(agreement.tasks or []),
        "callout_route": agreement.callout_route or "",
        "alert_order": _number(agreement.alert_order),
        "document_reference": agreement.document_reference or "",
        "payment_terms": agreement.payment_terms or "",
        "insurance_terms": agreement.insurance_terms or "",
        "exercise_duty": agreement.exercise_duty or "",
        "police_rescue_precedence": agreement.police_rescue_precedence,
        "service_area": "",
        "remove_area": False,
    }


def stored_form(translations: Any, agreement: Agreement, number: Any = None) -> AgreementForm:
    """The form of a stored agreement, with one empty row of each kind to add."""
    form = blank_form(AgreementInput, translations, values_of(agreement), number)
    commitments = [
        CommitmentRow(_kind_of(c.resource_type_id, c.qualification_type_id), str(c.quantity))
        for c in sorted(agreement.commitments, key=lambda c: c.id)
    ]
    contacts = [
        ContactRow(*(str(contact.get(cell) or "") for cell in CONTACT_CELLS))
        for contact in agreement.contacts or []
    ]
    return AgreementForm(form, [*commitments, CommitmentRow()], [*contacts, ContactRow()])


def new_form(translations: Any, organisation_id: int | None) -> AgreementForm:
    values = {
        "organisation_id": str(organisation_id or ""),
        "status": AgreementStatus.DRAFT.value,
        "valid_from": "",
        "tasks": [],
        "police_rescue_precedence": True,
    }
    form = blank_form(AgreementInput, translations, values)
    return AgreementForm(form, [CommitmentRow()], [ContactRow()])


def add_row(result: AgreementForm, kind: str) -> None:
    """One more empty row (the "add" buttons, which work without JavaScript)."""
    if kind == "commitment" and len(result.commitments) < MAX_COMMITMENTS:
        result.commitments.append(CommitmentRow())
    if kind == "contact" and len(result.contacts) < MAX_CONTACTS:
        result.contacts.append(ContactRow())


def _kind_of(resource_type_id: int | None, qualification_type_id: int | None) -> str:
    if resource_type_id is not None:
        return f"resource:{resource_type_id}"
    return f"qualification:{qualification_type_id}"


# Reading ----------------------------------------------------------------------------------------


def _cells(values: Mapping[str, Any], name: str, count: int) -> list[str]:
    cells = [str(cell)[:300] for cell in values.get(name) or []][:count]
    return cells + [""] * (count - len(cells))


def _removed(values: Mapping[str, Any], name: str) -> set[int]:
    return {int(v) for v in values.get(name) or [] if isinstance(v, str) and WHOLE.match(v)}


def _lists(posted: Any, names: Collection[str]) -> dict[str, list[str]]:
    getlist = getattr(posted, "getlist", None)
    result: dict[str, list[str]] = {}
    for name in names:
        items = getlist(name) if getlist else posted.get(name) or []
        items = items if isinstance(items, list) else [items]
        result[name] = [item if isinstance(item, str) else "" for item in items][:500]
    return result


def parse_agreement_form(
    translations: Any,
    posted: Any,
    *,
    organisation_ids: Collection[int],
    resource_type_ids: Collection[int],
    qualification_type_ids: Collection[int],
    upload: bytes | None,
    number: Any = None,
) -> AgreementForm:
    """Check the form. `upload`: the GeoJSON file's bytes (None when no file was chosen).
    The rows that pass become the service's lists; empty rows and ticked rows are left out."""
    form = parse_form(
        AgreementInput,
        posted,
        translations,
        number=number,
        context={"organisation_ids": set(organisation_ids)},
    )
    result = AgreementForm(form)
    rows = _lists(
        posted,
        (
            "commitment_kind",
            "commitment_quantity",
            "commitment_remove",
            *(f"contact_{cell}" for cell in CONTACT_CELLS),
            "contact_remove",
        ),
    )
    _read_commitments(result, rows, resource_type_ids, qualification_type_ids)
    _read_contacts(result, rows)
    _read_area(result, upload)
    start, end = form.fields.get("valid_from"), form.fields.get("valid_until")
    if start and end and end < start:
        form.add_error("valid_until", N_("must not be before valid_from"))
    if not result.valid:
        return result
    result.fields = {name: form.fields.get(name) for name in AGREEMENT_FIELDS}
    result.fields["tasks"] = [task.value for task in form.fields.get("tasks") or []]
    result.fields["contacts"] = result.contact_items
    return result


def _read_commitments(
    result: AgreementForm,
    values: Mapping[str, Any],
    resource_type_ids: Collection[int],
    qualification_type_ids: Collection[int],
) -> None:
    count = min(len(values.get("commitment_kind") or []), MAX_COMMITMENTS)
    kinds = _cells(values, "commitment_kind", count)
    quantities = _cells(values, "commitment_quantity", count)
    removed = _removed(values, "commitment_remove")
    for index, (kind, quantity) in enumerate(zip(kinds, quantities, strict=True)):
        row = CommitmentRow(kind, quantity, remove=index in removed)
        result.commitments.append(row)
        if row.remove or (not kind.strip() and not quantity.strip()):
            continue
        catalogue, _, raw_id = kind.strip().partition(":")
        type_id = parse_digits(raw_id, max_digits=10)
        allowed = {"resource": resource_type_ids, "qualification": qualification_type_ids}
        if type_id is None or type_id not in allowed.get(catalogue, ()):
            row.errors["kind"] = result.form.message(N_("choose one of the options"))
        amount = parse_digits(quantity.strip(), max_digits=9)
        if not quantity.strip():
            row.errors["quantity"] = result.form.message(N_("is required"))
        elif amount is None:
            row.errors["quantity"] = result.form.message(N_("must be a whole number"))
        elif not 1 <= amount <= MAX_COMMITTED:
            row.errors["quantity"] = result.form.message(
                N_("must be between %(low)s and %(high)s"), low=1, high=MAX_COMMITTED
            )
        if row.errors:
            continue
        field_name = "resource_type_id" if catalogue == "resource" else "qualification_type_id"
        result.commitment_rows.append(index)
        result.commitment_items.append({field_name: type_id, "quantity": amount})


def _read_contacts(result: AgreementForm, values: Mapping[str, Any]) -> None:
    count = min(len(values.get("contact_name") or []), MAX_CONTACTS)
    columns = [_cells(values, f"contact_{cell}", count) for cell in CONTACT_CELLS]
    removed = _removed(values, "contact_remove")
    for index, cells in enumerate(zip(*columns, strict=True)):
        row = ContactRow(*cells, remove=index in removed)
        result.contacts.append(row)
        if row.remove or not any(cell.strip() for cell in cells):
            continue
        typed = {
            cell: value.strip() or None for cell, value in zip(CONTACT_CELLS, cells, strict=True)
        }
        if not typed["name"]:
            row.errors["name"] = result.form.message(N_("is required"))
            continue
        try:  # the API's shape of a contact (printable text, lengths)
            Contact(**typed)
        except ValidationError as error:
            for problem in error.errors():
                cell = str(problem["loc"][0]) if problem["loc"] else "name"
                code = (
                    N_("at most %(count)s characters")
                    if problem["type"] == "string_too_long"
                    else N_("contains characters that are not allowed")
                )
                params = {"count": problem.get("ctx", {}).get("max_length", 0)}
                message = result.form.message(code, **params)
                row.errors.setdefault(cell if cell in CONTACT_CELLS else "name", message)
            continue
        result.contact_rows.append(index)
        result.contact_items.append({k: v for k, v in typed.items() if v is not None})


_AREA_SHAPE = TypeAdapter(AreaIn)


def _geometry(document: Any) -> Any:
    """The area of a GeoJSON document: a geometry, or a Feature, or a FeatureCollection of one
    feature (what QGIS and geojson.io save)."""
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        features = document.get("features")
        if isinstance(features, list) and len(features) == 1:
            document = features[0]
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = document.get("geometry")
    return document


def read_area(text: str | bytes) -> dict[str, Any]:
    """GeoJSON text as the API's area (a Polygon or MultiPolygon in EPSG:4326 inside Norway,
    checked as the API checks it), or a DomainValidationError on the service area."""
    if len(text) > MAX_AREA_BYTES:
        raise DomainValidationError(
            AREA, N_("the file is larger than %(count)s kB"), count=MAX_AREA_BYTES // 1000
        )
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise DomainValidationError(AREA, N_("the file is not GeoJSON (JSON text)")) from None
    geometry = _geometry(document)
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise DomainValidationError(
            AREA, N_("expected a GeoJSON Polygon or MultiPolygon")
        ) from None
    try:
        area = _AREA_SHAPE.validate_python(geometry)
    except ValidationError:
        raise DomainValidationError(
            AREA, N_("expected a GeoJSON Polygon or MultiPolygon")
        ) from None
    checked = area.model_dump()
    stored = coerce_area(AREA, checked)  # the model's own check: valid, inside Norway
    return area_out(stored) or checked


def _read_area(result: AgreementForm, upload: bytes | None) -> None:
    form = result.form
    if AREA in form.errors:
        return
    text = form.fields.get(AREA)
    source = upload if upload else text
    if source:
        try:
            result.area = read_area(source)
        except DomainValidationError as error:
            form.add_domain_error(error)
            return
        result.area_change = "set"
        # Shown again in the text field, so a good file is not lost on a form with errors.
        form.values[AREA] = json.dumps(result.area, separators=(",", ":"))
    elif form.fields.get("remove_area"):
        result.area_change = "set"
        result.area = None


# The area in words (the text alternative of the map) -----------------------------------------

_GEOD = Geod(ellps="GRS80")


@dataclass(frozen=True)
class AreaSummary:
    square_km: float
    parts: int
    south: float
    north: float
    west: float
    east: float
    points: int


def summary_of(area: Any) -> AreaSummary | None:
    """A stored area (or its GeoJSON) in figures the page says in words."""
    if area is None:
        return None
    geometry = shape(area) if isinstance(area, dict) else to_shape(area)
    polygons = list(getattr(geometry, "geoms", [geometry]))
    west, south, east, north = geometry.bounds
    square_metres, _ = _GEOD.geometry_area_perimeter(geometry)
    return AreaSummary(
        square_km=abs(square_metres) / 1e6,
        parts=len(polygons),
        south=south,
        north=north,
        west=west,
        east=east,
        points=sum(len(p.exterior.coords) - 1 for p in polygons),
    )
