"""Spatial search on both backends: nearest first, distances on the ellipsoid, filters, and
who may find volunteers."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any

import pytest
from geoalchemy2.shape import to_shape
from pyproj import Geod
from shapely.geometry import Point
from sqlalchemy import select, text

from beredskap.platform.auth.models import Role
from beredskap.register.inventory.models import Equipment, ResourceType
from beredskap.register.organisations.models import Site, SiteKind
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from geo.crs import transform
from geo.sql import knn_distance, point, supports_knn
from tests.support.api import ApiHarness

GEOD = Geod(ellps="WGS84")
LILLESTROM = (11.0494, 59.9560)
RESOURCES = "/api/v1/search/resources"
VOLUNTEERS = "/api/v1/search/volunteers"
CENTRE = {"lat": LILLESTROM[1], "lon": LILLESTROM[0]}


def _at(azimuth: float, metres: float) -> Point:
    lon, lat, _ = GEOD.fwd(*LILLESTROM, azimuth, metres)
    return Point(lon, lat)


def _type(api: ApiHarness, code: str) -> ResourceType:
    return api.session.scalars(select(ResourceType).where(ResourceType.code == code)).one()


def _site_with(api: ApiHarness, name: str, place: Point, code: str, status: str = "ready") -> None:
    site = Site(organisation=api.own, name=name, kind=SiteKind.STORAGE, location=place)
    api.session.add(site)
    api.session.add(
        Equipment(
            organisation=api.own,
            site=site,
            resource_type=_type(api, code),
            quantity=2,
            status=status,
        )
    )


@pytest.fixture
def places(api: ApiHarness) -> ApiHarness:
    _site_with(api, "north 3 km", _at(0, 3_000), "atv")
    _site_with(api, "east 8 km", _at(90, 8_000), "snowmobile")
    _site_with(api, "south 15 km", _at(180, 15_000), "generator")
    _site_with(api, "west 25 km", _at(270, 25_000), "atv")
    _site_with(api, "north-east 1 km, in repair", _at(45, 1_000), "atv", status="maintenance")
    _site_with(api, "Tromsø", Point(18.9553, 69.6492), "atv")
    api.session.commit()
    return api


def _names(collection: dict[str, Any]) -> list[str]:
    return [f["properties"]["site_name"] for f in collection["features"]]


def test_ready_equipment_within_a_radius_nearest_first(places: ApiHarness) -> None:
    response = places.get(Role.COUNCIL, RESOURCES, params=CENTRE | {"radius_m": 20_000})
    assert response.status_code == 200, response.text
    collection = response.json()
    assert collection["type"] == "FeatureCollection" and collection["epsg"] == 4326
    assert _names(collection) == ["north 3 km", "east 8 km", "south 15 km"]  # not in repair
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        _, _, reference = GEOD.inv(*LILLESTROM, lon, lat)
        assert feature["properties"]["distance_m"] == pytest.approx(reference, rel=0.005)
        assert feature["properties"]["organisation"] == "Eget Hjelpekorps"


def test_filters_by_capability_and_resource_type(places: ApiHarness) -> None:
    transport = places.get(
        Role.PLANNER, RESOURCES, params=CENTRE | {"radius_m": 30_000, "capability": "transport"}
    ).json()
    assert _names(transport) == ["north 3 km", "east 8 km", "west 25 km"]
    atv = places.get(
        Role.PLANNER, RESOURCES, params=CENTRE | {"radius_m": 30_000, "resource_type": "atv"}
    ).json()
    assert _names(atv) == ["north 3 km", "west 25 km"]
    unknown = places.get(Role.PLANNER, RESOURCES, params=CENTRE | {"resource_type": "kanon"})
    assert unknown.status_code == 422


def test_the_nearest_n_without_a_radius_reaches_far(places: ApiHarness) -> None:
    nearest = places.get(Role.DUTY_OFFICER, RESOURCES, params=CENTRE | {"limit": 2}).json()
    assert _names(nearest) == ["north 3 km", "east 8 km"]
    everything = places.get(Role.DUTY_OFFICER, RESOURCES, params=CENTRE | {"limit": 50}).json()
    assert _names(everything)[-1] == "Tromsø"
    assert everything["features"][-1]["properties"]["distance_m"] > 1_000_000


def test_utm_in_and_out(places: ApiHarness) -> None:
    east, north = transform(*LILLESTROM, 4326, 25833)
    response = places.get(
        Role.ADMIN,
        RESOURCES,
        params={"east": east, "north": north, "epsg": 25833, "radius_m": 10_000, "crs": 25833},
    ).json()
    assert response["epsg"] == 25833
    assert _names(response) == ["north 3 km", "east 8 km"]
    x, y = response["features"][0]["geometry"]["coordinates"]
    site = _at(0, 3_000)
    assert (x, y) == pytest.approx(transform(site.x, site.y, 4326, 25833), abs=0.01)
    assert 2_900 < y - north < 3_100  # metres: 3 km north (grid north is a little off true)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"lat": 123, "lon": 10}, "lat"),
        ({"lat": 48.85, "lon": 2.35}, "lat"),  # Paris: outside Norway
        ({}, "lat"),
        (CENTRE | {"radius_m": -5}, "radius_m"),
        (CENTRE | {"radius_m": 10**12}, "radius_m"),
        (CENTRE | {"limit": 0}, "limit"),
        (CENTRE | {"crs": 3857}, "crs"),
        ({"east": 1, "north": 1, "epsg": 25833}, "east"),
    ],
)
def test_bad_search_input(api: ApiHarness, params: dict[str, Any], field: str) -> None:
    response = api.get(Role.ADMIN, RESOURCES, params=params)
    assert response.status_code == 422, response.text
    assert any(e["field"].startswith(field) for e in response.json()["errors"])


def _volunteer(api: ApiHarness, name: str, mobile: str, place: Point, **fields: Any) -> Volunteer:
    volunteer = Volunteer(
        full_name=name, mobile=mobile, home_area=place, sms_consent=True, **fields
    )
    volunteer.memberships.append(Membership(organisation=fields.pop("organisation", api.own)))
    api.session.add(volunteer)
    return volunteer


@pytest.fixture
def people(api: ApiHarness) -> ApiHarness:
    first_aid = api.session.scalars(
        select(QualificationType).where(QualificationType.code == "first_aid")
    ).one()
    today = date.today()
    valid = _volunteer(api, "Gyldig Kari", "+447700900101", _at(0, 2_000))
    valid.qualifications.append(
        VolunteerQualification(qualification_type=first_aid, expires_on=today + timedelta(days=30))
    )
    lapsed = _volunteer(api, "Utløpt Ola", "+447700900102", _at(90, 1_000))
    lapsed.qualifications.append(
        VolunteerQualification(qualification_type=first_aid, expires_on=today - timedelta(days=1))
    )
    _volunteer(api, "Uten samtykke", "+447700900103", _at(0, 500)).sms_consent = False
    _volunteer(api, "Bortreist", "+447700900104", _at(0, 600), availability="unavailable")
    other = Volunteer(
        full_name="Annen Lagsmann", mobile="+447700900105", home_area=_at(180, 4_000),
        sms_consent=True,
    )  # fmt: skip
    other.memberships.append(Membership(organisation=api.other))
    api.session.add(other)
    api.session.commit()
    return api


def _people(collection: dict[str, Any]) -> list[str]:
    return [f["properties"]["full_name"] for f in collection["features"]]


def test_volunteers_who_can_be_called_out(people: ApiHarness) -> None:
    found = people.get(Role.DUTY_OFFICER, VOLUNTEERS, params=CENTRE | {"radius_m": 10_000})
    assert found.status_code == 200, found.text
    assert _people(found.json()) == ["Utløpt Ola", "Gyldig Kari", "Annen Lagsmann"]
    qualified = people.get(
        Role.DUTY_OFFICER,
        VOLUNTEERS,
        params=CENTRE | {"radius_m": 10_000, "qualification": "first_aid"},
    ).json()
    assert _people(qualified) == ["Gyldig Kari"]
    assert qualified["features"][0]["properties"]["mobile"] == "+447700900101"
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    back_then = people.get(
        Role.DUTY_OFFICER,
        VOLUNTEERS,
        params=CENTRE | {"radius_m": 10_000, "qualification": "first_aid", "on": yesterday},
    ).json()
    assert _people(back_then) == ["Utløpt Ola", "Gyldig Kari"]


def test_who_may_search_for_volunteers(people: ApiHarness) -> None:
    params = CENTRE | {"radius_m": 10_000}
    assert people.get(Role.COUNCIL, VOLUNTEERS, params=params).status_code == 403
    assert people.get(Role.PLANNER, VOLUNTEERS, params=params).status_code == 403
    own = people.get(Role.ORG_EDITOR, VOLUNTEERS, params=params).json()
    assert "Annen Lagsmann" not in _people(own)  # another organisation's member
    assert _people(own) == ["Utløpt Ola", "Gyldig Kari"]


def test_volunteer_positions_are_only_the_coarse_home_area(people: ApiHarness) -> None:
    found = people.get(Role.ADMIN, VOLUNTEERS, params=CENTRE | {"radius_m": 10_000}).json()
    stored = {v.full_name: to_shape(v.home_area) for v in people.session.scalars(select(Volunteer))}
    for feature in found["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        home = stored[feature["properties"]["full_name"]]
        assert (lon, lat) == pytest.approx((home.x, home.y), abs=1e-6)
        assert round(lat / 0.005, 6) == round(lat / 0.005)  # on the grid, not an address


def test_nearest_n_equals_a_brute_force_ranking_on_the_ellipsoid(api: ApiHarness) -> None:
    """Without a radius PostGIS finds the N nearest by a KNN index walk and SpatiaLite by growing
    radii; both must give exactly the N nearest by geodesic distance, in order."""
    rng = random.Random(5)
    atv = _type(api, "atv")
    places: dict[int, tuple[float, float]] = {}
    for number in range(60):
        lon, lat = rng.uniform(5.0, 20.0), rng.uniform(58.5, 69.5)
        site = Site(organisation=api.own, name=f"site {number}", kind=SiteKind.STORAGE,
                    location=Point(lon, lat))  # fmt: skip
        line = Equipment(organisation=api.own, site=site, resource_type=atv, quantity=1)
        api.session.add_all([site, line])
        api.session.flush()
        places[line.id] = (lon, lat)
    api.session.commit()
    for _ in range(8):
        lon, lat = rng.uniform(6.0, 19.0), rng.uniform(59.0, 69.0)
        limit = rng.choice([1, 5, 20])
        found = api.get(
            Role.DUTY_OFFICER,
            RESOURCES,
            params={"lat": lat, "lon": lon, "limit": limit, "resource_type": "atv"},
        ).json()["features"]
        ranked = sorted(places, key=lambda i: GEOD.inv(lon, lat, *places[i])[2])
        assert [feature["id"] for feature in found] == ranked[:limit]


def test_postgis_walks_the_geography_index_nearest_first(api: ApiHarness, backend: str) -> None:
    if backend != "postgis":
        assert not supports_knn(api.session.get_bind().dialect.name)
        return
    statement = select(Site.id).order_by(knn_distance(Site.location, point(11.05, 59.95))).limit(5)
    compiled = statement.compile(
        dialect=api.session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    api.session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: force the index
    plan = "\n".join(api.session.scalars(text(f"EXPLAIN {compiled}")))
    assert "ix_sites_location_geography" in plan and "Order By" in plan


def _square_around(lon: float, lat: float, half: float) -> dict[str, Any]:
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def test_search_in_an_area_from_a_point_or_from_the_areas_centre(places: ApiHarness) -> None:
    # A box holding the sites 3 km north and 8 km east of Lillestrøm, not the one 15 km south.
    area = _square_around(LILLESTROM[0] + 0.07, LILLESTROM[1] + 0.02, 0.1)
    params = {"area": json.dumps(area), "limit": 10}
    from_point = places.get(Role.COUNCIL, RESOURCES, params=params | CENTRE).json()
    assert _names(from_point) == ["north 3 km", "east 8 km"]
    distances = [f["properties"]["distance_m"] for f in from_point["features"]]
    assert distances == sorted(distances) and distances[0] == pytest.approx(3_000, rel=0.005)
    from_centre = places.get(Role.COUNCIL, RESOURCES, params=params).json()
    assert sorted(_names(from_centre)) == ["east 8 km", "north 3 km"]
    # Area and radius together: both must hold.
    both = places.get(Role.COUNCIL, RESOURCES, params=params | CENTRE | {"radius_m": 5_000})
    assert _names(both.json()) == ["north 3 km"]


def test_volunteers_in_an_area(people: ApiHarness) -> None:
    everyone = people.get(Role.DUTY_OFFICER, VOLUNTEERS, params=CENTRE | {"radius_m": 10_000})
    assert everyone.status_code == 200
    first = everyone.json()["features"][0]
    lon, lat = first["geometry"]["coordinates"]
    area = json.dumps(_square_around(lon, lat, 0.001))
    found = people.get(Role.DUTY_OFFICER, VOLUNTEERS, params={"area": area}).json()
    assert [f["id"] for f in found["features"]] == [first["id"]]


@pytest.mark.parametrize(
    "area",
    [
        "not json",
        "[" * 3000 + "]" * 3000,
        json.dumps(_square_around(11.0, 60.0, 0.1)) + " " * 8_000,  # too long for a URL
        json.dumps({"type": "Point", "coordinates": [11.0, 60.0]}),
        json.dumps(
            {"type": "Polygon", "coordinates": [[[11, 60], [12, 61], [12, 60], [11, 61], [11, 60]]]}
        ),
        json.dumps({"type": "Polygon", "coordinates": [[[60, 11], [61, 11], [61, 12], [60, 11]]]}),
        '{"type": "Polygon", "coordinates": [[[NaN, 60], [11, 60], [11, 61], [NaN, 60]]]}',
        json.dumps({"type": "Polygon", "coordinates": [[1, 2, 3]]}),
    ],
)
def test_bad_areas_are_explained(api: ApiHarness, area: str) -> None:
    response = api.get(Role.COUNCIL, RESOURCES, params={"area": area})
    assert response.status_code == 422, response.text
    assert "area" in response.text


def test_area_and_radius_with_a_small_limit_find_what_lies_in_the_area(
    places: ApiHarness,
) -> None:
    # The nearest site overall (3 km north) is outside the area; the answer must still reach
    # the one inside it, 8 km east.
    lon, lat, _ = GEOD.fwd(*LILLESTROM, 90, 8_000)
    area = json.dumps(_square_around(lon, lat, 0.01))
    params = CENTRE | {"area": area, "radius_m": 30_000, "limit": 1}
    found = places.get(Role.COUNCIL, RESOURCES, params=params).json()
    assert _names(found) == ["east 8 km"]
