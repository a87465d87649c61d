"""Issue 18, the duty officer's flow, over HTTP on both backends: the dashboard's new callout
and open callouts, the incident map one click from "Kart", the map's filters carried into the
callout, the live page (tel: links, arrival clock, opted out), discarding a draft, and the
inbox of incoming SMS."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point
from sqlalchemy import select, update

from alerts.inbound.sms import handle_inbound
from alerts.models import Answer, Callout, CalloutRecipient, CalloutStatus, InboundSms
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import NORWAY, utcnow
from beredskap.register.addresses import search
from beredskap.register.inventory.models import Equipment, ResourceType
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from beredskap.register.seed.demo import seed_addresses
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness
from tests.support.callouts import LILLESTROM, at, deliver_all, qualification, volunteer

OFFICER = ROLE_EMAILS[Role.DUTY_OFFICER]
OTHERS = (Role.COUNCIL, Role.PLANNER, Role.ORG_EDITOR)


@pytest.fixture
def town(api: ApiHarness) -> ApiHarness:
    volunteer(api.session, 1, at(0, 1_000), ["first_aid"], api.own)
    volunteer(api.session, 2, at(90, 2_000), ["first_aid"], api.own)
    volunteer(api.session, 3, at(270, 3_000), ["first_aid"], api.other)
    api.session.commit()
    return api


def _quick(client: TestClient, api: ApiHarness, **fields: Any) -> Any:
    """The dashboard's short form, as a phone sends it."""
    dashboard = client.get("/")
    first_aid = qualification(api.session, "first_aid")
    data = {
        "csrf_token": form_token(dashboard.text),
        "message": "Savnet person ved Nitelva. Oppmøte Lillestrøm stasjon kl 03.30.",
        "address": "",
        "lat": f"{LILLESTROM[1]}",
        "lon": f"{LILLESTROM[0]}",
        "need_qualification": str(first_aid.id),
        "need_count": "2",
        "radius_km": "10",
        "thank_when_covered": "1",
    } | fields
    return client.post("/callouts/new", data=data, follow_redirects=False)


def _draft_id(response: Any) -> int:
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/callouts/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


