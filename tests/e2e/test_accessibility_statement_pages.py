"""The accessibility statement over HTTP on both backends: public at /tilgjengelighet, in
bokmål and English, in Uutilsynet's parts, linked from every page's footer."""

from __future__ import annotations

import pytest

from beredskap.main.settings import Settings
from beredskap.platform.auth.models import Role
from tests.e2e.web_client import browser, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness, build_harness

FOOTER_LINK = '<a href="/tilgjengelighet">'


def test_the_statement_is_public_in_bokmal_with_every_part(api: ApiHarness) -> None:
    response = browser(api).get("/tilgjengelighet")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="nb">' in html
    assert "Tilgjengelighetserklæring for beredskapsregisteret" in html
    for part in (
        "Samsvar med kravene",
        "Det som ikke er i samsvar",
        "Slik er løsningen kontrollert",
        "Tilbakemelding og kontakt",
        "uutilsynet.no",
        "delvis i samsvar",
    ):
        assert part in html, part
    assert "sist kontrollert <strong>7. desember 2026</strong>" in html
    assert "kommunens beredskapskoordinator" in html


def test_the_statement_in_english(api: ApiHarness) -> None:
    html = browser(api, "en").get("/tilgjengelighet").text
    assert "Accessibility statement for the preparedness register" in html
    assert "partially compliant" in html and "last checked on" in html


@pytest.mark.parametrize("path", ["/login", "/tilgjengelighet"])
def test_every_public_page_links_the_statement_from_its_footer(api: ApiHarness, path: str) -> None:
    html = browser(api).get(path).text
    footer = html[html.index('<footer class="site-footer">') :]
    assert FOOTER_LINK in footer


@pytest.mark.parametrize("role", list(Role))
def test_every_roles_dashboard_links_the_statement(api: ApiHarness, role: Role) -> None:
    assert FOOTER_LINK in logged_in(api, ROLE_EMAILS[role]).get("/").text


def test_the_feedback_address_comes_from_the_settings(engine: object) -> None:
    for harness in build_harness(engine, Settings(accessibility_contact="uu@kommune.example")):  # type: ignore[arg-type]
        html = browser(harness).get("/tilgjengelighet").text
        assert '<a href="mailto:uu@kommune.example">uu@kommune.example</a>' in html
    with pytest.raises(ValueError):
        Settings(accessibility_contact="javascript:alert(1) <x>")
