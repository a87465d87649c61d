"""What the API and the map pages share: the point (coordinates or one address, never both),
the minutes, the estimator from the settings, and the answer as the reader may see it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from beredskap.platform.audit.reads import record_read
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.platform.geo_errors import geo_invalid
from beredskap.register.addresses import resolve
from beredskap.register.addresses.resolve import Located, locate
from beredskap.register.reach.estimate import StraightLine, TravelTimeEstimator
from beredskap.register.reach.query import reach
from beredskap.register.reach.schemas import PointOut, ReachOut
from beredskap.register.readiness.service import travel_of
from geo.extent import OutsideNorwayError, check_lon_lat

MAX_MINUTES = 1440  # a day: beyond it "within" means nothing for a callout
DEFAULT_MINUTES = 30.0  # the council's question: what can be there within half an hour


@dataclass(frozen=True)
class Where:
    lon: float
    lat: float
    address: str | None = None  # the address's label when found from one


def _address_error(located: Located) -> DomainValidationError:
    """The place search's own message for an address that is not one point (the same codes
    as `addresses.resolve`, written out: a code is always an N_ literal where it is raised)."""
    p = located.params
    match located.code:
        case resolve.DID_YOU_MEAN:
            return DomainValidationError(
                "address",
                N_("no such address in the municipality's address list; did you mean %(example)s?"),
                **p,
            )
        case resolve.SEVERAL:
            return DomainValidationError(
                "address",
                N_("%(count)s addresses match; add the postal code, e.g. %(example)s"),
                **p,
            )
        case resolve.SEVERAL_LETTERS:
            return DomainValidationError(
                "address", N_("%(count)s addresses match; add the letter, e.g. %(example)s"), **p
            )
        case resolve.NO_NUMBER:
            return DomainValidationError(
                "address", N_("add the house number, e.g. %(example)s"), **p
            )
        case resolve.TOO_LONG:
            return DomainValidationError("address", N_("at most %(count)s characters"), **p)
    return DomainValidationError(
        "address",
        N_("no such address in the municipality's address list; check it, or give the coordinates"),
    )


def where_of(
    session: Session, *, lat: float | None, lon: float | None, address: str | None
) -> Where:
    """The point asked about: lat and lon, or one address of the municipality. Raises
    DomainValidationError (a 422 on its field) for anything else."""
    address = (address or "").strip() or None
    has_point = lat is not None or lon is not None
    if has_point and address is not None:
        raise DomainValidationError(
            "address", N_("give either a point (lat and lon) or an address, not both")
        )
    if address is not None:
        located = locate(session, address)
        if located.found is None:
            raise _address_error(located)
        return Where(located.found.lon, located.found.lat, located.found.label)
    if lat is None or lon is None:
        raise DomainValidationError(
            "lat" if lat is None else "lon", N_("give a point (lat and lon) or an address")
        )
    try:
        checked_lon, checked_lat = check_lon_lat(lon, lat)
    except OutsideNorwayError as error:
        raise geo_invalid("lat", error) from None
    return Where(checked_lon, checked_lat)


def check_minutes(minutes: float | None) -> float:
    if minutes is None:
        raise DomainValidationError("minutes", N_("give the time in minutes"))
    if not math.isfinite(minutes) or minutes <= 0 or minutes > MAX_MINUTES:
        raise DomainValidationError(
            "minutes",
            N_("the time must be more than 0 and at most %(max)s minutes"),
            max=MAX_MINUTES,
        )
    return float(minutes)


def estimator_of(settings: Any) -> TravelTimeEstimator:
    """The one estimator there is now; a routing engine's would be chosen here by a setting."""
    return StraightLine(travel_of(settings))


def reach_for(
    session: Session,
    principal: Principal,
    settings: Any,
    where: Where,
    minutes: float,
    *,
    what: str,
) -> ReachOut:
    """The answer as `principal` may see it; naming people is recorded as a read of them."""
    estimator = estimator_of(settings)
    travel = travel_of(settings)
    names = principal.sees_people
    found = reach(
        session,
        lon=where.lon,
        lat=where.lat,
        minutes=minutes,
        on=today_in_norway(),
        estimator=estimator,
        default_mobilisation=int(settings.reach_default_mobilisation_minutes),
        names=names,
        named_only_of=principal.sees_only_members_of,
    )
    if found.named:
        record_read(session, "volunteers", what=what, count=len(found.named))
    return ReachOut.of(
        found,
        point=PointOut(lat=round(where.lat, 7), lon=round(where.lon, 7), address=where.address),
        speed_kmh=travel.speed_kmh,
        detour_factor=travel.detour_factor,
        estimator=estimator.name,
        exact=principal.sees_small_counts_of(None),
        with_minutes=principal.sees_personal_data,
    )
