"""What each map shows, read through the register's services and dressed for the reader:
popups and legends rendered from `templates/maps/popups.html` (translated, escaped), and
nothing personal unless the reader's role may see it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from babel.support import Translations
from geoalchemy2.shape import to_shape
from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.agreements.models import AgreementStatus
from beredskap.auth.models import Role
from beredskap.auth.permissions import PERSONAL_DATA_ROLES
from beredskap.auth.service import Principal
from beredskap.columns import today_in_norway
from beredskap.inventory.models import Capability, EquipmentStatus, ResourceType
from beredskap.layers import service as layers
from beredskap.maps import rows
from beredskap.maps.council import SUPPRESSED_COLOUR, CountClass, GridSquare, count_classes
from beredskap.maps.incident import ApproximateHome, NumberedSite
from beredskap.maps.legend import AGREEMENT_COLOUR, INCIDENT_COLOUR, VOLUNTEER_COLOUR
from beredskap.maps.overview import MapArea, OverviewContent, OverviewTexts, category_colour
from beredskap.organisations.models import OrganisationCategory, SiteKind
from beredskap.search import aggregates
from beredskap.search import service as search
from beredskap.volunteers.models import QualificationType
from beredskap.web.labels import enum_label
from beredskap.web.map_forms import CouncilForm, IncidentForm, OverviewForm

# Features read per layer for one map; the register of one municipality holds far fewer.
PAGE_SIZE = 5_000
MAX_FEATURES = 20_000
INCIDENT_EQUIPMENT_LIMIT = 200
INCIDENT_VOLUNTEER_LIMIT = 50
LEGEND_COLOURS = {
    "agreement": AGREEMENT_COLOUR,
    "incident": INCIDENT_COLOUR,
    "volunteer": VOLUNTEER_COLOUR,
    "suppressed": SUPPRESSED_COLOUR,
}


def popups(env: Environment) -> Any:
    """The popup and legend macros of the reader's language."""
    return env.get_template("maps/popups.html").module


def _all_features(
    read: Callable[..., layers.LayerPage], **criteria: Any
) -> tuple[list[layers.LayerFeature], int]:
    """Every feature of a layer, page by page, up to MAX_FEATURES; and how many matched."""
    features: list[layers.LayerFeature] = []
    total = 0
    while len(features) < MAX_FEATURES:
        page = read(limit=PAGE_SIZE, offset=len(features), **criteria)
        features.extend(page.features)
        total = page.total
        if len(features) >= total or not page.features:
            break
    return features[:MAX_FEATURES], total


def _lat_lon(feature: layers.LayerFeature) -> tuple[float, float]:
    lon, lat = feature.geometry["coordinates"][:2]
    return float(lat), float(lon)


def _enum_or_none(enum_class: Any, value: Any) -> Any:
    try:
        return enum_class(value)
    except ValueError:
        return None


@dataclass
class Overview:
    content: OverviewContent
    texts: OverviewTexts
    legend: Markup
    shown: dict[str, int] = field(default_factory=dict)
    truncated: bool = False


# Both plural forms of a message, for layers.js to choose by count (nb and en: one or not).
PLURAL_SAMPLES = (1, 2)


def overview_texts(translations: Translations) -> OverviewTexts:
    """The labels layers.js writes into the overview's popups."""
    _ = translations.gettext
    label = partial(enum_label, translations)
    municipality = _("The municipality")
    return OverviewTexts(
        organisation={
            "categories": [label(category) for category in OrganisationCategory],
            "organisationNumber": _("Org. no. %(number)s"),
            "sites": [
                translations.ngettext("%(count)s site", "%(count)s sites", n)
                for n in PLURAL_SAMPLES
            ],
            "contact": _("24/7 contact"),
        },
        sites={
            kind.value: {"kind": label(kind), "open": _("open 24/7"), "municipality": municipality}
            for kind in SiteKind
        },
        equipment={
            "lines": [
                translations.ngettext("%(count)s equipment line", "%(count)s equipment lines", n)
                for n in PLURAL_SAMPLES
            ],
            "byCapability": _("By capability"),
            "byStatus": _("By status"),
            "capabilities": [label(capability) for capability in Capability],
            "statuses": [label(status) for status in EquipmentStatus],
            "kindHeader": _("Kind"),
            "linesHeader": _("Lines"),
            "itemsHeader": _("Items"),
            "municipality": municipality,
        },
    )


