"""Issue 18 (the duty officer's flow) on both backends: the confirmation of an answer to an
exercise is marked ØVELSE like every SMS of it; "covered" goes to who said yes or has not
answered, never to a no; someone who sent STOP counts as opted out, not as no answer; a
draft can be discarded, only a draft and only as seen."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts import sms_texts
from alerts.callouts import notices, service
from alerts.inbound import inbox_pages
from alerts.inbound.sms import handle_inbound
from alerts.models import (
    Answer,
    Callout,
    CalloutNotice,
    CalloutRecipient,
    CalloutStatus,
    InboundOutcome,
    InboundSms,
)
from alerts.redaction import mask_phone
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.errors import ConflictError
from tests.support.sms import LILLESTROM, NOW, TODAY, add_volunteer, sent_callout

KARI = "+447700900301"
OLA = "+447700900302"
PER = "+447700900303"


@pytest.fixture
def people(session: Session) -> Session:
    add_volunteer(session, KARI, "Kari Nordmann")
    add_volunteer(session, OLA, "Ola Nordmann")
    add_volunteer(session, PER, "Per Nordmann")
    return session


def _reply(session: Session, text: str, mobile: str = KARI) -> str:
    result = handle_inbound(session, from_number=mobile, body=text, received_at=NOW)
    assert result.reply is not None
    return result.reply


@pytest.mark.parametrize("text", ["JA", "JA 15", "NEI", "yes 5", "no"])
def test_the_answer_to_an_exercise_is_confirmed_with_the_marker(people: Session, text: str) -> None:
    callout = sent_callout(people, "Varslingsøvelse Nitelva", sent_minutes_ago=5)
    callout.exercise = True
    people.flush()
    reply = _reply(people, text)
    assert reply.startswith(sms_texts.EXERCISE_MARKER + "\n"), reply
    assert callout.code in reply


def test_the_answer_to_a_real_callout_is_not_marked(people: Session) -> None:
    callout = sent_callout(people, "Flom", sent_minutes_ago=5)
    reply = _reply(people, "JA 10")
    assert sms_texts.EXERCISE_MARKER not in reply and callout.code in reply


def test_covered_goes_to_yes_and_unanswered_never_to_no(people: Session) -> None:
    callout = sent_callout(people, "Flom", sent_minutes_ago=10, count=3)
    callout.thank_when_covered = False  # told by the officer, below
    callout.exercise = True
    people.flush()
    _reply(people, "JA 10", KARI)
    _reply(people, "NEI", OLA)
    told = notices.thank_others(people, callout)
    assert told == 2
    bodies = dict(people.execute(select(CalloutNotice.mobile, CalloutNotice.body)).all())
    assert set(bodies) == {KARI, PER}
    assert bodies[KARI] == sms_texts.covered_yes_message(
        code=callout.code, title=callout.title, exercise=True
    )
    assert bodies[PER] == sms_texts.covered_message(
        code=callout.code, title=callout.title, exercise=True
    )
    assert all(body.startswith(sms_texts.EXERCISE_MARKER) for body in bodies.values())


def test_someone_who_sent_stop_counts_as_opted_out_not_as_no_answer(people: Session) -> None:
    callout = sent_callout(people, "Flom", sent_minutes_ago=10)
    assert (
        handle_inbound(people, from_number=OLA, body="STOP", received_at=NOW).outcome
        is InboundOutcome.OPTED_OUT
    )
    _reply(people, "JA", KARI)
    counts = service.figures_for(people, [callout.id], TODAY)[callout.id].counts
    assert counts["opted_out"] == 1 and counts["yes"] == 1
    assert counts["no_answer"] == counts["recipients"] - 2


def _draft(session: Session) -> Callout:
    callout = sent_callout(session, "Flom", sent_minutes_ago=1)
    # sent_callout sends; make a draft of the same shape to discard.
    draft = service.create_draft(
        session,
        fields={
            "title": "Utkast",
            "message": "Oppmøte.",
            "centre": LILLESTROM,
            "radius_m": 5_000,
            "organisation_ids": [],
        },
        needs=[service.Need(callout.needs[0].qualification_type_id, 1)],
        on=TODAY,
        actor="test",
    )
    assert draft.status is CalloutStatus.DRAFT
    return draft


def test_a_draft_is_discarded_with_its_planned_rows_and_the_deletion_audited(
    people: Session,
) -> None:
    draft = _draft(people)
    draft_id = draft.id
    assert people.scalar(select(func.count()).where(CalloutRecipient.callout_id == draft_id))
    service.discard(people, draft, version=draft.version)
    people.expire_all()
    assert people.get(Callout, draft_id) is None
    assert not people.scalar(select(func.count()).where(CalloutRecipient.callout_id == draft_id))
    entry = people.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "callouts", AuditEntry.entity_id == str(draft_id))
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and entry.action == "delete"


def test_only_a_draft_as_seen_is_discarded(people: Session) -> None:
    sent = sent_callout(people, "Flom", sent_minutes_ago=1)
    with pytest.raises(ConflictError):
        service.discard(people, sent, version=sent.version)
    draft = _draft(people)
    with pytest.raises(ConflictError):
        service.discard(people, draft, version=draft.version + 1)
    people.expire_all()
    assert people.get(Callout, sent.id) is not None
    assert people.get(Callout, draft.id) is not None
    assert people.scalar(select(func.count()).where(CalloutRecipient.answer == Answer.YES)) == 0


def test_the_inbox_masks_numbers_and_names_nobody_for_readers_without_personal_data(
    people: Session,
) -> None:
    callout = sent_callout(people, "Flom", sent_minutes_ago=5)
    _reply(people, "JA 10", KARI)
    people.flush()
    logged = people.scalars(select(InboundSms)).all()
    hidden = inbox_pages._rows(people, list(logged), sees_people=False)
    assert hidden[0].sender == mask_phone(KARI) and KARI not in hidden[0].sender
    assert not hidden[0].callable and hidden[0].who is None
    assert hidden[0].callout is not None and hidden[0].callout.id == callout.id
    shown = inbox_pages._rows(people, list(logged), sees_people=True)
    assert shown[0].sender == KARI and shown[0].callable and shown[0].who == "Kari Nordmann"
