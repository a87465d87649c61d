"""SMS consent as a history on both backends: every change is an event (given or withdrawn,
when, how, by whom); a withdrawal by STOP is undone only by the volunteer's START, and staff
who try get 409 with nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alerts.inbound.sms import handle_inbound
from beredskap.platform.auth.models import Role
from beredskap.register.volunteers.models import ConsentEvent
from tests.support.api import ApiHarness
from tests.support.callouts import URL as CALLOUTS
from tests.support.callouts import at, sent_and_delivered, volunteer

URL = "/api/v1/volunteers"
MOBILE = "+4791234568"


def _history(api: ApiHarness, volunteer_id: int) -> dict[str, Any]:
    response = api.get(Role.ADMIN, f"{URL}/{volunteer_id}/consent")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _reply(api: ApiHarness, text: str) -> None:
    handle_inbound(api.session, from_number=MOBILE, body=text, received_at=datetime.now(UTC))
    api.session.commit()


def test_stop_is_undone_only_by_the_volunteer(api: ApiHarness) -> None:
    created = api.post(
        Role.ADMIN,
        URL,
        json={
            "full_name": "Ola Samtykke",
            "mobile": MOBILE,
            "sms_consent": True,
            "memberships": [{"organisation_id": api.own.id}],
        },
    )
    assert created.status_code == 201, created.text
    volunteer_id = created.json()["id"]
    url = f"{URL}/{volunteer_id}"
    first = _history(api, volunteer_id)["events"]
    assert [(e["given"], e["channel"]) for e in first] == [(True, "staff")]
    assert first[0]["actor"]  # who registered the consent

    _reply(api, "STOP")
    history = _history(api, volunteer_id)
    assert history["sms_consent"] is False and history["withdrawn_by_sms"] is True
    assert [(e["given"], e["channel"]) for e in history["events"]][-1] == (False, "sms")

    before = api.counts(ConsentEvent)
    refused = api.patch(Role.ADMIN, url, json={"sms_consent": True})
    assert refused.status_code == 409, refused.text
    assert "START" in refused.json()["detail"]
    assert api.counts(ConsentEvent) == before
    assert api.get(Role.ADMIN, url).json()["sms_consent"] is False

    _reply(api, "START")
    history = _history(api, volunteer_id)
    assert history["sms_consent"] is True and history["withdrawn_by_sms"] is False
    # A withdrawal staff recorded on the volunteer's word, staff may record back.
    assert api.patch(Role.ADMIN, url, json={"sms_consent": False}).status_code == 200
    assert api.patch(Role.ADMIN, url, json={"sms_consent": True}).status_code == 200
    channels = [(e["given"], e["channel"]) for e in _history(api, volunteer_id)["events"]]
    assert channels == [
        (True, "staff"),
        (False, "sms"),
        (True, "sms"),
        (False, "staff"),
        (True, "staff"),
    ]


def test_the_history_is_personal_data(api: ApiHarness) -> None:
    created = api.post(
        Role.ADMIN,
        URL,
        json={"full_name": "Kari Historikk", "mobile": MOBILE, "sms_consent": True},
    )
    url = f"{URL}/{created.json()['id']}/consent"
    assert api.get(Role.COUNCIL, url).status_code == 403
    assert api.get(Role.PLANNER, url).status_code == 403
    # Not a member of the org editor's organisations: as if it did not exist.
    assert api.get(Role.ORG_EDITOR, url).status_code == 404
    assert api.get(Role.DUTY_OFFICER, url).status_code == 200
    assert api.get(Role.ADMIN, f"{URL}/987654/consent").status_code == 404


def test_the_callout_shows_who_opted_out_not_a_missing_answer(api: ApiHarness) -> None:
    person = volunteer(api.session, 7, at(0, 1_000), ["first_aid"], api.own)
    person.mobile = MOBILE
    volunteer(api.session, 8, at(90, 1_000), ["first_aid"], api.own)
    api.session.commit()
    callout_id = sent_and_delivered(api)
    _reply(api, "STOP")
    listed = api.get(Role.DUTY_OFFICER, f"{CALLOUTS}/{callout_id}/recipients").json()["items"]
    problems = {item["mobile"]: item["problem"] for item in listed}
    assert problems[MOBILE] == "opted_out"
    assert [problem for mobile, problem in problems.items() if mobile != MOBILE] == [None]
