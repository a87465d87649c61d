"""axe-core in the browser tests: WCAG 2.0/2.1 A and AA, any violation fails.

axe.min.js comes from the npm registry, pinned and integrity-checked in
scripts/test-assets.lock.json, and is fetched into build/test-vendor/ by the Makefile's
install step (the app never serves it). It is evaluated in the page, not added as a
script tag, so the pages' Content-Security-Policy stays as it is.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "scripts" / "test-assets.lock.json"
VENDOR = ROOT / "build" / "test-vendor"
AXE = VENDOR / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def axe_source() -> str:
    """axe.min.js, fetched (pinned, integrity-checked) when the install step has not yet."""
    VENDOR.parent.mkdir(parents=True, exist_ok=True)
    # xdist workers may ask at once: one fetches, the others find it up to date.
    with (VENDOR.parent / "test-vendor.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "fetch_map_assets.py"),
                "--lock",
                str(LOCK),
                "--dest",
                str(VENDOR),
            ],
            check=True,
            capture_output=True,
        )
    return AXE.read_text(encoding="utf-8")


def violations(page: Page) -> list[dict[str, Any]]:
    """The WCAG 2.0/2.1 A and AA violations axe finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result: dict[str, Any] = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                              resultTypes: ['violations']});
            return {violations: r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => ({target: n.target, html: n.html.slice(0, 200),
                                                     summary: n.failureSummary}))}))};
        }""",
        WCAG_AA,
    )
    return list(result["violations"])


def assert_accessible(page: Page, where: str = "") -> None:
    found = violations(page)
    assert not found, f"axe: {where or page.url}\n" + json.dumps(
        found, indent=1, ensure_ascii=False
    )
