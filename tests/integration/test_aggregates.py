"""/api/v1/aggregates/grid on both backends: counts per SSB grid cell, checked against the same
binning done in Python with pyproj, small volunteer counts suppressed, no personal data."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.register.inventory.models import Equipment, ResourceType
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from beredskap.register.volunteers.models import (
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from geo.crs import to_wgs84, transform
from geo.srid import EUREF89_UTM33, WGS84
from tests.support.api import ApiHarness

URL = "/api/v1/aggregates/grid"
# Cell (279 000, 6 653 000) of the 1 km grid holds central Lillestrøm.
CELL_EAST, CELL_NORTH = 279_000, 6_653_000
TODAY = date.today()


def _utm(east: float, north: float) -> Point:
    return Point(*to_wgs84(east, north, EUREF89_UTM33))


def _type(api: ApiHarness, code: str) -> ResourceType:
    return api.session.scalars(select(ResourceType).where(ResourceType.code == code)).one()


def _equipment(
    api: ApiHarness, site: Site, code: str, quantity: int, status: str = "ready"
) -> None:
    api.session.add(
        Equipment(
            organisation=site.organisation,
            site=site,
            resource_type=_type(api, code),
            quantity=quantity,
            status=status,
        )
    )


def _site(
    api: ApiHarness, name: str, place: Point, organisation: Organisation | None = None
) -> Site:
    site = Site(
        organisation=organisation or api.own, name=name, kind=SiteKind.STORAGE, location=place
    )
    api.session.add(site)
    return site


def _volunteer(api: ApiHarness, number: int, place: Point, expires_on: date | None) -> None:
    first_aid = api.session.scalars(
        select(QualificationType).where(QualificationType.code == "first_aid")
    ).one()
    volunteer = Volunteer(
        full_name=f"Frivillig Nummer{number}",
        mobile=f"+4477009002{number:02d}",
        home_area=place,
        sms_consent=True,
    )
    volunteer.qualifications.append(
        VolunteerQualification(
            qualification_type=first_aid,
            obtained_on=TODAY - timedelta(days=400),
            expires_on=expires_on,
        )
    )
    api.session.add(volunteer)


@pytest.fixture
def grid(api: ApiHarness) -> ApiHarness:
    centre = _site(api, "Sentrum", _utm(CELL_EAST + 300, CELL_NORTH + 300))
    corner = _site(api, "Sentrum nord", _utm(CELL_EAST + 900, CELL_NORTH + 950))
    east = _site(api, "Øst", _utm(CELL_EAST + 2_500, CELL_NORTH + 500))
    _equipment(api, centre, "atv", 2)
    _equipment(api, centre, "tent", 3)
    _equipment(api, corner, "atv", 1)
    _equipment(api, corner, "snowmobile", 1, status="maintenance")  # not ready: not counted
    _equipment(api, east, "generator", 4)
    gone = Organisation(name="Nedlagt lag", category="other", active=False)
    api.session.add(gone)
    _equipment(api, _site(api, "Nedlagt lager", _utm(CELL_EAST + 500, CELL_NORTH + 500), gone),
               "atv", 9)  # fmt: skip
    # Three qualified in the centre cell, two in the east cell, one whose course lapsed.
    in_date = TODAY + timedelta(days=100)
    for number, (dx, dy) in enumerate([(400, 400), (500, 600), (600, 400)]):
        _volunteer(api, number, _utm(CELL_EAST + dx, CELL_NORTH + dy), in_date)
    _volunteer(api, 3, _utm(CELL_EAST + 2_500, CELL_NORTH + 500), in_date)
    _volunteer(api, 4, _utm(CELL_EAST + 2_600, CELL_NORTH + 400), None)
    _volunteer(api, 5, _utm(CELL_EAST + 500, CELL_NORTH + 500), TODAY - timedelta(days=1))
    api.session.commit()
    return api


def _cell_of(location: Any, size: int) -> str:
    point = to_shape(location)
    east, north = transform(point.x, point.y, WGS84, EUREF89_UTM33)
    return f"25833/{size}/{math.floor(east / size) * size}/{math.floor(north / size) * size}"


def _expected(api: ApiHarness, size: int) -> tuple[dict[str, Counter[str]], Counter[str]]:
    """The same counts, binned in Python: ready equipment of active organisations by site, and
    volunteers with a valid first-aid course by stored (coarsened) home area."""
    equipment: dict[str, Counter[str]] = {}
    for line in api.session.scalars(select(Equipment)):
        if line.status == "ready" and line.organisation.active:
            cell = _cell_of(line.site.location, size)
            equipment.setdefault(cell, Counter())[line.resource_type.capability.value] += 1
    volunteers: Counter[str] = Counter()
    for volunteer in api.session.scalars(select(Volunteer)):
        if any(held.valid_on(TODAY) for held in volunteer.qualifications):
            volunteers[_cell_of(volunteer.home_area, size)] += 1
    return equipment, volunteers


@pytest.mark.parametrize("size", [1_000, 5_000])
def test_counts_per_cell_match_binning_with_pyproj(grid: ApiHarness, size: int) -> None:
    response = grid.get(Role.COUNCIL, URL, params={"cell_m": size})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["cell_m"] == size and body["suppressed_below"] == 3 and body["epsg"] == 4326
    equipment, volunteers = _expected(grid, size)
    found = {feature["id"]: feature["properties"] for feature in body["features"]}
    assert set(found) == set(equipment) | set(volunteers)
    for cell, counts in found.items():
        lines = {cap: figures["lines"] for cap, figures in counts["equipment"].items()}
        assert lines == dict(equipment.get(cell, {}))
        expected_people = volunteers.get(cell, 0)
        shown = expected_people if expected_people >= 3 else None
        assert counts["volunteer_total"] == shown
        assert counts["volunteers"].get("first_aid") == shown


def test_known_cells_quantities_and_suppression(grid: ApiHarness) -> None:
    body = grid.get(Role.COUNCIL, URL, params={"cell_m": 1_000}).json()
    cells = {feature["id"]: feature["properties"] for feature in body["features"]}
    centre = cells[f"25833/1000/{CELL_EAST}/{CELL_NORTH}"]
    assert centre["equipment"] == {
        "transport": {"lines": 2, "quantity": 3},  # 2 + 1 ATVs; the inactive group's 9 not
        "shelter": {"lines": 1, "quantity": 3},
    }
    assert centre["volunteers"] == {"first_aid": 3}  # the lapsed course does not count
    east = cells[f"25833/1000/{CELL_EAST + 2_000}/{CELL_NORTH}"]
    assert east["equipment"] == {"power": {"lines": 1, "quantity": 4}}
    assert east["volunteers"] == {"first_aid": None} and east["volunteer_total"] is None


def test_cells_are_squares_of_the_grid_in_any_crs(grid: ApiHarness) -> None:
    params = {"cell_m": 1_000, "capability": "shelter"}
    utm = grid.get(Role.COUNCIL, URL, params=params | {"crs": 25833}).json()
    feature = next(f for f in utm["features"] if f["properties"]["equipment"])
    assert feature["geometry"]["coordinates"] == [
        [
            [CELL_EAST, CELL_NORTH],
            [CELL_EAST + 1_000, CELL_NORTH],
            [CELL_EAST + 1_000, CELL_NORTH + 1_000],
            [CELL_EAST, CELL_NORTH + 1_000],
            [CELL_EAST, CELL_NORTH],
        ]
    ]
    wgs84 = grid.get(Role.COUNCIL, URL, params=params).json()
    ring = next(f for f in wgs84["features"] if f["id"] == feature["id"])["geometry"]
    for (lon, lat), (east, north) in zip(
        ring["coordinates"][0], feature["geometry"]["coordinates"][0], strict=True
    ):
        assert transform(lon, lat, WGS84, EUREF89_UTM33) == pytest.approx((east, north), abs=0.5)


def test_filters_and_bbox(grid: ApiHarness) -> None:
    shelter = grid.get(Role.COUNCIL, URL, params={"capability": "shelter"}).json()
    with_equipment = [f for f in shelter["features"] if f["properties"]["equipment"]]
    assert [f["properties"]["equipment"] for f in with_equipment] == [
        {"shelter": {"lines": 1, "quantity": 3}}
    ]
    west_lon, south_lat = to_wgs84(CELL_EAST, CELL_NORTH, EUREF89_UTM33)
    east_lon, north_lat = to_wgs84(CELL_EAST + 1_000, CELL_NORTH + 1_000, EUREF89_UTM33)
    box = f"{west_lon},{south_lat},{east_lon},{north_lat}"
    boxed = grid.get(Role.COUNCIL, URL, params={"bbox": box}).json()
    assert [f["id"] for f in boxed["features"]] == [f"25833/1000/{CELL_EAST}/{CELL_NORTH}"]
    lapsed = grid.get(
        Role.COUNCIL, URL, params={"on": (TODAY + timedelta(days=200)).isoformat()}
    ).json()
    # In 200 days only the course without an expiry date is still valid.
    totals = [f["properties"]["volunteer_total"] for f in lapsed["features"]]
    assert all(total is None for total in totals)


def test_no_personal_data_and_who_may_ask(grid: ApiHarness) -> None:
    response = grid.get(Role.COUNCIL, URL)
    assert response.status_code == 200
    assert "Frivillig" not in response.text and "+44" not in response.text
    for role in Role:
        assert grid.get(role, URL).status_code == 200
    assert grid.get(None, URL).status_code == 401


@pytest.mark.parametrize(
    "params, field",
    [
        ({"cell_m": 250}, "cell_m"),
        ({"cell_m": 0}, "cell_m"),
        ({"bbox": "11,60,10,59"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"qualification": "juggling"}, "qualification"),
        ({"capability": "teleport"}, "capability"),
        ({"crs": 3857}, "crs"),
    ],
)
def test_bad_parameters_are_explained(grid: ApiHarness, params: dict[str, Any], field: str) -> None:
    response = grid.get(Role.COUNCIL, URL, params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.text


def test_boxes_cannot_difference_out_a_small_count(grid: ApiHarness) -> None:
    """A box selects whole cells, so boxes that cut a cell differently never answer different
    counts for it: subtracting one answer from another reveals nobody. (Before, a box that
    left out one corner of the centre cell answered one volunteer fewer.)"""
    cell_id = f"25833/1000/{CELL_EAST}/{CELL_NORTH}"

    def answer(west: int, south: int, east: int, north: int) -> dict[str, Any] | None:
        min_lon, min_lat = to_wgs84(CELL_EAST + west, CELL_NORTH + south, EUREF89_UTM33)
        max_lon, max_lat = to_wgs84(CELL_EAST + east, CELL_NORTH + north, EUREF89_UTM33)
        body = grid.get(
            Role.COUNCIL, URL, params={"bbox": f"{min_lon},{min_lat},{max_lon},{max_lat}"}
        ).json()
        found = [f["properties"] for f in body["features"] if f["id"] == cell_id]
        return found[0] if found else None

    whole = answer(0, 0, 1_000, 1_000)
    assert whole is not None and whole["volunteer_total"] == 3
    # Boxes that each leave out a different part of the cell, all holding its centre.
    for box in [(0, 0, 550, 1_000), (450, 0, 1_000, 1_000), (0, 450, 1_000, 1_000),
                (0, 0, 1_000, 550), (450, 450, 550, 550), (-5_000, -5_000, 510, 510)]:  # fmt: skip
        assert answer(*box) == whole, box
    # A box without the centre leaves the whole cell out, never a part of it.
    for box in [(0, 0, 450, 1_000), (550, 0, 1_000, 1_000), (600, 600, 3_000, 3_000)]:
        assert answer(*box) is None, box
