"""Voice fallback on both backends, against the fake Twilio over real HTTP: the app served by
uvicorn on loopback (its public URL), the fake placing our calls and driving them (our TwiML
fetched, keys posted to the Gather's action, status callbacks), every request signed."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from pydantic import SecretStr
from sqlalchemy import Engine, func, select

from alerts.models import (
    Answer,
    Callout,
    CalloutRecipient,
    InboundSms,
    RecipientState,
    VoiceCall,
    VoiceCallState,
)
from alerts.voice import service
from alerts.voice.caller import VoiceCaller
from alerts.voice.twilio_calls import TwilioCalls, VoiceConfig
from alerts.voice.webhooks import ANSWER_PATH, CALL_PATH, MINUTES_PATH, STATUS_PATH, call_url
from beredskap.main.settings import Settings
from beredskap.platform.auth.permissions import Role
from tests.e2e.web_client import logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness, build_harness
from tests.support.fake_twilio import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, FakeTwilio
from tests.support.sms import NOW, add_volunteer, sent_callout

KARI = "+447700900301"
OLA = "+447700900302"
PER = "+447700900303"
VOICE_FROM = "+4759440001"


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Voice:
    api: ApiHarness
    fake: FakeTwilio
    public_url: str
    clock: Clock
    calls: TwilioCalls

    def caller(self, name: str = "voice-test") -> VoiceCaller:
        return VoiceCaller(
            self.api.database_sessions,  # type: ignore[attr-defined]
            self.calls,
            public_url=self.public_url,
            name=name,
            clock=self.clock,
        )

    def rows(self) -> dict[str, VoiceCall]:
        self.api.session.expire_all()
        return {row.mobile: row for row in self.api.session.scalars(select(VoiceCall))}

    def recipient(self, mobile: str) -> CalloutRecipient:
        self.api.session.expire_all()
        return self.api.session.scalars(
            select(CalloutRecipient).where(CalloutRecipient.mobile == mobile)
        ).one()


@contextmanager
def _served(engine: Engine, fake: FakeTwilio) -> Iterator[tuple[ApiHarness, str]]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    public_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = Settings(
        twilio_account_sid=TEST_ACCOUNT_SID,
        twilio_auth_token=TEST_AUTH_TOKEN,
        twilio_from="+4790000000",
        twilio_voice_from=VOICE_FROM,
        public_url=public_url,
    )
    with contextmanager(build_harness)(engine, settings) as api:
        app = api.client.app
        api.database_sessions = app.state.database.sessions  # type: ignore[attr-defined]
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            yield api, public_url
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()


@pytest.fixture
def voice(engine: Engine) -> Iterator[Voice]:
    with FakeTwilio(auto_progress=False) as fake, _served(engine, fake) as (api, public_url):
        calls = TwilioCalls(
            VoiceConfig(
                account_sid=TEST_ACCOUNT_SID,
                auth_token=SecretStr(TEST_AUTH_TOKEN),
                from_number=VOICE_FROM,
                api_base=fake.base_url,
            )
        )
        for mobile, name in ((KARI, "Kari Nordmann"), (OLA, "Ola Nordmann"), (PER, "Per Hansen")):
            add_volunteer(api.session, mobile, name)
        api.session.commit()
        try:
            yield Voice(api, fake, public_url, Clock(NOW), calls)
        finally:
            calls.close()


def _callout(voice: Voice, *, after_min: int | None = 1, exercise: bool = False) -> Callout:
    session = voice.api.session
    callout = sent_callout(session, "Flom Leirsund", sent_minutes_ago=0)
    callout.voice_after_min = after_min
    callout.exercise = exercise
    for recipient in callout.recipients:
        recipient.state = RecipientState.DELIVERED
        recipient.sent_at = NOW
    session.commit()
    return callout


def _sms_reply(voice: Voice, mobile: str, body: str) -> None:
    response = voice.fake.send_inbound_sms(
        voice.public_url + "/webhooks/twilio/sms", from_=mobile, body=body
    )
    assert response.status_code == 200, response.text


def test_only_those_who_have_not_answered_are_called_after_the_minutes(voice: Voice) -> None:
    callout = _callout(voice, after_min=1)
    _sms_reply(voice, KARI, f"{callout.code} JA 10")
    voice.clock.now = NOW + timedelta(seconds=59)
    assert voice.caller().run_once().placed == 0
    assert voice.fake.calls == []
    voice.clock.now = NOW + timedelta(minutes=1)
    done = voice.caller().run_once()
    assert done.placed == 2
    assert sorted(call.to for call in voice.fake.calls) == [OLA, PER]
    placed = voice.fake.calls[0]
    assert placed.from_ == VOICE_FROM
    assert placed.url.startswith(voice.public_url + "/webhooks/twilio/voice/call?call=")
    assert (
        placed.status_callback and "/webhooks/twilio/voice/status?call=" in placed.status_callback
    )
    assert "completed" in placed.status_events
    rows = voice.rows()
    assert {rows[OLA].state, rows[PER].state} == {VoiceCallState.PLACED}
    assert rows[OLA].call_sid is not None
    # Another round calls nobody twice.
    voice.clock.now = NOW + timedelta(minutes=5)
    assert voice.caller().run_once().placed == 0
    assert len(voice.fake.calls) == 2


def test_keying_1_then_minutes_records_yes_like_an_sms_reply(voice: Voice) -> None:
    callout = _callout(voice, exercise=True)
    voice.clock.now = NOW + timedelta(minutes=2)
    voice.caller().run_once()
    (call,) = voice.fake.calls_to(OLA)
    documents = voice.fake.answer_call(call.sid, "1", "20#")
    first = documents[0]
    assert '<Say language="nb-NO" voice="Polly.Liv">Øvelse.' in first
    assert 'numDigits="1"' in first and "Oppmøte Lillestrøm stasjon." in first
    assert 'finishOnKey="#"' in documents[1]
    assert "20" in documents[2] and "<Hangup" in documents[2]
    ola = voice.recipient(OLA)
    assert (ola.answer, ola.minutes_to_arrival) == (Answer.YES, 20)
    # The same reply log as an SMS: the keyed answer, with the call's SID.
    logged = voice.api.session.scalars(
        select(InboundSms).where(InboundSms.from_number == OLA).order_by(InboundSms.id)
    ).all()
    assert [row.body for row in logged] == [f"{callout.code} JA", f"{callout.code} JA 20"]
    assert all(row.message_sid and row.message_sid.startswith(call.sid) for row in logged)
    row = voice.rows()[OLA]
    assert row.state is VoiceCallState.COMPLETED and row.digits == "1 20#"


def test_keying_2_records_no(voice: Voice) -> None:
    _callout(voice)
    voice.clock.now = NOW + timedelta(minutes=2)
    voice.caller().run_once()
    (call,) = voice.fake.calls_to(PER)
    documents = voice.fake.answer_call(call.sid, "2")
    assert "<Hangup" in documents[-1]
    assert voice.recipient(PER).answer is Answer.NO
    assert voice.recipient(PER).minutes_to_arrival is None


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed"])
def test_unanswered_busy_and_failed_calls_are_recorded(voice: Voice, status: str) -> None:
    _callout(voice)
    voice.clock.now = NOW + timedelta(minutes=2)
    voice.caller().run_once()
    (call,) = voice.fake.calls_to(KARI)
    voice.fake.end_call(call.sid, status)
    assert voice.rows()[KARI].state is service.FINAL_STATUSES[status]
    assert voice.recipient(KARI).answer is None
    # Shown on the callout page beside the SMS (bokmål from the catalog when it has them).
    officer = logged_in(voice.api, ROLE_EMAILS[Role.DUTY_OFFICER], "en")
    page = officer.get(f"/callouts/{voice.rows()[KARI].callout_id}")
    assert page.status_code == 200
    shown = {"no-answer": "not answered", "busy": "busy", "failed": "failed"}[status]
    assert f"phone call: {shown}" in page.text
    # A late callout status changes nothing once the call has ended.
    voice.fake.call_status(call.sid, "completed")
    assert voice.rows()[KARI].state is service.FINAL_STATUSES[status]


@pytest.mark.parametrize("path", [CALL_PATH, ANSWER_PATH, MINUTES_PATH, STATUS_PATH])
def test_what_twilio_did_not_sign_is_403_and_changes_nothing(voice: Voice, path: str) -> None:
    _callout(voice)
    voice.clock.now = NOW + timedelta(minutes=2)
    voice.caller().run_once()
    row = voice.rows()[KARI]
    url = call_url(voice.public_url, path, row.id)
    params = {"CallSid": row.call_sid or "", "Digits": "1", "CallStatus": "busy"}
    for signature in (None, "bm90IHNpZ25lZA==", voice.fake.sign(url + "0", params)):
        response = httpx.post(
            url,
            content=urlencode(params),
            headers={"content-type": "application/x-www-form-urlencoded"}
            | ({"X-Twilio-Signature": signature} if signature else {}),
        )
        assert response.status_code == 403
    assert voice.rows()[KARI].state is VoiceCallState.PLACED
    assert voice.recipient(KARI).answer is None
    assert voice.api.session.scalar(select(func.count()).select_from(InboundSms)) == 0


def test_a_volunteer_who_withdrew_consent_is_never_called(voice: Voice) -> None:
    _callout(voice)
    _sms_reply(voice, PER, "STOP")
    voice.clock.now = NOW + timedelta(minutes=2)
    voice.caller().run_once()
    assert voice.fake.calls_to(PER) == []
    assert PER not in voice.rows()


def test_consent_withdrawn_after_the_call_was_queued_cancels_it(voice: Voice) -> None:
    callout = _callout(voice)
    with voice.api.database_sessions() as session:  # type: ignore[attr-defined]
        service.schedule_due(session, now=NOW + timedelta(minutes=2))
        session.commit()
    _sms_reply(voice, PER, "STOP")
    voice.clock.now = NOW + timedelta(minutes=2)
    voice.caller().run_once()
    assert voice.fake.calls_to(PER) == []
    row = voice.rows()[PER]
    assert (row.state, row.error_code) == (VoiceCallState.CANCELLED, service.CONSENT_WITHDRAWN)
    assert callout.id == row.callout_id


def _crash_after_claim(voice: Voice, *, reach_twilio: bool) -> None:
    """A worker claims (committed), maybe places the call, and dies before recording."""
    with voice.api.database_sessions() as session:  # type: ignore[attr-defined]
        service.schedule_due(session, now=voice.clock.now)
        claims = service.claim_due(session, now=voice.clock.now, limit=10, worker="dead")
        session.commit()
    if reach_twilio:
        dead = voice.caller("dead")
        for claim in claims:
            dead._place(claim)


@pytest.mark.parametrize("reach_twilio", [True, False])
def test_exactly_once_after_a_worker_crash_mid_call(voice: Voice, reach_twilio: bool) -> None:
    _callout(voice)
    voice.clock.now = NOW + timedelta(minutes=2)
    _crash_after_claim(voice, reach_twilio=reach_twilio)
    assert {row.state for row in voice.rows().values()} == {VoiceCallState.CALLING}
    # Within the lease nobody touches it; after it, Twilio's call list decides.
    assert voice.caller().run_once().placed == 0
    voice.clock.now += timedelta(minutes=3)
    done = voice.caller().run_once()
    if reach_twilio:
        assert done.reconciled_found == 3 and done.reconciled_missing == 0
    else:
        assert done.reconciled_missing == 3
        voice.caller().run_once()
    for mobile in (KARI, OLA, PER):
        (call,) = voice.fake.calls_to(mobile)
        assert voice.rows()[mobile].call_sid == call.sid
        assert voice.rows()[mobile].state is VoiceCallState.PLACED
    voice.clock.now += timedelta(minutes=10)
    voice.caller().run_once()
    assert len(voice.fake.calls) == 3


def test_a_call_to_a_callout_no_longer_open_says_so(voice: Voice) -> None:
    callout = _callout(voice)
    voice.clock.now = NOW + timedelta(minutes=2)
    voice.caller().run_once()
    from alerts.models import CalloutStatus

    voice.api.session.get(Callout, callout.id).status = CalloutStatus.STOPPED  # type: ignore[union-attr]
    voice.api.session.commit()
    (call,) = voice.fake.calls_to(KARI)
    documents = voice.fake.answer_call(call.sid, "1")
    assert "<Gather" not in documents[0]
    assert voice.recipient(KARI).answer is None


def test_the_sms_worker_runs_the_voice_round_with_its_housekeeping(voice: Voice) -> None:
    from alerts.gateway.local_gateway import InMemoryLocalMessageStore, LocalGateway
    from alerts.outbox.worker import SmsWorker, WorkerConfig

    _callout(voice)
    voice.clock.now = NOW + timedelta(minutes=2)
    worker = SmsWorker(
        voice.api.database_sessions,  # type: ignore[attr-defined]
        LocalGateway(InMemoryLocalMessageStore()),
        WorkerConfig(concurrency=2, idle_poll_s=0.01),
        clock=voice.clock,
        rounds=(voice.caller().run_once,),
    )
    worker.run(once=True)
    assert sorted(call.to for call in voice.fake.calls) == [KARI, OLA, PER]


def _escalated(voice: Voice, *, own: int | None, escalation: int | None) -> Callout:
    """A callout whose first round (Kari, Per) got their SMS at NOW, and Ola, added by the
    escalation (`ask_round` 1, as `escalation.widen` marks them), got his 5 minutes later."""
    callout = _callout(voice, after_min=own)
    callout.escalate_after_min = 5
    callout.escalate_radius_m = 10_000
    callout.escalate_voice_after_min = escalation
    voice.api.session.commit()
    ola = voice.recipient(OLA)
    ola.ask_round = 1
    ola.sent_at = NOW + timedelta(minutes=5)
    voice.api.session.commit()
    return callout


def _called_at(voice: Voice, minutes: float) -> list[str]:
    voice.clock.now = NOW + timedelta(minutes=minutes)
    voice.caller().run_once()
    return sorted(call.to for call in voice.fake.calls)


def test_those_the_escalation_asked_are_called_after_its_own_minutes(voice: Voice) -> None:
    _escalated(voice, own=10, escalation=2)
    assert _called_at(voice, 6 + 59 / 60) == []  # Ola's SMS + 2 min is 7
    assert _called_at(voice, 7) == [OLA]
    assert _called_at(voice, 9 + 59 / 60) == [OLA]  # the first round waits its 10
    assert _called_at(voice, 10) == sorted([KARI, OLA, PER])
    assert _called_at(voice, 30) == sorted([KARI, OLA, PER])  # each exactly once
    assert len(voice.fake.calls_to(OLA)) == 1


def test_without_minutes_of_its_own_the_escalation_follows_the_callouts(voice: Voice) -> None:
    _escalated(voice, own=3, escalation=None)
    assert _called_at(voice, 3) == sorted([KARI, PER])
    assert _called_at(voice, 7 + 59 / 60) == sorted([KARI, PER])  # Ola: his SMS + 3 = 8
    assert _called_at(voice, 8) == sorted([KARI, OLA, PER])
    assert _called_at(voice, 20) == sorted([KARI, OLA, PER])


def test_an_escalation_may_call_when_the_first_round_is_not_called(voice: Voice) -> None:
    _escalated(voice, own=None, escalation=1)
    assert _called_at(voice, 5 + 59 / 60) == []
    assert _called_at(voice, 6) == [OLA]
    assert _called_at(voice, 60) == [OLA]


def test_recipients_not_yet_due_do_not_hold_back_those_that_are(voice: Voice) -> None:
    """The limit counts due recipients only: the first round, not due for an hour, comes
    first in id order and must not fill it."""
    _escalated(voice, own=60, escalation=1)
    voice.clock.now = NOW + timedelta(minutes=6)
    with voice.api.database_sessions() as session:  # type: ignore[attr-defined]
        assert service.schedule_due(session, now=voice.clock.now, limit=1) == 1
        session.commit()
    assert set(voice.rows()) == {OLA}


def test_two_callouts_asking_one_number_call_it_one_at_a_time(voice: Voice) -> None:
    first, second = _callout(voice), _callout(voice)
    voice.clock.now = NOW + timedelta(minutes=2)
    voice.caller().run_once()
    # One call to each number: the second callout's waits while the first holds the line.
    assert [len(voice.fake.calls_to(mobile)) for mobile in (KARI, OLA, PER)] == [1, 1, 1]
    by_callout = _calls_by_callout(voice)
    assert {row.state for row in by_callout[first.id]} == {VoiceCallState.PLACED}
    assert {row.state for row in by_callout[second.id]} == {VoiceCallState.QUEUED}
    (call,) = voice.fake.calls_to(KARI)
    voice.fake.end_call(call.sid, "no-answer")  # the line is free again
    voice.caller().run_once()
    assert len(voice.fake.calls_to(KARI)) == 2
    assert [len(voice.fake.calls_to(mobile)) for mobile in (OLA, PER)] == [1, 1]
    # A placed call whose end was never reported holds its number for LINE_HELD only.
    voice.clock.now += service.LINE_HELD + timedelta(seconds=1)
    voice.caller().run_once()
    assert [len(voice.fake.calls_to(mobile)) for mobile in (KARI, OLA, PER)] == [2, 2, 2]
    sids = [row.call_sid for rows in _calls_by_callout(voice).values() for row in rows]
    assert len(set(sids)) == 6 and None not in sids


def test_a_call_in_doubt_is_never_matched_with_an_earlier_call_to_its_number(
    voice: Voice,
) -> None:
    # Callout 1 called Kari a minute ago (that call is in Twilio's list, within the clock
    # skew); callout 2's call to her was claimed by a worker that died before Twilio heard.
    first = _callout(voice)
    voice.clock.now = NOW + timedelta(minutes=1)
    voice.caller().run_once()
    for call in voice.fake.calls:
        voice.fake.end_call(call.sid, "completed")
    second = _callout(voice)
    voice.clock.now = NOW + timedelta(minutes=2)
    _crash_after_claim(voice, reach_twilio=False)
    assert {row.state for row in _calls_by_callout(voice)[second.id]} == {VoiceCallState.CALLING}
    voice.clock.now += timedelta(minutes=3)
    done = voice.caller().run_once()  # no IntegrityError: the earlier SIDs are held already
    assert done.reconciled_found == 0 and done.reconciled_missing == 3
    voice.caller().run_once()
    for mobile in (KARI, OLA, PER):
        assert len(voice.fake.calls_to(mobile)) == 2
    rows = _calls_by_callout(voice)
    assert {row.state for row in rows[second.id]} == {VoiceCallState.PLACED}
    assert not {row.call_sid for row in rows[first.id]} & {row.call_sid for row in rows[second.id]}


def _calls_by_callout(voice: Voice) -> dict[int, list[VoiceCall]]:
    voice.api.session.expire_all()
    found: dict[int, list[VoiceCall]] = {}
    for row in voice.api.session.scalars(select(VoiceCall).order_by(VoiceCall.id)):
        found.setdefault(row.callout_id, []).append(row)
    return found


def test_the_recipients_json_carries_each_call_as_the_live_page_shows_it(voice: Voice) -> None:
    callout = _callout(voice)
    url = f"/api/v1/callouts/{callout.id}/recipients"

    def calls() -> dict[str, object]:
        response = voice.api.get(Role.DUTY_OFFICER, url)
        assert response.status_code == 200, response.text
        return {item["mobile"]: item["call"] for item in response.json()["items"]}

    assert calls() == {KARI: None, OLA: None, PER: None}
    voice.clock.now = NOW + timedelta(minutes=2)
    voice.caller().run_once()
    assert calls() == {mobile: {"state": "placed", "key": None} for mobile in (KARI, OLA, PER)}
    (kari,) = voice.fake.calls_to(KARI)
    voice.fake.answer_call(kari.sid, "2")
    voice.fake.end_call(kari.sid, "completed")
    (per,) = voice.fake.calls_to(PER)
    voice.fake.end_call(per.sid, "no-answer")
    assert calls() == {
        KARI: {"state": "completed", "key": "2"},
        OLA: {"state": "placed", "key": None},
        PER: {"state": "no_answer", "key": None},
    }