def overview(
    session: Session,
    principal: Principal,
    form: OverviewForm,
    env: Environment,
    translations: Translations,
) -> Overview:
    """Bases, sites by kind, equipment per site (filtered), areas of active agreements."""
    macros = popups(env)
    truncated = False
    contact_details = principal.sees_contact_details

    organisations, total = _all_features(
        lambda **page: layers.organisations(session, with_contact_details=contact_details, **page)
    )
    truncated |= total > len(organisations)
    bases = []
    categories = set()
    for feature in organisations:
        props = feature.properties
        lat, lon = _lat_lon(feature)
        contact = None
        if contact_details:
            contact = tuple(props.get(f"contact_24_7_{key}") for key in ("name", "phone", "email"))
        categories.add(props["category"])
        bases.append(
            rows.organisation_row(
                lat,
                lon,
                category=props["category"],
                id=feature.id,
                name=props["name"],
                organisation_number=props.get("organisation_number"),
                site_count=props.get("site_count", 0),
                contact=contact,  # type: ignore[arg-type]
            )
        )

    site_features, total = _all_features(lambda **page: layers.sites(session, **page))
    truncated |= total > len(site_features)
    sites: dict[str, list[rows.Row]] = {kind.value: [] for kind in SiteKind}
    for feature in site_features:
        props = feature.properties
        lat, lon = _lat_lon(feature)
        category = props.get("organisation_category") or OrganisationCategory.OTHER.value
        categories.add(category)
        sites.setdefault(props["kind"], []).append(
            rows.site_row(
                lat,
                lon,
                category=category,
                name=props["name"],
                address=props.get("address"),
                access_24_7=bool(props.get("access_24_7")),
                organisation_id=props.get("organisation_id"),
                organisation=props.get("organisation"),
            )
        )

    equipment_features, total = _all_features(
        lambda **page: layers.equipment_aggregates(
            session, capability=form.capability, status=form.status, **page
        )
    )
    truncated |= total > len(equipment_features)
    equipment = []
    lines = 0
    for feature in equipment_features:
        props = feature.properties
        lat, lon = _lat_lon(feature)
        lines += props["lines"]
        equipment.append(
            rows.equipment_row(
                lat,
                lon,
                lines=props["lines"],
                site_name=props["site_name"],
                organisation_id=props.get("organisation_id"),
                organisation=props.get("organisation"),
                by_capability=props["by_capability"],
                by_status=props["by_status"],
            )
        )

    # Active agreements only: a draft or expired agreement commits nobody to anything.
    area_features, total = _all_features(
        lambda **page: layers.agreement_areas(session, status=AgreementStatus.ACTIVE, **page)
    )
    truncated |= total > len(area_features)
    areas = []
    for feature in area_features:
        props = feature.properties
        areas.append(
            MapArea(
                feature.geometry,
                popup=macros.agreement_popup(
                    props["reference"],
                    props["title"],
                    _enum_or_none(AgreementStatus, props["status"]),
                    props["organisation_id"],
                    props["organisation"],
                    props.get("tasks") or [],
                    _day(props.get("valid_from")),
                    _day(props.get("valid_until")),
                ),
            )
        )

    label = env.filters["label"]
    legend_categories = [
        (label(category), category_colour(category.value))
        for category in OrganisationCategory
        if category.value in categories
    ]
    return Overview(
        content=OverviewContent(
            bases=bases, sites=sites, equipment=equipment, agreement_areas=areas
        ),
        texts=overview_texts(translations),
        legend=macros.overview_legend(legend_categories, LEGEND_COLOURS),
        shown={
            "bases": len(bases),
            "sites": sum(len(points) for points in sites.values()),
            "equipment_sites": len(equipment),
            "equipment_lines": lines,
            "areas": len(areas),
        },
        truncated=truncated,
    )


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


