"""The council's map by keyboard and as a table, both backends (WCAG 1.1.1, 1.4.1, 2.1.1,
1.4.10): every square a button named in words that opens its popup on Enter, the table below
the map (its text alternative) with the same filters and the same numbers as the map and as
`grid_cells`, counts of fewer than 3 volunteers never shown as a number, and the page
without sideways scrolling at 320 px.

The browser test finds things by structure (roles, ids, hrefs), not by words: it passes
before and after the new texts are in the catalogs."""

from __future__ import annotations

import json
import re
from typing import Any

import lxml.html
from playwright.sync_api import expect

from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from beredskap.register.inventory.models import Capability
from beredskap.register.search.aggregates import DEFAULT_SUPPRESS_BELOW, grid_cells
from beredskap.register.seed.demo import seed_demo
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import LiveApp, Visit
from tests.e2e.web_client import logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness

COUNCIL = "/maps/council"
FEWER = f"fewer than {DEFAULT_SUPPRESS_BELOW}"
# A total beside withheld counts: the shown ones added up (if any), and how many squares
# withhold one, never what they hold.
WITHHELD_TOTAL = re.compile(
    r"(?:(?P<shown>[\d,]+), and )?fewer than 3 in (?:each of )?(?P<squares>\d+) (?:more )?squares?"
)
SQUARE = "path.leaflet-interactive[role=button][tabindex='0']"
FOCUSED_SQUARE = '() => document.activeElement.matches("path[role=button]")'
SCRIPT = re.compile(r"<script([^>]*)>(.*?)</script>", re.S)


def _words(text: str) -> str:
    """Text with its spaces as one plain space (Intl and Babel space thousands differently)."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


# The popup's figures: each row of its tables as (header, cells), tables by caption.
POPUP_FIGURES = """(box) => Array.from(box.querySelectorAll("table")).map((table) => ({
    caption: table.caption ? table.caption.textContent : "",
    rows: Array.from(table.querySelectorAll("tbody tr")).map((tr) => [
        tr.querySelector("th").textContent,
        Array.from(tr.querySelectorAll("td")).map((td) => td.textContent)
    ])
}))"""


def test_read_the_council_maps_table(live_app: LiveApp, desktop: Visit) -> None:
    page = desktop.page
    live_app.log_in(page, Role.COUNCIL)
    page.goto(live_app.url(COUNCIL))
    expect(page.locator(SQUARE).first).to_be_visible()
    expect(page.locator(".leaflet-zoom-anim")).to_have_count(0)

    # By keyboard only: from the link before the map, Tab to the first square.
    skip = page.locator("a[href='#map-as-table']")
    expect(skip).to_have_count(1)
    skip.focus()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_SQUARE):
            break
    assert page.evaluate(FOCUSED_SQUARE), "no square in the tab order after the map's link"
    name = _words(page.evaluate("() => document.activeElement.getAttribute('aria-label')"))
    number = int(re.match(r"\D*(\d+)\s*:", name)[1])  # type: ignore[index]
    assert number == 1, name  # the squares come in the table's order

    # Enter opens its popup, which takes the focus; its link leads to the square's row.
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    expect(popup).to_be_focused()
    expect(popup.locator("h2")).to_contain_text(str(number))
    figures = popup.evaluate(POPUP_FIGURES)
    page.keyboard.press("Tab")
    link = popup.locator(f"a[href='#square-{number}']")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"#square-{number}$"))
    row = page.locator(f"#square-{number}")
    expect(row).to_be_in_viewport()
    cells = [_words(text) for text in row.locator("th, td").all_inner_texts()]
    assert cells[0] == str(number)

    # The table's figures are the popup's: lines (items) by capability, volunteers.
    equipment, volunteers = (figures[0], figures[1]) if len(figures) == 2 else (None, figures[0])
    lines = 0
    if equipment is not None:
        for label, (count, items) in equipment["rows"]:
            assert f"{_words(label)}: {_words(count)} ({_words(items)})" in cells[3], cells
            lines += int(_words(count).replace(" ", ""))
    assert cells[2] == str(lines), (cells, figures)
    *by_qualification, (_in_all, (total,)) = volunteers["rows"]
    assert cells[4] == _words(total), (cells, figures)
    for label, (count,) in by_qualification:
        assert f"{_words(label)}: {_words(count)}" in cells[5], cells
    # The square's name says the same numbers in words.
    assert str(lines) in name and _words(total) in name, (name, cells)

    # axe on the page with the table, once the popup has faded fully in.
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
    assert_accessible(page, "the council map with its table")

    # Esc closes the popup; the focus goes back to the square.
    page.locator(f"a[href='#square-{number}']").focus()
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    assert page.evaluate(FOCUSED_SQUARE)

    # Screenshots at 1366 and 390 px; no sideways scrolling at 320 px.
    page.goto(live_app.url(COUNCIL + "#map-as-table"))
    expect(page.locator(SQUARE).first).to_be_visible()
    for width in (1366, 390, 320):
        page.set_viewport_size({"width": width, "height": 900})
        if width != 320:
            live_app.shot(page, f"map-council-table-{width}")
        wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, (width, wide)


# On the server: the table holds grid_cells' counts, and never a small count -----------------


def _rows(html: str, part: str) -> list[list[str]]:
    """The table's rows of `part` (tbody, tfoot) as texts; a line break as " | "."""
    tree = lxml.html.fromstring(html)
    for br in tree.iter("br"):
        br.tail = " | " + (br.tail or "")
    return [
        [_words(cell.text_content()) for cell in row.xpath("./th|./td")]
        for row in tree.xpath(f"//section[@id='map-as-table']//table/{part}/tr")
    ]


