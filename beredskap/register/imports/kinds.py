"""What each kind of import reads: its columns, and how a row becomes a created, changed or
unchanged record through the same service functions the API uses.

Rows name things by natural keys, never database ids: an organisation by its organisation
number or its name, a site by its name (the organisation's own, or the municipality's), a
resource type by its code or its name. Each row is matched to the record it describes, so
importing the same file again changes nothing:
- organisations: by organisation number; a row without one by name, any case;
- equipment: by organisation, site, resource type and identifier (an identified item), or
  by the first three for a stock line (no identifier).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from geoalchemy2.shape import to_shape
from shapely import wkt
from shapely.errors import ShapelyError
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.contact_details import normalise_mobile
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.platform.geo_errors import geo_invalid
from beredskap.register.imports import cells
from beredskap.register.inventory import service as inventory_service
from beredskap.register.inventory.models import Equipment, EquipmentStatus, ResourceType
from beredskap.register.organisations import service as organisation_service
from beredskap.register.organisations.models import (
    Organisation,
    OrganisationCategory,
    Site,
    SiteKind,
)
from beredskap.register.organisations.numbers import normalise_organisation_number
from beredskap.register.volunteers import service as volunteer_service
from beredskap.register.volunteers.models import (
    Availability,
    ConsentChannel,
    QualificationType,
    Volunteer,
)
from geo.crs import to_wgs84
from geo.errors import GeoError
from geo.extent import check_lon_lat
from geo.srid import EUREF89_UTM32, EUREF89_UTM33


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Column:
    """A column of an import file: its key, its Norwegian heading (as the template writes
    it), other headings accepted (English, the API's field names), and what it holds."""

    key: str
    heading: str
    aliases: tuple[str, ...]
    required: bool
    explanation: str  # bokmål, for the template's second sheet
    example: str
    # The model fields whose errors belong to this column (besides `key`).
    fields: tuple[str, ...] = ()
    # An enum whose values (by bokmål label or code) the column takes.
    choices: type[Enum] | None = None
    # Headings whose cell stands in when this column's cell is empty, or when the file has
    # no column of its own (the export's `organisation_name` beside `organisation_number`).
    fallbacks: tuple[str, ...] = ()

    def explained(self) -> str:
        """The explanation, with the accepted values when there is a choice."""
        if self.choices is None:
            return self.explanation
        labels = ", ".join(cells.enum_label_nb(member) for member in self.choices)
        return f"{self.explanation} Én av: {labels}."


class ForbiddenRowError(DomainValidationError):
    """The row is well-formed, but the importer may not write it (another organisation's)."""


class RowProblems(Exception):  # noqa: N818 - a collector first, raised only when it holds any
    """The errors of a row's cells checked one by one, so one bad cell hides no other's."""

    def __init__(self) -> None:
        super().__init__("row problems")
        self.errors: list[DomainValidationError] = []

    def check(self, convert: Callable[..., Any], *args: Any) -> Any:
        try:
            return convert(*args)
        except DomainValidationError as error:
            self.errors.append(error)
            return None

    def raise_any(self) -> None:
        if self.errors:
            raise self


# May the importer write records of this organisation? None: anyone (the CLI, an admin).
MayEdit = Callable[[int], bool] | None


# The export's columns that no import reads (ids, versions, times): skipped, so the CSV the
# export writes for a kind imports back (issue 15's round trip).
EXPORT_ONLY = ("id", "version", "created_at", "updated_at")
# The key under which a row's export `id` reaches the importer (only to tell apart records
# its natural key cannot: two stock lines of a type at a site).
EXPORTED_ID = "\0id"


class Importer:
    """One import of one kind inside the caller's session: `apply` each row's values."""

    kind: str
    columns: tuple[Column, ...]
    # Headings skipped (the export's columns this kind does not import).
    ignored: tuple[str, ...] = EXPORT_ONLY

    def __init__(self, session: Session, may_edit: MayEdit) -> None:
        self.session = session
        self.may_edit = may_edit

    def prepare(self, rows: Iterable[dict[str, str]]) -> None:
        """Load what the rows will be matched against (once, before the first row)."""

    def apply(self, row_number: int, values: dict[str, str]) -> Outcome:
        raise NotImplementedError


def _organisation_index(session: Session) -> tuple[dict[str, int], dict[str, list[int]]]:
    by_number: dict[str, int] = {}
    by_name: dict[str, list[int]] = defaultdict(list)
    for organisation_id, name, number in session.execute(
        select(Organisation.id, Organisation.name, Organisation.organisation_number)
    ):
        if number:
            by_number[number] = organisation_id
        by_name[cells.folded(name)].append(organisation_id)
    return by_number, by_name


def _organisation_key(text: str) -> str | None:
    """The organisation number when the text is one (9 digits, spaces allowed)."""
    compact = text.replace(" ", "").replace("\u00a0", "")
    if len(compact) == 9 and compact.isascii() and compact.isdigit():
        return compact
    return None


def _outcome(session: Session, record: Any) -> Outcome:
    return Outcome.UPDATED if session.is_modified(record) else Outcome.UNCHANGED


# Equipment ----------------------------------------------------------------------------------

EQUIPMENT_COLUMNS = (
    Column(
        "organisation",
        "Organisasjon",
        ("organisation", "organization", "organisasjonsnummer", "organisation_number"),
        True,
        "Organisasjonen som eier utstyret: organisasjonsnummer (9 siffer) eller navn slik det "
        "står i registeret.",
        "Eget Hjelpekorps",
        ("organisation_id",),
        fallbacks=("organisation_name",),
    ),
    Column(
        "site",
        "Lagringssted",
        ("site", "lager", "sted", "site_name"),
        True,
        "Navnet på stedet der utstyret står: et av organisasjonens steder, eller et av "
        "kommunens egne.",
        "Eget lager",
        ("site_id",),
    ),
    Column(
        "resource_type",
        "Ressurstype",
        ("resource type", "resource_type", "type", "resource_type_code"),
        True,
        "Ressurstypens kode (for eksempel generator) eller navn (for eksempel Aggregat).",
        "generator",
        ("resource_type_id",),
    ),
    Column(
        "quantity",
        "Antall",
        ("quantity", "mengde"),
        False,
        "Antall (et helt tall fra 1). Tomt betyr 1. Et utstyr med identifikator har antall 1.",
        "2",
    ),
    Column(
        "identifier",
        "Identifikator",
        ("identifier", "registreringsnummer", "serienummer", "id-nummer"),
        False,
        "Registreringsnummer eller serienummer for én bestemt enhet. Tomt for en "
        "lagerbeholdning. Utstyr kjennes igjen på organisasjon, sted, type og identifikator.",
        "",
    ),
    Column(
        "status",
        "Status",
        ("state",),
        False,
        "Utstyrets status. Tomt betyr Klar for nytt utstyr.",
        "Klar",
        choices=EquipmentStatus,
    ),
    Column(
        "last_inspected_on",
        "Sist kontrollert",
        ("last inspected", "last_inspected_on", "sist inspisert"),
        False,
        "Dato for siste kontroll, 2027-03-31 eller 31.03.2027.",
        "",
    ),
    Column(
        "next_inspection_due",
        "Neste kontroll",
        ("next inspection", "next_inspection_due", "neste inspeksjon"),
        False,
        "Dato for neste kontroll, 2027-03-31 eller 31.03.2027.",
        "",
    ),
    Column(
        "notes",
        "Merknader",
        ("notes", "merknad", "kommentar"),
        False,
        "Fritekst, høyst 4000 tegn.",
        "",
    ),
)


class EquipmentImporter(Importer):
    kind = "equipment"
    columns = EQUIPMENT_COLUMNS
    ignored = (*EXPORT_ONLY, "organisation_id", "site_id", "resource_type_id")

    def prepare(self, rows: Iterable[dict[str, str]]) -> None:
        session = self.session
        self.by_number, self.by_name = _organisation_index(session)
        self.sites: dict[tuple[int | None, str], list[int]] = defaultdict(list)
        for site_id, organisation_id, name in session.execute(
            select(Site.id, Site.organisation_id, Site.name)
        ):
            self.sites[(organisation_id, cells.folded(name))].append(site_id)
        self.types: dict[str, int] = {}
        for type_id, code, name_nb, name_en in session.execute(
            select(ResourceType.id, ResourceType.code, ResourceType.name_nb, ResourceType.name_en)
        ):
            for word in (name_en, name_nb, code):  # the code wins over a name spelt the same
                self.types[cells.folded(word)] = type_id
        # The equipment of the organisations the file names, by natural key.
        organisation_ids = set()
        for values in rows:
            try:
                organisation_ids.add(self._organisation(values.get("organisation", "")))
            except DomainValidationError:
                continue
        self.lines: dict[tuple[int, int, int, str | None], list[Equipment]] = defaultdict(list)
        ordered = sorted(organisation_ids)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for line in session.scalars(
                select(Equipment).where(Equipment.organisation_id.in_(chunk))
            ):
                key = (line.organisation_id, line.site_id, line.resource_type_id, line.identifier)
                self.lines[key].append(line)
        # Rows of this file by natural key: a second row for the same line is refused.
        self.seen: dict[tuple[int, int, int, str | None], int] = {}
        # Every site and type is loaded (above, as rows; here as records, few thousand at
        # most), so the service's `session.get` finds them without a query per row.
        # Held here: the session's identity map keeps records only while someone does.
        self.held: list[Any] = [
            *session.scalars(select(Site)),
            *session.scalars(select(ResourceType)),
        ]
        for start in range(0, len(ordered), 500):
            self.held.extend(
                session.scalars(
                    select(Organisation).where(Organisation.id.in_(ordered[start : start + 500]))
                )
            )

    def _organisation(self, text: str) -> int:
        if not text:
            raise DomainValidationError("organisation", N_("is required"))
        number = _organisation_key(text)
        if number is not None and number in self.by_number:
            return self.by_number[number]
        matches = self.by_name.get(cells.folded(text), [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise DomainValidationError(
                "organisation",
                N_("several organisations are named %(name)s; give the organisation number"),
                name=cells.echo(text),
            )
        raise DomainValidationError(
            "organisation",
            N_("no organisation with the number or name %(key)s"),
            key=cells.echo(text),
        )

    def _site(self, organisation_id: int, text: str) -> int:
        if not text:
            raise DomainValidationError("site", N_("is required"))
        name = cells.folded(text)
        for owner in (organisation_id, None):
            matches = self.sites.get((owner, name), [])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise DomainValidationError(
                    "site", N_("several sites are named %(name)s"), name=cells.echo(text)
                )
        raise DomainValidationError(
            "site",
            N_("no site named %(name)s of this organisation or of the municipality"),
            name=cells.echo(text),
        )

    def _resource_type(self, text: str) -> int:
        if not text:
            raise DomainValidationError("resource_type", N_("is required"))
        type_id = self.types.get(cells.folded(text))
        if type_id is None:
            raise DomainValidationError(
                "resource_type",
                N_("no resource type with the code or name %(key)s"),
                key=cells.echo(text),
            )
        return type_id

    def apply(self, row_number: int, values: dict[str, str]) -> Outcome:
        found = RowProblems()
        organisation_id = found.check(self._organisation, values.get("organisation", ""))
        may_edit = self.may_edit
        if organisation_id is not None and may_edit is not None and not may_edit(organisation_id):
            raise ForbiddenRowError(
                "organisation", N_("you may import only your own organisations' equipment")
            )
        site_id = None
        if organisation_id is not None:
            site_id = found.check(self._site, organisation_id, values.get("site", ""))
        type_id = found.check(self._resource_type, values.get("resource_type", ""))
        identifier = cells.optional(values.get("identifier", ""))
        fields: dict[str, Any] = {
            "organisation_id": organisation_id,
            "site_id": site_id,
            "resource_type_id": type_id,
            "identifier": identifier,
        }
        # A column left out of the file, or a cell left empty, leaves the value as it is
        # (a new line gets the default); notes and dates are cleared only by their column.
        if "quantity" in values:
            quantity = found.check(cells.whole_number, "quantity", values["quantity"])
            fields["quantity"] = 1 if quantity is None else quantity
        if values.get("status"):
            fields["status"] = found.check(
                cells.enum_value, EquipmentStatus, "status", values["status"]
            )
        for date_field in ("last_inspected_on", "next_inspection_due"):
            if date_field in values:
                fields[date_field] = found.check(cells.date_value, date_field, values[date_field])
        if "notes" in values:
            fields["notes"] = cells.optional(values["notes"])
        found.raise_any()
        assert organisation_id is not None and site_id is not None and type_id is not None
        key = (organisation_id, site_id, type_id, identifier)
        existing = self.lines.get(key, [])
        exported_id = values.get(EXPORTED_ID, "")
        if len(existing) > 1 and exported_id:
            # A file the export wrote: its id tells apart stock lines the natural key cannot
            # (it only chooses among them, never another line).
            chosen = [line for line in existing if str(line.id) == exported_id]
            if chosen:
                existing = chosen
                key = (organisation_id, site_id, type_id, f"{identifier or ''}\0{exported_id}")
        if key in self.seen:
            raise DomainValidationError(
                "resource_type",
                N_("the same equipment line as row %(row)s"),
                row=self.seen[key],
            )
        self.seen[key] = row_number
        if len(existing) > 1:
            raise DomainValidationError(
                "identifier",
                N_(
                    "%(count)s equipment lines of this type at this site match; "
                    "give each an identifier or merge them first"
                ),
                count=len(existing),
            )
        if not existing:
            inventory_service.create_equipment(self.session, fields=fields, flush=False)
            return Outcome.CREATED
        line = existing[0]
        inventory_service.update_equipment(self.session, line, changes=fields, flush=False)
        return _outcome(self.session, line)


# Organisations ------------------------------------------------------------------------------

ORGANISATION_COLUMNS = (
    Column(
        "name",
        "Navn",
        ("name", "organisasjon", "organisation"),
        True,
        "Organisasjonens navn. Uten organisasjonsnummer kjennes organisasjonen igjen på navnet.",
        "Eget Hjelpekorps",
    ),
    Column(
        "organisation_number",
        "Organisasjonsnummer",
        ("organisation number", "organisation_number", "orgnr", "org.nr."),
        False,
        "9 siffer fra Enhetsregisteret (mellomrom tillatt). Kjenner igjen organisasjonen.",
        "",
    ),
    Column(
        "category",
        "Kategori",
        ("category",),
        True,
        "Organisasjonens kategori, med navn eller kode.",
        "Hjelpekorps",
        choices=OrganisationCategory,
    ),
    Column(
        "contact_24_7_name",
        "Kontaktperson døgnvakt",
        ("contact 24/7", "contact_24_7_name", "kontaktperson"),
        False,
        "Navn på kontaktpersonen som kan nås hele døgnet.",
        "",
    ),
    Column(
        "contact_24_7_phone",
        "Telefon døgnvakt",
        ("phone 24/7", "contact_24_7_phone", "telefon"),
        False,
        "Telefonnummer til døgnvakten, for eksempel 912 34 567 eller +47 912 34 567.",
        "",
    ),
    Column(
        "contact_24_7_email",
        "E-post døgnvakt",
        ("e-mail 24/7", "email 24/7", "contact_24_7_email", "e-post"),
        False,
        "E-postadresse til døgnvakten.",
        "",
    ),
    Column(
        "municipality_numbers",
        "Kommunenummer",
        ("municipality numbers", "municipality_numbers", "kommuner"),
        False,
        "Kommunene organisasjonen dekker: firesifrede kommunenummer skilt med komma.",
        "3205",
    ),
    Column(
        "umbrella",
        "Paraplyorganisasjon",
        (
            "umbrella organisation",
            "umbrella",
            "umbrella_organisation",
            "umbrella_organisation_number",
        ),
        False,
        "Organisasjonen den hører inn under: organisasjonsnummer eller navn. Den må finnes "
        "i registeret eller stå på en tidligere rad i filen.",
        "",
        ("umbrella_organisation_id",),
        fallbacks=("umbrella_organisation_name",),
    ),
    Column(
        "active",
        "Aktiv",
        ("active",),
        False,
        "Ja eller nei. Tomt betyr ja for en ny organisasjon.",
        "ja",
    ),
)


def _municipality_numbers(text: str) -> list[str]:
    """Numbers separated by commas, semicolons or spaces, or the export's JSON list."""
    for mark in ';[]"':
        text = text.replace(mark, ",")
    return sorted(set(text.replace(" ", ",").split(",")) - {""})


class OrganisationImporter(Importer):
    kind = "organisations"
    columns = ORGANISATION_COLUMNS
    # The base and the register's own fields (Enhetsregisteret's) are not imported.
    ignored = (*EXPORT_ONLY, "umbrella_organisation_id", "home_base")

    def prepare(self, rows: Iterable[dict[str, str]]) -> None:
        self.by_number, self.by_name = _organisation_index(self.session)
        self.records = {
            organisation.id: organisation
            for organisation in self.session.scalars(select(Organisation))
        }
        # Organisations created by earlier rows, found like those in the register.
        self.new_by_number: dict[str, Organisation] = {}
        self.new_by_name: dict[str, Organisation] = {}
        self.seen: dict[str, int] = {}

    def _find(self, number: str | None, name: str) -> Organisation | None:
        if number is not None:
            if number in self.by_number:
                return self.records[self.by_number[number]]
            if number in self.new_by_number:
                return self.new_by_number[number]
        # By name: one without a number yet (it gets this one), or when no number is given.
        candidates = [
            self.records[i]
            for i in self.by_name.get(cells.folded(name), [])
            if number is None or self.records[i].organisation_number is None
        ]
        if len(candidates) > 1:
            raise DomainValidationError(
                "name",
                N_("several organisations are named %(name)s; give the organisation number"),
                name=cells.echo(name),
            )
        if candidates:
            return candidates[0]
        return self.new_by_name.get(cells.folded(name)) if number is None else None

    def _umbrella(self, text: str) -> Organisation | None:
        if not text:
            return None
        number = _organisation_key(text)
        found = self._find(number, text) if number else None
        if found is None:
            matches = self.by_name.get(cells.folded(text), [])
            if len(matches) > 1:
                raise DomainValidationError(
                    "umbrella",
                    N_("several organisations are named %(name)s; give the organisation number"),
                    name=cells.echo(text),
                )
            found = self.records[matches[0]] if matches else None
            found = found or self.new_by_name.get(cells.folded(text))
        if found is None:
            raise DomainValidationError(
                "umbrella",
                N_("no organisation with the number or name %(key)s"),
                key=cells.echo(text),
            )
        return found

    def apply(self, row_number: int, values: dict[str, str]) -> Outcome:
        name = values.get("name", "")
        raw_number = values.get("organisation_number", "")
        number = None
        if raw_number:
            try:
                number = normalise_organisation_number(raw_number)
            except DomainValidationError as error:
                raise error.at("organisation_number") from None
        key = number or cells.folded(name)
        if key and key in self.seen:
            raise DomainValidationError(
                "organisation_number" if number else "name",
                N_("the same organisation as row %(row)s"),
                row=self.seen[key],
            )
        self.seen[key] = row_number
        fields: dict[str, Any] = {"name": name}
        if number is not None:
            fields["organisation_number"] = number
        if values.get("category"):
            fields["category"] = cells.enum_value(
                OrganisationCategory, "category", values["category"]
            )
        for field in ("contact_24_7_name", "contact_24_7_phone", "contact_24_7_email"):
            if field in values:
                fields[field] = cells.optional(values[field])
        if "municipality_numbers" in values:
            fields["municipality_numbers"] = _municipality_numbers(values["municipality_numbers"])
        umbrella = self._umbrella(values.get("umbrella", "")) if "umbrella" in values else None
        if values.get("active"):
            fields["active"] = cells.yes_no("active", values["active"])
        existing = self._find(number, name)
        if existing is not None and existing.id is None:
            raise DomainValidationError(
                "name", N_("the same organisation as row %(row)s"), row=self.seen[key]
            )
        if existing is None:
            if "category" not in fields:
                raise DomainValidationError("category", N_("is required"))
            organisation = organisation_service.create_organisation(
                self.session, fields=fields, flush=False
            )
            if "umbrella" in values:
                organisation.umbrella_organisation = umbrella
            if number is not None:
                self.new_by_number[number] = organisation
            self.new_by_name.setdefault(cells.folded(name), organisation)
            return Outcome.CREATED
        if "umbrella" in values:
            if umbrella is existing:
                raise DomainValidationError(
                    "umbrella", N_("an organisation is not its own umbrella")
                )
            if umbrella is None or umbrella.id is not None:
                fields["umbrella_organisation_id"] = umbrella.id if umbrella else None
            else:
                existing.umbrella_organisation = umbrella
        organisation_service.update_organisation(
            self.session, existing, changes=fields, flush=False
        )
        return _outcome(self.session, existing)


# Sites --------------------------------------------------------------------------------------

SITE_COLUMNS = (
    Column(
        "organisation",
        "Organisasjon",
        ("organisation", "organization", "organisasjonsnummer", "organisation_number"),
        False,
        "Organisasjonen stedet hører til: organisasjonsnummer eller navn. Tomt for "
        "kommunens egne steder. Et sted kjennes igjen på organisasjon og navn.",
        "Eget Hjelpekorps",
        ("organisation_id",),
        fallbacks=("organisation_name",),
    ),
    Column("name", "Navn", ("name", "sted", "site"), True, "Stedets navn.", "Eget lager"),
    Column(
        "kind",
        "Type",
        ("kind", "stedstype"),
        True,
        "Hva slags sted det er, med navn eller kode.",
        "Lager",
        choices=SiteKind,
    ),
    Column(
        "latitude",
        "Breddegrad",
        ("latitude", "lat"),
        False,
        "Breddegrad i WGS84 (desimalgrader, punktum eller komma), for eksempel 59,95. "
        "Oppgi enten bredde- og lengdegrad, eller UTM-sone, øst og nord.",
        "59.956",
        ("location",),
    ),
    Column(
        "longitude",
        "Lengdegrad",
        ("longitude", "lon"),
        False,
        "Lengdegrad i WGS84 (desimalgrader), for eksempel 11,05.",
        "11.049",
    ),
    Column(
        "utm_zone",
        "UTM-sone",
        ("utm zone", "utm_zone", "sone"),
        False,
        "32 eller 33 (EUREF89 UTM), når stedet er oppgitt med øst og nord.",
        "",
    ),
    Column("east", "Øst", ("east", "easting", "ost"), False, "UTM øst i meter.", ""),
    Column("north", "Nord", ("north", "northing"), False, "UTM nord i meter.", ""),
    Column(
        "location",
        "Punkt",
        ("location", "wkt"),
        False,
        "Stedet som WKT i WGS84, POINT(lengdegrad breddegrad), slik eksporten skriver det. "
        "Brukes når bredde- og lengdegrad og UTM er tomme.",
        "",
    ),
    Column("address", "Adresse", ("address",), False, "Besøksadresse, høyst 300 tegn.", ""),
    Column(
        "access_notes",
        "Tilgang",
        ("access notes", "access_notes", "nøkkel", "nøkkelinformasjon"),
        False,
        "Hvordan man kommer inn: nøkkelholdere, kodelås og lignende.",
        "",
    ),
    Column(
        "access_24_7",
        "Døgntilgang",
        ("access 24/7", "access_24_7", "døgnåpent"),
        False,
        "Ja om stedet kan nås hele døgnet, ellers nei.",
        "nei",
    ),
)


def _wkt_point(text: str) -> Point | None:
    """A point as WKT in WGS84 (the export's `POINT(lon lat)`), or None for an empty cell."""
    if not text:
        return None
    try:
        point = wkt.loads(text)
    except (ShapelyError, ValueError):
        point = None
    if not isinstance(point, Point) or point.is_empty:
        raise DomainValidationError("location", N_("expected POINT(longitude latitude)"))
    try:
        lon, lat = check_lon_lat(point.x, point.y)
    except GeoError as error:
        raise geo_invalid("location", error) from None
    return Point(lon, lat)


class SiteImporter(Importer):
    kind = "sites"
    columns = SITE_COLUMNS
    ignored = (*EXPORT_ONLY, "organisation_id")

    def prepare(self, rows: Iterable[dict[str, str]]) -> None:
        self.by_number, self.by_name = _organisation_index(self.session)
        self.held: list[Any] = list(self.session.scalars(select(Organisation)))
        self.sites: dict[tuple[int | None, str], list[Site]] = defaultdict(list)
        for site in self.session.scalars(select(Site)):
            self.sites[(site.organisation_id, cells.folded(site.name))].append(site)
        self.seen: dict[tuple[int | None, str], int] = {}

    def _location(self, values: dict[str, str]) -> Any:
        east, north = values.get("east", ""), values.get("north", "")
        if east or north:
            zone = cells.whole_number("utm_zone", values.get("utm_zone", ""))
            if zone not in (32, 33):
                raise DomainValidationError("utm_zone", N_("32 or 33"))
            x = cells.decimal_number("east", east)
            y = cells.decimal_number("north", north)
            if x is None or y is None:
                raise DomainValidationError("east" if x is None else "north", N_("is required"))
            try:
                lon, lat = to_wgs84(x, y, EUREF89_UTM32 if zone == 32 else EUREF89_UTM33)
                lon, lat = check_lon_lat(lon, lat)
            except GeoError as error:
                raise geo_invalid("east", error) from None
            return Point(lon, lat)
        lat = cells.decimal_number("latitude", values.get("latitude", ""))
        lon = cells.decimal_number("longitude", values.get("longitude", ""))
        if lat is None and lon is None:
            return _wkt_point(values.get("location", ""))
        if lat is None or lon is None:
            raise DomainValidationError(
                "latitude" if lat is None else "longitude", N_("is required")
            )
        try:
            lon, lat = check_lon_lat(lon, lat)
        except GeoError as error:
            raise geo_invalid("latitude", error) from None
        return Point(lon, lat)

    def apply(self, row_number: int, values: dict[str, str]) -> Outcome:
        found = RowProblems()
        organisation_id = None
        if values.get("organisation"):
            organisation_id = found.check(
                _find_organisation, self.by_number, self.by_name, values["organisation"]
            )
        name = values.get("name", "")
        fields: dict[str, Any] = {"organisation_id": organisation_id, "name": name}
        if values.get("kind"):
            fields["kind"] = found.check(cells.enum_value, SiteKind, "kind", values["kind"])
        location = found.check(self._location, values)
        for field in ("address", "access_notes"):
            if field in values:
                fields[field] = cells.optional(values[field])
        if values.get("access_24_7"):
            fields["access_24_7"] = found.check(cells.yes_no, "access_24_7", values["access_24_7"])
        found.raise_any()
        key = (organisation_id, cells.folded(name))
        if name and key in self.seen:
            raise DomainValidationError(
                "name", N_("the same site as row %(row)s"), row=self.seen[key]
            )
        self.seen[key] = row_number
        existing = self.sites.get(key, [])
        if len(existing) > 1:
            raise DomainValidationError(
                "name", N_("several sites are named %(name)s"), name=cells.echo(name)
            )
        if not existing:
            if "kind" not in fields:
                raise DomainValidationError("kind", N_("is required"))
            if location is None:
                raise DomainValidationError("location", N_("a site needs a location"))
            site = organisation_service.create_site(
                self.session, fields=fields | {"location": location}, flush=False
            )
            self.sites[key].append(site)
            return Outcome.CREATED
        site = existing[0]
        if location is not None and not _same_point(site.location, location):
            fields["location"] = location
        organisation_service.update_site(self.session, site, changes=fields, flush=False)
        return _outcome(self.session, site)


def _same_point(stored: Any, point: Point) -> bool:
    """The same place to a centimetre or so (a geometry read back is another object)."""
    if stored is None:
        return False
    shape = stored if isinstance(stored, Point) else to_shape(stored)
    return abs(shape.x - point.x) < 1e-7 and abs(shape.y - point.y) < 1e-7


def _find_organisation(by_number: dict[str, int], by_name: dict[str, list[int]], text: str) -> int:
    number = _organisation_key(text)
    if number is not None and number in by_number:
        return by_number[number]
    matches = by_name.get(cells.folded(text), [])
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise DomainValidationError(
            "organisation",
            N_("several organisations are named %(name)s; give the organisation number"),
            name=cells.echo(text),
        )
    raise DomainValidationError(
        "organisation", N_("no organisation with the number or name %(key)s"), key=cells.echo(text)
    )


# Volunteers and their qualifications ---------------------------------------------------------

VOLUNTEER_COLUMNS = (
    Column("full_name", "Navn", ("name", "full name", "full_name"), True, "Fullt navn.", ""),
    Column(
        "mobile",
        "Mobil",
        ("mobile", "mobilnummer", "telefon"),
        True,
        "Mobilnummer, for eksempel 912 34 567 eller +47 912 34 567. Kjenner igjen den frivillige.",
        "912 34 567",
    ),
    Column("email", "E-post", ("e-mail", "email", "epost"), False, "E-postadresse.", ""),
    Column(
        "organisation",
        "Organisasjon",
        ("organisation", "organization", "organisasjonsnummer", "organisation_number"),
        False,
        "Organisasjonen den frivillige er medlem av: organisasjonsnummer eller navn. "
        "Medlemskapet legges til; andre medlemskap beholdes.",
        "Eget Hjelpekorps",
        ("memberships",),
        fallbacks=("organisation_name",),
    ),
    Column(
        "role",
        "Rolle",
        ("role", "membership role"),
        False,
        "Rollen i organisasjonen, for eksempel lagleder eller mannskap.",
        "mannskap",
    ),
    Column(
        "availability",
        "Tilgjengelighet",
        ("availability",),
        False,
        "Tomt betyr Tilgjengelig for en ny frivillig.",
        "",
        choices=Availability,
    ),
    Column(
        "sms_consent",
        "SMS-samtykke",
        ("sms consent", "sms_consent", "samtykke"),
        False,
        "Ja om den frivillige har samtykket til SMS-varsling, ellers nei. Den som har svart "
        "STOPP, kan bare selv gi samtykke igjen (START).",
        "ja",
    ),
    Column("active", "Aktiv", ("active",), False, "Ja eller nei. Tomt betyr ja for nye.", ""),
)


def _volunteers_by_mobile(session: Session) -> dict[str, Volunteer]:
    return {volunteer.mobile: volunteer for volunteer in session.scalars(select(Volunteer))}


def _mobile(text: str) -> str:
    if not text:
        raise DomainValidationError("mobile", N_("a mobile number is required"))
    return normalise_mobile(text)


class VolunteerImporter(Importer):
    kind = "volunteers"
    columns = VOLUNTEER_COLUMNS
    # The home area (a place) and when the consent last changed are not imported.
    ignored = (*EXPORT_ONLY, "home_area", "sms_consent_changed_at")

    def prepare(self, rows: Iterable[dict[str, str]]) -> None:
        self.by_number, self.by_name = _organisation_index(self.session)
        self.held: list[Any] = list(self.session.scalars(select(Organisation)))
        self.volunteers = _volunteers_by_mobile(self.session)
        self.seen: dict[str, int] = {}

    def apply(self, row_number: int, values: dict[str, str]) -> Outcome:
        found = RowProblems()
        mobile = found.check(_mobile, values.get("mobile", ""))
        fields: dict[str, Any] = {"full_name": values.get("full_name", "")}
        if "email" in values:
            fields["email"] = cells.optional(values["email"])
        if values.get("availability"):
            fields["availability"] = found.check(
                cells.enum_value, Availability, "availability", values["availability"]
            )
        if values.get("active"):
            fields["active"] = found.check(cells.yes_no, "active", values["active"])
        consent = None
        if values.get("sms_consent"):
            consent = found.check(cells.yes_no, "sms_consent", values["sms_consent"])
        organisation_id = None
        if values.get("organisation"):
            organisation_id = found.check(
                _find_organisation, self.by_number, self.by_name, values["organisation"]
            )
        found.raise_any()
        if mobile in self.seen:
            raise DomainValidationError(
                "mobile", N_("the same volunteer as row %(row)s"), row=self.seen[mobile]
            )
        self.seen[mobile] = row_number
        fields["mobile"] = mobile
        role = cells.optional(values.get("role", ""))
        existing = self.volunteers.get(mobile)
        if existing is None:
            memberships = (
                [{"organisation_id": organisation_id, "role": role}] if organisation_id else []
            )
            volunteer = volunteer_service.create_volunteer(
                self.session, fields=fields, memberships=memberships, qualifications=[], flush=False
            )
            if consent is not None:
                volunteer.change_consent(consent, ConsentChannel.IMPORT)
            self.volunteers[mobile] = volunteer
            return Outcome.CREATED
        memberships_now = None
        if organisation_id is not None:
            memberships_now = [
                {"organisation_id": m.organisation_id, "role": m.role}
                for m in existing.memberships
                if m.organisation_id != organisation_id
            ] + [{"organisation_id": organisation_id, "role": role}]
        volunteer_service.update_volunteer(
            self.session, existing, changes=fields, memberships=memberships_now, flush=False
        )
        if consent is not None and consent != existing.sms_consent:
            existing.change_consent(consent, ConsentChannel.IMPORT)
        return _outcome(self.session, existing)


QUALIFICATION_COLUMNS = (
    Column(
        "mobile",
        "Mobil",
        ("mobile", "mobilnummer", "volunteer_mobile"),
        True,
        "Mobilnummeret til en frivillig som finnes i registeret.",
        "912 34 567",
    ),
    Column(
        "qualification",
        "Kvalifikasjon",
        ("qualification", "qualification type", "kvalifikasjonstype", "qualification_type_code"),
        True,
        "Kvalifikasjonens kode eller navn, for eksempel first_aid eller Førstehjelp.",
        "Førstehjelp",
        ("qualifications",),
    ),
    Column(
        "obtained_on",
        "Oppnådd",
        ("obtained", "obtained_on", "oppnadd", "tatt"),
        False,
        "Datoen kvalifikasjonen ble tatt, 2027-03-31 eller 31.03.2027.",
        "",
    ),
    Column(
        "expires_on",
        "Utløper",
        ("expires", "expires_on", "utlopsdato", "gyldig til"),
        False,
        "Datoen kvalifikasjonen utløper, 2027-03-31 eller 31.03.2027. Tomt: utløper ikke.",
        "",
    ),
)


class QualificationImporter(Importer):
    kind = "qualifications"
    columns = QUALIFICATION_COLUMNS
    ignored = (*EXPORT_ONLY, "volunteer_id", "qualification_type_id")

    def prepare(self, rows: Iterable[dict[str, str]]) -> None:
        self.volunteers = _volunteers_by_mobile(self.session)
        self.types: dict[str, int] = {}
        self.held: list[Any] = list(self.session.scalars(select(QualificationType)))
        for kind in self.held:
            for word in (kind.name_en, kind.name_nb, kind.code):
                self.types[cells.folded(word)] = kind.id
        self.seen: dict[tuple[int, int], int] = {}

    def apply(self, row_number: int, values: dict[str, str]) -> Outcome:
        found = RowProblems()
        mobile = found.check(_mobile, values.get("mobile", ""))
        type_text = values.get("qualification", "")
        type_id = self.types.get(cells.folded(type_text)) if type_text else None
        if type_id is None:
            found.errors.append(
                DomainValidationError(
                    "qualification",
                    N_("no qualification with the code or name %(key)s"),
                    key=cells.echo(type_text),
                )
            )
        dates = {
            field: found.check(cells.date_value, field, values[field])
            for field in ("obtained_on", "expires_on")
            if field in values
        }
        volunteer = self.volunteers.get(mobile) if mobile else None
        if mobile and volunteer is None:
            found.errors.append(
                DomainValidationError(
                    "mobile", N_("no volunteer with the mobile %(mobile)s"), mobile=mobile
                )
            )
        found.raise_any()
        assert volunteer is not None and type_id is not None
        key = (volunteer.id, type_id)
        if key in self.seen:
            raise DomainValidationError(
                "qualification", N_("the same qualification as row %(row)s"), row=self.seen[key]
            )
        self.seen[key] = row_number
        held = [
            {
                "qualification_type_id": q.qualification_type_id,
                "obtained_on": q.obtained_on,
                "expires_on": q.expires_on,
            }
            for q in volunteer.qualifications
        ]
        mine = next((item for item in held if item["qualification_type_id"] == type_id), None)
        created = mine is None
        if mine is None:
            mine = {"qualification_type_id": type_id, "obtained_on": None, "expires_on": None}
            held.append(mine)
        mine.update(dates)
        volunteer_service.update_volunteer(
            self.session, volunteer, changes={}, qualifications=held, flush=False
        )
        if created:
            return Outcome.CREATED
        return _outcome(self.session, volunteer)


IMPORTERS: dict[str, type[Importer]] = {
    importer.kind: importer
    for importer in (
        OrganisationImporter,
        SiteImporter,
        EquipmentImporter,
        VolunteerImporter,
        QualificationImporter,
    )
}
KINDS = tuple(IMPORTERS)
