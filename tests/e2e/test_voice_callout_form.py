"""The callout's `voice_after_min` on the form and in the API, both backends: kept on the
draft; out of range, a 422 at the field and nothing written."""

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
