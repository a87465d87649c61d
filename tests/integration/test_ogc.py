"""OGC API - Features at /ogc on both backends: the documents, items with bbox, paging links
followed to the end, coordinate systems against pyproj, 400 and 404, and who sees what."""

from __future__ import annotations

from typing import Any

import pytest
from pyproj import Transformer

from beredskap.platform.auth.models import Role
from beredskap.register.layers import service
from beredskap.register.layers.service import Layer
from beredskap.register.ogc.crs import BY_URI, parse_box
from tests.integration.test_layers import World, build_world
from tests.support.api import ApiHarness

OGC = "/ogc"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
COLLECTION_IDS = ["organisations", "sites", "equipment-aggregates", "agreement-areas"]
GEOJSON = "application/geo+json"


@pytest.fixture
def ogc(api: ApiHarness) -> tuple[ApiHarness, World]:
    world = build_world(api.session)
    api.session.commit()
    return api, world


def _get(api: ApiHarness, url: str, role: Role = Role.PLANNER, **params: Any) -> Any:
    response = api.get(role, url, params=params or None)
    assert response.status_code == 200, f"{url}: {response.status_code} {response.text[:300]}"
    return response


def _relative(href: str) -> str:
    """A link's path and query, to follow it with the test client."""
    assert href.startswith("https://testserver/"), href
    return href.removeprefix("https://testserver")


