"""within_metres and distance_metres give the same, correct answers on both backends."""

from __future__ import annotations

import pytest
from pyproj import Geod
from shapely.geometry import Point
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from beredskap.register.organisations.models import (
    Organisation,
    OrganisationCategory,
    Site,
    SiteKind,
)
from geo.sql import distance_metres, intersects_box, point, within_metres

WGS84_ELLIPSOID = Geod(ellps="WGS84")

# Real places (lon, lat) and their geodesic distances.
OSLO = (10.7522, 59.9139)
BERGEN = (5.3221, 60.3913)
TROMSO = (18.9553, 69.6492)
LILLESTROM = (11.0494, 59.9560)
KIRKENES = (30.0450, 69.7271)

KNOWN_DISTANCES_KM = [
    (OSLO, BERGEN, 305.0),  # Oslo - Bergen, about 305 km as the crow flies
    (OSLO, TROMSO, 1150.0),
    (OSLO, LILLESTROM, 17.4),
]


@pytest.mark.parametrize("a, b, approx_km", KNOWN_DISTANCES_KM)
def test_distance_metres_matches_the_ellipsoid(
    session: Session, a: tuple[float, float], b: tuple[float, float], approx_km: float
) -> None:
    measured = session.execute(select(distance_metres(point(*a), point(*b)))).scalar_one()
    _, _, reference = WGS84_ELLIPSOID.inv(a[0], a[1], b[0], b[1])
    assert measured == pytest.approx(reference, rel=0.005)
    assert measured / 1000 == pytest.approx(approx_km, rel=0.01)


def _sites(session: Session, places: dict[str, tuple[float, float]]) -> None:
    organisation = Organisation(name="Testlaget", category=OrganisationCategory.OTHER)
    session.add(organisation)
    session.add_all(
        Site(organisation=organisation, name=name, kind=SiteKind.STORAGE, location=Point(*lonlat))
        for name, lonlat in places.items()
    )
    session.flush()


def test_within_metres_finds_exactly_the_places_inside(session: Session) -> None:
    # Points at known geodesic distances north, east and north-east of Lillestrøm.
    places: dict[str, tuple[float, float]] = {}
    for name, azimuth, metres in [
        ("north_4900", 0, 4_900),
        ("north_5100", 0, 5_100),
        ("east_4990", 90, 4_990),
        ("east_5010", 90, 5_010),
        ("ne_4950", 45, 4_950),
        ("ne_5050", 45, 5_050),
    ]:
        lon, lat, _ = WGS84_ELLIPSOID.fwd(*LILLESTROM, azimuth, metres)
        places[name] = (lon, lat)
    _sites(session, places)
    found = session.scalars(
        select(Site.name).where(within_metres(Site.location, point(*LILLESTROM), 5_000))
    ).all()
    assert sorted(found) == ["east_4990", "ne_4950", "north_4900"]


def test_within_metres_at_high_latitude_and_large_radius(session: Session) -> None:
    _sites(session, {"kirkenes": KIRKENES, "tromso": TROMSO, "oslo": OSLO})
    _, _, tromso_to_kirkenes = WGS84_ELLIPSOID.inv(*TROMSO, *KIRKENES)
    found = session.scalars(
        select(Site.name)
        .where(within_metres(Site.location, point(*TROMSO), tromso_to_kirkenes + 100))
        .order_by(distance_metres(Site.location, point(*TROMSO)))
    ).all()
    assert found == ["tromso", "kirkenes"]


def test_postgis_uses_the_geography_index(engine: Engine, backend: str) -> None:
    statement = select(Site.id).where(within_metres(Site.location, point(*OSLO), 20_000))
    compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        if backend == "postgis":
            # On a tiny table the planner prefers a scan; forbid it to see the index is usable.
            connection.execute(text("SET enable_seqscan = off"))
            plan = "\n".join(connection.execute(text(f"EXPLAIN {compiled}")).scalars())
            assert "ix_sites_location_geography" in plan
        else:
            rows = connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            plan = "\n".join(str(row[-1]) for row in rows)
            assert "SpatialIndex" in plan  # the R-tree virtual table is consulted


def test_intersects_box_keeps_points_inside_the_box_only(session: Session) -> None:
    _sites(
        session,
        {
            "inside": (11.05, 59.95),
            "on_the_edge": (11.10, 59.95),
            "west_of_it": (10.99, 59.95),
            "north_of_it": (11.05, 60.01),
        },
    )
    found = session.scalars(
        select(Site.name)
        .where(intersects_box(Site.location, 11.00, 59.90, 11.10, 60.00))
        .order_by(Site.name)
    ).all()
    assert found == ["inside", "on_the_edge"]
