"""The web pages through HTTP on both backends: login, language, scoping, forms and privacy.

The browser tests (test_browser.py) drive the same pages in Chromium; these check the
details a browser hides: headers, status codes, cookies and what is (not) written.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from shapely.geometry import Point
from sqlalchemy import func, select

from beredskap.main.settings import Settings
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import LoginFailure, Role
from beredskap.register.agreements.models import Agreement
from beredskap.register.inventory.models import Equipment, EquipmentStatus, ResourceType
from beredskap.register.organisations.models import Site, SiteKind
from beredskap.register.seed.demo import seed_demo
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from tests.e2e.web_client import browser, form_token, log_in, logged_in
from tests.support.api import PASSWORD, ROLE_EMAILS, ApiHarness, build_harness

EDITOR = ROLE_EMAILS[Role.ORG_EDITOR]
# Personal data of the demo and the harness: phone numbers in the drama range, e-mail.
PERSONAL = re.compile(r"\+447700900\d{3}|[\w.+-]+@[\w-]+\.(?:example|org)\b")
# The API harness with other settings, for the tests of login, cookies and language.
harness_with = contextmanager(build_harness)


def _line(api: ApiHarness, *, own: bool = True, **fields: Any) -> Equipment:
    generator = api.session.scalar(select(ResourceType).where(ResourceType.code == "generator"))
    line = Equipment(
        organisation=api.own if own else api.other,
        site=api.own_site if own else api.other_site,
        resource_type=generator,
        **({"quantity": 2} | fields),
    )
    api.session.add(line)
    api.session.commit()
    return line


def _reload(api: ApiHarness, line: Equipment) -> Equipment:
    api.session.expire_all()
    fresh = api.session.get(Equipment, line.id)
    assert fresh is not None
    return fresh


def _audit_count(api: ApiHarness) -> int:
    api.session.expire_all()
    return int(api.session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


# Logging in and out ---------------------------------------------------------------------------


def test_login_sets_a_strict_session_cookie_and_goes_on_to_next(api: ApiHarness) -> None:
    client = browser(api)
    page = client.get("/login", params={"next": "/organisations?q=eget"})
    assert page.status_code == 200
    assert '<html lang="nb">' in page.text and "Logg inn" in page.text
    assert "httponly" in page.headers["set-cookie"].lower()
    response = log_in(client, EDITOR, next="/organisations?q=eget")
    assert response.status_code == 303
    assert response.headers["location"] == "/organisations?q=eget"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("beredskap_session=")
    )
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "path=/", "samesite=lax", "max-age=43200"} <= attributes
    listing = client.get("/organisations?q=eget")
    assert listing.status_code == 200 and "Eget Hjelpekorps" in listing.text
    assert "Annet Sanitetslag" not in listing.text


def test_without_secure_cookies_the_cookie_is_not_marked_secure(engine: Any) -> None:
    with harness_with(engine, Settings(cookie_secure=False)) as harness:
        response = log_in(browser(harness), EDITOR)
        cookie = response.headers["set-cookie"].lower()
        assert response.status_code == 303 and "secure" not in cookie


def test_the_login_form_needs_its_own_token(api: ApiHarness) -> None:
    client = browser(api)
    no_form = client.post(
        "/login", data={"email": EDITOR, "password": PASSWORD}, follow_redirects=False
    )
    assert no_form.status_code == 400 and "beredskap_session" not in no_form.headers.get(
        "set-cookie", ""
    )
    assert "Innloggingsskjemaet var utløpt" in no_form.text
    client.get("/login")
    forged = client.post(
        "/login",
        data={"email": EDITOR, "password": PASSWORD, "csrf_token": "x" * 43},
        follow_redirects=False,
    )
    assert forged.status_code == 400
    assert "beredskap_session" not in forged.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/ok\r\nSet-Cookie: x=1",
        "evil.example",
    ],
)
def test_next_never_leads_off_the_site(api: ApiHarness, target: str) -> None:
    response = log_in(browser(api), EDITOR, next=target)
    assert response.status_code == 303 and response.headers["location"] == "/"
    switch = browser(api).get(
        "/language", params={"lang": "en", "next": target}, follow_redirects=False
    )
    assert switch.status_code == 303 and switch.headers["location"] == "/"


def test_wrong_passwords_are_refused_and_slowed_down(engine: Any) -> None:
    settings = Settings(login_free_failures=2, login_max_delay_seconds=60)
    with harness_with(engine, settings) as harness:
        client = browser(harness)
        for _ in range(2):
            wrong = log_in(client, EDITOR, password="not the password")
            assert wrong.status_code == 400
            assert "Feil e-postadresse eller passord." in wrong.text
            assert "beredskap_session" not in wrong.headers.get("set-cookie", "")
        slowed = log_in(client, EDITOR)  # even the right password waits now
        assert slowed.status_code == 429
        assert 1 <= int(slowed.headers["retry-after"]) <= 60
        assert "For mange mislykkede forsøk. Vent" in slowed.text
        assert "beredskap_session" not in slowed.headers.get("set-cookie", "")
        english = log_in(browser(harness, "en"), EDITOR)
        assert english.status_code == 429 and "Too many failed attempts. Wait" in english.text


def test_a_successful_login_clears_the_failures(api: ApiHarness) -> None:
    client = browser(api)
    assert log_in(client, EDITOR, password="not the password").status_code == 400
    api.session.expire_all()
    failures = select(func.count()).select_from(LoginFailure)
    assert api.session.scalar(failures) == 1
    assert log_in(client, EDITOR).status_code == 303
    api.session.expire_all()
    assert api.session.scalar(failures) == 0


def test_logout_needs_the_form_token_and_ends_the_session(api: ApiHarness) -> None:
    client = logged_in(api, EDITOR)
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    refused = client.post("/logout", data={}, follow_redirects=False)
    assert refused.status_code == 403 and "Du har ikke tilgang" in refused.text
    assert client.get("/").status_code == 200  # still logged in
    out = client.post(
        "/logout", data={"csrf_token": form_token(dashboard.text)}, follow_redirects=False
    )
    assert out.status_code == 303 and out.headers["location"] == "/login"
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/login?next=/"


def test_pages_send_anonymous_browsers_to_the_login_and_api_clients_a_401(
    api: ApiHarness,
) -> None:
    client = browser(api)
    page = client.get("/organisations/5", params={"q": "a b"}, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/organisations/5%3Fq%3Da%2Bb"
    api_call = client.get("/organisations/5", headers={"accept": "application/json"})
    assert api_call.status_code == 401
    assert api_call.headers["content-type"] == "application/problem+json"


# Language ------------------------------------------------------------------------------------


def test_the_language_switch_remembers_english(api: ApiHarness) -> None:
    client = browser(api)
    switch = client.get(
        "/language", params={"lang": "en", "next": "/login"}, follow_redirects=False
    )
    assert switch.status_code == 303 and switch.headers["location"] == "/login"
    assert "lang=en" in switch.headers["set-cookie"]
    page = client.get("/login")
    assert '<html lang="en">' in page.text and "Log in" in page.text
    assert "Logg inn" not in page.text
    assert 'href="/language?lang=nb&amp;next=/login"' in page.text
    ignored = browser(api).get("/language", params={"lang": "de"}, follow_redirects=False)
    assert "set-cookie" not in ignored.headers
    default = browser(api).get("/login")
    assert '<html lang="nb">' in default.text


def test_the_configured_default_language_applies(engine: Any) -> None:
    with harness_with(engine, Settings(default_language="en")) as harness:
        assert '<html lang="en">' in browser(harness).get("/login").text


def test_enum_values_and_resource_types_are_shown_in_the_chosen_language(
    api: ApiHarness,
) -> None:
    line = _line(api, status=EquipmentStatus.OUT_OF_SERVICE)
    url = f"/organisations/{api.own.id}"
    norwegian = logged_in(api, EDITOR).get(url).text
    english = logged_in(api, EDITOR, "en").get(url).text
    assert "Aggregat" in norwegian and "Ute av drift" in norwegian and "Hjelpekorps" in norwegian
    assert "Generator" in english and "Out of service" in english
    assert "First aid corps" in english and f'id="equipment-{line.id}"' in english


# Scope: an organisation editor edits its own organisations only ------------------------------


def test_an_org_editor_gets_a_403_page_for_other_organisations(api: ApiHarness) -> None:
    theirs = _line(api, own=False)
    client = logged_in(api, EDITOR)
    before = _audit_count(api)
    for url in (f"/equipment/{theirs.id}/edit", f"/organisations/{api.other.id}/equipment/new"):
        page = client.get(url)
        assert page.status_code == 403
        assert "text/html" in page.headers["content-type"]
        assert "Du har ikke tilgang til denne siden" in page.text
        assert 'name="quantity"' not in page.text
    token = form_token(client.get("/").text)
    posted = client.post(
        f"/equipment/{theirs.id}/edit",
        data={"csrf_token": token, "version": "1", "status": "maintenance"},
    )
    created = client.post(
        f"/organisations/{api.other.id}/equipment/new",
        data={"csrf_token": token, "quantity": "1", "site_id": str(api.other_site.id)},
    )
    assert posted.status_code == 403 and created.status_code == 403
    assert _reload(api, theirs).status == EquipmentStatus.READY
    assert _audit_count(api) == before
    english = logged_in(api, EDITOR, "en").get(f"/equipment/{theirs.id}/edit")
    assert english.status_code == 403 and "You do not have access to this page" in english.text


def test_the_duty_officer_may_change_any_line_but_not_add_one(api: ApiHarness) -> None:
    theirs = _line(api, own=False)
    client = logged_in(api, ROLE_EMAILS[Role.DUTY_OFFICER])
    form = client.get(f"/equipment/{theirs.id}/edit")
    assert form.status_code == 200
    response = client.post(
        f"/equipment/{theirs.id}/edit",
        data={"csrf_token": form_token(form.text), "version": "1", "status": "in_use"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert _reload(api, theirs).status == EquipmentStatus.IN_USE
    assert client.get(f"/organisations/{api.other.id}/equipment/new").status_code == 403


def test_the_council_and_the_planner_edit_nothing(api: ApiHarness) -> None:
    line = _line(api)
    for role in (Role.COUNCIL, Role.PLANNER):
        client = logged_in(api, ROLE_EMAILS[role])
        assert client.get(f"/equipment/{line.id}/edit").status_code == 403
        page = client.get(f"/organisations/{api.own.id}")
        assert page.status_code == 200 and f"/equipment/{line.id}/edit" not in page.text


# Editing equipment -------------------------------------------------------------------------


def test_one_tap_changes_the_status_and_the_list_shows_it(api: ApiHarness) -> None:
    line = _line(api)
    client = logged_in(api, EDITOR)
    form = client.get(f"/equipment/{line.id}/edit")
    assert form.status_code == 200
    assert 'name="status" value="maintenance"' in form.text
    response = client.post(
        f"/equipment/{line.id}/edit",
        data={"csrf_token": form_token(form.text), "version": "1", "status": "maintenance"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/organisations/{api.own.id}?saved={line.id}#equipment-{line.id}"
    )
    stored = _reload(api, line)
    assert stored.status == EquipmentStatus.MAINTENANCE and stored.version == 2
    assert stored.quantity == 2  # only the status was sent, only the status changed
    listing = client.get(response.headers["location"])
    item = re.search(rf'id="equipment-{line.id}".*?</li>', listing.text, re.S)
    assert item and "Vedlikehold" in item.group(0) and "line--saved" in listing.text
    api.session.expire_all()
    entry = api.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "equipment").order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and entry.actor == EDITOR


def test_the_full_form_edits_and_moves_between_own_sites(api: ApiHarness) -> None:
    line = _line(api)
    second = Site(
        organisation=api.own, name="Eget lager 2", kind=SiteKind.STORAGE, location=Point(11, 60)
    )
    api.session.add(second)
    api.session.commit()
    client = logged_in(api, EDITOR)
    form = client.get(f"/equipment/{line.id}/edit")
    assert "Eget lager 2" in form.text and "Annet lager" not in form.text
    data = {
        "csrf_token": form_token(form.text),
        "version": "1",
        "site_id": str(second.id),
        "quantity": "1",
        "identifier": "LK-9001",
        "status": "ready",
        "last_inspected_on": "2025-05-02",
        "next_inspection_due": "2026-05-02",
        "notes": "Service hos forhandler",
    }
    response = client.post(f"/equipment/{line.id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    stored = _reload(api, line)
    assert (stored.site_id, stored.quantity, stored.identifier) == (second.id, 1, "LK-9001")
    assert stored.next_inspection_due == date(2026, 5, 2)
    assert stored.notes == "Service hos forhandler"


def test_bad_input_keeps_what_was_typed_shows_messages_and_changes_nothing(
    api: ApiHarness,
) -> None:
    line = _line(api)
    client = logged_in(api, EDITOR)
    elsewhere = logged_in(api, EDITOR, "en")
    form = client.get(f"/equipment/{line.id}/edit")
    before = _audit_count(api)
    base = {"csrf_token": form_token(form.text), "version": "1", "site_id": str(api.own_site.id)}
    typed = client.post(
        f"/equipment/{line.id}/edit",
        data=base | {"quantity": "tre", "next_inspection_due": "i morgen", "notes": "beholdt"},
    )
    assert typed.status_code == 422
    assert 'id="f-quantity-error"' in typed.text and "skriv et helt tall fra 1 til" in typed.text
    assert "skriv en dato som ÅÅÅÅ-MM-DD" in typed.text
    assert 'value="tre"' in typed.text and 'value="i morgen"' in typed.text
    assert ">beholdt</textarea>" in typed.text
    assert 'aria-invalid="true"' in typed.text and 'href="#f-quantity"' in typed.text
    # A rule of the model: an item with an identifier is one item.
    ruled = client.post(
        f"/equipment/{line.id}/edit", data=base | {"quantity": "5", "identifier": "LK-1"}
    )
    assert ruled.status_code == 422
    assert "en enhet med kjennemerke har antall 1" in ruled.text
    english = elsewhere.post(f"/equipment/{line.id}/edit", data=base | {"quantity": "5"})
    assert english.status_code == 403  # another browser's session has its own form token
    assert "You do not have access to this page" in english.text
    moved = client.post(
        f"/equipment/{line.id}/edit", data=base | {"site_id": str(api.other_site.id)}
    )
    assert moved.status_code == 422
    assert "velg et av organisasjonens egne steder" in moved.text
    stored = _reload(api, line)
    assert (stored.quantity, stored.identifier, stored.version) == (2, None, 1)
    assert stored.site_id == api.own_site.id
    assert _audit_count(api) == before


def test_a_stale_form_shows_a_conflict_instead_of_overwriting(api: ApiHarness) -> None:
    line = _line(api)
    client = logged_in(api, EDITOR)
    form = client.get(f"/equipment/{line.id}/edit")
    line.quantity = 7  # someone else saves first
    api.session.commit()
    response = client.post(
        f"/equipment/{line.id}/edit",
        data={"csrf_token": form_token(form.text), "version": "1", "quantity": "3"},
    )
    assert response.status_code == 409
    assert "Noen andre endret denne linjen mens du hadde den åpen" in response.text
    assert 'name="version" value="2"' in response.text and 'value="7"' in response.text
    assert _reload(api, line).quantity == 7
    garbled = client.post(
        f"/equipment/{line.id}/edit",
        data={"csrf_token": form_token(form.text), "quantity": "3"},
    )
    assert garbled.status_code == 409 and _reload(api, line).quantity == 7


def test_adding_a_line_at_an_own_site(api: ApiHarness) -> None:
    client = logged_in(api, EDITOR)
    form = client.get(f"/organisations/{api.own.id}/equipment/new")
    assert form.status_code == 200 and "Aggregat" in form.text and "<optgroup" in form.text
    tent = api.session.scalar(select(ResourceType.id).where(ResourceType.code == "tent"))
    token = form_token(form.text)
    missing = client.post(
        f"/organisations/{api.own.id}/equipment/new",
        data={"csrf_token": token, "site_id": str(api.own_site.id), "quantity": "4"},
    )
    assert missing.status_code == 422 and "må fylles ut" in missing.text
    assert 'value="4"' in missing.text
    response = client.post(
        f"/organisations/{api.own.id}/equipment/new",
        data={
            "csrf_token": token,
            "resource_type_id": str(tent),
            "site_id": str(api.own_site.id),
            "quantity": "4",
            "status": "ready",
            "next_inspection_due": (date.today() + timedelta(days=200)).isoformat(),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    api.session.expire_all()
    created = api.session.scalars(
        select(Equipment).where(Equipment.organisation_id == api.own.id)
    ).one()
    assert (created.resource_type_id, created.quantity, created.site_id) == (
        tent,
        4,
        api.own_site.id,
    )
    page = client.get(response.headers["location"])
    assert "Telt" in page.text and "Utstyrslinjen er lagret." in page.text


# What each role sees --------------------------------------------------------------------------


def _member(api: ApiHarness) -> Volunteer:
    first_aid = api.session.scalar(
        select(QualificationType).where(QualificationType.code == "first_aid")
    )
    volunteer = Volunteer(full_name="Kari Nordvik", mobile="+447700900321", sms_consent=True)
    volunteer.memberships.append(Membership(organisation=api.own, role="mannskap"))
    volunteer.qualifications.append(
        VolunteerQualification(
            qualification_type=first_aid, expires_on=date.today() + timedelta(days=90)
        )
    )
    api.session.add(volunteer)
    api.session.commit()
    return volunteer


def test_who_sees_volunteers_and_their_phones(api: ApiHarness) -> None:
    _member(api)
    own = f"/organisations/{api.own.id}"
    expectations = {
        Role.ADMIN: (True, True),
        Role.DUTY_OFFICER: (True, True),
        Role.ORG_EDITOR: (True, True),
        Role.PLANNER: (True, False),
        Role.COUNCIL: (False, False),
    }
    for role, (name, phone) in expectations.items():
        page = logged_in(api, ROLE_EMAILS[role]).get(own).text
        assert ("Kari Nordvik" in page) is name, role
        assert ("Førstehjelp" in page) is name, role
        assert ("+447700900321" in page) is phone, role
    # An organisation editor sees no one of an organisation it does not edit.
    membership = Membership(organisation=api.other, volunteer=_member_of_other(api))
    api.session.add(membership)
    api.session.commit()
    other = logged_in(api, EDITOR).get(f"/organisations/{api.other.id}").text
    assert "Per Annetsen" not in other and 'id="volunteers"' not in other


def _member_of_other(api: ApiHarness) -> Volunteer:
    volunteer = Volunteer(full_name="Per Annetsen", mobile="+447700900322")
    api.session.add(volunteer)
    return volunteer


def test_the_council_never_sees_contact_details_on_any_page(api: ApiHarness) -> None:
    api.session.info["actor"] = "seed demo"
    seed_demo(api.session)
    api.session.commit()
    _member(api)
    organisation_ids = api.session.scalars(select(Agreement.organisation_id)).all()
    council = logged_in(api, ROLE_EMAILS[Role.COUNCIL])
    pages = ["/", "/organisations", f"/organisations/{api.own.id}"]
    pages += [f"/organisations/{i}" for i in organisation_ids]
    for url in pages:
        response = council.get(url)
        assert response.status_code == 200, url
        found = PERSONAL.findall(response.text)
        assert not found, f"{url} shows the council {found[:3]}"
        assert "Nøkkel hos Kari" not in response.text  # a site's access notes
    admin = logged_in(api, ROLE_EMAILS[Role.ADMIN]).get(f"/organisations/{api.own.id}")
    assert "+447700900990" in admin.text and "Nøkkel hos Kari" in admin.text


def test_each_role_gets_its_own_dashboard(api: ApiHarness) -> None:
    api.session.info["actor"] = "seed demo"
    seed_demo(api.session)
    api.session.commit()
    overdue = _line(api, next_inspection_due=date.today() - timedelta(days=3))
    headings = {
        Role.ADMIN: "Oversikt for beredskapskoordinatoren",
        Role.DUTY_OFFICER: "Oversikt for vakthavende",
        Role.COUNCIL: "Oversikt for beredskapsrådet",
        Role.ORG_EDITOR: "Dine organisasjoner",
        Role.PLANNER: "Oversikt for øvingsplanleggeren",
    }
    pages = {}
    for role, heading in headings.items():
        response = logged_in(api, ROLE_EMAILS[role]).get("/")
        assert response.status_code == 200 and heading in response.text, role
        pages[role] = response.text
    assert "Utstyr som har passert kontrolldato" in pages[Role.ADMIN]
    assert "Avtaler som skal gjennomgås eller fornyes" in pages[Role.ADMIN]
    assert "Nitelva Hjelpekorps" in pages[Role.ADMIN]  # its agreement needs a review
    assert (
        "Døgnkontakt" in pages[Role.DUTY_OFFICER] and "tel:+447700900" in pages[Role.DUTY_OFFICER]
    )
    assert "Klart utstyr etter kapasitet" in pages[Role.DUTY_OFFICER]
    assert "Organisasjoner etter kategori" in pages[Role.COUNCIL]
    assert f"/equipment/{overdue.id}/edit" in pages[Role.ORG_EDITOR]
    assert "Eget Hjelpekorps" in pages[Role.ORG_EDITOR]
    assert "Nitelva Hjelpekorps" not in pages[Role.ORG_EDITOR]
    assert "Øyeren Redningshundlag" in pages[Role.PLANNER]  # an active agreement
    assert "Romerike Sambandsgruppe" not in pages[Role.PLANNER]  # its agreement expired


def test_the_organisation_list_filters_by_category_and_name(api: ApiHarness) -> None:
    client = logged_in(api, ROLE_EMAILS[Role.PLANNER])
    both = client.get("/organisations").text
    assert "Eget Hjelpekorps" in both and "Annet Sanitetslag" in both
    by_category = client.get("/organisations", params={"category": "health_association"}).text
    assert "Annet Sanitetslag" in by_category and "Eget Hjelpekorps" not in by_category
    by_name = client.get("/organisations", params={"q": "EGET"}).text
    assert "Eget Hjelpekorps" in by_name and "Annet Sanitetslag" not in by_name
    odd = client.get("/organisations", params={"category": "nonsense", "page": "-3", "q": "\x00"})
    assert odd.status_code == 200 and "Eget Hjelpekorps" in odd.text


# Errors and headers ---------------------------------------------------------------------------


def test_browsers_get_translated_error_pages_and_the_api_keeps_problem_documents(
    api: ApiHarness,
) -> None:
    client = logged_in(api, EDITOR)
    missing = client.get("/organisations/987654")
    assert missing.status_code == 404 and "Fant ikke siden" in missing.text
    assert missing.headers["content-type"].startswith("text/html")
    # Path ids are typed: a word is no organisation's address; a number out of range is bad
    # input.
    word = client.get("/organisations/abc")
    assert word.status_code == 404 and "Fant ikke siden" in word.text
    invalid = client.get("/organisations/99999999999")
    assert invalid.status_code == 422 and "Noe av det du fylte inn" in invalid.text
    unknown = client.get("/no/such/page")
    assert unknown.status_code == 404 and '<html lang="nb">' in unknown.text
    api_missing = client.get("/api/v1/organisations/987654")
    assert api_missing.status_code == 404
    assert api_missing.headers["content-type"] == "application/problem+json"


def test_pages_load_nothing_from_elsewhere(api: ApiHarness) -> None:
    line = _line(api)
    admin = logged_in(api, ROLE_EMAILS[Role.ADMIN])
    pages = [(admin, "/"), (admin, "/organisations"), (admin, f"/organisations/{api.own.id}")]
    pages += [(admin, f"/equipment/{line.id}/edit"), (browser(api), "/login")]
    for client, url in pages:
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 200, url
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert response.headers["cache-control"] == "no-store"
        references = re.findall(r'(?:src|href|action)="([^"]*)"', response.text)
        assert references, url
        for reference in references:
            assert reference.startswith(("/", "#", "tel:", "mailto:")), (url, reference)
    css = admin.get("/static/app.css")
    assert css.status_code == 200 and "url(" not in css.text and "@import" not in css.text