def _rels(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {link["rel"]: link for link in document["links"]}


def test_landing_page_links_lead_everywhere(ogc: tuple[ApiHarness, World]) -> None:
    api, _ = ogc
    response = _get(api, OGC)
    assert response.headers["content-type"] == "application/json"
    links = _rels(response.json())
    assert set(links) >= {"self", "service-desc", "conformance", "data"}
    assert links["self"]["href"] == "https://testserver/ogc"
    assert _get(api, _relative(links["service-desc"]["href"])).json()["paths"]
    conformance = _get(api, _relative(links["conformance"]["href"])).json()["conformsTo"]
    assert set(conformance) == {
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    }
    collections = _get(api, _relative(links["data"]["href"])).json()
    assert [c["id"] for c in collections["collections"]] == COLLECTION_IDS
    assert _get(api, OGC, f="json").json() == response.json()


def test_collections_describe_extent_and_crs(ogc: tuple[ApiHarness, World]) -> None:
    api, _ = ogc
    collections = _get(api, f"{OGC}/collections").json()["collections"]
    assert not any("volunteer" in c["id"] for c in collections)
    for collection in collections:
        box = service.extent(api.session, Layer(collection["id"]))
        assert box is not None
        assert collection["extent"]["spatial"] == {
            "bbox": [[box.min_lon, box.min_lat, box.max_lon, box.max_lat]],
            "crs": CRS84,
        }
        assert collection["storageCrs"] == CRS84
        assert collection["crs"] == [
            CRS84,
            f"{EPSG}4326",
            f"{EPSG}25832",
            f"{EPSG}25833",
        ]
        assert collection["itemType"] == "feature"
        links = _rels(collection)
        alone = _get(api, _relative(links["self"]["href"])).json()
        assert alone == collection
        assert links["items"]["type"] == GEOJSON
        assert _relative(links["items"]["href"]) == f"{OGC}/collections/{collection['id']}/items"


def test_an_empty_collection_has_no_extent(api: ApiHarness) -> None:
    collections = _get(api, f"{OGC}/collections").json()["collections"]
    extents = {collection["id"]: "extent" in collection for collection in collections}
    # The harness holds two sites and no equipment or agreements.
    assert extents == {
        "organisations": True,
        "sites": True,
        "equipment-aggregates": False,
        "agreement-areas": False,
    }
    alone = _get(api, f"{OGC}/collections/agreement-areas").json()
    assert "extent" not in alone and alone["crs"][0] == CRS84
    empty = _get(api, f"{OGC}/collections/agreement-areas/items").json()
    assert (empty["features"], empty["numberMatched"], empty["numberReturned"]) == ([], 0, 0)


def test_items_are_geojson_with_counts(ogc: tuple[ApiHarness, World]) -> None:
    api, world = ogc
    response = _get(api, f"{OGC}/collections/sites/items", kind="storage")
    assert response.headers["content-type"] == GEOJSON
    assert response.headers["content-crs"] == f"<{CRS84}>"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert (body["numberMatched"], body["numberReturned"]) == (4, 4)
    assert body["timeStamp"].endswith("Z")
    names = [f["properties"]["name"] for f in body["features"]]
    assert names == ["Eget lager", "Annet lager", "Nitelva lager", "Kommunelager"]
    lager = body["features"][2]
    assert lager["id"] == world.sites["nitelva lager"].id
    assert lager["geometry"] == {"type": "Point", "coordinates": [11.06, 59.96]}
    links = _rels(body)
    assert links["self"]["type"] == GEOJSON and "next" not in links and "prev" not in links
    assert _relative(links["collection"]["href"]) == f"{OGC}/collections/sites"


@pytest.mark.parametrize("collection", COLLECTION_IDS)
def test_next_links_lead_through_every_feature_once(
    ogc: tuple[ApiHarness, World], collection: str
) -> None:
    api, _ = ogc
    everything = _get(api, f"{OGC}/collections/{collection}/items", limit=1000).json()
    url = f"{OGC}/collections/{collection}/items?limit=2"
    seen: list[int] = []
    pages = 0
    while url:
        body = _get(api, url).json()
        pages += 1
        assert body["numberMatched"] == everything["numberMatched"]
        assert body["numberReturned"] == len(body["features"]) <= 2
        seen += [feature["id"] for feature in body["features"]]
        links = _rels(body)
        assert ("prev" in links) == (pages > 1)
        url = _relative(links["next"]["href"]) if "next" in links else ""
    assert seen == [feature["id"] for feature in everything["features"]]
    assert seen == sorted(set(seen))
    assert pages == (len(seen) + 1) // 2


def test_prev_link_goes_back_a_page(ogc: tuple[ApiHarness, World]) -> None:
    api, _ = ogc
    second = _get(api, f"{OGC}/collections/sites/items", limit=3, offset=3).json()
    first = _get(api, _relative(_rels(second)["prev"]["href"])).json()
    assert [f["id"] for f in first["features"]] == [
        f["id"] for f in _get(api, f"{OGC}/collections/sites/items", limit=3).json()["features"]
    ]


def test_limits_above_the_maximum_are_served_as_the_maximum(
    ogc: tuple[ApiHarness, World],
) -> None:
    api, _ = ogc
    body = _get(api, f"{OGC}/collections/sites/items", limit=50_000).json()
    assert body["numberReturned"] == body["numberMatched"] == 7


def _site_names(body: dict[str, Any]) -> list[str]:
    return [feature["properties"]["name"] for feature in body["features"]]


def test_bbox_in_crs84_and_in_utm(ogc: tuple[ApiHarness, World]) -> None:
    api, _ = ogc
    items = f"{OGC}/collections/sites/items"
    in_degrees = _get(api, items, bbox="11.0,59.9,11.11,60.0").json()
    assert _site_names(in_degrees) == ["Eget lager", "Nitelva lager", "Kommunelager"]
    # The same places asked for in EPSG:4326 order (latitude first) and with heights.
    assert (
        _get(api, items, bbox="59.9,11.0,60.0,11.11", **{"bbox-crs": f"{EPSG}4326"}).json()[
            "features"
        ]
        == in_degrees["features"]
    )
    with_heights = _get(api, items, bbox="11.0,59.9,0,11.11,60.0,100").json()
    assert with_heights["features"] == in_degrees["features"]
    # A UTM 33 box drawn around Nitelva lager and Kommunelager.
    to_utm = Transformer.from_crs(4326, 25833, always_xy=True)
    lager = to_utm.transform(11.06, 59.96)
    town = to_utm.transform(11.1, 59.97)
    box = (
        min(lager[0], town[0]) - 50,
        min(lager[1], town[1]) - 50,
        max(lager[0], town[0]) + 50,
        max(lager[1], town[1]) + 50,
    )
    in_metres = _get(
        api,
        items,
        bbox=",".join(f"{v:.2f}" for v in box),
        **{"bbox-crs": f"{EPSG}25833"},
    ).json()
    # The harness's own site lies where Nitelva lager does.
    assert _site_names(in_metres) == ["Eget lager", "Nitelva lager", "Kommunelager"]


def test_a_utm_box_is_exact_at_its_edges(ogc: tuple[ApiHarness, World]) -> None:
    """A UTM box's WGS84 envelope is larger than the box; places in between stay out."""
    api, _ = ogc
    to_utm = Transformer.from_crs(4326, 25833, always_xy=True)
    east, north = to_utm.transform(11.06, 59.96)  # Nitelva lager and the harness's own
    items = f"{OGC}/collections/sites/items"
    params = {"bbox-crs": f"{EPSG}25833"}
    around = f"{east - 10},{north - 10},{east + 10},{north + 10}"
    assert _site_names(_get(api, items, bbox=around, **params).json()) == [
        "Eget lager",
        "Nitelva lager",
    ]
    # A tall box whose west edge lies 1 m east of the site: grid north is 2-3 degrees off
    # true north here, so the box's envelope in degrees reaches tens of metres past the site.
    beside = f"{east + 1},{north - 1000},{east + 50},{north + 1000}"
    envelope = parse_box(beside, BY_URI[f"{EPSG}25833"]).bbox
    assert envelope.contains(11.06, 59.96)
    assert _get(api, items, bbox=beside, **params).json()["numberMatched"] == 0


@pytest.mark.parametrize("srid", [25832, 25833])
def test_utm_output_matches_pyproj(ogc: tuple[ApiHarness, World], srid: int) -> None:
    api, world = ogc
    site = world.sites["nitelva base"]
    response = _get(api, f"{OGC}/collections/sites/items/{site.id}", crs=f"{EPSG}{srid}")
    assert response.headers["content-crs"] == f"<{EPSG}{srid}>"
    expected = Transformer.from_crs(4326, srid, always_xy=True).transform(11.2, 60.1)
    assert response.json()["geometry"]["coordinates"] == pytest.approx(list(expected), abs=0.01)
    items = _get(api, f"{OGC}/collections/equipment-aggregates/items", crs=f"{EPSG}{srid}").json()
    (base,) = [f for f in items["features"] if f["id"] == site.id]
    assert base["geometry"]["coordinates"] == pytest.approx(list(expected), abs=0.01)


def test_epsg_4326_is_latitude_first(ogc: tuple[ApiHarness, World]) -> None:
    api, world = ogc
    site = world.sites["nitelva lager"]
    body = _get(api, f"{OGC}/collections/sites/items/{site.id}", crs=f"{EPSG}4326").json()
    assert body["geometry"]["coordinates"] == [59.96, 11.06]
    latitude_first = Transformer.from_crs(4326, 4326)  # EPSG axis order
    assert latitude_first.transform(59.96, 11.06) == (59.96, 11.06)


def test_one_feature_by_id(ogc: tuple[ApiHarness, World]) -> None:
    api, world = ogc
    site = world.sites["nitelva lager"]
    response = _get(api, f"{OGC}/collections/equipment-aggregates/items/{site.id}")
    assert response.headers["content-type"] == GEOJSON
    feature = response.json()
    assert feature["type"] == "Feature" and feature["id"] == site.id
    assert (feature["properties"]["lines"], feature["properties"]["quantity"]) == (4, 15)
    links = _rels(feature)
    assert (
        _relative(links["self"]["href"])
        == f"{OGC}/collections/equipment-aggregates/items/{site.id}"
    )
    assert _relative(links["collection"]["href"]) == f"{OGC}/collections/equipment-aggregates"
    organisation = _get(api, f"{OGC}/collections/organisations/items/{world.active.id}").json()
    assert organisation["properties"]["name"] == "Nitelva Hjelpekorps"


@pytest.mark.parametrize(
    "path",
    [
        "/collections/volunteers",
        "/collections/volunteers/items",
        "/collections/nothing/items",
        "/collections/sites/items/987654",
        "/collections/organisations/items/{inactive}",  # inactive: not on the map
        "/collections/organisations/items/{homeless}",  # no home base
        "/collections/equipment-aggregates/items/{empty_site}",  # holds no equipment
        "/collections/agreement-areas/items/{no_area}",  # an agreement without an area
    ],
)
def test_unknown_collections_and_features_are_404(ogc: tuple[ApiHarness, World], path: str) -> None:
    api, world = ogc
    path = path.format(
        inactive=world.inactive.id,
        homeless=world.homeless.id,
        empty_site=world.sites["skole"].id,
        no_area=world.agreements["no area"].id,
    )
    response = api.get(Role.ADMIN, OGC + path)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path, params",
    [
        ("/collections/sites/items", {"foo": "bar"}),
        ("/collections/sites/items", {"status": "ready"}),  # another collection's filter
        ("/collections/sites/items", {"kind": "castle"}),
        ("/collections/sites/items", {"limit": 0}),
        ("/collections/sites/items", {"limit": "many"}),
        ("/collections/sites/items", {"offset": -1}),
        ("/collections/sites/items", {"bbox": "11,60,10,59"}),
        ("/collections/sites/items", {"bbox": "11,60,12"}),
        ("/collections/sites/items", {"bbox": "a,b,c,d"}),
        ("/collections/sites/items", {"bbox": "inf,59,11,60"}),
        ("/collections/sites/items", {"bbox": "1,2,3,4", "bbox-crs": f"{EPSG}3857"}),
        ("/collections/sites/items", {"bbox-crs": "nonsense"}),
        ("/collections/sites/items", {"bbox": "1e9,0,2e9,1", "bbox-crs": f"{EPSG}25833"}),
        ("/collections/sites/items", {"crs": f"{EPSG}3857"}),
        ("/collections/sites/items", {"f": "html"}),
        ("/collections/equipment-aggregates/items", {"capability": "weapons"}),
        ("/collections/sites/items/1", {"limit": 5}),
        ("/collections/sites/items/abc", {}),
        ("/collections/sites/items/0", {}),
        ("/collections/sites", {"bbox": "1,2,3,4"}),
        ("/collections", {"limit": 5}),
        ("", {"f": "xml"}),
        ("/conformance", {"lang": "nb"}),
    ],
)
def test_bad_parameters_are_400(
    ogc: tuple[ApiHarness, World], path: str, params: dict[str, Any]
) -> None:
    api, _ = ogc
    response = api.get(Role.ADMIN, OGC + path, params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]


