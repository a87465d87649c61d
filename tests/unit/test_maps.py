"""The folium builders without a database: local assets only, one hashed script, classes of
the council's choropleth, CSP sources for tiles, and the vendored files from the npm registry."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import itertools
import json
import re
import tarfile
from pathlib import Path
from types import ModuleType

import folium
import pytest
from folium.plugins import Fullscreen

from beredskap.register.maps.assets import UnservedAssetsError
from beredskap.register.maps.council import (
    SUPPRESSED,
    GridSquare,
    build_council_map,
    class_colour,
    count_classes,
)
from beredskap.register.maps.embed import embed
from beredskap.register.maps.incident import (
    ApproximateHome,
    Incident,
    IncidentLayerNames,
    NumberedSite,
    build_incident_map,
)
from beredskap.register.maps.overview import (
    OverviewContent,
    OverviewLayerNames,
    OverviewTexts,
    build_overview_map,
    category_colour,
)
from beredskap.register.maps.rows import equipment_row, organisation_row, site_row
from beredskap.register.maps.tiles import TileSource, image_sources
from beredskap.register.organisations.models import OrganisationCategory

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    TileSource("https://cache.kartverket.no/topo/{z}/{y}/{x}.png", "© Kartverket", 18, "Topo"),
    TileSource("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OSM", 19, "OSM"),
]
NAMES = OverviewLayerNames(
    bases="Bases", sites={"storage": "Storage"}, equipment="Equipment", agreement_areas="Areas"
)


TEXTS = OverviewTexts(
    organisation={"label": "o"}, sites={"storage": {"kind": "Lager"}}, equipment={}
)


def _overview(equipment_sites: int) -> folium.Map:
    base = organisation_row(
        59.95,
        11.05,
        category="first_aid_corps",
        id=1,
        name="Base </script>",
        organisation_number=None,
        site_count=1,
        contact=None,
    )
    site = site_row(
        59.96,
        11.06,
        category="scouts",
        name="Lager",
        address=None,
        access_24_7=True,
        organisation_id=1,
        organisation="Base",
    )
    content = OverviewContent(
        bases=[base],
        sites={"storage": [site]},
        equipment=[
            equipment_row(
                59.9 + i / 1000,
                11.0,
                lines=25,
                site_name=f"Site {i}",
                organisation_id=1,
                organisation="Base",
                by_capability={"power": {"lines": 25, "quantity": 30}},
                by_status={"ready": {"lines": 25, "quantity": 30}},
            )
            for i in range(equipment_sites)
        ],
    )
    return build_overview_map(
        content, sources=SOURCES, names=NAMES, texts=TEXTS, legend_html="<p>legend</p>"
    )


def test_a_map_loads_only_local_files_and_one_script() -> None:
    embedded = embed(_overview(3))
    assert embedded.scripts == (
        "/static/vendor/leaflet/leaflet.js",
        "/static/maps/layers.js",
        "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
    )
    assert set(embedded.stylesheets) == {
        "/static/vendor/leaflet/leaflet.css",
        "/static/maps/maps.css",
        "/static/vendor/leaflet.markercluster/MarkerCluster.css",
        "/static/vendor/leaflet.markercluster/MarkerCluster.Default.css",
    }
    # No jQuery, Bootstrap or awesome-markers: folium's defaults are replaced, not added to.
    assert "$(" not in embedded.script and "AwesomeMarkers" not in embedded.script
    assert "</script" not in embedded.script.lower()  # a name with </script> is escaped
    digest = hashlib.sha256(embedded.script.encode()).digest()
    assert embedded.script_hash == f"'sha256-{base64.b64encode(digest).decode()}'"
    assert f'id="{embedded.map_id}"' in embedded.html


def test_equipment_is_one_row_per_site_whatever_the_number_of_lines() -> None:
    script = embed(_overview(40)).script
    start = re.search(r'beredskapMaps\.layer\(\s*"equipment",\s*', script)
    assert start is not None
    rows, _ = json.JSONDecoder().raw_decode(script, start.end())
    assert len(rows) == 40 and {row[2] for row in rows} == {25}
    # Capabilities in the enum's order (transport, shelter, power, ...), lines and items each.
    assert rows[0][6][:6] == [0, 0, 0, 0, 25, 30] and rows[0][7][:2] == [25, 30]
    assert "L.marker(" not in script  # markers are made by layers.js, in one loop


def test_a_plugin_without_vendored_files_is_refused() -> None:
    map_ = _overview(1)
    Fullscreen().add_to(map_)
    with pytest.raises(UnservedAssetsError, match="Fullscreen"):
        embed(map_)


def test_incident_map_leaves_volunteers_out_when_not_allowed() -> None:
    names = IncidentLayerNames(incident="I", equipment="E", volunteers="Volunteers layer")
    common = {
        "sources": SOURCES,
        "names": names,
        "legend_html": "",
        "incident": Incident(59.95, 11.05, 5000),
        "sites": [NumberedSite(1, 59.96, 11.06, "Lager", "<p>1</p>")],
    }
    hidden = embed(build_incident_map(**common, homes=None)).script
    shown = embed(
        build_incident_map(**common, homes=[ApproximateHome(59.955, 11.055, "<p>p</p>", "Kari")])
    ).script
    assert "Volunteers layer" not in hidden and "Volunteers layer" in shown
    assert '"map-pin--result"' in hidden and '"radius": 5000' in hidden


def test_count_classes_follow_the_data_without_empty_classes() -> None:
    assert count_classes([]) == []
    one = count_classes([4, 4, 4])
    assert [(c.low, c.high) for c in one] == [(4, 4)]
    classes = count_classes([1, 1, 1, 2, 3, 5, 8, 13, 40, 100])
    bounds = [(c.low, c.high) for c in classes]
    assert bounds[0][0] == 1 and bounds[-1][1] == 100
    assert all(low <= high for low, high in bounds)
    assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(bounds))
    assert len({c.colour for c in classes}) == len(classes)
    assert class_colour(100, classes) == classes[-1].colour
    assert class_colour(1, classes) == classes[0].colour


def test_council_squares_travel_as_counts_and_empty_ones_are_not_drawn() -> None:
    ring = [(11.0, 59.9), (11.02, 59.9), (11.02, 59.91), (11.0, 59.91), (11.0, 59.9)]
    squares = [
        GridSquare(ring, 5, {"power": {"lines": 5, "quantity": 9}}, {"first_aid": 4}, 4),
        GridSquare(ring, 0, {}, {"first_aid": 7}, 7),
        GridSquare(ring, None, {}, {"first_aid": None}, None),
    ]
    script = embed(
        build_council_map(
            squares,
            sources=SOURCES,
            layer_name="Squares",
            legend_html="",
            classes=count_classes([5]),
            qualifications=["boat_licence", "first_aid"],
            texts={"qualifications": ["Boat licence", "First aid"]},
        )
    ).script
    start = re.search(r'beredskapMaps\.layer\(\s*"cell",\s*', script)
    assert start is not None
    rows, _ = json.JSONDecoder().raw_decode(script, start.end())
    assert len(rows) == 2  # the square with nothing of the kind counted is left out
    counted, suppressed = rows
    assert counted[0] == [[59.9, 11.0], [59.9, 11.02], [59.91, 11.02], [59.91, 11.0]]
    assert counted[1] == 5 and counted[3][4:6] == [5, 9] and counted[4] == [0, 4]
    assert suppressed[1] is None and suppressed[4] == [0, None] and suppressed[5] is None
    assert suppressed[2] == SUPPRESSED and counted[2] != SUPPRESSED


def test_category_colours_are_stable_and_distinct() -> None:
    colours = [category_colour(category.value) for category in OrganisationCategory]
    assert len(set(colours)) == len(colours)
    assert category_colour("no such category") == category_colour("other")


def test_image_sources_for_the_policy() -> None:
    assert image_sources(SOURCES) == [
        "https://cache.kartverket.no",
        "https://tile.openstreetmap.org",
    ]
    subdomains = [TileSource("https://{s}.tiles.example:8443/{z}/{x}/{y}", "a", 18, "n")]
    assert image_sources(subdomains) == ["https://*.tiles.example:8443"]
    assert image_sources([TileSource("/static/maps/blank-tile.png?{z}{x}{y}", "a", 18, "n")]) == []


# The vendored files ---------------------------------------------------------------------------


def _fetcher() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "fetch_map_assets", ROOT / "scripts/fetch_map_assets.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_the_vendored_files_match_the_lock_file() -> None:
    """`make`'s install step fetched what the lock file pins; a stale copy fails here."""
    fetcher = _fetcher()
    lock_text = fetcher.LOCK_FILE.read_text(encoding="utf-8")
    lock = json.loads(lock_text)
    assert fetcher._up_to_date(lock_text, fetcher.VENDOR_DIR, lock), (
        "run: .venv/bin/python scripts/fetch_map_assets.py"
    )
    names = {package["name"] for package in lock["packages"]}
    assert names == {"leaflet", "leaflet.markercluster"}
    for package in lock["packages"]:
        assert package["integrity"].startswith("sha512-")


