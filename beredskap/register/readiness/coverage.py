"""Does each agreement hold on a day, and what will fall short in 30, 60 and 90 days?

For every commitment of every agreement asked about, in a fixed number of set-based queries
(whatever the number of agreements): what counts and why the rest does not.

- Equipment of the committed type held by the organisation counts when ready on the day
  (`ready.equipment_ready`: status ready, not past its inspection) and its site lies in the
  agreement's service area (no area drawn: the municipality, every site).
- A member holding the committed qualification counts when callable (`ready.volunteer_callable`:
  active, consenting, not unavailable), the qualification is valid on the day and, when the
  agreement commits a mobilisation time, their home area lies within reach of the
  organisation's muster site in that time (`travel.TravelAssumption`).

Each line carries one reason per item or person not counted (the first that applies, in the
order of `Reason`), so "2 of 4 ATVs: 1 inspection overdue, 1 in maintenance" adds up. The
forecast re-judges what changes with the calendar alone (inspection dates, expiries, the
agreement's end); status and availability are taken as they are today.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from shapely.prepared import prep
from sqlalchemy import Integer, and_, case, func, literal, select
from sqlalchemy.orm import Session

from beredskap.register.agreements.models import Agreement, AgreementStatus, Commitment
from beredskap.register.inventory.models import Equipment, EquipmentStatus
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from beredskap.register.readiness.terms import Committed, Terms
from beredskap.register.readiness.travel import TravelAssumption, minutes_to_reach
from beredskap.register.volunteers.models import (
    Availability,
    Membership,
    Volunteer,
    VolunteerQualification,
)

HORIZONS = (30, 60, 90)  # days ahead the forecast looks
NEVER = 99  # the bucket of a date that never falls due


class Reason(enum.StrEnum):
    """Why an item or a person does not count, in the order they are judged."""

    NOT_READY_IN_USE = "in_use"
    NOT_READY_MAINTENANCE = "maintenance"
    NOT_READY_OUT_OF_SERVICE = "out_of_service"
    INSPECTION_OVERDUE = "inspection_overdue"
    OUTSIDE_SERVICE_AREA = "outside_service_area"
    INACTIVE = "inactive"
    NO_CONSENT = "no_consent"
    UNAVAILABLE = "unavailable"
    QUALIFICATION_NOT_VALID = "qualification_not_valid"
    HOME_UNKNOWN = "home_unknown"
    TOO_FAR = "too_far"


_STATUS_REASON = {
    EquipmentStatus.IN_USE: Reason.NOT_READY_IN_USE,
    EquipmentStatus.MAINTENANCE: Reason.NOT_READY_MAINTENANCE,
    EquipmentStatus.OUT_OF_SERVICE: Reason.NOT_READY_OUT_OF_SERVICE,
}


@dataclass
class Line:
    """One commitment on one day: how many count, and for each reason how many do not."""

    commitment_id: int
    resource_type_id: int | None
    qualification_type_id: int | None
    code: str
    name_nb: str
    name_en: str
    committed: int
    counted: int = 0
    not_counted: dict[Reason, int] = field(default_factory=dict)
    # Set when travel could not be judged: no muster site registered for the organisation.
    travel_unchecked: bool = False

    @property
    def people(self) -> bool:
        return self.qualification_type_id is not None

    @property
    def held(self) -> int:
        """Everything of the type the organisation holds (counted or not)."""
        return self.counted + sum(self.not_counted.values())

    @property
    def met(self) -> bool:
        return self.counted >= self.committed

    @property
    def shortfall(self) -> int:
        return max(0, self.committed - self.counted)

    def add(self, amount: int, reason: Reason | None) -> None:
        if reason is None:
            self.counted += amount
        else:
            self.not_counted[reason] = self.not_counted.get(reason, 0) + amount


@dataclass(frozen=True)
class ForecastShort:
    """A commitment that will not be met on a later day, and what the calendar takes."""

    commitment_id: int
    code: str
    committed: int
    counted: int
    lost_to_expiry: int  # qualifications valid today, not then
    lost_to_inspection: int  # equipment ready today, past its inspection then
    people: bool  # a count of people (withheld when small), not of items


@dataclass(frozen=True)
class Forecast:
    days: int
    on: date
    agreement_ends: bool  # the agreement's term is over by then
    short: tuple[ForecastShort, ...]

    @property
    def met(self) -> bool:
        return not self.agreement_ends and not self.short


@dataclass
class AgreementReadiness:
    agreement_id: int
    reference: str
    title: str
    organisation_id: int
    organisation_name: str
    status: AgreementStatus
    tasks: list[str]
    valid_until: date | None
    on: date
    in_force: bool  # active, and the day lies in its term
    mobilisation_minutes: int | None
    lines: list[Line]
    forecast: list[Forecast]

    @property
    def met(self) -> bool:
        """In force and every commitment met (an agreement committing nothing is met)."""
        return self.in_force and all(line.met for line in self.lines)

    @property
    def severity(self) -> tuple[int, float, str]:
        """Sort key, worst first: agreements in force and not met, by the share of the
        committed quantity counted; then those met; last those not in force (a draft or an
        expired agreement is nobody's shortfall today)."""
        if not self.in_force:
            return (3, 0.0, self.reference)
        if not self.lines:
            return (2, 1.0, self.reference)
        share = sum(min(line.counted, line.committed) / line.committed for line in self.lines)
        share /= len(self.lines)
        return (1 if not self.met else 2, share, self.reference)


def _days(on: date) -> list[date]:
    return [on, *(on + timedelta(days=days) for days in HORIZONS)]


def _bucket(column: Any, days: Sequence[date]) -> Any:
    """SQL: the index of the first of `days` on which `column` (a last valid day) has passed:
    0 passed already, 1 by the first horizon ..., NEVER when null or after the last."""
    whens = [(column < day, literal(index)) for index, day in enumerate(days)]
    return case((column.is_(None), literal(NEVER)), *whens, else_=literal(NEVER))


def readiness(
    session: Session,
    agreements: Iterable[Terms],
    *,
    on: date,
    travel: TravelAssumption,
) -> list[AgreementReadiness]:
    """Each agreement's lines on `on` and its forecast, in the order given."""
    agreements = list(agreements)
    days = _days(on)
    commitments = [(a, c) for a in agreements for c in a.commitments]
    organisation_ids = sorted({a.organisation_id for a in agreements})
    equipment = _equipment(session, commitments, days)
    # Where the sites lie matters only to agreements with a service area drawn.
    drawn = {a.organisation_id for a in agreements if a.service_area is not None}
    sites = _site_points(
        session,
        {
            row.site_id
            for (owner, _type), rows in equipment.items()
            if owner in drawn
            for row in rows
        },
    )
    people = _people(session, commitments, days)
    muster = _muster_points(session, organisation_ids)
    results = []
    for agreement in agreements:
        inside = _SitesInside(agreement, sites)
        judged = [
            _judge(agreement, day_index, equipment, people, inside, muster, travel)
            for day_index in range(len(days))
        ]
        today = judged[0]
        forecast = [
            _forecast(agreement, days[index], HORIZONS[index - 1], today, judged[index])
            for index in range(1, len(days))
        ]
        results.append(
            AgreementReadiness(
                agreement_id=agreement.id,
                reference=agreement.reference,
                title=agreement.title,
                organisation_id=agreement.organisation_id,
                organisation_name=agreement.organisation_name,
                status=agreement.status,
                tasks=list(agreement.tasks or []),
                valid_until=agreement.valid_until,
                on=on,
                in_force=agreement.in_force_on(on),
                mobilisation_minutes=agreement.committed_mobilisation_minutes,
                lines=today,
                forecast=forecast,
            )
        )
    return results


def _committed(commitments: list[tuple[Terms, Committed]], committed_type: Any) -> Any:
    """The distinct (organisation, type) pairs the agreements asked about commit, as a
    subquery to join on. A literal list of pairs (`IN ((1, 2), ...)`) made PostgreSQL compare
    every row with every pair, and a correlated EXISTS made SQLite scan the commitments once
    per equipment line (2.4 s and 10 s for 1,000 agreements); joined, both drive from the
    pairs."""
    agreement_ids = sorted({agreement.id for agreement, _commitment in commitments})
    return (
        select(
            Agreement.organisation_id.label("organisation_id"),
            committed_type.label("type_id"),
        )
        .join(Commitment, Commitment.agreement_id == Agreement.id)
        .where(Agreement.id.in_(agreement_ids), committed_type.is_not(None))
        .distinct()
        .subquery("committed")
    )


@dataclass(frozen=True)
class _EquipmentRow:
    site_id: int
    status: EquipmentStatus
    due_bucket: int  # overdue from day index due_bucket on (NEVER: never)
    quantity: int


def _equipment(
    session: Session,
    commitments: list[tuple[Terms, Committed]],
    days: Sequence[date],
) -> dict[tuple[int, int], list[_EquipmentRow]]:
    """The organisations' equipment of the committed types, summed by (organisation, type,
    site, status, the day index its inspection falls overdue)."""
    if not any(c.resource_type_id for _agreement, c in commitments):
        return {}
    bucket = _bucket(Equipment.next_inspection_due, days).label("bucket")
    committed = _committed(commitments, Commitment.resource_type_id)
    statement = (
        select(
            Equipment.organisation_id,
            Equipment.resource_type_id,
            Equipment.site_id,
            Equipment.status,
            bucket,
            func.sum(Equipment.quantity),
        )
        .select_from(Equipment)
        .join(
            committed,
            and_(
                committed.c.organisation_id == Equipment.organisation_id,
                committed.c.type_id == Equipment.resource_type_id,
            ),
        )
        .group_by(
            Equipment.organisation_id,
            Equipment.resource_type_id,
            Equipment.site_id,
            Equipment.status,
            bucket,
        )
    )
    rows: dict[tuple[int, int], list[_EquipmentRow]] = defaultdict(list)
    for organisation_id, type_id, site_id, status, due_bucket, total in session.execute(statement):
        rows[(organisation_id, type_id)].append(
            _EquipmentRow(site_id, EquipmentStatus(status), int(due_bucket), int(total or 0))
        )
    return rows


def _site_points(session: Session, site_ids: set[int]) -> dict[int, Point | None]:
    if not site_ids:
        return {}
    rows = session.execute(
        select(Site.id, func.ST_X(Site.location), func.ST_Y(Site.location)).where(
            Site.id.in_(sorted(site_ids))
        )
    )
    return {
        site_id: Point(x, y) if x is not None and y is not None else None for site_id, x, y in rows
    }


@dataclass(frozen=True)
class _PersonRow:
    volunteer_id: int
    active: bool
    consenting: bool
    unavailable: bool
    valid: tuple[bool, ...]  # the qualification valid on each day (today, then the horizons)
    home: tuple[float, float] | None


def _people(
    session: Session,
    commitments: list[tuple[Terms, Committed]],
    days: Sequence[date],
) -> dict[tuple[int, int], list[_PersonRow]]:
    """Members of the organisations holding a committed qualification (any row of it), one
    row per (organisation, qualification type, volunteer)."""
    if not any(c.qualification_type_id for _agreement, c in commitments):
        return {}
    held = VolunteerQualification
    committed = _committed(commitments, Commitment.qualification_type_id)
    valid_columns = [
        func.max(case((held.valid_on(day), literal(1)), else_=literal(0))).cast(Integer)
        for day in days
    ]
    statement = (
        select(
            Membership.organisation_id,
            held.qualification_type_id,
            Volunteer.id,
            Volunteer.active,
            Volunteer.sms_consent,
            Volunteer.availability,
            func.ST_X(Volunteer.home_area),
            func.ST_Y(Volunteer.home_area),
            *valid_columns,
        )
        .select_from(held)
        .join(Volunteer, Volunteer.id == held.volunteer_id)
        .join(Membership, Membership.volunteer_id == Volunteer.id)
        .join(
            committed,
            and_(
                committed.c.organisation_id == Membership.organisation_id,
                committed.c.type_id == held.qualification_type_id,
            ),
        )
        .group_by(
            Membership.organisation_id,
            held.qualification_type_id,
            Volunteer.id,
            Volunteer.active,
            Volunteer.sms_consent,
            Volunteer.availability,
            func.ST_X(Volunteer.home_area),
            func.ST_Y(Volunteer.home_area),
        )
    )
    rows: dict[tuple[int, int], list[_PersonRow]] = defaultdict(list)
    for row in session.execute(statement):
        organisation_id, type_id, volunteer_id, active, consenting, availability, x, y = row[:8]
        rows[(organisation_id, type_id)].append(
            _PersonRow(
                volunteer_id=volunteer_id,
                active=bool(active),
                consenting=bool(consenting),
                unavailable=Availability(availability) == Availability.UNAVAILABLE,
                valid=tuple(bool(flag) for flag in row[8:]),
                home=(float(x), float(y)) if x is not None and y is not None else None,
            )
        )
    return rows


def _muster_points(session: Session, organisation_ids: list[int]) -> dict[int, tuple[float, float]]:
    """Where each organisation's members meet: its first muster point, else its first base,
    else its home base."""
    points: dict[int, tuple[float, float]] = {}
    rank = case((Site.kind == SiteKind.MUSTER_POINT, 0), else_=1)
    sites = session.execute(
        select(Site.organisation_id, func.ST_X(Site.location), func.ST_Y(Site.location))
        .where(
            Site.organisation_id.in_(organisation_ids),
            Site.kind.in_([SiteKind.MUSTER_POINT, SiteKind.BASE]),
        )
        .order_by(Site.organisation_id, rank, Site.id)
    )
    for organisation_id, x, y in sites:
        points.setdefault(organisation_id, (float(x), float(y)))
    missing = [i for i in organisation_ids if i not in points]
    if missing:
        bases = session.execute(
            select(
                Organisation.id,
                func.ST_X(Organisation.home_base),
                func.ST_Y(Organisation.home_base),
            ).where(Organisation.id.in_(missing), Organisation.home_base.is_not(None))
        )
        for organisation_id, x, y in bases:
            points[organisation_id] = (float(x), float(y))
    return points


class _SitesInside:
    """Whether a site lies in an agreement's service area, judged once per site asked about
    (only the sites holding the organisation's committed types, never every site)."""

    def __init__(self, agreement: Terms, points: dict[int, Point | None]) -> None:
        self._area = prep(to_shape(agreement.service_area)) if agreement.service_area else None
        self._points = points
        self._judged: dict[int, bool] = {}

    def get(self, site_id: int) -> bool:
        if self._area is None:
            return True
        if site_id not in self._judged:
            point = self._points.get(site_id)
            self._judged[site_id] = point is not None and self._area.covers(point)
        return self._judged[site_id]


def _new_line(commitment: Committed) -> Line:
    return Line(
        commitment_id=commitment.id,
        resource_type_id=commitment.resource_type_id,
        qualification_type_id=commitment.qualification_type_id,
        code=commitment.code,
        name_nb=commitment.name_nb,
        name_en=commitment.name_en,
        committed=commitment.quantity,
    )


def _judge(
    agreement: Terms,
    day_index: int,
    equipment: dict[tuple[int, int], list[_EquipmentRow]],
    people: dict[tuple[int, int], list[_PersonRow]],
    inside: _SitesInside,
    muster: dict[int, tuple[float, float]],
    travel: TravelAssumption,
) -> list[Line]:
    lines = []
    minutes = agreement.committed_mobilisation_minutes
    meeting = muster.get(agreement.organisation_id)
    for commitment in agreement.commitments:
        line = _new_line(commitment)
        if commitment.resource_type_id is not None:
            for row in equipment.get((agreement.organisation_id, commitment.resource_type_id), []):
                line.add(row.quantity, _equipment_reason(row, day_index, inside))
        else:
            assert commitment.qualification_type_id is not None
            line.travel_unchecked = minutes is not None and meeting is None
            key = (agreement.organisation_id, commitment.qualification_type_id)
            for person in people.get(key, []):
                line.add(1, _person_reason(person, day_index, minutes, meeting, travel))
        lines.append(line)
    return lines


def _equipment_reason(row: _EquipmentRow, day_index: int, inside: _SitesInside) -> Reason | None:
    if row.status != EquipmentStatus.READY:
        return _STATUS_REASON[row.status]
    if row.due_bucket <= day_index:
        return Reason.INSPECTION_OVERDUE
    if not inside.get(row.site_id):
        return Reason.OUTSIDE_SERVICE_AREA
    return None


def _person_reason(
    person: _PersonRow,
    day_index: int,
    minutes: int | None,
    meeting: tuple[float, float] | None,
    travel: TravelAssumption,
) -> Reason | None:
    if not person.active:
        return Reason.INACTIVE
    if not person.consenting:
        return Reason.NO_CONSENT
    if person.unavailable:
        return Reason.UNAVAILABLE
    if not person.valid[day_index]:
        return Reason.QUALIFICATION_NOT_VALID
    if minutes is None or meeting is None:
        return None
    if person.home is None:
        return Reason.HOME_UNKNOWN
    if minutes_to_reach(person.home, meeting, travel) > minutes:
        return Reason.TOO_FAR
    return None


def _forecast(
    agreement: Terms, day: date, days: int, today: list[Line], then: list[Line]
) -> Forecast:
    short = []
    for now, later in zip(today, then, strict=True):
        # What the calendar takes: a line met today that will not be, or a short line that
        # loses more. A line short today and no shorter then is today's news, not a forecast.
        if later.met or (not now.met and later.counted >= now.counted):
            continue
        expiry = Reason.QUALIFICATION_NOT_VALID
        inspection = Reason.INSPECTION_OVERDUE
        short.append(
            ForecastShort(
                commitment_id=later.commitment_id,
                code=later.code,
                committed=later.committed,
                counted=later.counted,
                lost_to_expiry=later.not_counted.get(expiry, 0) - now.not_counted.get(expiry, 0),
                lost_to_inspection=later.not_counted.get(inspection, 0)
                - now.not_counted.get(inspection, 0),
                people=later.people,
            )
        )
    ends = agreement.valid_until is not None and agreement.valid_until < day
    return Forecast(days=days, on=day, agreement_ends=ends, short=tuple(short))
