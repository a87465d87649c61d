"""What the incident map shows: ready equipment near the point (by site, numbered) and the
volunteers who can be called out, for the roles that may see them, as the volunteer search
does (an organisation editor: its own members only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.support import Translations
from geoalchemy2.shape import to_shape
from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.audit.reads import record_read
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway
from beredskap.register.inventory.models import Equipment, EquipmentStatus, ResourceType
from beredskap.register.maps.incident import ApproximateHome, NumberedSite
from beredskap.register.readiness.ready import inspection_state
from beredskap.register.search import service as search
from beredskap.register.web.map_data import catalogue_name, popups
from beredskap.register.web.map_forms import IncidentForm

INCIDENT_EQUIPMENT_LIMIT = 200
INCIDENT_VOLUNTEER_LIMIT = 50


@dataclass
class ResultLine:
    """One type of equipment at a site in one inspection state: the ready lines of that type
    added up, with the earliest next inspection among them (shown beside the status)."""

    name: str
    quantity: int
    unit: str
    next_due: date | None = None
    status: EquipmentStatus = EquipmentStatus.READY  # the search finds ready lines only
    amount: str = ""


@dataclass
class ResultSite:
    number: int
    site_id: int
    name: str
    organisation_id: int
    organisation: str
    municipal: bool
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
    today: date = field(default_factory=today_in_norway)  # the inspection states' day


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
    today = today_in_norway()
    due = _inspection_dates(session, [line.id for line in lines])
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
                municipal=line.municipal,
                distance_km=round(line.distance_m / 1000, 1),
                access_24_7=line.access_24_7,
                lat=line.lat,
                lon=line.lon,
            )
        name = names.get(line.resource_type, line.resource_type_name)
        next_due = due.get(line.id)
        state = inspection_state(next_due, today)
        same = next(
            (
                kept
                for kept in site.lines
                if kept.name == name and inspection_state(kept.next_due, today) == state
            ),
            None,
        )
        if same is None:
            site.lines.append(ResultLine(name, line.quantity, line.unit, next_due))
        else:
            same.quantity += line.quantity
            if next_due is not None and (same.next_due is None or next_due < same.next_due):
                same.next_due = next_due
    for site in by_site.values():
        for kept in site.lines:
            kept.amount = f"{number(kept.quantity)} {unit(kept.unit)}"

    people = None
    volunteer_rows: list[Any] = []
    if principal.sees_personal_data:  # as /api/v1/search/volunteers
        day = today
        volunteer_rows = search.available_volunteers_near(
            session,
            form.place,
            radius_m=form.radius_m,
            limit=INCIDENT_VOLUNTEER_LIMIT,
            on=day,
            qualification_type_id=form.qualification.id if form.qualification else None,
            organisation_ids=principal.sees_only_members_of,
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
                        catalogue_name(held.qualification_type, language)
                        for held in volunteer.qualifications
                        if held.valid_on(day)
                    ],
                    lat=float(home.y),
                    lon=float(home.x),
                )
            )
    if people:  # names, mobiles and home areas, audited like the volunteer search
        record_read(session, "volunteers", what="web.map_incident", count=len(people))
    return IncidentResults(
        sites=list(by_site.values()),
        people=people,
        equipment_limit_reached=len(lines) >= INCIDENT_EQUIPMENT_LIMIT,
        volunteer_limit_reached=len(volunteer_rows) >= INCIDENT_VOLUNTEER_LIMIT,
        today=today,
    )


def _inspection_dates(session: Session, ids: list[int]) -> dict[int, date | None]:
    """The next inspection date of each line found (the search's rows do not carry it)."""
    if not ids:
        return {}
    rows = session.execute(
        select(Equipment.id, Equipment.next_inspection_due).where(Equipment.id.in_(ids))
    )
    return {line_id: next_due for line_id, next_due in rows}


def numbered_sites(results: IncidentResults, env: Environment) -> list[NumberedSite]:
    macros = popups(env)
    return [
        NumberedSite(
            site.number,
            site.lat,
            site.lon,
            site.name,
            macros.result_site_popup(site, results.today),
        )
        for site in results.sites
    ]


def approximate_homes(
    results: IncidentResults, env: Environment, translations: Translations
) -> list[ApproximateHome] | None:
    """The volunteers' home areas, each named in words as the table beside the map lists
    them (the circle alone says "someone about here" to those who see it)."""
    if results.people is None:
        return None
    macros = popups(env)
    return [
        ApproximateHome(
            person.lat,
            person.lon,
            macros.volunteer_popup(person),
            translations.gettext("%(name)s: home area (approximate)") % {"name": person.name},
        )
        for person in results.people
    ]
