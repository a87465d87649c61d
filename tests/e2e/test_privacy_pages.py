"""The administrator's privacy pages on both backends (issue 14): the record of processing with
the retention schedule, everything held about a volunteer (a read, audited like the JSON
export) and the erasure from there (CSRF, a ticked confirmation, the same purge as the API)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from alerts.inbound.sms import handle_inbound
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role
from beredskap.platform.privacy.retention import Period
from beredskap.register.volunteers.models import Membership, Volunteer
from tests.e2e.web_client import browser, form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness
from tests.support.callouts import at, sent_and_delivered, volunteer

ADMIN = ROLE_EMAILS[Role.ADMIN]
OTHERS = [role for role in Role if role is not Role.ADMIN]
NAME = "Kari Personvern"
MOBILE = "+4477009004" + "77"
EMAIL = "kari.personvern@example.org"


def _person(api: ApiHarness) -> Volunteer:
    person = volunteer(api.session, 77, at(0, 1_000), ["first_aid"], api.own)
    person.full_name, person.email = NAME, EMAIL
    api.session.commit()
    assert person.mobile == MOBILE
    return person


def _reads(api: ApiHarness, person_id: int) -> list[AuditEntry]:
    api.session.expire_all()
    return list(
        api.session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "read",
                AuditEntry.entity == "volunteers",
                AuditEntry.entity_id == str(person_id),
            )
        )
    )


def _changes(api: ApiHarness) -> int:
    """Audit entries other than reads: what a refused erasure must not add to."""
    api.session.expire_all()
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "read")
    return int(api.session.scalar(query) or 0)


def _exists(api: ApiHarness, person_id: int) -> bool:
    api.session.expire_all()
    return api.session.get(Volunteer, person_id) is not None


@pytest.mark.parametrize("role", OTHERS, ids=lambda role: role.value)
def test_only_the_administrator_opens_the_privacy_pages(api: ApiHarness, role: Role) -> None:
    person = _person(api)
    client = logged_in(api, ROLE_EMAILS[role])
    for url in ("/privacy", f"/privacy/volunteers/{person.id}"):
        page = client.get(url)
        assert page.status_code == 403 and "Du har ikke tilgang" in page.text, url
    home = client.get("/")
    assert 'href="/privacy"' not in home.text  # no menu link either
    token = form_token(home.text)
    refused = client.post(
        f"/privacy/volunteers/{person.id}/erase",
        data={"csrf_token": token, "confirm": "1"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert _exists(api, person.id) and _reads(api, person.id) == []


def test_anonymous_browsers_are_sent_to_the_login(api: ApiHarness) -> None:
    client = browser(api)
    for url in ("/privacy", "/privacy/volunteers/1"):
        page = client.get(url, follow_redirects=False)
        assert page.status_code == 303, url
        assert page.headers["location"].startswith("/login?next=/privacy"), url


def test_the_record_of_processing_shows_categories_and_the_schedule(api: ApiHarness) -> None:
    client = logged_in(api, ADMIN)
    page = client.get("/privacy")
    assert page.status_code == 200
    html = page.text
    assert '<a href="/privacy" aria-current="page">' in html  # the admin's menu link
    assert html.count("<caption") == 2 and html.count("<h1>") == 1
    settings = api.client.app.state.settings
    for period in Period:  # every period of the schedule, named by its setting
        assert f"BEREDSKAP_RETENTION_{period.value.upper()}_DAYS" in html
    assert f">{settings.retention_message_log_days}<" in html
    # Roles, by their labels in Norwegian (the record's seen_by for names includes the planner).
    assert "beredskapskoordinator" in html and "øvingsplanlegger" in html
    assert 'id="f-volunteer"' in html and 'for="f-volunteer"' in html


def test_the_lookup_opens_a_volunteer_or_says_why_not(api: ApiHarness) -> None:
    person = _person(api)
    client = logged_in(api, ADMIN)
    found = client.get("/privacy", params={"volunteer": str(person.id)}, follow_redirects=False)
    assert found.status_code == 303
    assert found.headers["location"] == f"/privacy/volunteers/{person.id}"
    for typed in ("987654", "abc", ""):
        missing = client.get("/privacy", params={"volunteer": typed})
        assert missing.status_code == 422, typed
        assert 'aria-invalid="true"' in missing.text and 'id="f-volunteer-error"' in missing.text
        assert 'href="#f-volunteer"' in missing.text  # the summary links to the field


def test_the_volunteer_page_shows_everything_and_is_an_audited_read(api: ApiHarness) -> None:
    person = _person(api)
    volunteer(api.session, 78, at(90, 1_000), ["first_aid"], api.own)
    api.session.commit()
    callout_id = sent_and_delivered(api)
    handle_inbound(api.session, from_number=MOBILE, body="JA 15 min",
                   received_at=datetime.now(UTC))  # fmt: skip
    api.session.commit()
    assert _reads(api, person.id) == []

    client = logged_in(api, ADMIN, language="en")
    page = client.get(f"/privacy/volunteers/{person.id}")
    assert page.status_code == 200, page.text
    html = page.text
    for shown in (NAME, MOBILE, EMAIL, api.own.name, "JA 15 min", f'href="/callouts/{callout_id}"'):
        assert shown in html, shown
    assert "Frivillig 78" not in html and "+447700900478" not in html  # only this person
    for heading in (
        "The record",
        "Memberships",
        "Qualifications",
        "Consent history",
        "Callouts asked in",
        "Messages",
        "Audit entries",
    ):
        assert f">{heading}</h2>" in html, heading
    assert html.count("<caption") >= 5
    assert '<a href="/privacy/volunteers/' not in html
    # Times in Norway, dd.mm.yyyy HH:MM.
    assert f"{datetime.now(ZoneInfo('Europe/Oslo')).strftime('%d.%m.%Y')} " in html
    reads = _reads(api, person.id)
    assert len(reads) == 1 and reads[0].actor == ADMIN
    assert reads[0].after == {"read": "web.privacy_volunteer", "count": 1}


def test_the_organisation_page_links_members_for_the_administrator(api: ApiHarness) -> None:
    person = _person(api)
    link = f'href="/privacy/volunteers/{person.id}"'
    assert link in logged_in(api, ADMIN).get(f"/organisations/{api.own.id}").text
    editor = logged_in(api, ROLE_EMAILS[Role.ORG_EDITOR]).get(f"/organisations/{api.own.id}")
    assert NAME in editor.text and link not in editor.text


def test_unknown_or_malformed_ids_are_404(api: ApiHarness) -> None:
    client = logged_in(api, ADMIN)
    for url in ("/privacy/volunteers/987654", "/privacy/volunteers/abc", "/privacy/volunteers/1x"):
        page = client.get(url)
        assert page.status_code == 404 and "<h1>" in page.text, url
    token = form_token(client.get("/privacy").text)
    posted = client.post(
        "/privacy/volunteers/987654/erase", data={"csrf_token": token, "confirm": "1"}
    )
    assert posted.status_code == 404


def test_erasing_needs_the_confirmation_and_changes_nothing_without(api: ApiHarness) -> None:
    person = _person(api)
    client = logged_in(api, ADMIN)
    page = client.get(f"/privacy/volunteers/{person.id}")
    token = form_token(page.text.split('id="erase"')[1])
    before = _changes(api)

    unconfirmed = client.post(
        f"/privacy/volunteers/{person.id}/erase",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert unconfirmed.status_code == 422
    html = unconfirmed.text
    assert 'id="f-confirm-error"' in html and 'href="#f-confirm"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="f-confirm-error"' in html
    assert _exists(api, person.id) and _changes(api) == before

    no_token = client.post(
        f"/privacy/volunteers/{person.id}/erase", data={"confirm": "1"}, follow_redirects=False
    )
    assert no_token.status_code == 403
    assert _exists(api, person.id) and _changes(api) == before


def test_erasing_with_the_confirmation_purges_the_volunteer(api: ApiHarness) -> None:
    person = _person(api)
    person_id = person.id
    client = logged_in(api, ADMIN)
    token = form_token(client.get(f"/privacy/volunteers/{person_id}").text)

    erased = client.post(
        f"/privacy/volunteers/{person_id}/erase",
        data={"csrf_token": token, "confirm": "1"},
        follow_redirects=False,
    )
    assert erased.status_code == 303
    assert erased.headers["location"] == f"/privacy?erased={person_id}"
    api.session.expire_all()
    assert not _exists(api, person_id)
    assert (
        api.session.scalar(
            select(func.count()).select_from(Membership).where(Membership.volunteer_id == person_id)
        )
        == 0
    )
    # The trail keeps that the record was removed, and by whom, with no personal value left.
    removal = api.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "volunteers",
            AuditEntry.entity_id == str(person_id),
            AuditEntry.action == "delete",
        )
    ).one()
    assert removal.actor == ADMIN
    trail = " ".join(
        str(entry.before) + str(entry.after)
        for entry in api.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == str(person_id))
        )
    )
    assert NAME not in trail and MOBILE not in trail and EMAIL not in trail

    done = client.get(erased.headers["location"])
    assert done.status_code == 200 and 'role="status"' in done.text
    assert str(person_id) in done.text
    assert client.get(f"/privacy/volunteers/{person_id}").status_code == 404


def test_the_home_area_is_written_with_the_pages_decimals(api: ApiHarness) -> None:
    person = _person(api)
    point = api.session.scalar(select(Volunteer.home_area).where(Volunteer.id == person.id))
    assert point is not None
    lat = str(round(to_shape(point).y, 3))  # at most three decimals, as the page writes them
    lon = str(round(to_shape(point).x, 3))
    english = logged_in(api, ADMIN, language="en").get(f"/privacy/volunteers/{person.id}").text
    assert f"{lat}° N, {lon}° E" in english
    bokmal = logged_in(api, ADMIN).get(f"/privacy/volunteers/{person.id}").text
    assert f"{lat.replace('.', ',')}° N, {lon.replace('.', ',')}° Ø" in bokmal