def _cell_rows(html: str) -> list[list[Any]]:
    script = next(body for attrs, body in SCRIPT.findall(html) if "src=" not in attrs)
    match = re.search(r'beredskapMaps\.layer\(\s*"cell",\s*', script)
    assert match
    rows, _end = json.JSONDecoder().raw_decode(script, match.end())
    return rows


def _expected(cell: Any, measure: str) -> tuple[int, str] | None:
    """A cell as (lines, volunteers as the table writes them); None: not drawn."""
    lines = sum(counts["lines"] for counts in cell.equipment.values())
    volunteers = cell.volunteer_total if cell.volunteers else 0
    if (lines if measure == "equipment" else volunteers) == 0:
        return None
    return lines, FEWER if volunteers is None else str(volunteers)


def _number(text: str | int) -> int:
    return int(str(text).replace(",", "").replace(" ", ""))


def test_the_table_holds_grid_cells_counts(api: ApiHarness) -> None:
    api.session.info["actor"] = "seed demo"
    seed_demo(api.session)
    api.session.commit()
    council = logged_in(api, ROLE_EMAILS[Role.COUNCIL], language="en")
    for params in (
        {},
        {"measure": "volunteers"},
        {"measure": "volunteers", "cell_km": "5"},
        {"cell_km": "10", "capability": "medical"},
    ):
        page = council.get(COUNCIL, params=params)
        assert page.status_code == 200, params
        rows = _rows(page.text, "tbody")
        assert rows, params
        measure = params.get("measure", "equipment")
        cells = grid_cells(
            api.session,
            cell_m=int(params.get("cell_km", "1")) * 1000,
            on=today_in_norway(),
            capability=Capability(params["capability"]) if "capability" in params else None,
        )
        expected = [found for cell in cells if (found := _expected(cell, measure))]
        shown = [(_number(row[2]), row[4]) for row in rows]
        assert sorted(shown) == sorted(expected), params
        assert [row[0] for row in rows] == [str(n) for n in range(1, len(rows) + 1)]
        # Where: the centre's coordinates, and a place name inside the square if it has one.
        assert all(re.search(r"\d+\.\d{3}° N, \d+\.\d{3}° E$", row[1]) for row in rows)
        assert any(" | " in row[1] for row in rows), params  # the demo's place names
        # Ordered by what the map counts, the most first (withheld after every number).
        values = [lines if measure == "equipment" else volunteers for lines, volunteers in shown]
        numeric = [_number(value) for value in values if value != FEWER]
        assert numeric == sorted(numeric, reverse=True), params
        # The map's squares, in the same order, hold the same numbers.
        squares = _cell_rows(page.text)
        assert len(squares) == len(rows), params
        for row, (_corners, _value, _colour, equipment, by_qualification, total) in zip(
            rows, squares, strict=True
        ):
            assert _number(row[2]) == sum(equipment[0::2])
            no_one = total is None and not any(count != 0 for count in by_qualification)
            assert row[4] == ("0" if no_one else FEWER if total is None else str(total))
        # Totals: the lines added up; volunteers only what is shown, never a withheld count.
        ((_label, lines_in_all, _by_capability, volunteers_in_all, in_all_by_qualification),) = (
            _rows(page.text, "tfoot")
        )
        assert _number(lines_in_all) == sum(lines for lines, _ in shown), params
        withheld = sum(1 for _, volunteers in shown if volunteers == FEWER)
        shown_sum = sum(_number(v) for _, v in shown if v != FEWER)
        if withheld:
            total = WITHHELD_TOTAL.fullmatch(volunteers_in_all)
            assert total, (params, volunteers_in_all)
            assert _number(total["shown"] or 0) == shown_sum, params
            assert int(total["squares"]) == withheld, params
        else:
            assert _number(volunteers_in_all) == shown_sum, params
        # No count of volunteers below the threshold, anywhere in the table: each is 0, 3 or
        # more, or "fewer than 3"; a total says how many squares withhold one, not what.
        counts = [row[4] for row in rows]
        for text in [*(row[5] for row in rows), in_all_by_qualification]:
            counts += [part.rsplit(": ", 1)[1] for part in text.split(" | ") if part]
        counts.append(volunteers_in_all)
        for count in counts:
            total = WITHHELD_TOTAL.fullmatch(count)
            if total:
                count = total["shown"] or "0"
            assert count == FEWER or _number(count) == 0 or _number(count) >= 3, (params, count)
        if measure == "volunteers":
            assert FEWER in counts, params  # the demo holds squares of one or two
