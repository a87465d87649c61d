"""SMS replies applied on both backends: answers routed by code or to the newest open callout,
replaced by later ones, STOP / START, help, unknown numbers, redelivery, and the covered
thanks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from alerts import sms_texts
from alerts.callouts import service
from alerts.inbound.replies import ParsedReply, ReplyKind
from alerts.inbound.sms import OPTED_OUT_REASON, InboundResult, handle_inbound
from alerts.models import (
    Answer,
    Callout,
    CalloutNotice,
    CalloutRecipient,
    CalloutStatus,
    InboundOutcome,
    InboundSms,
    MessageChannel,
    NoticeKind,
    OutgoingMessage,
    RecipientState,
)
from beredskap.main.cli import app as cli
from beredskap.platform.db import transaction
from beredskap.platform.runtime import Database
from beredskap.register.volunteers.models import Volunteer
from tests.support.sms import NOW, add_volunteer, sent_callout

KARI = "+447700900301"
OLA = "+447700900302"
STRANGER = "+447700900399"


@pytest.fixture
def people(session: Session) -> Session:
    add_volunteer(session, KARI, "Kari Nordmann")
    add_volunteer(session, OLA, "Ola Nordmann")
    return session


def _recipient(session: Session, callout: Callout, mobile: str) -> CalloutRecipient:
    session.expire_all()
    return session.scalars(
        select(CalloutRecipient).where(
            CalloutRecipient.callout_id == callout.id, CalloutRecipient.mobile == mobile
        )
    ).one()


def _reply(
    session: Session, text: str, mobile: str = KARI, received_at: datetime = NOW
) -> InboundResult:
    return handle_inbound(session, from_number=mobile, body=text, received_at=received_at)


def test_a_yes_without_a_code_goes_to_the_newest_open_callout_and_names_it(
    people: Session,
) -> None:
    older = sent_callout(people, "Flom Leirsund", sent_minutes_ago=30)
    newer = sent_callout(people, "Savnet ved Nitelva", sent_minutes_ago=5)
    result = handle_inbound(people, from_number=KARI, body="ja, 20 min", received_at=NOW)
    assert result.outcome is InboundOutcome.ANSWERED and result.callout_id == newer.id
    label = sms_texts.callout_label(newer.code, newer.title)
    assert label.endswith("Savnet ved Nitelva")
    assert result.reply == sms_texts.answer_confirmation(
        ParsedReply(ReplyKind.YES, minutes_to_arrival=20, language="nb"), label
    )
    assert label in (result.reply or "")
    answered = _recipient(people, newer, KARI)
    assert (answered.answer, answered.minutes_to_arrival) == (Answer.YES, 20)
    assert answered.answered_at == NOW
    assert _recipient(people, older, KARI).answer is None
    logged = people.scalars(select(InboundSms)).one()
    assert logged.outcome is InboundOutcome.ANSWERED and logged.callout_id == newer.id
    assert logged.recipient_id == answered.id and logged.reply == result.reply


def test_a_code_routes_the_answer_when_two_open_callouts_reach_the_same_number(
    people: Session,
) -> None:
    older = sent_callout(people, "Flom Leirsund", sent_minutes_ago=30)
    newer = sent_callout(people, "Savnet ved Nitelva", sent_minutes_ago=5)
    assert older.code != newer.code
    result = handle_inbound(
        people, from_number=KARI, body=f"{older.code.lower()} JA 15", received_at=NOW
    )
    assert result.callout_id == older.id and older.code in (result.reply or "")
    assert _recipient(people, older, KARI).answer is Answer.YES
    assert _recipient(people, newer, KARI).answer is None
    no = handle_inbound(people, from_number=KARI, body=f"{newer.code} nei", received_at=NOW)
    assert no.callout_id == newer.id and _recipient(people, newer, KARI).answer is Answer.NO


def test_a_code_no_open_callout_has_gets_the_unknown_code_answer(people: Session) -> None:
    callout = sent_callout(people, "Flom", sent_minutes_ago=5)
    code = "Z99" if callout.code != "Z99" else "Z98"
    result = handle_inbound(people, from_number=KARI, body=f"{code} JA", received_at=NOW)
    assert result.outcome is InboundOutcome.UNKNOWN_CODE
    assert result.reply == sms_texts.unknown_callout_code(code, "nb")
    assert _recipient(people, callout, KARI).answer is None


def test_a_later_answer_replaces_an_earlier_one_but_never_the_other_way(
    people: Session,
) -> None:
    callout = sent_callout(people, "Flom", sent_minutes_ago=10)
    _reply(people, "JA 20", received_at=NOW)
    result = _reply(people, "NEI", received_at=NOW + timedelta(minutes=2))
    row = _recipient(people, callout, KARI)
    assert (row.answer, row.minutes_to_arrival) == (Answer.NO, None)
    assert row.answered_at == NOW + timedelta(minutes=2)
    assert "NEI" in (result.reply or "")
    # An earlier answer delivered late does not undo the later one, and says what stands.
    late = _reply(people, "JA 5", received_at=NOW + timedelta(minutes=1))
    row = _recipient(people, callout, KARI)
    assert row.answer is Answer.NO and "NEI" in (late.reply or "")


def test_an_arrival_clock_time_becomes_minutes_from_when_it_was_received(
    people: Session,
) -> None:
    callout = sent_callout(people, "Flom", sent_minutes_ago=10)
    received = datetime(2026, 3, 2, 13, 50, tzinfo=UTC)  # 14.50 in Norway (winter time)
    result = handle_inbound(people, from_number=KARI, body="ja kl 15.30", received_at=received)
    assert result.outcome is InboundOutcome.ANSWERED
    assert _recipient(people, callout, KARI).minutes_to_arrival == 40


def test_english_words_get_an_english_answer(people: Session) -> None:
    callout = sent_callout(people, "Flood", sent_minutes_ago=10)
    result = handle_inbound(people, from_number=KARI, body="Yes 10", received_at=NOW)
    assert result.reply and result.reply.startswith("Registered: YES to")
    assert callout.code in result.reply


def test_a_number_in_another_format_is_the_same_volunteer(people: Session) -> None:
    callout = sent_callout(people, "Flom", sent_minutes_ago=10)
    result = handle_inbound(people, from_number=" 0044 7700 900301 ", body="J", received_at=NOW)
    assert result.outcome is InboundOutcome.ANSWERED and result.callout_id == callout.id


def test_a_reply_goes_to_a_callout_whose_message_was_sent_not_one_still_queued(
    people: Session,
) -> None:
    sent = sent_callout(people, "Flom", sent_minutes_ago=30)
    queued = sent_callout(people, "Brann", sent_minutes_ago=1, state=RecipientState.QUEUED)
    result = _reply(people, "JA")
    assert result.callout_id == sent.id != queued.id


def test_answers_to_no_open_callout_get_a_polite_reply(people: Session) -> None:
    assert _reply(people, "JA").outcome is InboundOutcome.NO_OPEN_CALLOUT
    callout = sent_callout(people, "Flom", sent_minutes_ago=10)
    service.stop(people, callout)
    for text in ("JA 10", f"{callout.code} NEI"):
        result = _reply(people, text)
        assert result.outcome is InboundOutcome.NO_OPEN_CALLOUT
        assert result.reply == sms_texts.no_open_callout("nb")
        assert result.callout_id is None
    assert _recipient(people, callout, KARI).answer is None


@pytest.mark.parametrize(
    ("sender", "text", "outcome"),
    [
        (STRANGER, "JA 20", InboundOutcome.UNKNOWN_NUMBER),
        (STRANGER, "hva er dette?", InboundOutcome.UNKNOWN_NUMBER),
        ("not a number \x00", "JA", InboundOutcome.UNKNOWN_NUMBER),
        ("", "", InboundOutcome.UNKNOWN_NUMBER),
        (KARI, "kanskje senere", InboundOutcome.UNPARSEABLE),
        (KARI, "ja nei", InboundOutcome.UNPARSEABLE),
        (KARI, "HJELP", InboundOutcome.HELP),
        (STRANGER, "help", InboundOutcome.HELP),
    ],
)
def test_help_unknown_numbers_and_unreadable_text_get_the_help_line(
    people: Session, sender: str, text: str, outcome: InboundOutcome
) -> None:
    sent_callout(people, "Flom", sent_minutes_ago=10)
    result = handle_inbound(people, from_number=sender, body=text, received_at=NOW)
    assert result.outcome is outcome
    assert result.reply in (sms_texts.help_text("nb"), sms_texts.help_text("en"))
    assert people.scalar(select(func.count()).select_from(InboundSms)) == 1
    assert people.scalar(select(func.count()).where(CalloutRecipient.answer.is_not(None))) == 0


def test_help_in_english_is_answered_in_english(people: Session) -> None:
    assert _reply(people, "HELP").reply == sms_texts.help_text("en")


def test_stop_withdraws_consent_with_the_time_and_cancels_what_is_still_queued(
    people: Session,
) -> None:
    delivered = sent_callout(people, "Flom", sent_minutes_ago=10)
    queued = sent_callout(people, "Brann", sent_minutes_ago=1, state=RecipientState.QUEUED)
    kari_row = _recipient(people, delivered, KARI)
    notice = CalloutNotice(
        callout_id=delivered.id,
        recipient_id=kari_row.id,
        kind=NoticeKind.FOLLOW_UP,
        mobile=KARI,
        body="Oppmøte ved stasjonen",
        state=RecipientState.QUEUED,
    )
    people.add(notice)
    people.flush()
    before = datetime.now(UTC)
    result = handle_inbound(people, from_number=KARI, body="Stopp.", received_at=NOW)
    assert result.outcome is InboundOutcome.OPTED_OUT
    assert result.reply == sms_texts.opted_out("nb")
    people.expire_all()
    kari = people.scalars(select(Volunteer).where(Volunteer.mobile == KARI)).one()
    assert kari.sms_consent is False
    assert kari.sms_consent_changed_at is not None and kari.sms_consent_changed_at >= before
    cancelled = _recipient(people, queued, KARI)
    assert cancelled.state is RecipientState.CANCELLED
    assert cancelled.error_reason == OPTED_OUT_REASON
    assert _recipient(people, queued, OLA).state is RecipientState.QUEUED  # not Ola's
    assert _recipient(people, delivered, KARI).state is RecipientState.DELIVERED
    assert people.get(CalloutNotice, notice.id).state is RecipientState.CANCELLED  # type: ignore[union-attr]
    # Not asked again: a new callout passes her by.
    assert KARI not in {r.mobile for r in sent_callout(people, "Ny", sent_minutes_ago=0).recipients}

    restored = handle_inbound(people, from_number=KARI, body="START", received_at=NOW)
    assert restored.outcome is InboundOutcome.OPTED_IN
    assert restored.reply == sms_texts.opted_in("nb")
    people.expire_all()
    kari = people.scalars(select(Volunteer).where(Volunteer.mobile == KARI)).one()
    assert kari.sms_consent is True
    outcomes = list(people.scalars(select(InboundSms.outcome).order_by(InboundSms.id)))
    assert outcomes == [InboundOutcome.OPTED_OUT, InboundOutcome.OPTED_IN]


def test_stop_cancels_a_queued_reminder_sms_to_that_number_too(people: Session) -> None:
    # Outside any callout (an exercise reminder): a STOP holds for every kind of SMS.
    def reminder(channel: MessageChannel, to: str, key: str) -> OutgoingMessage:
        message = OutgoingMessage(channel=channel, to=to, body="Påminnelse: øvelse", dedupe_key=key)
        people.add(message)
        return message

    hers = reminder(MessageChannel.SMS, KARI, "reminder:kari:sms")
    her_email = reminder(MessageChannel.EMAIL, "kari@example.no", "reminder:kari:email")
    his = reminder(MessageChannel.SMS, OLA, "reminder:ola:sms")
    people.flush()

    handle_inbound(people, from_number=KARI, body="STOP", received_at=NOW)
    people.expire_all()
    assert hers.state is RecipientState.CANCELLED and hers.error_reason == OPTED_OUT_REASON
    assert her_email.state is RecipientState.QUEUED  # SMS consent says nothing of e-mail
    assert his.state is RecipientState.QUEUED


def test_start_from_an_unknown_number_changes_nothing(people: Session) -> None:
    result = handle_inbound(people, from_number=STRANGER, body="start", received_at=NOW)
    assert result.outcome is InboundOutcome.UNKNOWN_NUMBER
    assert result.reply == sms_texts.help_text(None)


def test_the_same_message_sid_twice_changes_nothing_and_answers_as_before(
    people: Session,
) -> None:
    callout = sent_callout(people, "Flom", sent_minutes_ago=10)
    sid = "SM" + "a" * 32
    first = handle_inbound(people, from_number=KARI, body="JA 20", received_at=NOW, message_sid=sid)
    again = handle_inbound(
        people,
        from_number=KARI,
        body="NEI",  # never happens with one SID; shows the second delivery is not read
        received_at=NOW + timedelta(minutes=1),
        message_sid=sid,
    )
    assert again.duplicate and not first.duplicate
    assert again.reply == first.reply and again.outcome is InboundOutcome.ANSWERED
    assert again.inbound_id == first.inbound_id
    row = _recipient(people, callout, KARI)
    assert (row.answer, row.minutes_to_arrival) == (Answer.YES, 20)
    assert people.scalar(select(func.count()).select_from(InboundSms)) == 1
    # A STOP delivered twice is one opt-out.
    stop_sid = "SM" + "b" * 32
    handle_inbound(people, from_number=OLA, body="STOP", received_at=NOW, message_sid=stop_sid)
    repeat = handle_inbound(
        people, from_number=OLA, body="STOP", received_at=NOW, message_sid=stop_sid
    )
    assert repeat.duplicate and repeat.outcome is InboundOutcome.OPTED_OUT
    assert people.scalar(select(func.count()).select_from(InboundSms)) == 2


def test_the_last_yes_needed_tells_the_others_the_need_is_covered(people: Session) -> None:
    callout = sent_callout(people, "Flom", sent_minutes_ago=10, count=1)
    assert callout.thank_when_covered and len(callout.recipients) == 2
    result = _reply(people, "JA 10")
    assert result.outcome is InboundOutcome.ANSWERED
    people.expire_all()
    refreshed = people.get(Callout, callout.id)
    assert refreshed is not None and refreshed.covered_at is not None
    notices = people.scalars(select(CalloutNotice)).all()
    # Ola has not answered: told he need not come; Kari said yes: told it is covered.
    assert sorted((n.mobile, n.kind) for n in notices) == sorted(
        [(OLA, NoticeKind.COVERED), (KARI, NoticeKind.COVERED)]
    )
    assert refreshed.status is CalloutStatus.ACTIVE
    # Ola's late yes is still recorded; nobody is thanked twice.
    _reply(people, "JA", mobile=OLA)
    assert people.scalar(select(func.count()).select_from(CalloutNotice)) == 2
    assert _recipient(people, callout, OLA).answer is Answer.YES


def test_a_no_never_triggers_the_thanks(people: Session) -> None:
    callout = sent_callout(people, "Flom", sent_minutes_ago=10, count=1)
    _reply(people, "NEI")
    people.expire_all()
    assert people.get(Callout, callout.id).covered_at is None  # type: ignore[union-attr]
    assert people.scalar(select(func.count()).select_from(CalloutNotice)) == 0


def test_a_nul_byte_in_the_text_is_dropped_not_an_error(people: Session) -> None:
    sent_callout(people, "Flom", sent_minutes_ago=10)
    result = _reply(people, "ja\x00 takk")
    assert result.outcome is InboundOutcome.ANSWERED
    assert people.scalars(select(InboundSms.body)).one() == "ja takk"


def test_the_cli_simulates_a_reply_and_prints_our_answer(
    engine: Engine, fresh_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from beredskap.main.settings import get_settings

    with transaction(fresh_database.sessions, "test") as setup:
        add_volunteer(setup, KARI, "Kari Nordmann")
        callout = sent_callout(setup, "Flom Leirsund", sent_minutes_ago=5)
        code = callout.code
    monkeypatch.setenv("BEREDSKAP_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        result = runner.invoke(cli, ["sms", "reply", "--from", KARI, "ja 20"])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("[answered] ") and f"{code} Flom Leirsund" in result.output
        refused = runner.invoke(cli, ["sms", "reply", "--from", KARI, "  "])
        assert refused.exit_code == 2
        monkeypatch.setenv("BEREDSKAP_TWILIO_ACCOUNT_SID", "AC" + "1" * 32)
        monkeypatch.setenv("BEREDSKAP_TWILIO_AUTH_TOKEN", "secret-token-value")
        monkeypatch.setenv("BEREDSKAP_TWILIO_FROM", "+4790000000")
        monkeypatch.setenv("BEREDSKAP_PUBLIC_URL", "https://beredskap.example.no")
        get_settings.cache_clear()
        with_twilio = runner.invoke(cli, ["sms", "reply", "--from", KARI, "JA"])
        assert with_twilio.exit_code == 2 and "Twilio is configured" in with_twilio.output
        assert "secret-token-value" not in with_twilio.output
    finally:
        get_settings.cache_clear()
    with fresh_database.sessions() as check:
        row = check.scalars(select(CalloutRecipient).where(CalloutRecipient.mobile == KARI)).one()
        assert (row.answer, row.minutes_to_arrival) == (Answer.YES, 20)
        assert check.scalar(select(func.count()).select_from(InboundSms)) == 1
