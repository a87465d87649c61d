"""Escalation (alerts.escalation) and the "need covered" thanks (alerts.notices) on both
backends: the timer lives in the database, so a new session (a restarted worker) runs it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.callouts import notices, service
from alerts.callouts.escalation import escalate_due
from alerts.callouts.planning import plan
from alerts.callouts.schemas import CalloutCreate
from alerts.models import Answer, Callout, CalloutNotice, CalloutRecipient, RecipientState
from alerts.sms_texts import EXERCISE_MARKER
from beredskap.platform.errors import ConflictError
from tests.support.api import ApiHarness
from tests.support.callouts import TODAY, answer, at, body, deliver_all, volunteer


@pytest.fixture
def town(api: ApiHarness) -> ApiHarness:
    volunteer(api.session, 1, at(0, 1_000), ["first_aid"], api.own)
    volunteer(api.session, 2, at(90, 2_000), ["first_aid"], api.own)
    volunteer(api.session, 3, at(270, 3_000), ["first_aid"], api.other)  # the next circle
    volunteer(api.session, 4, at(180, 8_000), ["first_aid"], api.own)  # the wider radius
    api.session.commit()
    return api


def _sent(session: Session, **fields: Any) -> Callout:
    callout = plan(session, CalloutCreate.model_validate(body(**fields)), actor="test")
    service.send(session, callout, on=TODAY)
    deliver_all(session, callout.id)
    session.commit()
    return callout


def _asked(session: Session, callout_id: int) -> dict[str, int]:
    """Names of those asked, with the round they were asked in."""
    session.expire_all()
    rows = session.scalars(
        select(CalloutRecipient).where(CalloutRecipient.callout_id == callout_id)
    ).all()
    return {row.volunteer.full_name: row.ask_round for row in rows if row.volunteer}


def _due(callout: Callout) -> datetime:
    assert callout.escalation_due_at is not None
    return callout.escalation_due_at


def test_escalation_widens_the_radius_when_too_few_said_yes_in_time(town: ApiHarness) -> None:
    session = town.session
    callout = _sent(session, escalation={"after_min": 10, "radius_m": 10_000})
    assert callout.sent_at is not None
    assert _due(callout) == callout.sent_at + timedelta(minutes=10)
    assert _asked(session, callout.id) == {"Frivillig 1": 0, "Frivillig 2": 0, "Frivillig 3": 0}
    assert escalate_due(session, now=_due(callout) - timedelta(seconds=1), on=TODAY) == []
    due = _due(callout)
    assert escalate_due(session, now=due, on=TODAY) == [callout.id]
    session.commit()
    assert _asked(session, callout.id)["Frivillig 4"] == 1
    added = session.scalars(
        select(CalloutRecipient).where(
            CalloutRecipient.callout_id == callout.id, CalloutRecipient.ask_round == 1
        )
    ).one()
    assert added.state == RecipientState.QUEUED
    assert callout.escalation_due_at is None and callout.escalated_at == due
    assert escalate_due(session, now=due + timedelta(hours=1), on=TODAY) == []  # once only


def test_escalation_adds_the_next_circle_of_organisations(town: ApiHarness) -> None:
    session = town.session
    callout = _sent(
        session,
        organisation_ids=[town.own.id],
        escalation={"after_min": 5, "organisation_ids": [town.other.id]},
    )
    assert set(_asked(session, callout.id)) == {"Frivillig 1", "Frivillig 2"}
    assert escalate_due(session, now=_due(callout), on=TODAY) == [callout.id]
    session.commit()
    # The other organisation's member within the radius; not the one beyond it.
    assert _asked(session, callout.id) == {"Frivillig 1": 0, "Frivillig 2": 0, "Frivillig 3": 1}


def test_no_escalation_when_enough_said_yes(town: ApiHarness) -> None:
    session = town.session
    callout = _sent(session, escalation={"after_min": 10, "radius_m": 10_000})
    for recipient in callout.recipients[:2]:
        answer(session, recipient.id, Answer.YES)
    session.commit()
    due = _due(callout)
    assert escalate_due(session, now=due, on=TODAY) == []
    session.commit()
    assert "Frivillig 4" not in _asked(session, callout.id)
    assert callout.escalation_due_at is None  # decided: it does not come back


def test_no_escalation_when_covered_or_stopped(town: ApiHarness) -> None:
    session = town.session
    covered = _sent(session, escalation={"after_min": 10, "radius_m": 10_000})
    stopped = _sent(session, escalation={"after_min": 10, "radius_m": 10_000})
    due = max(_due(covered), _due(stopped))
    answer(session, covered.recipients[0].id, Answer.YES)
    notices.thank_others(session, covered)  # the officer says it is covered
    service.stop(session, stopped)
    session.commit()
    assert covered.escalation_due_at is None and stopped.escalation_due_at is None
    assert escalate_due(session, now=due + timedelta(hours=1), on=TODAY) == []
    # Even a due time left behind does not escalate a callout that is covered.
    covered.escalation_due_at = due
    session.commit()
    assert escalate_due(session, now=due, on=TODAY) == []
    session.commit()
    assert "Frivillig 4" not in _asked(session, covered.id)
    assert "Frivillig 4" not in _asked(session, stopped.id)


def test_the_escalation_timer_survives_a_restart(town: ApiHarness) -> None:
    callout = _sent(town.session, escalation={"after_min": 10, "radius_m": 10_000})
    callout_id, due = callout.id, _due(callout)
    town.session.close()  # the process that planned it is gone
    sessions = town.client.app.state.database.sessions
    with sessions() as restarted:
        assert escalate_due(restarted, now=due + timedelta(minutes=1), on=TODAY) == [callout_id]
        restarted.commit()
    with sessions() as later:
        assert _asked(later, callout_id)["Frivillig 4"] == 1
        found = later.get(Callout, callout_id)
        assert found is not None and found.escalation_due_at is None


def test_the_others_are_thanked_once_only(town: ApiHarness) -> None:
    session = town.session
    callout = _sent(session)
    answer(session, callout.recipients[0].id, Answer.YES)
    answer(session, callout.recipients[1].id, Answer.NO)
    session.commit()
    # The yes and the one who has not answered; never the no.
    assert notices.thank_others(session, callout) == 2
    session.commit()
    with pytest.raises(ConflictError):
        notices.thank_others(session, callout)
    session.rollback()
    told = session.scalars(select(CalloutNotice.recipient_id)).all()
    assert sorted(told) == sorted([callout.recipients[0].id, callout.recipients[2].id])


def test_an_exercise_is_thanked_when_covered_with_the_exercise_marker(town: ApiHarness) -> None:
    session = town.session
    callout = _sent(session, exercise=True, wanted=2)
    assert notices.thank_others_if_covered(session, callout, TODAY) == 0  # nobody said yes
    answer(session, callout.recipients[0].id, Answer.YES)
    session.commit()
    assert notices.thank_others_if_covered(session, callout, TODAY) == 0  # one of two
    answer(session, callout.recipients[1].id, Answer.YES)
    session.commit()
    # The two who said yes (covered, come as agreed) and the one who has not answered.
    assert notices.thank_others_if_covered(session, callout, TODAY) == 3
    session.commit()
    assert notices.thank_others_if_covered(session, callout, TODAY) == 0  # done already
    bodies = session.scalars(select(CalloutNotice.body)).all()
    assert len(bodies) == 3 and all(body.startswith(EXERCISE_MARKER) for body in bodies)


def test_no_thanks_when_the_callout_does_not_want_them(town: ApiHarness) -> None:
    session = town.session
    one = [{"qualification": "first_aid", "count": 1}]
    callout = _sent(session, needs=one, thank_when_covered=False)
    answer(session, callout.recipients[0].id, Answer.YES)
    session.commit()
    assert notices.is_covered(session, callout, TODAY)
    assert notices.thank_others_if_covered(session, callout, TODAY) == 0
    assert session.scalars(select(CalloutNotice)).all() == []
