"""Weighs the overview map and times its rendering in headless Chromium: for the demo
municipality, and for a register of 50,000 equipment lines (`seed scale`).

    .venv/bin/python bench/map_weight.py                        # SpatiaLite in temp files
    .venv/bin/python bench/map_weight.py --url postgresql+psycopg://postgres@127.0.0.1/bench

Targets (issue 4): the demo's overview under 1.5 MB of HTML and its data; with 50,000 lines
under 5 MB, rendered in under 3 s. The page carries its data inline (it fetches none), so the
page's bytes are the HTML and its data. Leaflet's files (vendored, the same on every map page
and cached by the browser) are reported apart, and tiles are served by the app from one
blank PNG so that no tile server is measured. "Rendered" is the moment after navigation
start when the map's markers or clusters, its circle markers and its layer control are all in
the DOM (the map's script is synchronous: the control is its last statement). The PostgreSQL
database must exist with the postgis extension; its schema is rebuilt.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from harness import seeded_server
from playwright.sync_api import Browser, sync_playwright

from beredskap.main.settings import Settings
from beredskap.platform import migrate
from beredskap.platform.db import transaction
from beredskap.platform.runtime import open_database
from beredskap.register.seed.demo import EQUIPMENT_LINES, seed_demo

CHROMIUM = "/usr/bin/chromium"
LOCAL_TILE = "/static/maps/blank-tile.png?z={z}&x={x}&y={y}"
OVERVIEW = "/maps/overview"
COUNCIL = "/maps/council"  # 1 km squares: the finest grid, and no target; reported beside
RENDERED = """(markers) => {
    const drawn = (!markers || document.querySelectorAll('.leaflet-marker-icon').length > 0)
        && document.querySelectorAll('path.leaflet-interactive').length > 0
        && document.querySelector('.leaflet-control-layers') !== null;
    return drawn ? performance.now() : false;
}"""
TARGETS = {"demo": 1.5e6, "scale": 5e6}
RENDER_TARGET_MS = 3000


@dataclass
class Weighed:
    html_bytes: int
    gzip_bytes: int
    assets_bytes: int
    server_ms: float  # the app's answer, as the browser saw it (navigation response end)
    rendered_ms: list[float]
    markers: int
    circles: int

    def report(self, label: str, target: float) -> str:
        median = statistics.median(self.rendered_ms)
        verdict = "met" if self.html_bytes < target else "NOT met"
        return (
            f"{label}: page {self.html_bytes / 1e6:.2f} MB ({self.gzip_bytes / 1e6:.2f} MB gzipped;"
            f" target {target / 1e6:.1f} MB {verdict}); Leaflet files {self.assets_bytes / 1e3:.0f}"
            f" kB apart; server {self.server_ms:.0f} ms; rendered after median {median:.0f} ms"
            f" (best {min(self.rendered_ms):.0f}, worst {max(self.rendered_ms):.0f}, "
            f"{len(self.rendered_ms)} loads); {self.markers} marker/cluster elements, "
            f"{self.circles} vector shapes (circles, areas, squares)"
        )


def weigh(
    client: httpx.Client, browser: Browser, base_url: str, loads: int, path: str = OVERVIEW
) -> Weighed:
    page_response = client.get(path)
    page_response.raise_for_status()
    html = page_response.content
    assets = 0
    for asset in (
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/leaflet/leaflet.css",
        "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
        "/static/vendor/leaflet.markercluster/MarkerCluster.css",
        "/static/vendor/leaflet.markercluster/MarkerCluster.Default.css",
        "/static/maps/maps.css",
        "/static/maps/layers.js",
    ):
        assets += len(client.get(asset).content)
    token = client.headers["Authorization"]
    rendered: list[float] = []
    server: list[float] = []
    markers = circles = 0
    for load in range(loads + 1):  # the first load warms the server and the browser's cache
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, extra_http_headers={"Authorization": token}
        )
        page = context.new_page()
        page.goto(base_url + path, wait_until="commit", timeout=120_000)
        at = page.wait_for_function(
            RENDERED, arg=path == OVERVIEW, polling="raf", timeout=120_000
        ).json_value()
        response_end = page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd")
        markers = page.locator(".leaflet-marker-icon").count()
        circles = page.locator("path.leaflet-interactive").count()
        context.close()
        if load:
            rendered.append(float(at))
            server.append(float(response_end))
    return Weighed(
        html_bytes=len(html),
        gzip_bytes=len(gzip.compress(html)),
        assets_bytes=assets,
        server_ms=statistics.median(server),
        rendered_ms=rendered,
        markers=markers,
        circles=circles,
    )


def _demo_database(url: str | None, scratch: Path) -> str:
    """A freshly migrated database holding the demo municipality."""
    database_url = url or f"sqlite:///{scratch / 'demo.db'}"
    database = open_database(Settings(database_url=database_url))
    if migrate.current_revision(database.engine) is not None:
        migrate.downgrade(database.engine, "base")
    migrate.upgrade(database.engine)
    with transaction(database.sessions, actor="bench") as session:
        seed_demo(session)
    database.engine.dispose()
    return database_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL (default: new SpatiaLite files)")
    parser.add_argument("--organisations", type=int, default=1_000)
    parser.add_argument("--equipment", type=int, default=50_000)
    parser.add_argument("--volunteers", type=int, default=5_000)
    parser.add_argument("--loads", type=int, default=7)
    args = parser.parse_args()
    # The served app draws its tiles from one local PNG (read by `beredskap serve`).
    os.environ["BEREDSKAP_MAP_TILES_URL"] = LOCAL_TILE
    os.environ["BEREDSKAP_MAP_ALTERNATIVE_TILES_URL"] = LOCAL_TILE + "&alternative=1"

    results: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        with tempfile.TemporaryDirectory() as scratch:
            database_url = _demo_database(args.url, Path(scratch))
            # `reuse` serves a database already holding that many equipment lines as it is:
            # the demo's, here.
            with seeded_server(
                database_url, organisations=0, equipment=EQUIPMENT_LINES, volunteers=0, reuse=True
            ) as served:
                base = str(served.client.base_url)
                weighed = weigh(served.client, browser, base, args.loads)
                results.append(weighed.report("demo municipality", TARGETS["demo"]))
                print(results[-1])
        started = time.perf_counter()
        with seeded_server(
            args.url,
            organisations=args.organisations,
            equipment=args.equipment,
            volunteers=args.volunteers,
        ) as served:
            print(f"seeded and served in {time.perf_counter() - started:.0f} s")
            base = str(served.client.base_url)
            weighed = weigh(served.client, browser, base, args.loads)
            in_time = statistics.median(weighed.rendered_ms) < RENDER_TARGET_MS
            results.append(
                weighed.report(f"{args.equipment} equipment lines", TARGETS["scale"])
                + f"; render target {RENDER_TARGET_MS / 1000:.0f} s "
                + ("met" if in_time else "NOT met")
            )
            print(results[-1])
            council = weigh(served.client, browser, base, args.loads, COUNCIL)
            results.append(council.report("council map, 1 km squares", TARGETS["scale"]))
            print(results[-1])
        browser.close()
    print("\n".join(results))


if __name__ == "__main__":
    main()