def test_filters_of_each_collection(ogc: tuple[ApiHarness, World]) -> None:
    api, _ = ogc
    shelters = _get(api, f"{OGC}/collections/sites/items", kind="shelter").json()
    assert _site_names(shelters) == ["Evakueringssted skole"]
    ready_shelter = _get(
        api, f"{OGC}/collections/equipment-aggregates/items", capability="shelter", status="ready"
    ).json()
    names = [feature["properties"]["site_name"] for feature in ready_shelter["features"]]
    assert names == ["Oslo møteplass", "Kommunelager"]


def test_agreement_areas_as_multipolygons(ogc: tuple[ApiHarness, World]) -> None:
    api, world = ogc
    items = f"{OGC}/collections/agreement-areas/items"
    expired = _get(api, items, Role.COUNCIL, status="expired").json()
    assert [f["id"] for f in expired["features"]] == [world.agreements["oslo"].id]
    nitelva = world.agreements["nitelva"].id
    lon_lat = _get(api, f"{items}/{nitelva}").json()
    lat_lon = _get(api, f"{items}/{nitelva}", crs=f"{EPSG}4326").json()
    assert lon_lat["geometry"]["type"] == lat_lon["geometry"]["type"] == "MultiPolygon"
    assert lon_lat["properties"]["reference"] == "2023/01412"
    ((ring,),) = lon_lat["geometry"]["coordinates"]
    ((swapped,),) = lat_lon["geometry"]["coordinates"]
    assert ring[:2] == [[11.0, 59.93], [11.1, 59.93]]
    assert swapped == [[lat, lon] for lon, lat in ring]
    touching = _get(api, items, bbox="11.09,59.99,11.2,60.1").json()
    assert [f["id"] for f in touching["features"]] == [nitelva]


def test_contact_details_only_for_roles_that_see_them(ogc: tuple[ApiHarness, World]) -> None:
    api, world = ogc
    url = f"{OGC}/collections/organisations/items"
    council = _get(api, url, Role.COUNCIL).text
    assert (
        "+447700900500" not in council and "vakt@" not in council and "contact_24_7" not in council
    )
    feature = _get(api, f"{url}/{world.active.id}", Role.COUNCIL).json()
    assert "contact_24_7_phone" not in feature["properties"]
    for role in (Role.ADMIN, Role.DUTY_OFFICER):
        feature = _get(api, f"{url}/{world.active.id}", role).json()
        assert feature["properties"]["contact_24_7_phone"] == "+447700900500"


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/conformance",
        "/collections",
        "/collections/sites",
        "/collections/sites/items",
        "/collections/organisations/items/1",
    ],
)
def test_anonymous_callers_are_refused(ogc: tuple[ApiHarness, World], path: str) -> None:
    api, _ = ogc
    response = api.get(None, OGC + path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