# Incident ------------------------------------------------------------------------------------


@dataclass
class ResultLine:
    """One type of equipment at a site: the ready lines of that type added up."""

    name: str
    quantity: int
    unit: str
    amount: str = ""


@dataclass
class ResultSite:
    number: int
    site_id: int
    name: str
    organisation_id: int
    organisation: str
    distance_km: float
    access_24_7: bool
    lat: float
    lon: float
    lines: list[ResultLine] = field(default_factory=list)


@dataclass(frozen=True)
class ResultPerson:
    name: str
    mobile: str
    availability: Any
    distance_km: float
    organisations: list[str]
    qualifications: list[str]
    lat: float
    lon: float


@dataclass
class IncidentResults:
    sites: list[ResultSite]
    people: list[ResultPerson] | None  # None: the reader may not see volunteers
    equipment_limit_reached: bool
    volunteer_limit_reached: bool


def sees_volunteers(principal: Principal) -> bool:
    """Volunteers on the incident map: as /api/v1/search/volunteers (personal-data roles)."""
    return principal.role in PERSONAL_DATA_ROLES


def incident_results(
    session: Session, principal: Principal, form: IncidentForm, env: Environment, language: str
) -> IncidentResults:
    assert form.place is not None
    number = env.filters["number"]
    unit = env.filters["unit"]
    names = {
        rt.code: (rt.name_nb if language == "nb" else rt.name_en)
        for rt in session.scalars(select(ResourceType))
    }
    lines = search.ready_equipment_near(
        session,
        form.place,
        radius_m=form.radius_m,
        limit=INCIDENT_EQUIPMENT_LIMIT,
        capability=form.capability,
        resource_type_id=form.resource_type.id if form.resource_type else None,
    )
    by_site: dict[int, ResultSite] = {}
    for line in lines:
        site = by_site.get(line.site_id)
        if site is None:
            site = by_site[line.site_id] = ResultSite(
                number=len(by_site) + 1,
                site_id=line.site_id,
                name=line.site_name,
                organisation_id=line.organisation_id,
                organisation=line.organisation,
                distance_km=round(line.distance_m / 1000, 1),
                access_24_7=line.access_24_7,
                lat=line.lat,
                lon=line.lon,
            )
        name = names.get(line.resource_type, line.resource_type_name)
        same = next((kept for kept in site.lines if kept.name == name), None)
        if same is None:
            site.lines.append(ResultLine(name, line.quantity, line.unit))
        else:
            same.quantity += line.quantity
    for site in by_site.values():
        for kept in site.lines:
            kept.amount = f"{number(kept.quantity)} {unit(kept.unit)}"

    people = None
    volunteer_rows: list[Any] = []
    if sees_volunteers(principal):
        scope = principal.organisation_ids if principal.role == Role.ORG_EDITOR else None
        day = today_in_norway()
        volunteer_rows = search.available_volunteers_near(
            session,
            form.place,
            radius_m=form.radius_m,
            limit=INCIDENT_VOLUNTEER_LIMIT,
            on=day,
            qualification_type_id=form.qualification.id if form.qualification else None,
            organisation_ids=scope,
        )
        people = []
        for volunteer, distance in volunteer_rows:
            home = to_shape(volunteer.home_area)  # never None: the search requires one
            people.append(
                ResultPerson(
                    name=volunteer.full_name,
                    mobile=volunteer.mobile,
                    availability=volunteer.availability,
                    distance_km=round(distance / 1000, 1),
                    organisations=[m.organisation.name for m in volunteer.memberships],
                    qualifications=[
                        _name(held.qualification_type, language)
                        for held in volunteer.qualifications
                        if held.valid_on(day)
                    ],
                    lat=float(home.y),
                    lon=float(home.x),
                )
            )
    return IncidentResults(
        sites=list(by_site.values()),
        people=people,
        equipment_limit_reached=len(lines) >= INCIDENT_EQUIPMENT_LIMIT,
        volunteer_limit_reached=len(volunteer_rows) >= INCIDENT_VOLUNTEER_LIMIT,
    )


