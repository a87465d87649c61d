"""The callout's `voice_after_min` and its escalation's own on the form and in the API, both
backends: kept on the draft; out of range, a 422 at the field and nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from alerts.models import Callout, CalloutRecipient
from beredskap.platform.auth.permissions import Role
from tests.e2e.test_callout_pages import OFFICER, _callout, _create, _draft
from tests.e2e.test_callout_pages import town as town  # the fixture
from tests.e2e.web_client import logged_in
from tests.support.api import ApiHarness
from tests.support.callouts import LILLESTROM

URL = "/api/v1/callouts"


def _body(**fields: Any) -> dict[str, Any]:
    return {
        "title": "Savnet person",
        "message": "Leteaksjon. Oppmøte Lillestrøm stasjon.",
        "lat": LILLESTROM[1],
        "lon": LILLESTROM[0],
        "radius_m": 5_000,
        "needs": [{"qualification": "first_aid", "count": 2}],
    } | fields


def test_the_form_keeps_the_minutes_before_a_call(town: ApiHarness) -> None:
    officer = logged_in(town, OFFICER)
    page = officer.get("/callouts/new")
    assert 'name="voice_after_min"' in page.text
    callout_id = _draft(officer, town, voice_after_min="5")
    assert _callout(town, callout_id).voice_after_min == 5
    assert _callout(town, _draft(officer, town)).voice_after_min is None


@pytest.mark.parametrize("value", ["0", "1441", "fem", "-3"])
def test_the_form_refuses_minutes_out_of_range_at_the_field(town: ApiHarness, value: str) -> None:
    officer = logged_in(town, OFFICER)
    before = town.counts(Callout, CalloutRecipient)
    response = _create(officer, town, voice_after_min=value)
    assert response.status_code == 422, response.text
    assert 'id="f-voice_after_min"' in response.text
    assert (
        'aria-invalid="true"'
        in response.text.split('id="f-voice_after_min"')[0][-400:]
        + (response.text.split('id="f-voice_after_min"')[1][:400])
    )
    assert town.counts(Callout, CalloutRecipient) == before


def test_the_api_keeps_and_shows_the_minutes(town: ApiHarness) -> None:
    response = town.post(Role.DUTY_OFFICER, URL, json=_body(voice_after_min=3))
    assert response.status_code == 201, response.text
    assert response.json()["voice_after_min"] == 3


@pytest.mark.parametrize("value", [0, 1441, "x", 2.5])
def test_the_api_refuses_minutes_out_of_range_with_422(town: ApiHarness, value: Any) -> None:
    before = town.counts(Callout, CalloutRecipient)
    response = town.post(Role.DUTY_OFFICER, URL, json=_body(voice_after_min=value))
    assert response.status_code == 422, response.text
    assert "voice_after_min" in response.text
    assert town.counts(Callout, CalloutRecipient) == before


# -- the escalation step's own minutes (escalation.voice_after_min) ---------------------------

WIDER = {"escalate_after_min": "10", "escalate_radius_km": "20"}


def test_the_form_keeps_the_escalations_minutes_and_the_page_says_them(town: ApiHarness) -> None:
    officer = logged_in(town, OFFICER)
    page = officer.get("/callouts/new")
    assert 'name="escalate_voice_after_min"' in page.text
    assert 'aria-describedby="f-escalate_voice_after_min-hint"' in page.text
    callout_id = _draft(officer, town, voice_after_min="15", escalate_voice_after_min="4", **WIDER)
    callout = _callout(town, callout_id)
    assert (callout.voice_after_min, callout.escalate_voice_after_min) == (15, 4)
    shown = logged_in(town, OFFICER, "en").get(f"/callouts/{callout_id}")
    assert "phone call after 4 min" in shown.text
    # Unset: the escalation's recipients follow the callout's minutes, and the page says so.
    other = _callout(town, _draft(officer, town, voice_after_min="15", **WIDER))
    assert other.escalate_voice_after_min is None
    assert (
        "phone call after 15 min"
        in logged_in(town, OFFICER, "en").get(f"/callouts/{other.id}").text
    )


@pytest.mark.parametrize("value", ["0", "1441", "abc", "-3"])
def test_the_form_refuses_the_escalations_minutes_out_of_range_at_the_field(
    town: ApiHarness, value: str
) -> None:
    officer = logged_in(town, OFFICER)
    before = town.counts(Callout, CalloutRecipient)
    response = _create(officer, town, escalate_voice_after_min=value, **WIDER)
    assert response.status_code == 422, response.text
    field = response.text.split('id="f-escalate_voice_after_min"')
    assert len(field) == 2
    tag = field[0][field[0].rindex("<input") :] + field[1][: field[1].index(">")]
    assert 'aria-invalid="true"' in tag
    assert "f-escalate_voice_after_min-error" in tag
    assert 'id="f-escalate_voice_after_min-error"' in response.text
    assert town.counts(Callout, CalloutRecipient) == before


def test_the_escalations_minutes_alone_ask_for_the_escalations_minutes(town: ApiHarness) -> None:
    officer = logged_in(town, OFFICER)
    before = town.counts(Callout, CalloutRecipient)
    response = _create(officer, town, escalate_voice_after_min="5")
    assert response.status_code == 422, response.text
    assert 'id="f-escalate_after_min-error"' in response.text
    assert town.counts(Callout, CalloutRecipient) == before


def test_the_api_keeps_and_shows_the_escalations_minutes(town: ApiHarness) -> None:
    escalation = {"after_min": 10, "radius_m": 20_000, "voice_after_min": 4}
    response = town.post(Role.DUTY_OFFICER, URL, json=_body(escalation=escalation))
    assert response.status_code == 201, response.text
    assert response.json()["escalation"]["voice_after_min"] == 4
    assert _callout(town, response.json()["id"]).escalate_voice_after_min == 4
    unset = town.post(
        Role.DUTY_OFFICER, URL, json=_body(escalation={"after_min": 10, "radius_m": 20_000})
    )
    assert unset.status_code == 201, unset.text
    assert unset.json()["escalation"]["voice_after_min"] is None


@pytest.mark.parametrize("value", [0, 1441, "abc", 2.5])
def test_the_api_refuses_the_escalations_minutes_out_of_range_with_422(
    town: ApiHarness, value: Any
) -> None:
    before = town.counts(Callout, CalloutRecipient)
    escalation = {"after_min": 10, "radius_m": 20_000, "voice_after_min": value}
    response = town.post(Role.DUTY_OFFICER, URL, json=_body(escalation=escalation))
    assert response.status_code == 422, response.text
    assert "voice_after_min" in response.text and "escalation" in response.text
    assert town.counts(Callout, CalloutRecipient) == before
