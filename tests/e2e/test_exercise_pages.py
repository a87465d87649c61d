"""The planner's exercise pages over HTTP on both backends: the form with field errors (nothing
saved), a conflict shown before saving and "Save anyway", the exercise page per role, and
the confirmed cancel."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.platform.web.i18n import translations
from beredskap.register.volunteers.models import Volunteer
from exercises.models import Exercise, ExerciseStatus
from exercises.planning.rule_words import rule_in_words
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness

PLANNER = ROLE_EMAILS[Role.PLANNER]


def _form(api: ApiHarness, **fields: Any) -> dict[str, Any]:
    return {
        "title": "Diskusjonsøvelse flom",
        "type": "tabletop",
        "start_date": "2027-05-04",
        "start_time": "18:00",
        "end_date": "2027-05-04",
        "end_time": "20:00",
        "organisation_ids": [str(api.own.id)],
        "site_ids": [str(api.own_site.id)],
    } | fields


def _post(client: TestClient, api: ApiHarness, **fields: Any) -> Any:
    page = client.get("/exercises/new")
    assert page.status_code == 200, page.text
    data = _form(api, **fields) | {"csrf_token": form_token(page.text)}
    return client.post("/exercises/new", data=data, follow_redirects=False)


def _count(api: ApiHarness) -> int:
    api.session.expire_all()
    return len(api.session.scalars(select(Exercise.id)).all())


def _saved_id(response: Any) -> int:
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/exercises/(\d+)\?done=created", response.headers["location"])
    assert match
    return int(match.group(1))


def test_a_planner_saves_an_exercise_and_sees_it_in_oslo_time(api: ApiHarness) -> None:
    planner = logged_in(api, PLANNER)
    exercise_id = _saved_id(_post(planner, api, scenario="Flom i Nitelva"))
    page = planner.get(f"/exercises/{exercise_id}?done=created")
    assert page.status_code == 200
    assert "Øvelsen er lagret." in page.text
    assert "04.05.2027 18:00" in page.text and "Diskusjonsøvelse" in page.text
    assert api.own.name in page.text and api.own_site.name in page.text
    assert f'href="/exercises/{exercise_id}/report"' in page.text
    assert f'href="/exercises/{exercise_id}/cancel"' in page.text
    api.session.expire_all()
    saved = api.session.get(Exercise, exercise_id)
    assert saved is not None and saved.starts_at.isoformat() == "2027-05-04T16:00:00+00:00"
    assert saved.reminder_offsets_min == [10080, 1440]


def test_field_errors_are_shown_per_field_and_nothing_is_saved(api: ApiHarness) -> None:
    planner = logged_in(api, PLANNER)
    before = _count(api)
    response = _post(
        planner,
        api,
        title="",
        end_time="17:00",
        type="alert_drill",
        reminder_hours="abc",
        organisation_ids=["999999"],
    )
    assert response.status_code == 422
    assert "Øvelsen ble ikke lagret" in response.text
    for field in ("title", "organisation_ids", "reminder_hours", "drill_message", "place"):
        assert f'id="f-{field}-error"' in response.text, field
    # The spring gap: the shared rules answer, on the start field, in Norwegian.
    gap = _post(planner, api, start_date="2027-03-28", start_time="02:30", end_date="2027-03-28")
    assert gap.status_code == 422
    assert 'id="f-starts_at-error"' in gap.text and "klokka stilles fram" in gap.text
    assert _count(api) == before


def test_a_conflict_is_shown_first_and_saved_only_when_confirmed(api: ApiHarness) -> None:
    planner = logged_in(api, PLANNER)
    first = _saved_id(_post(planner, api))
    before = _count(api)
    asked = _post(planner, api, title="Samme kveld", start_time="19:00", end_time="21:00")
    assert asked.status_code == 200
    assert "Konflikter" in asked.text and "Lagre likevel" in asked.text
    assert f'href="/exercises/{first}"' in asked.text and api.own_site.name in asked.text
    assert 'name="confirm_conflicts" value="1"' in asked.text
    assert 'value="Samme kveld"' in asked.text  # what was typed is kept
    assert _count(api) == before  # nothing saved yet
    data = _form(api, title="Samme kveld", start_time="19:00", end_time="21:00")
    data |= {"csrf_token": form_token(asked.text), "confirm_conflicts": "1"}
    saved = planner.post("/exercises/new", data=data, follow_redirects=False)
    second = _saved_id(saved)
    assert second != first and _count(api) == before + 1


def test_a_recurring_preset_makes_a_series(api: ApiHarness) -> None:
    planner = logged_in(api, PLANNER)
    exercise_id = _saved_id(
        _post(
            planner,
            api,
            start_date="2027-01-05",
            end_date="2027-01-05",
            recurrence_preset="quarterly_first_tuesday",
            organisation_ids=[],
            site_ids=[],
        )
    )
    page = planner.get(f"/exercises/{exercise_id}")
    # The rule in words (exercises/planning/rule_words.py), not FREQ=...
    words = rule_in_words("FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU", translations("nb"), "nb_NO")
    assert words and words in page.text and "FREQ=" not in page.text
    assert "06.04.2027 18:00" in page.text  # the next occurrence, same wall time in summer


def test_who_sees_what_and_who_may_plan(api: ApiHarness) -> None:
    kari = Volunteer(full_name="Kari Nordmann", mobile="+447700900777", sms_consent=True)
    api.session.add(kari)
    api.session.commit()
    planner = logged_in(api, PLANNER)
    exercise_id = _saved_id(_post(planner, api, volunteer_ids=[str(kari.id)]))
    assert "Kari Nordmann" in planner.get(f"/exercises/{exercise_id}").text
    assert "+447700900777" not in planner.get(f"/exercises/{exercise_id}").text
    council = logged_in(api, ROLE_EMAILS[Role.COUNCIL])
    page = council.get(f"/exercises/{exercise_id}")
    assert page.status_code == 200
    # One invited volunteer is a person to the council: "fewer than 3", not "1".
    assert "Kari" not in page.text and "Færre enn 3 frivillige invitert" in page.text
    assert "1 frivillig" not in page.text
    assert f'href="/exercises/{exercise_id}/cancel"' not in page.text
    for role in (Role.COUNCIL, Role.DUTY_OFFICER, Role.ORG_EDITOR):
        client = logged_in(api, ROLE_EMAILS[role])
        assert client.get("/exercises/new").status_code == 403
        assert client.get(f"/exercises/{exercise_id}/cancel").status_code == 403
    assert planner.get("/exercises/999999").status_code == 404


def test_cancel_asks_first_then_cancels_once(api: ApiHarness) -> None:
    planner = logged_in(api, PLANNER)
    exercise_id = _saved_id(_post(planner, api))
    confirm = planner.get(f"/exercises/{exercise_id}/cancel")
    assert confirm.status_code == 200 and "Avlys øvelsen?" in confirm.text
    token = form_token(confirm.text)
    done = planner.post(
        f"/exercises/{exercise_id}/cancel",
        data={"csrf_token": token, "reason": "Ekte flom"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = planner.get(done.headers["location"])
    assert "Øvelsen er avlyst." in page.text and "Ekte flom" in page.text
    api.session.expire_all()
    assert api.session.get(Exercise, exercise_id).status == ExerciseStatus.CANCELLED  # type: ignore[union-attr]
    again = planner.post(
        f"/exercises/{exercise_id}/cancel", data={"csrf_token": token}, follow_redirects=False
    )
    assert again.status_code == 409
    # Without the CSRF token nothing happens.
    other = _saved_id(_post(planner, api, start_date="2027-06-01", end_date="2027-06-01"))
    refused = planner.post(f"/exercises/{other}/cancel", data={}, follow_redirects=False)
    assert refused.status_code == 403
