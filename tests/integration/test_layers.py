"""Map layers on both backends: the service's features, filters, counts and paging, and
/api/v1/layers/* with its output systems, bad input and who sees contact details."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.auth.models import Role
from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.inventory.models import Capability, Equipment, EquipmentStatus, ResourceType
from beredskap.register.layers import service
from beredskap.register.layers.service import Layer
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from geo.extent import BoundingBox
from tests.support.api import ApiHarness

LILLESTROM_BOX = BoundingBox(10.9, 59.9, 11.3, 60.2)  # Oslo (10.75, 59.91) lies west of it
NITELVA_AREA = Polygon([(11.0, 59.93), (11.1, 59.93), (11.1, 60.0), (11.0, 60.0), (11.0, 59.93)])
OSLO_AREAS = MultiPolygon(
    [
        Polygon([(10.7, 59.9), (10.8, 59.9), (10.8, 59.95), (10.7, 59.9)]),
        Polygon([(10.6, 59.85), (10.65, 59.85), (10.65, 59.88), (10.6, 59.85)]),
    ]
)


@dataclass
class World:
    active: Organisation  # Lillestrøm, with a 24/7 contact
    oslo: Organisation  # active, in Oslo
    inactive: Organisation
    homeless: Organisation  # active, without a home base
    sites: dict[str, Site]
    equipment: list[Equipment]
    agreements: dict[str, Agreement]


def _type(session: Session, code: str) -> ResourceType:
    return session.scalars(select(ResourceType).where(ResourceType.code == code)).one()


def build_world(session: Session) -> World:
    active = Organisation(
        name="Nitelva Hjelpekorps",
        category="first_aid_corps",
        organisation_number="987654325",
        home_base=Point(11.05, 59.95),
        contact_24_7_name="Vaktleder Nitelva",
        contact_24_7_phone="+447700900500",
        contact_24_7_email="vakt@nitelva.example",
    )
    oslo = Organisation(
        name="Oslo Sanitet", category="health_association", home_base=Point(10.75, 59.91)
    )
    inactive = Organisation(
        name="Nedlagt Speidergruppe", category="scouts", home_base=Point(11.0, 60.0), active=False
    )
    homeless = Organisation(name="Uten Base", category="other")
    sites = {
        "nitelva lager": Site(
            organisation=active, name="Nitelva lager", kind=SiteKind.STORAGE,
            location=Point(11.06, 59.96), address="Storgata 1, 2000 Lillestrøm",
            access_notes="Nøkkel hos Kari", access_24_7=True,
        ),
        "nitelva base": Site(
            organisation=active, name="Nitelva base", kind=SiteKind.BASE,
            location=Point(11.2, 60.1),
        ),
        "oslo møteplass": Site(
            organisation=oslo, name="Oslo møteplass", kind=SiteKind.MUSTER_POINT,
            location=Point(10.76, 59.92),
        ),
        "speiderlager": Site(
            organisation=inactive, name="Speiderlager", kind=SiteKind.STORAGE,
            location=Point(11.01, 60.01),
        ),
        "kommunelager": Site(
            organisation=None, name="Kommunelager", kind=SiteKind.STORAGE,
            location=Point(11.1, 59.97),
        ),
        "skole": Site(
            organisation=None, name="Evakueringssted skole", kind=SiteKind.SHELTER,
            location=Point(11.12, 59.98),
        ),
    }  # fmt: skip
    lines = [
        (active, "nitelva lager", "atv", 1, EquipmentStatus.READY),
        (active, "nitelva lager", "atv", 1, EquipmentStatus.MAINTENANCE),
        (active, "nitelva lager", "generator", 1, EquipmentStatus.READY),
        (active, "nitelva lager", "first_aid_kit", 12, EquipmentStatus.READY),
        (active, "nitelva base", "stretcher", 4, EquipmentStatus.IN_USE),
        (oslo, "oslo møteplass", "tent", 3, EquipmentStatus.READY),
        (oslo, "kommunelager", "field_bed", 40, EquipmentStatus.READY),  # stored by the town
        (active, "kommunelager", "wool_blanket", 80, EquipmentStatus.OUT_OF_SERVICE),
        (inactive, "speiderlager", "tent", 2, EquipmentStatus.READY),
    ]
    equipment = [
        Equipment(
            organisation=owner,
            site=sites[site],
            resource_type=_type(session, code),
            quantity=quantity,
            status=status,
        )
        for owner, site, code, quantity, status in lines
    ]
    agreements = {
        "nitelva": Agreement(
            organisation=active, reference="2023/01412", title="Avtale Nitelva",
            status=AgreementStatus.ACTIVE, valid_from=date(2023, 1, 1),
            tasks=["search", "first_aid"], service_area=NITELVA_AREA,
            contacts=[{"name": "Kari", "phone": "+447700900700"}],
        ),
        "oslo": Agreement(
            organisation=oslo, reference="2019/00001", title="Avtale Oslo",
            status=AgreementStatus.EXPIRED, valid_from=date(2019, 1, 1),
            valid_until=date(2024, 12, 31), tasks=["catering"], service_area=OSLO_AREAS,
        ),
        "scouts": Agreement(
            organisation=inactive, reference="2020/00002", title="Avtale speidere",
            status=AgreementStatus.ACTIVE, valid_from=date(2020, 1, 1),
            service_area=NITELVA_AREA,
        ),
        "no area": Agreement(
            organisation=active, reference="2024/00003", title="Avtale uten område",
            status=AgreementStatus.DRAFT, valid_from=date(2024, 1, 1),
        ),
    }  # fmt: skip
    session.add_all(
        [active, oslo, inactive, homeless, *sites.values(), *equipment, *agreements.values()]
    )
    session.flush()
    return World(active, oslo, inactive, homeless, sites, equipment, agreements)


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def _names(page: service.LayerPage, key: str = "name") -> list[str]:
    return [feature.properties[key] for feature in page.features]


# Organisations ------------------------------------------------------------------------------


def test_organisations_at_their_home_base_active_only(session: Session, world: World) -> None:
    page = service.organisations(session)
    assert page.total == 2
    assert _names(page) == ["Nitelva Hjelpekorps", "Oslo Sanitet"]  # by id
    nitelva = page.features[0]
    assert nitelva.id == world.active.id
    assert nitelva.geometry == {"type": "Point", "coordinates": [11.05, 59.95]}
    assert nitelva.properties == {
        "name": "Nitelva Hjelpekorps",
        "category": "first_aid_corps",
        "active": True,
        "organisation_number": "987654325",
        "site_count": 2,
        "municipal": False,
    }
    everyone = service.organisations(session, include_inactive=True)
    assert _names(everyone) == ["Nitelva Hjelpekorps", "Oslo Sanitet", "Nedlagt Speidergruppe"]
    assert everyone.features[2].properties["active"] is False


def test_organisations_contact_details_only_when_asked(session: Session, world: World) -> None:
    hidden = service.organisations(session).features[0].properties
    assert not any(key.startswith("contact") for key in hidden)
    shown = service.organisations(session, with_contact_details=True).features[0].properties
    assert shown["contact_24_7_name"] == "Vaktleder Nitelva"
    assert shown["contact_24_7_phone"] == "+447700900500"
    assert shown["contact_24_7_email"] == "vakt@nitelva.example"


def test_organisations_in_a_box_and_by_page(session: Session, world: World) -> None:
    boxed = service.organisations(session, bbox=LILLESTROM_BOX)
    assert (_names(boxed), boxed.total) == (["Nitelva Hjelpekorps"], 1)
    first = service.organisations(session, limit=1)
    second = service.organisations(session, limit=1, offset=1)
    beyond = service.organisations(session, limit=1, offset=2)
    assert (first.total, second.total, beyond.total) == (2, 2, 2)
    assert _names(first) + _names(second) == ["Nitelva Hjelpekorps", "Oslo Sanitet"]
    assert beyond.features == []


# Sites --------------------------------------------------------------------------------------


def test_sites_of_active_organisations_and_the_municipality(session: Session, world: World) -> None:
    page = service.sites(session)
    assert _names(page) == [
        "Nitelva lager",
        "Nitelva base",
        "Oslo møteplass",
        "Kommunelager",
        "Evakueringssted skole",
    ]
    assert page.total == 5
    lager = page.features[0]
    assert lager.id == world.sites["nitelva lager"].id
    assert lager.geometry == {"type": "Point", "coordinates": [11.06, 59.96]}
    assert lager.properties == {
        "name": "Nitelva lager",
        "kind": "storage",
        "address": "Storgata 1, 2000 Lillestrøm",
        "access_24_7": True,
        "organisation_id": world.active.id,
        "organisation": "Nitelva Hjelpekorps",
        "organisation_category": "first_aid_corps",
        "municipal": False,
    }
    municipal = page.features[3].properties
    assert (municipal["organisation_id"], municipal["organisation"]) == (None, None)
    assert municipal["organisation_category"] is None
    assert municipal["municipal"] is True  # no organisation: the municipality's own
    assert "access_notes" not in lager.properties  # key holders are not on a map
    with_inactive = service.sites(session, include_inactive=True)
    assert "Speiderlager" in _names(with_inactive) and with_inactive.total == 6


def test_sites_by_kind_and_box(session: Session, world: World) -> None:
    assert _names(service.sites(session, kind=SiteKind.STORAGE)) == [
        "Nitelva lager",
        "Kommunelager",
    ]
    boxed = service.sites(session, bbox=BoundingBox(11.0, 59.9, 11.11, 60.0))
    assert _names(boxed) == ["Nitelva lager", "Kommunelager"]
    assert service.sites(session, kind=SiteKind.SHELTER, bbox=LILLESTROM_BOX).total == 1


# Equipment aggregates -----------------------------------------------------------------------


def _expected_aggregates(
    world: World,
    capability: Capability | None = None,
    status: EquipmentStatus | None = None,
) -> dict[int, dict[str, Any]]:
    """The same counts worked out in Python from the lines the test created."""
    expected: dict[int, dict[str, Any]] = {}
    for line in world.equipment:
        if not line.organisation.active:
            continue
        if capability is not None and line.resource_type.capability != capability:
            continue
        if status is not None and line.status != status:
            continue
        site = expected.setdefault(
            line.site.id,
            {
                "lines": 0,
                "quantity": 0,
                "by_capability": defaultdict(lambda: {"lines": 0, "quantity": 0}),
                "by_status": defaultdict(lambda: {"lines": 0, "quantity": 0}),
            },
        )
        site["lines"] += 1
        site["quantity"] += line.quantity
        for group, key in (
            ("by_capability", line.resource_type.capability.value),
            ("by_status", line.status.value),
        ):
            site[group][key]["lines"] += 1
            site[group][key]["quantity"] += line.quantity
    return {
        site_id: counts
        | {"by_capability": dict(counts["by_capability"]), "by_status": dict(counts["by_status"])}
        for site_id, counts in sorted(expected.items())
    }


def _aggregates(page: service.LayerPage) -> dict[int, dict[str, Any]]:
    return {
        feature.id: {
            key: feature.properties[key]
            for key in ("lines", "quantity", "by_capability", "by_status")
        }
        for feature in page.features
    }


@pytest.mark.parametrize(
    "capability, status",
    [
        (None, None),
        (Capability.TRANSPORT, None),
        (None, EquipmentStatus.READY),
        (Capability.SHELTER, EquipmentStatus.READY),
        (Capability.WATER, None),
    ],
)
def test_equipment_counted_per_site(
    session: Session,
    world: World,
    capability: Capability | None,
    status: EquipmentStatus | None,
) -> None:
    page = service.equipment_aggregates(session, capability=capability, status=status)
    expected = _expected_aggregates(world, capability, status)
    assert _aggregates(page) == expected
    assert page.total == len(expected)
    assert [feature.id for feature in page.features] == sorted(expected)


def test_equipment_aggregate_feature_is_the_site(session: Session, world: World) -> None:
    page = service.equipment_aggregates(session)
    lager = world.sites["nitelva lager"]
    feature = page.features[0]
    assert feature.id == lager.id
    assert feature.geometry == {"type": "Point", "coordinates": [11.06, 59.96]}
    assert feature.properties["site_id"] == lager.id
    assert feature.properties["site_name"] == "Nitelva lager"
    assert feature.properties["site_kind"] == "storage"
    assert feature.properties["organisation"] == "Nitelva Hjelpekorps"
    assert feature.properties["by_capability"]["transport"] == {"lines": 2, "quantity": 2}
    assert feature.properties["by_status"]["ready"] == {"lines": 3, "quantity": 14}
    town = next(f for f in page.features if f.id == world.sites["kommunelager"].id)
    # Held by two organisations at the municipality's site: the site has no organisation.
    assert (town.properties["organisation_id"], town.properties["organisation"]) == (None, None)
    assert (town.properties["lines"], town.properties["quantity"]) == (2, 120)


def test_equipment_aggregates_in_a_box_and_by_page(session: Session, world: World) -> None:
    boxed = service.equipment_aggregates(session, bbox=LILLESTROM_BOX)
    assert _names(boxed, "site_name") == ["Nitelva lager", "Nitelva base", "Kommunelager"]
    first = service.equipment_aggregates(session, limit=2)
    rest = service.equipment_aggregates(session, limit=2, offset=2)
    assert first.total == rest.total == 4
    assert _names(first, "site_name") + _names(rest, "site_name") == [
        "Nitelva lager",
        "Nitelva base",
        "Oslo møteplass",
        "Kommunelager",
    ]
    beyond = service.equipment_aggregates(session, limit=2, offset=10)
    assert (beyond.features, beyond.total) == ([], 4)
    with_inactive = service.equipment_aggregates(session, include_inactive=True)
    assert "Speiderlager" in _names(with_inactive, "site_name")


def test_extents_enclose_each_layer(session: Session, world: World) -> None:
    assert service.extent(session, Layer.ORGANISATIONS) == BoundingBox(10.75, 59.91, 11.05, 59.95)
    assert service.extent(session, Layer.SITES) == BoundingBox(10.76, 59.92, 11.2, 60.1)
    assert service.extent(session, Layer.EQUIPMENT_AGGREGATES) == BoundingBox(
        10.76, 59.92, 11.2, 60.1
    )
    assert service.extent(session, Layer.AGREEMENT_AREAS) == BoundingBox(10.6, 59.85, 11.1, 60.0)


# Agreement areas ----------------------------------------------------------------------------


def test_agreement_areas_of_active_organisations(session: Session, world: World) -> None:
    page = service.agreement_areas(session)
    assert page.total == 2
    nitelva, oslo = page.features
    assert nitelva.id == world.agreements["nitelva"].id
    assert shape(nitelva.geometry).equals(MultiPolygon([NITELVA_AREA]))
    assert nitelva.geometry["type"] == "MultiPolygon"
    assert nitelva.properties == {
        "agreement_id": nitelva.id,
        "reference": "2023/01412",
        "title": "Avtale Nitelva",
        "status": "active",
        "organisation_id": world.active.id,
        "organisation": "Nitelva Hjelpekorps",
        "tasks": ["first_aid", "search"],
        "valid_from": "2023-01-01",
        "valid_until": None,
    }
    assert oslo.geometry == {
        "type": "MultiPolygon",
        "coordinates": json_lists(OSLO_AREAS),
    }
    assert oslo.properties["valid_until"] == "2024-12-31"
    assert "Kari" not in str(page)  # contacts are not part of the layer
    assert service.agreement_areas(session, include_inactive=True).total == 3


def test_agreement_areas_by_status_box_and_page(session: Session, world: World) -> None:
    expired = service.agreement_areas(session, status=AgreementStatus.EXPIRED)
    assert [f.id for f in expired.features] == [world.agreements["oslo"].id]
    # A box that only touches the corner of the Nitelva area still finds it.
    corner = service.agreement_areas(session, bbox=BoundingBox(11.09, 59.99, 11.2, 60.1))
    assert [f.id for f in corner.features] == [world.agreements["nitelva"].id]
    # Inside the Oslo triangles' envelope but outside both triangles.
    assert (
        service.agreement_areas(session, bbox=BoundingBox(10.71, 59.94, 10.72, 59.945)).total == 0
    )
    second = service.agreement_areas(session, limit=1, offset=1)
    assert (second.total, [f.id for f in second.features]) == (2, [world.agreements["oslo"].id])


def json_lists(area: MultiPolygon) -> list[Any]:
    return [[[list(position) for position in polygon.exterior.coords]] for polygon in area.geoms]


def test_an_empty_layer_has_no_extent(session: Session) -> None:
    assert service.extent(session, Layer.SITES) is None
    assert service.equipment_aggregates(session) == service.LayerPage([], 0)


# /api/v1/layers -----------------------------------------------------------------------------

LAYERS = "/api/v1/layers"
ROUTES = ("organisations", "sites", "equipment-aggregates", "agreement-areas")


@pytest.fixture
def world_api(api: ApiHarness) -> ApiHarness:
    build_world(api.session)
    api.session.commit()
    return api


def test_layers_as_feature_collections(world_api: ApiHarness) -> None:
    sites = world_api.get(Role.COUNCIL, f"{LAYERS}/sites", params={"kind": "storage"})
    assert sites.status_code == 200, sites.text
    body = sites.json()
    assert body["type"] == "FeatureCollection" and body["epsg"] == 4326
    assert (body["total"], body["limit"], body["offset"]) == (4, 1000, 0)
    names = [feature["properties"]["name"] for feature in body["features"]]
    assert names == ["Eget lager", "Annet lager", "Nitelva lager", "Kommunelager"]
    aggregates = world_api.get(
        Role.PLANNER,
        f"{LAYERS}/equipment-aggregates",
        params={"capability": "shelter", "status": "ready"},
    ).json()
    assert [f["properties"]["site_name"] for f in aggregates["features"]] == [
        "Oslo møteplass",
        "Kommunelager",
    ]


def test_contact_details_follow_the_role(world_api: ApiHarness) -> None:
    def nitelva(role: Role) -> dict[str, Any]:
        body = world_api.get(role, f"{LAYERS}/organisations", params={"limit": 100}).json()
        return next(f for f in body["features"] if f["properties"]["name"] == "Nitelva Hjelpekorps")

    assert "contact_24_7_phone" not in nitelva(Role.COUNCIL)["properties"]
    for role in (Role.ADMIN, Role.DUTY_OFFICER, Role.ORG_EDITOR):
        assert nitelva(role)["properties"]["contact_24_7_phone"] == "+447700900500"


@pytest.mark.parametrize("srid", [25832, 25833])
def test_utm_output_matches_pyproj(world_api: ApiHarness, srid: int) -> None:
    body = world_api.get(
        Role.ADMIN, f"{LAYERS}/sites", params={"crs": srid, "bbox": "11.05,59.95,11.07,59.97"}
    ).json()
    assert body["epsg"] == srid
    (feature,) = [f for f in body["features"] if f["properties"]["name"] == "Nitelva lager"]
    expected = Transformer.from_crs(4326, srid, always_xy=True).transform(11.06, 59.96)
    assert feature["geometry"]["coordinates"] == pytest.approx(list(expected), abs=0.01)


@pytest.mark.parametrize("srid", [4326, 25833])
def test_areas_in_each_output_system(world_api: ApiHarness, srid: int) -> None:
    body = world_api.get(
        Role.COUNCIL, f"{LAYERS}/agreement-areas", params={"crs": srid, "status": "active"}
    ).json()
    (feature,) = body["features"]
    assert feature["geometry"]["type"] == "MultiPolygon"
    ((ring,),) = feature["geometry"]["coordinates"]
    transformer = Transformer.from_crs(4326, srid, always_xy=True)
    expected = [list(transformer.transform(*position)) for position in NITELVA_AREA.exterior.coords]
    assert len(ring) == len(expected)
    for got, want in zip(ring, expected, strict=True):
        assert got == pytest.approx(want, abs=1e-6 if srid == 4326 else 0.01)


def test_paging_through_a_layer(world_api: ApiHarness) -> None:
    seen: list[int] = []
    offset = 0
    while True:
        body = world_api.get(
            Role.DUTY_OFFICER, f"{LAYERS}/sites", params={"limit": 2, "offset": offset}
        ).json()
        seen += [feature["id"] for feature in body["features"]]
        offset += 2
        if offset >= body["total"]:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == body["total"] == 7


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "11,60,10,59"},  # inverted
        {"bbox": "11,60,12"},
        {"bbox": "a,b,c,d"},
        {"bbox": "nan,59,11,60"},
        {"crs": 3857},
        {"limit": 0},
        {"limit": 10_001},
        {"offset": -1},
        {"kind": "castle"},
    ],
)
def test_bad_parameters_are_refused(world_api: ApiHarness, params: dict[str, Any]) -> None:
    response = world_api.get(Role.ADMIN, f"{LAYERS}/sites", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("route", ROUTES)
def test_layers_need_a_login(world_api: ApiHarness, route: str) -> None:
    response = world_api.get(None, f"{LAYERS}/{route}")
    assert response.status_code == 401
