"""Repeats on the exercise pages over HTTP, both backends: a preset whose rule does not start
on the chosen date says so and shows the dates before anything is saved, and the exercise's
page gives the rule in words."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from exercises.models import Exercise
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness

PLANNER = ROLE_EMAILS[Role.PLANNER]
QUARTERLY = {
    "title": "Kvartalsvis varslingsøvelse",
    "type": "tabletop",
    # The second Tuesday of January: the rule's first date is the first Tuesday of April.
    "start_date": "2027-01-12",
    "start_time": "18:00",
    "end_date": "2027-01-12",
    "end_time": "19:00",
    "recurrence_preset": "quarterly_first_tuesday",
}


def _post(client: TestClient, data: dict[str, Any]) -> Any:
    token = form_token(client.get("/exercises/new").text)
    return client.post("/exercises/new", data=data | {"csrf_token": token}, follow_redirects=False)


def _count(api: ApiHarness) -> int:
    api.session.expire_all()
    return len(api.session.scalars(select(Exercise.id)).all())


def test_a_preset_that_moves_the_date_says_so_and_saves_only_when_confirmed(
    api: ApiHarness,
) -> None:
    planner = logged_in(api, PLANNER)
    asked = _post(planner, QUARTERLY)
    assert asked.status_code == 200, asked.text
    assert 'id="moved"' in asked.text and "12.01.2027 18:00" in asked.text
    assert "06.04.2027 18:00" in asked.text and "06.07.2027 18:00" in asked.text
    assert _count(api) == 0  # nothing saved behind the planner's back
    confirm = form_token(asked.text)
    first = asked.text.split('name="confirm_first_date" value="', 1)[1].split('"', 1)[0]
    # A confirmation of another first date (the start changed meanwhile) asks again.
    again = planner.post(
        "/exercises/new",
        data=QUARTERLY | {"csrf_token": confirm, "confirm_first_date": "2027-01-12T17:00:00+00:00"},
        follow_redirects=False,
    )
    assert again.status_code == 200 and 'id="moved"' in again.text and _count(api) == 0
    saved = planner.post(
        "/exercises/new",
        data=QUARTERLY | {"csrf_token": confirm, "confirm_first_date": first},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    api.session.expire_all()
    starts = sorted(e.starts_at for e in api.session.scalars(select(Exercise)))
    assert starts[0].date().isoformat() == "2027-04-06"


def test_a_preset_that_starts_on_the_chosen_date_saves_at_once(api: ApiHarness) -> None:
    planner = logged_in(api, PLANNER)
    first_tuesday = QUARTERLY | {"start_date": "2027-01-05", "end_date": "2027-01-05"}
    saved = _post(planner, first_tuesday)
    assert saved.status_code == 303, saved.text
    page = planner.get(saved.headers["location"]).text
    assert "FREQ=" not in page


def test_bad_confirmation_input_is_not_an_error(api: ApiHarness) -> None:
    planner = logged_in(api, PLANNER)
    odd = _post(planner, QUARTERLY | {"confirm_first_date": "x" * 300})
    assert odd.status_code == 200 and 'id="moved"' in odd.text and _count(api) == 0