def _name(entry: ResourceType | QualificationType, language: str) -> str:
    return entry.name_nb if language == "nb" else entry.name_en


def numbered_sites(results: IncidentResults, env: Environment) -> list[NumberedSite]:
    macros = popups(env)
    return [
        NumberedSite(site.number, site.lat, site.lon, site.name, macros.result_site_popup(site))
        for site in results.sites
    ]


def approximate_homes(results: IncidentResults, env: Environment) -> list[ApproximateHome] | None:
    if results.people is None:
        return None
    macros = popups(env)
    return [
        ApproximateHome(person.lat, person.lon, macros.volunteer_popup(person))
        for person in results.people
    ]


# Council -------------------------------------------------------------------------------------


@dataclass
class CouncilGrid:
    squares: list[GridSquare]
    classes: list[CountClass]
    legend: Markup
    cells: int
    qualification_codes: list[str] = field(default_factory=list)
    texts: dict[str, Any] = field(default_factory=dict)


def council_texts(
    translations: Translations, size_km: int, qualifications: list[str]
) -> dict[str, Any]:
    """The labels layers.js writes into a square's popup."""
    _ = translations.gettext
    return {
        "title": _("A square of %(size)s by %(size)s km") % {"size": size_km},
        "readyEquipment": _("Ready equipment"),
        "noEquipment": _("No ready equipment."),
        "capabilities": [enum_label(translations, capability) for capability in Capability],
        "kindHeader": _("Kind"),
        "linesHeader": _("Lines"),
        "itemsHeader": _("Items"),
        "volunteers": _("Volunteers with a valid qualification"),
        "qualifications": qualifications,
        "fewer": _("fewer than %(count)s") % {"count": aggregates.DEFAULT_SUPPRESS_BELOW},
        "inAll": _("In all"),
    }


def council_grid(
    session: Session, form: CouncilForm, env: Environment, translations: Translations, language: str
) -> CouncilGrid:
    """Counts per square; raises aggregates.TooManyCellsError when the grid is too fine."""
    cells = aggregates.grid_cells(
        session,
        cell_m=form.cell_km * 1000,
        on=today_in_norway(),
        capability=form.capability,
        qualification_type_id=form.qualification.id if form.qualification else None,
    )
    names = sorted(
        ((q.code, _name(q, language)) for q in session.scalars(select(QualificationType))),
        key=lambda pair: pair[1].lower(),
    )
    squares = []
    for cell in cells:
        if form.measure == "volunteers":
            value = cell.volunteer_total if cell.volunteers else 0
        else:
            value = sum(counts["lines"] for counts in cell.equipment.values())
        squares.append(
            GridSquare(
                ring=cell.ring,
                value=value,
                equipment=cell.equipment,
                volunteers=cell.volunteers,
                volunteer_total=cell.volunteer_total,
            )
        )
    classes = count_classes([square.value for square in squares if square.value])
    return CouncilGrid(
        squares=squares,
        classes=classes,
        legend=popups(env).council_legend(
            classes, form.measure, LEGEND_COLOURS, aggregates.DEFAULT_SUPPRESS_BELOW
        ),
        cells=len(cells),
        qualification_codes=[code for code, _name_ in names],
        texts=council_texts(translations, form.cell_km, [name for _code, name in names]),
    )


def empty_grid(form: CouncilForm, env: Environment) -> CouncilGrid:
    """No squares (the choice asked for too many): the map and legend say so."""
    legend = popups(env).council_legend(
        [], form.measure, LEGEND_COLOURS, aggregates.DEFAULT_SUPPRESS_BELOW
    )
    return CouncilGrid(squares=[], classes=[], legend=legend, cells=0, texts={"qualifications": []})
