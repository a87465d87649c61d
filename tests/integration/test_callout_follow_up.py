"""Follow-up, "need covered", and the list of callouts (filters, summary, few queries) through
/api/v1/callouts on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from alerts.inbound.sms import handle_inbound
from alerts.models import Answer, CalloutNotice, CalloutRecipient, RecipientState
from alerts.outbox import claims as outbox
from beredskap.platform.auth.models import Role
from tests.support.api import ApiHarness
from tests.support.callouts import URL, answer, at, body, deliver_all, volunteer


@pytest.fixture
def town(api: ApiHarness) -> ApiHarness:
    volunteer(api.session, 1, at(0, 1_000), ["first_aid"], api.own)
    volunteer(api.session, 2, at(90, 2_000), ["first_aid"], api.own)
    volunteer(api.session, 3, at(180, 3_000), ["first_aid", "boat_licence"], api.own)
    volunteer(api.session, 4, at(270, 3_500), ["first_aid"], api.other)
    api.session.commit()
    return api


def _sent(api: ApiHarness, **fields: Any) -> dict[str, Any]:
    created = api.post(Role.DUTY_OFFICER, URL, json=body(**fields))
    assert created.status_code == 201, created.text
    sent = api.post(Role.DUTY_OFFICER, f"{URL}/{created.json()['id']}/send")
    assert sent.status_code == 202, sent.text
    deliver_all(api.session, sent.json()["id"])
    api.session.commit()
    return dict(sent.json())


def _recipients(api: ApiHarness, callout_id: int) -> list[dict[str, Any]]:
    response = api.get(Role.DUTY_OFFICER, f"{URL}/{callout_id}/recipients", params={"limit": 500})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _say_yes(api: ApiHarness, callout_id: int, count: int) -> list[int]:
    ids = [item["id"] for item in _recipients(api, callout_id)][:count]
    for recipient_id in ids:
        answer(api.session, recipient_id, Answer.YES, minutes=15)
    api.session.commit()
    return ids


def test_a_follow_up_goes_to_those_who_said_yes(town: ApiHarness) -> None:
    callout = _sent(town)
    url = f"{URL}/{callout['id']}/follow-up"
    nobody = town.post(Role.DUTY_OFFICER, url, json={"message": "Oppmøte ved brannstasjonen"})
    assert nobody.status_code == 409, nobody.text
    yes = _say_yes(town, callout["id"], 2)
    response = town.post(Role.DUTY_OFFICER, url, json={"message": "Oppmøte ved brannstasjonen"})
    assert response.status_code == 202, response.text
    assert response.json() == {"callout_id": callout["id"], "queued": 2}
    town.session.expire_all()
    notices = town.session.scalars(select(CalloutNotice).order_by(CalloutNotice.id)).all()
    assert [notice.recipient_id for notice in notices] == yes
    assert all("Oppmøte ved brannstasjonen" in notice.body for notice in notices)
    assert all(notice.state == RecipientState.QUEUED for notice in notices)
    shown = {item["id"]: item["notices"] for item in _recipients(town, callout["id"])}
    queued = {"kind": "follow_up", "state": "queued", "provider": None}  # no provider yet
    assert all(shown[i] == [queued] for i in yes)
    assert sum(1 for notices_of in shown.values() if not notices_of) == len(shown) - 2


def test_a_draft_gets_no_follow_up_and_bad_input_writes_nothing(town: ApiHarness) -> None:
    draft = town.post(Role.DUTY_OFFICER, URL, json=body()).json()
    url = f"{URL}/{draft['id']}/follow-up"
    assert town.post(Role.DUTY_OFFICER, url, json={"message": "Kom"}).status_code == 409
    callout = _sent(town)
    _say_yes(town, callout["id"], 1)
    url = f"{URL}/{callout['id']}/follow-up"
    before = town.counts(CalloutNotice)
    for bad in ({}, {"message": ""}, {"message": "x" * 481}, {"message": "a", "to": "all"}):
        response = town.post(Role.DUTY_OFFICER, url, json=bad)
        assert response.status_code == 422, (bad, response.text)
    assert (
        town.post(Role.DUTY_OFFICER, f"{URL}/987654/follow-up", json={"message": "x"}).status_code
        == 404
    )
    for role in (Role.COUNCIL, Role.PLANNER, Role.ORG_EDITOR):
        assert town.post(role, url, json={"message": "Kom"}).status_code == 403
        assert town.post(role, f"{URL}/{callout['id']}/covered").status_code == 403
    assert town.post(None, url, json={"message": "Kom"}).status_code == 401
    assert town.counts(CalloutNotice) == before


def test_covered_tells_the_rest_once_and_cancels_what_is_unsent(town: ApiHarness) -> None:
    draft = town.post(Role.DUTY_OFFICER, URL, json=body()).json()
    assert town.post(Role.DUTY_OFFICER, f"{URL}/{draft['id']}/covered").status_code == 409
    callout = _sent(town, escalation={"after_min": 30, "radius_m": 10_000})
    yes = _say_yes(town, callout["id"], 1)
    # One message still waiting for the sender: it is cancelled, not thanked.
    waiting = town.session.scalars(
        select(CalloutRecipient).where(
            CalloutRecipient.callout_id == callout["id"], CalloutRecipient.id.not_in(yes)
        )
    ).first()
    assert waiting is not None
    waiting.state = RecipientState.QUEUED
    town.session.commit()
    response = town.post(Role.ADMIN, f"{URL}/{callout['id']}/covered")
    assert response.status_code == 202, response.text
    asked = callout["recipients_count"]
    # Everyone but the unsent: the yes is told it is covered (come as agreed), the others
    # that they need not come.
    assert response.json()["queued"] == asked - 1
    again = town.post(Role.DUTY_OFFICER, f"{URL}/{callout['id']}/covered")
    assert again.status_code == 409, again.text
    read = town.get(Role.DUTY_OFFICER, f"{URL}/{callout['id']}").json()
    assert read["covered_at"] is not None and read["escalation"]["due_at"] is None
    assert read["counts"]["cancelled"] == 1
    kinds = {
        item["id"]: [n["kind"] for n in item["notices"]]
        for item in _recipients(town, callout["id"])
    }
    assert kinds[yes[0]] == ["covered"] and kinds[waiting.id] == []
    assert sum(1 for found in kinds.values() if found == ["covered"]) == asked - 1


def _ids(api: ApiHarness, **params: Any) -> list[int]:
    response = api.get(Role.DUTY_OFFICER, URL, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_the_list_filters_by_status_and_exercise_and_counts_them_apart(town: ApiHarness) -> None:
    real_draft = town.post(Role.DUTY_OFFICER, URL, json=body()).json()
    drill_draft = town.post(Role.DUTY_OFFICER, URL, json=body(exercise=True)).json()
    real = _sent(town)
    drill = _sent(town, exercise=True)
    _say_yes(town, drill["id"], 2)
    assert _ids(town) == [drill["id"], real["id"], drill_draft["id"], real_draft["id"]]
    assert _ids(town, status="active") == [drill["id"], real["id"]]
    assert _ids(town, exercise="true") == [drill["id"], drill_draft["id"]]
    assert _ids(town, exercise="false", status="draft") == [real_draft["id"]]
    assert _ids(town, status="stopped") == []
    listed = town.get(Role.DUTY_OFFICER, URL, params={"exercise": "true"}).json()["items"]
    assert listed[0]["counts"]["yes"] == 2 and listed[0]["needs"][0]["yes"] == 2
    for bad in ({"status": "open"}, {"exercise": "maybe"}, {"limit": 0}):
        assert town.get(Role.DUTY_OFFICER, URL, params=bad).status_code == 422
    summary = town.get(Role.DUTY_OFFICER, f"{URL}/summary")
    assert summary.status_code == 200, summary.text
    totals = summary.json()
    asked = real["recipients_count"]
    assert totals["real"] == {
        "callouts": 2, "draft": 1, "active": 1, "stopped": 0, "asked": asked, "yes": 0
    }  # fmt: skip
    assert totals["exercise"] == {
        "callouts": 2, "draft": 1, "active": 1, "stopped": 0, "asked": asked, "yes": 2
    }  # fmt: skip
    for role in (Role.COUNCIL, Role.PLANNER, Role.ORG_EDITOR):
        assert town.get(role, f"{URL}/summary").status_code == 403


def _statements(engine: Engine, api: ApiHarness, url: str) -> int:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert api.get(Role.DUTY_OFFICER, url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_a_page_of_callouts_costs_the_same_queries_for_one_or_many(
    town: ApiHarness, engine: Engine
) -> None:
    _sent(town)
    one = _statements(engine, town, URL)
    for _ in range(5):
        _sent(town, needs=[{"qualification": "first_aid", "count": 1},
                           {"qualification": "boat_licence", "count": 1}])  # fmt: skip
    many = _statements(engine, town, URL)
    assert town.get(Role.DUTY_OFFICER, URL).json()["total"] == 6
    assert 0 < many == one, f"{one} statements for one callout, {many} for six"


def test_a_stop_holds_for_the_notices_queued_after_it(town: ApiHarness) -> None:
    """A volunteer who replied STOP is not sent the covered notice or a follow-up queued
    later: consent is checked when a message is sent, and the notice is cancelled."""
    callout = _sent(town)
    rows = town.session.scalars(
        select(CalloutRecipient)
        .where(CalloutRecipient.callout_id == callout["id"])
        .order_by(CalloutRecipient.id)
    ).all()
    said_yes, stopped = rows[0], rows[1]
    answer(town.session, said_yes.id, Answer.YES, minutes=10)
    town.session.commit()
    for row in (said_yes, stopped):
        handle_inbound(
            town.session, from_number=row.mobile, body="STOP", received_at=datetime.now(UTC)
        )
    town.session.commit()
    url = f"{URL}/{callout['id']}"
    follow_up = town.post(Role.DUTY_OFFICER, f"{url}/follow-up", json={"message": "Oppmøte"})
    assert follow_up.status_code in (202, 409), follow_up.text
    assert town.post(Role.DUTY_OFFICER, f"{url}/covered").status_code == 202
    claims = outbox.claim_due(town.session, now=datetime.now(UTC), limit=500, worker="test")
    town.session.commit()
    withdrawn = {said_yes.mobile, stopped.mobile}
    assert claims and not [claim for claim in claims if claim.to in withdrawn]
    town.session.expire_all()
    theirs = town.session.scalars(
        select(CalloutNotice).where(CalloutNotice.mobile.in_(withdrawn))
    ).all()
    assert all(notice.state == RecipientState.CANCELLED for notice in theirs)
    assert all(notice.error_code == outbox.CONSENT_WITHDRAWN for notice in theirs)