def test_a_tarball_is_checked_and_only_listed_files_are_taken(tmp_path: Path) -> None:
    fetcher = _fetcher()
    data = _tarball({"package/dist/a.js": b"a", "package/evil.js": b"evil"})
    assert fetcher.integrity_of(data) == (
        "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    )
    package = {"name": "p", "files": {"package/dist/a.js": "p/a.js"}}
    fetcher._extract(package, data, tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()] == [
        "p/a.js"
    ]
    with pytest.raises(fetcher.AssetError, match="unsafe"):
        fetcher._extract({"name": "p", "files": {"package/dist/a.js": "../a.js"}}, data, tmp_path)
    with pytest.raises(fetcher.AssetError, match=r"no package/missing\.js"):
        fetcher._extract({"name": "p", "files": {"package/missing.js": "m.js"}}, data, tmp_path)


def test_tarball_addresses_follow_the_registry_convention() -> None:
    fetcher = _fetcher()
    registry = "https://registry.npmjs.org/"
    assert fetcher.tarball_url(registry, "leaflet", "1.9.4") == (
        "https://registry.npmjs.org/leaflet/-/leaflet-1.9.4.tgz"
    )
    assert fetcher.tarball_url(registry, "@scope/pkg", "2.0.0") == (
        "https://registry.npmjs.org/@scope/pkg/-/pkg-2.0.0.tgz"
    )
