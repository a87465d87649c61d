"""GET /api/v1/reach (issue 18, item 2) on both backends: the arithmetic of mobilisation plus
travel, boats apart from ATVs, the default mobilisation, people counted for the council and
named for those who may see them, small counts withheld, home unknown, the address path, and
bad input as 422 with nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from sqlalchemy import select

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from beredskap.register.addresses import search
from beredskap.register.inventory.models import Equipment, ResourceType
from beredskap.register.reach.schemas import ReachOut
from beredskap.register.seed.demo import seed_addresses
from beredskap.register.volunteers.models import QualificationType
from tests.support.api import ApiHarness

URL = "/api/v1/reach"
TODAY = today_in_norway()
OWN_SITE = (11.06, 59.96)  # the harness's own organisation's store
GEOD = Geod(ellps="WGS84")


def _north_of(start: tuple[float, float], metres: float) -> tuple[float, float]:
    lon, lat, _back = GEOD.fwd(start[0], start[1], 0.0, metres)
    return float(lon), float(lat)


# 5 km north of the store. At 50 km/h over 5 km x 1.3 = 6.5 km, travel is 7.8 minutes:
# with a committed mobilisation of 15 the boat is there after 22.8 minutes (in 30, not in 20);
# with the default mobilisation of 60, after 67.8 (not in 30, in 70).
POINT = _north_of(OWN_SITE, 5_000)
ARRIVAL_AGREED = 15 + 5 * 1.3 / 50 * 60
ARRIVAL_DEFAULT = 60 + 5 * 1.3 / 50 * 60


def _id(api: ApiHarness, model: Any, code: str) -> int:
    found = api.session.scalar(select(model.id).where(model.code == code))
    assert found is not None
    return int(found)


def _agreement(api: ApiHarness, organisation_id: int, minutes: int | None, **fields: Any) -> None:
    body = {
        "organisation_id": organisation_id,
        "reference": f"REACH/{organisation_id}/{minutes}/{len(fields)}",
        "title": "Beredskapsavtale",
        "valid_from": (TODAY - timedelta(days=30)).isoformat(),
        "status": "active",
        "committed_mobilisation_minutes": minutes,
        "commitments": [],
    } | fields
    response = api.post(Role.ADMIN, "/api/v1/agreements", json=body)
    assert response.status_code == 201, response.text


def _equipment(api: ApiHarness, code: str, quantity: int, *, own: bool = True, **fields: Any):
    body = {
        "organisation_id": (api.own if own else api.other).id,
        "site_id": (api.own_site if own else api.other_site).id,
        "resource_type_id": _id(api, ResourceType, code),
        "quantity": quantity,
    } | fields
    response = api.post(Role.ADMIN, "/api/v1/equipment", json=body)
    assert response.status_code == 201, response.text


def _volunteer(
    api: ApiHarness,
    number: int,
    home: tuple[float, float] | None,
    *,
    own: bool = True,
    qualification: str = "first_aid",
    **fields: Any,
) -> None:
    body = {
        "full_name": f"Frivillig {number}",
        "mobile": f"+447700900{number:03d}",
        "sms_consent": True,
        "memberships": [{"organisation_id": (api.own if own else api.other).id}],
        "qualifications": [{"qualification_type_id": _id(api, QualificationType, qualification)}],
    } | fields
    if home is not None:
        body["home_area"] = {"lon": home[0], "lat": home[1]}
    response = api.post(Role.ADMIN, "/api/v1/volunteers", json=body)
    assert response.status_code == 201, response.text


def _reach(api: ApiHarness, role: Role = Role.DUTY_OFFICER, **params: Any) -> dict[str, Any]:
    query = {"lon": POINT[0], "lat": POINT[1]} | params
    response = api.get(role, URL, params=query)
    assert response.status_code == 200, response.text
    body = response.json()
    ReachOut.model_validate(body)
    return body


def _types(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["code"]: t for group in body["equipment"] for t in group["resource_types"]}


def _qualifications(body: dict[str, Any]) -> dict[str, int | None]:
    return {q["code"]: q["people"] for q in body["volunteers"]["qualifications"]}


@pytest.fixture
def fleet(api: ApiHarness) -> ApiHarness:
    """Own organisation (15 minutes agreed): 2 rescue boats, 3 ATVs (one past its
    inspection), a boat in maintenance. The other (no agreement): 4 ATVs at its store."""
    _agreement(api, api.own.id, 15)
    _agreement(api, api.own.id, 45)  # a slower one too: the fastest in force counts
    _agreement(api, api.own.id, 5, status="draft")  # not in force
    _equipment(api, "rescue_boat", 2)
    _equipment(api, "atv", 2)
    _equipment(api, "atv", 1, next_inspection_due=(TODAY - timedelta(days=1)).isoformat())
    _equipment(api, "small_boat", 1, status="maintenance")
    _equipment(api, "atv", 4, own=False)
    api.session.commit()
    return api


def test_the_arithmetic_mobilisation_plus_travel(fleet: ApiHarness) -> None:
    assert pytest.approx(22.8) == ARRIVAL_AGREED
    body = _reach(fleet, minutes=30)
    types = _types(body)
    assert types["rescue_boat"]["quantity"] == 2 and types["rescue_boat"]["lines"] == 1
    assert types["atv"]["quantity"] == 2  # the one past its inspection is not ready
    assert "small_boat" not in types  # in maintenance
    assert body["assumption"] == {
        "estimator": "straight_line",
        "speed_kmh": 50.0,
        "detour_factor": 1.3,
        "default_mobilisation_minutes": 60,
        "radius_m": pytest.approx(30 / 60 * 50_000 / 1.3, abs=0.1),
    }
    # 22.8 minutes is more than 20: nothing.
    assert _reach(fleet, minutes=20)["equipment"] == []
    assert _types(_reach(fleet, minutes=23))["rescue_boat"]["quantity"] == 2


def test_boats_are_apart_from_atvs_by_type_within_their_capability(fleet: ApiHarness) -> None:
    body = _reach(fleet, minutes=30)
    transport = [group for group in body["equipment"] if group["capability"] == "transport"]
    assert len(transport) == 1
    codes = [t["code"] for t in transport[0]["resource_types"]]
    assert sorted(codes) == ["atv", "rescue_boat"]
    assert transport[0]["lines"] == 2
    boat = _types(body)["rescue_boat"]
    assert boat["name_nb"] == "Redningsbåt (RIB)" and boat["unit"] == "stk"


def test_an_organisation_without_an_agreement_gets_the_default(fleet: ApiHarness) -> None:
    # The other's store is farther; its ATVs come after the default 60 minutes plus travel.
    body = _reach(fleet, minutes=30)
    assert body["organisations_at_default_mobilisation"] == 0
    far = _reach(fleet, minutes=120)
    atv = _types(far)["atv"]
    assert atv["quantity"] == 6 and atv["quantity_at_default_mobilisation"] == 4
    assert far["organisations_at_default_mobilisation"] == 1


def test_the_default_is_a_setting(engine: Any) -> None:
    from beredskap.main.settings import Settings
    from tests.support.api import build_harness

    for api in build_harness(engine, Settings(reach_default_mobilisation_minutes=10)):
        _equipment(api, "rescue_boat", 1)  # no agreement: 10 + 7.8 minutes
        api.session.commit()
        body = _reach(api, minutes=20)
        assert body["assumption"]["default_mobilisation_minutes"] == 10
        assert _types(body)["rescue_boat"]["quantity_at_default_mobilisation"] == 1


@pytest.fixture
def people(fleet: ApiHarness) -> ApiHarness:
    """Five own first-aiders at the store's home area (in 30 minutes), one own boat licence
    holder there; one other member (no agreement: 60 minutes) at the store; one own member
    whose home is unknown; one without consent."""
    for number in range(1, 6):
        _volunteer(fleet, number, OWN_SITE)
    _volunteer(fleet, 6, OWN_SITE, qualification="boat_licence")
    _volunteer(fleet, 7, OWN_SITE, own=False)
    _volunteer(fleet, 8, None)
    _volunteer(fleet, 9, OWN_SITE, sms_consent=False)
    fleet.session.commit()
    return fleet


def test_people_are_counted_for_the_council_and_small_counts_withheld(people: ApiHarness) -> None:
    body = _reach(people, Role.COUNCIL, minutes=30)
    assert _qualifications(body) == {"first_aid": 5, "boat_licence": None}  # 1: fewer than 3
    assert body["volunteers"]["people"] == 6
    assert body["volunteers"]["home_unknown"] is None  # 1 person: withheld
    assert body["volunteers"]["fewer_than"] == 3
    assert body["people"] is None and body["people_not_named"] is None
    assert "Frivillig" not in str(body)


def test_people_are_named_for_those_who_may_see_them(people: ApiHarness) -> None:
    before = people.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    body = _reach(people, Role.DUTY_OFFICER, minutes=30)
    assert _qualifications(body) == {"first_aid": 5, "boat_licence": 1}
    assert body["volunteers"]["home_unknown"] == 1
    named = {person["name"]: person for person in body["people"]}
    assert sorted(named) == [f"Frivillig {n}" for n in range(1, 7)]
    assert named["Frivillig 6"]["qualifications"] == ["boat_licence"]
    assert named["Frivillig 1"]["organisations"] == ["Eget Hjelpekorps"]
    # Home at the store, 5 km away: 15 + 7.8 minutes (home areas are snapped to a grid).
    assert named["Frivillig 1"]["minutes"] == pytest.approx(ARRIVAL_AGREED, abs=0.6)
    people.session.expire_all()
    read = people.session.scalars(select(AuditEntry).where(AuditEntry.id > (before or 0))).all()
    assert any(entry.entity == "volunteers" and entry.action == "read" for entry in read)
    # The other's member comes after the default 60 minutes.
    later = _reach(people, Role.DUTY_OFFICER, minutes=70)
    assert _qualifications(later)["first_aid"] == 6
    assert later["volunteers"]["people_at_default_mobilisation"] == 1
    # A planner sees names, not arrival times (derived from the home area).
    planner = _reach(people, Role.PLANNER, minutes=30)
    assert {p["minutes"] for p in planner["people"]} == {None}


def test_an_org_editor_names_only_its_own_members(people: ApiHarness) -> None:
    body = _reach(people, Role.ORG_EDITOR, minutes=70)
    assert "Frivillig 7" not in {person["name"] for person in body["people"]}
    assert len(body["people"]) == 6
    assert body["people_not_named"] is None  # one of the other's: fewer than 3
    assert _qualifications(body)["first_aid"] == 6


@pytest.fixture
def places(fleet: ApiHarness) -> Iterator[ApiHarness]:
    search.forget()
    assert seed_addresses(fleet.session) >= 300
    fleet.session.commit()
    yield fleet
    search.forget()


def test_by_address(places: ApiHarness) -> None:
    response = places.get(Role.COUNCIL, URL, params={"address": "Storgata 12", "minutes": 60})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["point"]["address"] == "Storgata 12, 2000 Lillestrøm"
    assert 59.9 < body["point"]["lat"] < 60.0
    assert _types(body)["rescue_boat"]["quantity"] == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 48.85, "lon": 2.35, "minutes": 30}, "lat"),  # Paris
        ({"lat": 11.05, "lon": 59.96, "minutes": 30}, "lat"),  # swapped
        ({"lat": 59.96, "lon": 11.05, "minutes": 0}, "minutes"),
        ({"lat": 59.96, "lon": 11.05, "minutes": -5}, "minutes"),
        ({"lat": 59.96, "lon": 11.05, "minutes": 1441}, "minutes"),
        ({"lat": 59.96, "minutes": 30}, "lon"),
        ({"minutes": 30}, "lat"),
        ({"lat": 59.96, "lon": 11.05, "address": "Storgata 12", "minutes": 30}, "address"),
        ({"address": "Ingensteds allé 999", "minutes": 30}, "address"),
        ({"address": "Storgata", "minutes": 30}, "address"),
    ],
)
def test_bad_input_is_a_422_on_its_field(
    places: ApiHarness, params: dict[str, Any], field: str
) -> None:
    before = places.counts(Equipment)
    response = places.get(Role.DUTY_OFFICER, URL, params=params)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert field in str(problem), problem
    assert places.counts(Equipment) == before


@pytest.mark.parametrize("value", ["nan", "inf", "abc", "1e400"])
def test_unreadable_numbers_are_422(api: ApiHarness, value: str) -> None:
    for name in ("minutes", "lat", "lon"):
        params = {"lat": "59.96", "lon": "11.05", "minutes": "30"} | {name: value}
        response = api.get(Role.COUNCIL, URL, params=params)
        assert response.status_code == 422, (name, value, response.text)


def test_half_an_hour_unless_asked(fleet: ApiHarness) -> None:
    assert _reach(fleet)["minutes"] == 30


def test_needs_a_login(api: ApiHarness) -> None:
    assert api.get(None, URL, params={"lat": 59.96, "lon": 11.05, "minutes": 30}).status_code == 401


NUMBERS = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=12),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lat=NUMBERS,
    lon=NUMBERS,
    minutes=NUMBERS,
    address=st.one_of(st.none(), st.text(max_size=120)),
)
def test_any_input_is_answered_or_refused_never_500(
    places: ApiHarness, lat: Any, lon: Any, minutes: Any, address: Any
) -> None:
    params = {
        name: value
        for name, value in {"lat": lat, "lon": lon, "minutes": minutes, "address": address}.items()
        if value is not None
    }
    response = places.get(Role.COUNCIL, URL, params=params)
    assert response.status_code in (200, 422), response.text


class _FixedRoads:
    """A stand-in routing engine: every origin 20 minutes away by road."""

    name = "fixed"

    def __init__(self) -> None:
        self.asked: list[int] = []

    def minutes(self, from_points: Any, to_point: Any) -> list[float]:
        self.asked.append(len(from_points))
        return [20.0 for _ in from_points]

    def reach_metres(self, minutes: float) -> float:
        return 100_000.0


def test_another_estimator_plugs_in(fleet: ApiHarness) -> None:
    from beredskap.register.reach.query import reach

    roads = _FixedRoads()

    def ask(minutes: float) -> dict[str, int]:
        found = reach(
            fleet.session,
            lon=POINT[0],
            lat=POINT[1],
            minutes=minutes,
            on=TODAY,
            estimator=roads,
            default_mobilisation=60,
            names=False,
        )
        return {t.code: t.quantity for t in found.types}

    assert ask(30) == {}  # 15 + 20 > 30
    assert ask(35) == {"rescue_boat": 2, "atv": 2}
    assert ask(80) == {"rescue_boat": 2, "atv": 6}  # the other's: 60 + 20
    assert roads.asked == [2, 2, 2]  # once per request, each store once
