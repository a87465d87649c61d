"""The callout pages over HTTP on both backends: who may open them, the form (prefilled from
the incident map), the draft with its confirmation step, and the live page's actions."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from alerts.callouts import pages
from alerts.models import (
    Answer,
    Callout,
    CalloutNotice,
    CalloutRecipient,
    CalloutStatus,
    NoticeKind,
)
from alerts.outbox import worker_status
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.register.agreements.models import Agreement, AgreementStatus
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness
from tests.support.callouts import LILLESTROM, answer, at, deliver_all, qualification, volunteer

OFFICER = ROLE_EMAILS[Role.DUTY_OFFICER]


@pytest.fixture
def town(api: ApiHarness) -> ApiHarness:
    volunteer(api.session, 1, at(0, 1_000), ["first_aid"], api.own)
    volunteer(api.session, 2, at(90, 2_000), ["first_aid"], api.own)
    volunteer(api.session, 3, at(270, 3_000), ["first_aid"], api.other)
    api.session.commit()
    return api


def _form(api: ApiHarness, **fields: Any) -> dict[str, Any]:
    first_aid = qualification(api.session, "first_aid")
    return {
        "title": "Savnet person",
        "message": "Leteaksjon. Oppmøte Lillestrøm stasjon.",
        "lat": f"{LILLESTROM[1]}".replace(".", ","),
        "lon": f"{LILLESTROM[0]}",
        "radius_km": "5",
        "need_qualification": [str(first_aid.id), ""],
        "need_count": ["2", ""],
        "thank_when_covered": "1",
    } | fields


def _create(client: TestClient, api: ApiHarness, **fields: Any) -> Any:
    page = client.get("/callouts/new")
    data = _form(api, **fields) | {"csrf_token": form_token(page.text)}
    return client.post("/callouts/new", data=data, follow_redirects=False)


def _callout(api: ApiHarness, callout_id: int) -> Callout:
    api.session.expire_all()
    found = api.session.get(Callout, callout_id)
    assert found is not None
    return found


def _draft(client: TestClient, api: ApiHarness, **fields: Any) -> int:
    response = _create(client, api, **fields)
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/callouts/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


def _do(client: TestClient, callout_id: int, action: str) -> Any:
    confirm = client.get(f"/callouts/{callout_id}/{action}")
    assert confirm.status_code == 200, confirm.text
    assert f'action="/callouts/{callout_id}/{action}"' in confirm.text
    return client.post(
        f"/callouts/{callout_id}/{action}",
        data={"csrf_token": form_token(confirm.text)},
        follow_redirects=False,
    )


def test_only_the_callout_roles_see_the_pages_and_the_menu_link(town: ApiHarness) -> None:
    officer = logged_in(town, OFFICER)
    listing = officer.get("/callouts")
    assert listing.status_code == 200 and "<h1>Utkallinger</h1>" in listing.text
    assert 'href="/callouts" aria-current="page"' in listing.text
    assert "script-src 'self'" in listing.headers["content-security-policy"]
    for role in (Role.COUNCIL, Role.PLANNER, Role.ORG_EDITOR):
        client = logged_in(town, ROLE_EMAILS[role])
        assert 'href="/callouts"' not in client.get("/").text
        for path in ("/callouts", "/callouts/new"):
            assert client.get(path).status_code == 403


def test_the_incident_map_links_to_the_form_which_takes_its_point_radius_and_need(
    town: ApiHarness,
) -> None:
    officer = logged_in(town, OFFICER)
    first_aid = qualification(town.session, "first_aid")
    incident = officer.get(
        "/maps/incident",
        params={"lat": "59.956", "lon": "11.0494", "radius_km": "5", "qualification": first_aid.id},
    )
    assert incident.status_code == 200, incident.text
    link = re.search(r'href="(/callouts/new\?[^"]+)"', incident.text)
    assert link, "the incident map has no link to the callout form"
    form = officer.get(link.group(1).replace("&amp;", "&"))
    assert form.status_code == 200
    assert 'value="59.956000"' in form.text and 'value="11.049400"' in form.text
    assert 'id="f-radius_km" name="radius_km"' in form.text and 'value="5"' in form.text
    assert f'<option value="{first_aid.id}" selected>' in form.text
    # Nonsense in the link is ignored, not an error.
    assert officer.get("/callouts/new?lat=abc&radius_m=-1&qualification=x").status_code == 200


def test_the_form_makes_a_draft_that_shows_whom_it_would_ask(town: ApiHarness) -> None:
    officer = logged_in(town, OFFICER)
    callout_id = _draft(officer, town, organisation_ids=[str(town.own.id)])
    page = officer.get(f"/callouts/{callout_id}")
    assert page.status_code == 200
    assert "Vil spørre 2 frivillige" in page.text
    assert "Frivillig 1" in page.text and "+447700900401" in page.text
    assert "Frivillig 3" not in page.text  # another organisation
    assert f'action="/callouts/{callout_id}/send"' in page.text  # sent from the preview
    callout = _callout(town, callout_id)
    assert callout.status == CalloutStatus.DRAFT and callout.thank_when_covered
    assert callout.radius_m == 5_000 and callout.organisation_ids == [town.own.id]


def test_the_form_asks_by_agreement(town: ApiHarness) -> None:
    agreement = Agreement(
        organisation_id=town.other.id,
        reference="BER-2026-9",
        title="Søk og redning",
        status=AgreementStatus.ACTIVE,
        valid_from=today_in_norway() - timedelta(days=10),
    )
    town.session.add(agreement)
    town.session.commit()
    officer = logged_in(town, OFFICER)
    assert "BER-2026-9 Søk og redning" in officer.get("/callouts/new").text
    callout_id = _draft(officer, town, agreement_ids=[str(agreement.id)])
    assert _callout(town, callout_id).organisation_ids == [town.other.id]
    page = officer.get(f"/callouts/{callout_id}")
    assert "Frivillig 3" in page.text and "Frivillig 1" not in page.text


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"message": ""}, "Melding: må fylles ut"),
        ({"lat": "nord"}, "skriv et tall"),
        ({"lat": "11.0", "lon": "59.9"}, "ligger utenfor Norge (breddegrad 57.0"),
        ({"radius_km": "0"}, "skriv en radius over 0"),
        ({"need_qualification": ["", ""], "need_count": ["", ""]}, "si hva som trengs"),
        ({"need_qualification": ["999999"], "need_count": ["1"]}, "velg en kvalifikasjon"),
        ({"escalate_radius_km": "20"}, "skriv hvor mange minutter"),
        ({"escalate_after_min": "10", "escalate_radius_km": "2"}, "må være større enn radiusen"),
        ({"organisation_ids": ["999999"]}, "velg et av alternativene"),
        ({"agreement_ids": ["999999"]}, "velg et av alternativene"),
    ],
)
def test_bad_input_shows_the_form_again_and_writes_nothing(
    town: ApiHarness, fields: dict[str, Any], message: str
) -> None:
    officer = logged_in(town, OFFICER)
    before = town.counts(Callout, CalloutRecipient)
    response = _create(officer, town, **fields)
    assert response.status_code == 422, response.text
    assert message in response.text
    assert "Utkallingen ble ikke laget" in response.text
    assert town.counts(Callout, CalloutRecipient) == before


def test_sending_needs_the_confirmation_and_the_form_token(town: ApiHarness) -> None:
    officer = logged_in(town, OFFICER)
    callout_id = _draft(officer, town)
    forged = officer.post(f"/callouts/{callout_id}/send", data={}, follow_redirects=False)
    assert forged.status_code == 403
    assert _callout(town, callout_id).status == CalloutStatus.DRAFT
    confirm = officer.get(f"/callouts/{callout_id}/send")
    assert "Dette er en reell utkalling, ikke en øvelse." in confirm.text
    sent = _do(officer, callout_id, "send")
    assert sent.status_code == 303
    assert sent.headers["location"].startswith(f"/callouts/{callout_id}?done=sent")
    live = officer.get(sent.headers["location"])
    assert "Utkallingen står i kø for sending." in live.text
    assert '<script src="/static/callouts/live.js" defer></script>' in live.text
    assert 'data-count="queued">3<' in live.text
    assert _callout(town, callout_id).status == CalloutStatus.ACTIVE
    again = _do(officer, callout_id, "send")
    assert again.status_code == 409 and "Utkallingen er sendt allerede." in again.text


def test_the_live_page_follows_up_tells_the_rest_and_stops(town: ApiHarness) -> None:
    officer = logged_in(town, OFFICER)
    callout_id = _draft(officer, town, exercise="1")
    assert _do(officer, callout_id, "send").status_code == 303
    deliver_all(town.session, callout_id)
    first, second, third = town.session.scalars(
        select(CalloutRecipient.id)
        .where(CalloutRecipient.callout_id == callout_id)
        .order_by(CalloutRecipient.id)
    ).all()
    answer(town.session, first, Answer.YES, minutes=20)
    answer(town.session, second, Answer.NO)
    town.session.commit()
    live = officer.get(f"/callouts/{callout_id}")
    assert 'class="exercise-banner"' in live.text and "ØVELSE ØVELSE ØVELSE" in live.text
    assert 'data-count="yes">1<' in live.text and 'data-count="delivered">3<' in live.text
    assert '<span data-field="answer" class="answer answer--yes">JA</span>' in live.text
    token = form_token(live.text)
    empty = officer.post(
        f"/callouts/{callout_id}/follow-up", data={"csrf_token": token, "message": " "}
    )
    assert empty.status_code == 422 and "Skriv oppfølgingen" in empty.text
    followed = officer.post(
        f"/callouts/{callout_id}/follow-up",
        data={"csrf_token": token, "message": "Oppmøte ved brannstasjonen"},
        follow_redirects=False,
    )
    assert followed.status_code == 303
    assert "Oppfølgingen står i kø til 1 person." in officer.get(followed.headers["location"]).text
    covered = _do(officer, callout_id, "covered")
    assert covered.status_code == 303
    assert (
        "Behovet er dekket: 2 personer får beskjed."
        in officer.get(covered.headers["location"]).text
    )
    assert _do(officer, callout_id, "covered").status_code == 409
    bodies = town.session.scalars(select(CalloutNotice.body)).all()
    assert len(bodies) == 3 and all(body.startswith("ØVELSE ØVELSE ØVELSE") for body in bodies)
    # "Covered" to who said yes (come as agreed) and who has not answered, never to a no.
    told = dict(
        town.session.execute(
            select(CalloutNotice.recipient_id, CalloutNotice.body).where(
                CalloutNotice.kind == NoticeKind.COVERED
            )
        ).all()
    )
    assert set(told) == {first, third}
    assert "Du svarte JA: møt som avtalt." in told[first]
    assert "du trenger ikke møte" in told[third]
    stopped = _do(officer, callout_id, "stop")
    assert stopped.status_code == 303
    assert _callout(town, callout_id).status == CalloutStatus.STOPPED
    assert _do(officer, callout_id, "stop").status_code == 409
    listing = officer.get("/callouts")
    assert "Ingen utkallinger ennå." in listing.text  # the exercise is not a real callout
    assert 'class="badge badge--exercise"' in listing.text


def test_the_page_warns_when_no_sender_runs(
    town: ApiHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = logged_in(town, OFFICER)
    callout_id = _draft(officer, town)
    # No worker has ever beaten: the duty officer must know nothing will be sent.
    assert "Ingen sender kjører" in officer.get(f"/callouts/{callout_id}").text
    now = utcnow()
    worker_status.beat(town.session, "worker-1", now=now, started_at=now)
    assert "Ingen sender kjører" not in officer.get(f"/callouts/{callout_id}").text
    # A heartbeat gone stale (the worker died) warns again.
    worker_status.beat(town.session, "worker-1", now=now - timedelta(minutes=5), started_at=now)
    assert "Ingen sender kjører" in officer.get(f"/callouts/{callout_id}").text
    # A page never fails because the heartbeat cannot be read: it just does not warn.
    monkeypatch.setattr(pages.sending_status, "current", _raise)
    assert officer.get(f"/callouts/{callout_id}").status_code == 200


def _raise(*_args: Any) -> bool:
    raise RuntimeError("heartbeat table unreadable")


def test_the_pages_speak_english_on_request(town: ApiHarness) -> None:
    officer = logged_in(town, OFFICER, language="en")
    callout_id = _draft(officer, town)
    page = officer.get(f"/callouts/{callout_id}")
    assert "Would ask 3 volunteers" in page.text and "Send the SMS to 3 volunteers now" in page.text
    assert "<h1>Callouts</h1>" in officer.get("/callouts").text


@pytest.mark.parametrize(
    "query", ["done=covered&count=²", "done=nonsense&count=-1", "done=&count="]
)
def test_odd_confirmation_parameters_are_ignored(town: ApiHarness, query: str) -> None:
    officer = logged_in(town, OFFICER)
    callout_id = _draft(officer, town)
    assert officer.get(f"/callouts/{callout_id}?{query}").status_code == 200
    assert officer.get("/callouts/abc").status_code == 404  # no such page
    assert officer.get(f"/callouts/{callout_id}/launch").status_code == 404