def _send(client: TestClient, callout_id: int) -> None:
    draft = client.get(f"/callouts/{callout_id}")
    sent = client.post(
        f"/callouts/{callout_id}/send",
        data={"csrf_token": form_token(draft.text)},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text


def test_the_dashboard_starts_a_callout_and_lists_the_open_ones(town: ApiHarness) -> None:
    officer = logged_in(town, OFFICER)
    dashboard = officer.get("/")
    assert 'id="h-new-callout"' in dashboard.text and 'action="/callouts/new"' in dashboard.text
    assert "Ingen utkalling er åpen." in dashboard.text
    # The short form: message, place, one need. The title is the message's first words.
    callout_id = _draft_id(_quick(officer, town))
    town.session.expire_all()
    draft = town.session.get(Callout, callout_id)
    assert draft is not None and draft.status is CalloutStatus.DRAFT
    assert draft.title == "Savnet person ved Nitelva. Oppmøte Lillestrøm stasjon kl..."
    assert draft.thank_when_covered and draft.radius_m == 10_000
    listed = officer.get("/").text
    assert f'href="/callouts/{callout_id}"' in listed and "Utkast: ikke sendt" in listed
    assert "vil spørre 3 frivillige" in listed
    _send(officer, callout_id)
    deliver_all(town.session, callout_id)
    rows = town.session.scalars(
        select(CalloutRecipient.id)
        .where(CalloutRecipient.callout_id == callout_id)
        .order_by(CalloutRecipient.id)
    ).all()
    town.session.execute(
        update(CalloutRecipient)
        .where(CalloutRecipient.id == rows[0])
        .values(answer=Answer.YES, answered_at=utcnow())
    )
    town.session.execute(
        update(CalloutRecipient)
        .where(CalloutRecipient.id == rows[1])
        .values(answer=Answer.NO, answered_at=utcnow())
    )
    town.session.commit()
    listed = officer.get("/").text
    assert "Ja 1 av 2 · Nei 1 · Ikke svart 1" in listed
    for role in OTHERS:
        other = logged_in(town, ROLE_EMAILS[role]).get("/").text
        assert 'id="h-new-callout"' not in other and f'href="/callouts/{callout_id}"' not in other


def test_a_mistake_in_the_short_form_shows_the_full_form_and_writes_nothing(
    town: ApiHarness,
) -> None:
    officer = logged_in(town, OFFICER)
    before = town.counts(Callout)
    response = _quick(officer, town, message="", need_qualification="")
    assert response.status_code == 422
    assert "Utkallingen ble ikke laget" in response.text
    assert 'href="#f-message"' in response.text and 'href="#f-needs"' in response.text
    assert town.counts(Callout) == before


def test_kart_opens_the_incident_map_for_those_who_run_callouts(town: ApiHarness) -> None:
    officer = logged_in(town, OFFICER).get("/").text
    assert 'href="/maps/incident"' in officer.split("</nav>")[0]
    for role in (Role.COUNCIL, Role.ORG_EDITOR):
        nav = logged_in(town, ROLE_EMAILS[role]).get("/").text.split("</nav>")[0]
        assert 'href="/maps/overview"' in nav and 'href="/maps/incident"' not in nav


@pytest.fixture
def boats(town: ApiHarness) -> ResourceType:
    boat = town.session.scalars(select(ResourceType).where(ResourceType.code == "small_boat")).one()
    far = Organisation(name="Fjern Båtforening", category="sea_rescue")
    far_site = Site(
        organisation=far, name="Fjernt naust", kind=SiteKind.STORAGE, location=Point(10.4, 59.4)
    )
    town.session.add_all([far, far_site])
    town.session.flush()
    own_site = town.session.scalars(select(Site).where(Site.name == "Eget lager")).one()
    town.session.add_all(
        [
            Equipment(organisation_id=town.own.id, site_id=own_site.id, resource_type_id=boat.id),
            Equipment(organisation_id=far.id, site_id=far_site.id, resource_type_id=boat.id),
        ]
    )
    town.session.commit()
    return boat


def test_the_incident_maps_filters_come_into_the_callout(
    town: ApiHarness, boats: ResourceType
) -> None:
    officer = logged_in(town, OFFICER)
    first_aid = qualification(town.session, "first_aid")
    link = (
        f"/callouts/new?lat=59.956&lon=11.0494&radius_m=10000&qualification={first_aid.id}"
        f"&resource_type={boats.id}&capability=transport&address=Storgata+1%2C+Lillestr%C3%B8m"
    )
    form = officer.get(link)
    assert form.status_code == 200
    text = form.text
    assert "Fra hendelseskartet: Småbåt med motor innenfor 10 km." in text
    assert f'name="resource_type" value="{boats.id}"' in text
    assert 'value="Storgata 1, Lillestrøm"' in text
    # The organisation holding a ready boat within the radius is chosen; the far one is not.
    assert f'<option value="{town.own.id}" selected>' in text
    far = town.session.scalars(select(Organisation).where(Organisation.name.like("Fjern%"))).one()
    assert f'<option value="{far.id}" selected>' not in text
    # A bad filter in the link is ignored, never an error.
    assert officer.get("/callouts/new?resource_type=abc&capability=%00x").status_code == 200
    assert "Fra hendelseskartet" not in officer.get("/callouts/new?resource_type=999999").text


def test_the_live_page_calls_tells_the_arrival_clock_and_who_opted_out(town: ApiHarness) -> None:
    officer = logged_in(town, OFFICER)
    callout_id = _draft_id(_quick(officer, town))
    _send(officer, callout_id)
    deliver_all(town.session, callout_id)
    first, second, _third = town.session.scalars(
        select(CalloutRecipient)
        .where(CalloutRecipient.callout_id == callout_id)
        .order_by(CalloutRecipient.id)
    ).all()
    answered = datetime(2026, 3, 1, 2, 22, tzinfo=NORWAY)
    first.answer, first.answered_at, first.minutes_to_arrival = Answer.YES, answered, 20
    town.session.commit()
    result = handle_inbound(
        town.session, from_number=second.mobile, body="STOP", received_at=utcnow()
    )
    town.session.commit()
    assert result.reply
    page = officer.get(f"/callouts/{callout_id}").text
    assert f'<a href="tel:{first.mobile}">{first.mobile}</a>' in page
    assert "(ca. 02:42)" in page
    row = page.split(f'data-recipient="{second.id}"')[1].split("</tr>")[0]
    assert "Avmeldt (STOPP)" in row
    assert 'data-count="opted_out">1<' in page and 'data-count="no_answer">1<' in page


def test_a_draft_is_discarded_after_a_confirmation_and_only_as_seen(town: ApiHarness) -> None:
    officer = logged_in(town, OFFICER)
    callout_id = _draft_id(_quick(officer, town))
    draft = officer.get(f"/callouts/{callout_id}")
    assert f'href="/callouts/{callout_id}/discard"' in draft.text
    confirm = officer.get(f"/callouts/{callout_id}/discard")
    assert confirm.status_code == 200 and "Forkaste utkastet?" in confirm.text
    token = form_token(confirm.text)
    version = re.search(r'name="version" value="(\d+)"', confirm.text)
    assert version
    forged = officer.post(f"/callouts/{callout_id}/discard", data={"version": version.group(1)})
    assert forged.status_code == 403
    stale = officer.post(
        f"/callouts/{callout_id}/discard",
        data={"csrf_token": token, "version": str(int(version.group(1)) + 1)},
    )
    assert stale.status_code == 409 and "Utkastet er endret i mellomtiden" in stale.text
    for bad in ("", "x", "9" * 30):
        refused = officer.post(
            f"/callouts/{callout_id}/discard", data={"csrf_token": token, "version": bad}
        )
        assert refused.status_code == 409
    town.session.expire_all()
    assert town.session.get(Callout, callout_id) is not None
    done = officer.post(
        f"/callouts/{callout_id}/discard",
        data={"csrf_token": token, "version": version.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/callouts?done=discarded"
    assert (
        "Utkastet er forkastet; ingenting ble sendt." in officer.get(done.headers["location"]).text
    )
    town.session.expire_all()
    assert town.session.get(Callout, callout_id) is None
    assert officer.get(f"/callouts/{callout_id}/discard").status_code == 404
    # A sent callout is never discarded: stopped instead.
    sent_id = _draft_id(_quick(officer, town))
    _send(officer, sent_id)
    assert officer.get(f"/callouts/{sent_id}/discard").status_code == 409
    live = officer.get(f"/callouts/{sent_id}")
    refused = officer.post(
        f"/callouts/{sent_id}/discard",
        data={"csrf_token": form_token(live.text), "version": "1"},
    )
    assert refused.status_code == 409 and "Stopp den i stedet" in refused.text
    for role in OTHERS:
        assert (
            logged_in(town, ROLE_EMAILS[role]).get(f"/callouts/{sent_id}/discard").status_code
            == 403
        )


def _inbound(api: ApiHarness, number: str, text: str, minutes_ago: int) -> None:
    handle_inbound(
        api.session,
        from_number=number,
        body=text,
        received_at=utcnow() - timedelta(minutes=minutes_ago),
    )
    api.session.commit()


def test_the_inbox_shows_every_sms_and_our_answer_to_the_callout_roles(town: ApiHarness) -> None:
    officer = logged_in(town, OFFICER)
    callout_id = _draft_id(_quick(officer, town))
    _send(officer, callout_id)
    deliver_all(town.session, callout_id)
    asked = town.session.scalars(
        select(CalloutRecipient.mobile).where(CalloutRecipient.callout_id == callout_id)
    ).first()
    assert asked
    _inbound(town, asked, "JA 15, kommer med bil", 5)
    _inbound(town, "+447700900999", "hei hvem er dette", 4)
    _inbound(town, asked, "hjelp", 3)
    page = officer.get("/sms/inbox")
    assert page.status_code == 200
    text = page.text
    # Newest first, with what we answered; the answer is linked to its callout.
    assert text.index("hjelp") < text.index("hei hvem er dette") < text.index("kommer med bil")
    assert "Ukjent nummer" in text and "Ba om hjelp" in text and "Svar registrert" in text
    assert f'href="/callouts/{callout_id}"' in text
    assert f'<a href="tel:{asked}">{asked}</a>' in text and "Frivillig" in text
    assert "kan inneholde helseopplysninger" in text
    reads = town.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "inbound_sms", AuditEntry.action == "read")
    ).all()
    assert reads and reads[-1].after == {"read": "web.sms_inbox", "count": 3}
    only = officer.get("/sms/inbox?callout=unmatched").text
    assert "hei hvem er dette" in only and "kommer med bil" not in only
    of_callout = officer.get(f"/sms/inbox?callout={callout_id}").text
    assert "kommer med bil" in of_callout and "hei hvem er dette" not in of_callout
    for bad in ("abc", "999999", "-1"):
        refused = officer.get(f"/sms/inbox?callout={bad}")
        assert refused.status_code == 422 and 'href="#f-callout"' in refused.text
    assert officer.get("/sms/inbox?page=x").status_code == 422
    assert officer.get("/sms/inbox?page=99").status_code == 200  # past the end: the last page
    for role in OTHERS:
        assert logged_in(town, ROLE_EMAILS[role]).get("/sms/inbox").status_code == 403


def test_the_inbox_is_paged(town: ApiHarness) -> None:
    town.session.add_all(
        InboundSms(
            from_number="+447700900999",
            body=f"melding {number}",
            received_at=utcnow() - timedelta(seconds=number),
            outcome="unknown_number",
            reply="hjelp",
        )
        for number in range(60)
    )
    town.session.commit()
    officer = logged_in(town, OFFICER)
    first = officer.get("/sms/inbox").text
    assert "melding 0<" in first and "melding 49<" in first and "melding 50<" not in first
    assert 'href="/sms/inbox?page=2"' in first
    second = officer.get("/sms/inbox?page=2").text
    assert "melding 50<" in second and "melding 0<" not in second


def test_start_callout_on_the_incident_map_keeps_its_address_and_filters(
    town: ApiHarness, boats: ResourceType
) -> None:
    search.forget()
    seed_addresses(town.session)
    town.session.commit()
    try:
        officer = logged_in(town, OFFICER)
        first_aid = qualification(town.session, "first_aid")
        incident = officer.get(
            "/maps/incident",
            params={
                "address": "Storgata 12",
                "radius_km": "10",
                "resource_type": boats.id,
                "qualification": first_aid.id,
            },
        )
        assert incident.status_code == 200, incident.text
        link = re.search(r'href="(/callouts/new\?[^"]+)"', incident.text)
        assert link, "the incident map has no link to the callout form"
        form = officer.get(link.group(1).replace("&amp;", "&")).text
        assert 'value="Storgata 12, 2000 Lillestrøm"' in form
        assert "Fra hendelseskartet: Småbåt med motor innenfor 10 km." in form
        assert f'<option value="{town.own.id}" selected>' in form
        assert f'<option value="{first_aid.id}" selected>' in form
    finally:
        search.forget()
