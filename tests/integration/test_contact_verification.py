"""Contact verification (issue 16 part 5) on both backends: the command, the button and the
API ask each consenting, active volunteer once a day through the outbox; a coded JA answers
the check even while a callout is open, a bare JA goes to the open callout and answers the
check only when none is; numbers that fail for good are flagged; who may ask; bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from alerts.gateway.port import FailureKind, SendFailed
from alerts.gateway.sms_encoding import is_gsm7, sms_segments
from alerts.inbound.replies import is_callout_code, parse_reply
from alerts.inbound.sms import handle_inbound
from alerts.models import (
    Answer,
    CalloutRecipient,
    InboundOutcome,
    InboundSms,
    OutgoingMessage,
    RecipientState,
)
from alerts.sms_texts import EXERCISE_MARKER
from alerts.verification import texts
from alerts.verification.codes import read_check_reply
from alerts.verification.models import ContactCheck
from alerts.verification.service import ask_volunteers
from beredskap.main.cli import app as cli
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.db import transaction
from beredskap.platform.runtime import Database
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers.models import Membership, Volunteer
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness
from tests.support.callouts import at, volunteer
from tests.support.outbox_worker import ScriptedGateway, make_worker
from tests.support.sms import NOW, add_volunteer, sent_callout

URL = "/api/v1/contact-checks"
KARI = "+447700900301"
OLA = "+447700900302"
_CODE = re.compile(r"\bK[1-9][0-9]{2}\b")


def _members(api: ApiHarness) -> dict[str, Volunteer]:
    """Own: two who consent, one who does not, one inactive; other: one who consents."""
    people = {
        "kari": volunteer(api.session, 1, at(0, 500), [], api.own),
        "ola": volunteer(api.session, 2, at(90, 500), [], api.own),
        "silent": volunteer(api.session, 3, at(180, 500), [], api.own),
        "gone": volunteer(api.session, 4, at(270, 500), [], api.own),
        "other": volunteer(api.session, 5, at(45, 500), [], api.other),
    }
    people["silent"].sms_consent = False
    people["gone"].active = False
    api.session.commit()
    return people


def _messages(session: Session) -> list[OutgoingMessage]:
    session.expire_all()
    return list(session.scalars(select(OutgoingMessage).order_by(OutgoingMessage.id)))


def _code_of(session: Session, mobile: str) -> str:
    return (
        session.scalars(
            select(ContactCheck.code)
            .where(ContactCheck.mobile == mobile)
            .order_by(ContactCheck.id.desc())
        ).first()
        or ""
    )


def _written(api: ApiHarness) -> tuple[int, ...]:
    return api.counts(OutgoingMessage, ContactCheck, InboundSms)


# -- the text and its code ---------------------------------------------------------------------


def test_the_check_text_fits_one_sms_never_reads_as_an_exercise_and_its_code_no_callout() -> None:
    for code in ("K100", "K482", "K999"):
        text = texts.question(code)
        assert code in text and is_gsm7(text) and sms_segments(text) == 1
        assert not text.startswith("ØVELSE") and EXERCISE_MARKER not in text
        assert not is_callout_code(code)
        # The callout parser never takes the check's answer for a callout code.
        assert parse_reply(f"{code} JA").callout_code is None
        assert parse_reply(f"JA {code}").callout_code is None
    for language in ("nb", "en"):
        for text in (
            texts.confirmed(language),
            texts.not_confirmed(language),
            texts.unknown_check_code("K482", language),
        ):
            assert is_gsm7(text) and sms_segments(text) == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ("K482 JA", ("K482", True)),
        ("ja k-482", ("K482", True)),
        ("JA K482 takk", ("K482", True)),
        ("k 482 nei", ("K482", False)),
        ("Jaaa K482", ("K482", True)),
        ("JA", None),
        ("B7 JA", None),
        ("K48 JA", None),  # two digits: a callout code's shape, never a check's
        ("K482 JA nei", None),
        ("K482 kanskje", None),
        ("JA 20", None),
    ],
)
def test_a_check_answer_is_read_only_with_its_code(
    text: str, expected: tuple[str, bool] | None
) -> None:
    found = read_check_reply(text)
    assert (None if found is None else (found.code, found.yes)) == expected


# -- asking: the API, permissions, consent, exactly once, bad input -----------------------------


def test_the_coordinator_asks_one_organisations_consenting_active_members_once_a_day(
    api: ApiHarness,
) -> None:
    people = _members(api)
    response = api.post(Role.ADMIN, URL, json={"organisation_id": api.own.id})
    assert response.status_code == 202, response.text
    assert response.json() == {
        "asked": 2,
        "already_asked": 0,
        "organisation_id": api.own.id,
        "older_than_days": None,
    }
    messages = _messages(api.session)
    assert sorted(m.to for m in messages) == sorted([people["kari"].mobile, people["ola"].mobile])
    for message in messages:
        assert message.state is RecipientState.QUEUED
        code = _code_of(api.session, message.to)
        assert _CODE.fullmatch(code) and code in message.body
        assert not message.body.startswith("ØVELSE") and sms_segments(message.body) == 1
    checks = api.session.scalars(select(ContactCheck)).all()
    assert {check.message_id for check in checks} == {m.id for m in messages}
    assert all(
        check.asked_on == today_in_norway() and check.answered_at is None for check in checks
    )

    again = api.post(Role.ADMIN, URL, json={"organisation_id": api.own.id})
    assert again.status_code == 202, again.text
    assert (again.json()["asked"], again.json()["already_asked"]) == (0, 2)
    assert len(_messages(api.session)) == 2  # nothing sent twice

    everyone = api.post(Role.ADMIN, URL, json={})
    assert everyone.status_code == 202, everyone.text
    assert (everyone.json()["asked"], everyone.json()["already_asked"]) == (1, 2)
    assert people["other"].mobile in {m.to for m in _messages(api.session)}
    assert people["silent"].mobile not in {m.to for m in _messages(api.session)}


def test_only_those_not_confirmed_within_the_days_are_asked(api: ApiHarness) -> None:
    people = _members(api)
    today = today_in_norway()
    people["kari"].contact_verified_on = today - timedelta(days=10)
    people["ola"].contact_verified_on = today - timedelta(days=100)
    api.session.commit()
    response = api.post(
        Role.ORG_EDITOR, URL, json={"organisation_id": api.own.id, "older_than_days": 30}
    )
    assert response.status_code == 202, response.text
    assert response.json()["asked"] == 1
    assert [m.to for m in _messages(api.session)] == [people["ola"].mobile]


@pytest.mark.parametrize("role", [Role.DUTY_OFFICER, Role.COUNCIL, Role.PLANNER])
def test_other_roles_may_not_ask(api: ApiHarness, role: Role) -> None:
    _members(api)
    before = _written(api)
    for body in ({"organisation_id": api.own.id}, {}):
        assert api.post(role, URL, json=body).status_code == 403
    assert _written(api) == before


def test_an_org_editor_asks_only_its_own_organisation(api: ApiHarness) -> None:
    _members(api)
    before = _written(api)
    assert api.post(Role.ORG_EDITOR, URL, json={"organisation_id": api.other.id}).status_code == 403
    assert api.post(Role.ORG_EDITOR, URL, json={}).status_code == 403  # everyone: the coordinator
    assert _written(api) == before
    own = api.post(Role.ORG_EDITOR, URL, json={"organisation_id": api.own.id})
    assert own.status_code == 202 and own.json()["asked"] == 2


@pytest.mark.parametrize(
    "body, status",
    [
        ({"older_than_days": 0}, 422),
        ({"older_than_days": 3651}, 422),
        ({"older_than_days": "a week"}, 422),
        ({"organisation_id": 0}, 422),
        ({"organisation_id": "own"}, 422),
        ({"everyone": True}, 422),
        ({"organisation_id": 99_999_999}, 404),
    ],
)
def test_bad_input_is_refused_and_nothing_written(
    api: ApiHarness, body: dict[str, object], status: int
) -> None:
    _members(api)
    before = _written(api)
    response = api.post(Role.ADMIN, URL, json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _written(api) == before


def test_a_volunteer_who_withdrew_consent_after_being_asked_gets_no_sms(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    kari = add_volunteer(session, KARI, "Kari Nordmann")
    add_volunteer(session, OLA, "Ola Nordmann")
    run = ask_volunteers(
        session, organisation_id=None, older_than_days=None, today=today_in_norway(), now=utcnow()
    )
    assert run.asked == 2
    kari.sms_consent = False  # a STOP, or staff on her word, before the worker sends
    session.flush()
    gateway = ScriptedGateway()
    make_worker(sessions, gateway).run(once=True)
    assert [record["to"] for record in gateway.sent] == [OLA]
    states = {m.to: m.state for m in _messages(session)}
    assert states == {KARI: RecipientState.CANCELLED, OLA: RecipientState.SENT}


# -- answers: the check beside an open callout --------------------------------------------------


def _asked_and_delivered(session: Session, mobile: str) -> str:
    """A check to `mobile`, its SMS delivered; the check's code."""
    ask_volunteers(
        session, organisation_id=None, older_than_days=None, today=today_in_norway(), now=utcnow()
    )
    session.execute(update(OutgoingMessage).values(state=RecipientState.DELIVERED))
    return _code_of(session, mobile)


def _volunteer(session: Session, mobile: str) -> Volunteer:
    session.expire_all()
    return session.scalars(select(Volunteer).where(Volunteer.mobile == mobile)).one()


def test_a_bare_yes_goes_to_the_open_callout_and_the_coded_yes_to_the_check(
    session: Session,
) -> None:
    add_volunteer(session, KARI, "Kari Nordmann")
    code = _asked_and_delivered(session, KARI)
    callout = sent_callout(session, "Flom Leirsund", sent_minutes_ago=5)

    bare = handle_inbound(session, from_number=KARI, body="JA", received_at=NOW)
    assert bare.outcome is InboundOutcome.ANSWERED and bare.callout_id == callout.id
    assert _volunteer(session, KARI).contact_verified_on is None
    check = session.scalars(select(ContactCheck)).one()
    assert check.answered_at is None

    coded = handle_inbound(session, from_number=KARI, body=f"{code} JA", received_at=NOW)
    assert coded.outcome is InboundOutcome.CONTACT_CHECKED and coded.callout_id is None
    assert coded.reply == texts.confirmed("nb")
    kari = _volunteer(session, KARI)
    assert kari.contact_verified_on == today_in_norway() and kari.contact_failed_on is None
    session.refresh(check)
    assert check.answered_at == NOW and check.confirmed is True
    # The callout's answer is the bare yes, untouched by the check's.
    recipient = session.scalars(
        select(CalloutRecipient).where(CalloutRecipient.callout_id == callout.id)
    ).one()
    assert recipient.answer is Answer.YES
    outcomes = session.scalars(select(InboundSms.outcome).order_by(InboundSms.id)).all()
    assert outcomes == [InboundOutcome.ANSWERED, InboundOutcome.CONTACT_CHECKED]


def test_a_coded_no_while_a_callout_is_open_touches_neither_the_callout_nor_the_volunteer(
    session: Session,
) -> None:
    add_volunteer(session, KARI, "Kari Nordmann")
    code = _asked_and_delivered(session, KARI)
    callout = sent_callout(session, "Flom Leirsund", sent_minutes_ago=5)
    result = handle_inbound(session, from_number=KARI, body=f"nei {code}", received_at=NOW)
    assert result.outcome is InboundOutcome.CONTACT_CHECKED
    assert result.reply == texts.not_confirmed("nb")
    assert session.scalars(select(ContactCheck.confirmed)).one() is False
    assert _volunteer(session, KARI).contact_verified_on is None
    answers = session.scalars(
        select(CalloutRecipient.answer).where(CalloutRecipient.callout_id == callout.id)
    ).all()
    assert answers == [None]


def test_a_bare_yes_with_no_callout_open_confirms_the_pending_check(session: Session) -> None:
    add_volunteer(session, KARI, "Kari Nordmann")
    # Not yet sent: a bare yes cannot be about it.
    ask_volunteers(
        session, organisation_id=None, older_than_days=None, today=today_in_norway(), now=utcnow()
    )
    queued = handle_inbound(session, from_number=KARI, body="ja", received_at=NOW)
    assert queued.outcome is InboundOutcome.NO_OPEN_CALLOUT
    session.execute(update(OutgoingMessage).values(state=RecipientState.SENT))
    session.execute(
        update(Volunteer).values(contact_failed_on=today_in_norway() - timedelta(days=3))
    )
    result = handle_inbound(session, from_number=KARI, body="ja", received_at=NOW)
    assert result.outcome is InboundOutcome.CONTACT_CHECKED
    kari = _volunteer(session, KARI)
    assert kari.contact_verified_on == today_in_norway() and kari.contact_failed_on is None
    # Answered: a later bare yes is no answer to anything.
    later = handle_inbound(session, from_number=KARI, body="ja", received_at=NOW)
    assert later.outcome is InboundOutcome.NO_OPEN_CALLOUT


def test_a_check_code_nobody_was_sent_changes_nothing(session: Session) -> None:
    add_volunteer(session, KARI, "Kari Nordmann")
    add_volunteer(session, OLA, "Ola Nordmann")
    code = _asked_and_delivered(session, KARI)
    wrong = "K100" if code != "K100" else "K101"
    result = handle_inbound(session, from_number=KARI, body=f"{wrong} JA", received_at=NOW)
    assert result.outcome is InboundOutcome.UNKNOWN_CODE
    assert result.reply == texts.unknown_check_code(wrong, "nb")
    # Kari's code from Ola's phone confirms neither.
    other = handle_inbound(session, from_number=OLA, body=f"{code} JA", received_at=NOW)
    assert other.outcome is InboundOutcome.UNKNOWN_CODE
    assert _volunteer(session, KARI).contact_verified_on is None
    assert _volunteer(session, OLA).contact_verified_on is None
    assert session.scalars(select(ContactCheck.answered_at)).all() == [None, None]


# -- numbers that fail for good -----------------------------------------------------------------


def test_a_number_refused_for_good_is_flagged_and_a_transient_refusal_is_not(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    add_volunteer(session, KARI, "Kari Nordmann")
    add_volunteer(session, OLA, "Ola Nordmann")
    ask_volunteers(
        session, organisation_id=None, older_than_days=None, today=today_in_norway(), now=utcnow()
    )
    gateway = ScriptedGateway(
        {
            KARI: [SendFailed(FailureKind.PERMANENT, "'To' number is not a valid mobile", 21614)],
            OLA: [SendFailed(FailureKind.TRANSIENT, "too many requests", 20429)],
        }
    )
    make_worker(sessions, gateway).run(once=True)
    states = {m.to: m.state for m in _messages(session)}
    assert states[KARI] is RecipientState.FAILED
    assert _volunteer(session, KARI).contact_failed_on == today_in_norway()
    assert _volunteer(session, OLA).contact_failed_on is None


def test_a_callout_sms_refused_for_good_flags_the_number_too(
    session: Session, sessions: sessionmaker[Session]
) -> None:
    add_volunteer(session, KARI, "Kari Nordmann")
    sent_callout(session, "Flom Leirsund", sent_minutes_ago=1, state=RecipientState.QUEUED)
    gateway = ScriptedGateway(
        {KARI: [SendFailed(FailureKind.PERMANENT, "'To' number cannot receive SMS", 21635)]}
    )
    make_worker(sessions, gateway).run(once=True)
    assert gateway.sends_to(KARI) == 1
    assert _volunteer(session, KARI).contact_failed_on == today_in_norway()


def test_the_flags_show_in_the_api_to_those_who_see_contact_data(api: ApiHarness) -> None:
    people = _members(api)
    today = today_in_norway()
    people["kari"].contact_verified_on = today
    people["ola"].contact_failed_on = today
    api.session.commit()
    seen = api.get(Role.ADMIN, f"/api/v1/volunteers/{people['ola'].id}")
    assert seen.status_code == 200, seen.text
    assert seen.json()["contact_failed_on"] == today.isoformat()
    editor = api.get(Role.ORG_EDITOR, f"/api/v1/volunteers/{people['kari'].id}")
    assert editor.json()["contact_verified_on"] == today.isoformat()
    planner = api.get(Role.PLANNER, f"/api/v1/volunteers/{people['kari'].id}")
    assert planner.status_code == 200, planner.text
    assert planner.json()["contact_verified_on"] is None and planner.json()["mobile"] is None


# -- the button ---------------------------------------------------------------------------------


def test_the_organisation_page_flags_failed_numbers_and_its_button_asks_the_members(
    api: ApiHarness,
) -> None:
    people = _members(api)
    people["ola"].contact_failed_on = today_in_norway()
    api.session.commit()
    client = logged_in(api, ROLE_EMAILS[Role.ORG_EDITOR])
    page = client.get(f"/organisations/{api.own.id}")
    assert page.status_code == 200, page.text
    assert 'id="contact-checks"' in page.text and people["ola"].full_name in page.text
    flagged = page.text.split('id="contact-checks"', 1)[1]
    assert people["ola"].mobile in flagged and people["kari"].mobile not in flagged
    token = form_token(page.text)

    sent = client.post(
        "/contact-checks",
        data={"csrf_token": token, "organisation_id": str(api.own.id), "older_than_days": ""},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    shown = client.get(sent.headers["location"])
    assert shown.status_code == 200 and "2" in shown.text
    assert len(_messages(api.session)) == 2

    bad = client.post(
        "/contact-checks",
        data={"csrf_token": token, "organisation_id": str(api.own.id), "older_than_days": "ti"},
        follow_redirects=False,
    )
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    before = _written(api)
    other = client.post(
        "/contact-checks",
        data={"csrf_token": token, "organisation_id": str(api.other.id)},
        follow_redirects=False,
    )
    assert other.status_code == 403
    everyone = client.post("/contact-checks", data={"csrf_token": token}, follow_redirects=False)
    assert everyone.status_code == 403
    forged = client.post(
        "/contact-checks",
        data={"csrf_token": "forged", "organisation_id": str(api.own.id)},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert _written(api) == before


def test_the_coordinators_dashboard_asks_everyone_and_others_may_not(api: ApiHarness) -> None:
    _members(api)
    admin = logged_in(api, ROLE_EMAILS[Role.ADMIN])
    dashboard = admin.get("/")
    assert dashboard.status_code == 200 and 'action="/contact-checks"' in dashboard.text
    sent = admin.post(
        "/contact-checks",
        data={"csrf_token": form_token(dashboard.text), "older_than_days": "365"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert "asked=3" in sent.headers["location"]
    assert admin.get(f"/organisations/{api.own.id}").text.count('action="/contact-checks"') == 1
    for role in (Role.DUTY_OFFICER, Role.COUNCIL):
        client = logged_in(api, ROLE_EMAILS[role])
        page = client.get(f"/organisations/{api.own.id}")
        assert 'action="/contact-checks"' not in page.text
        refused = client.post(
            "/contact-checks",
            data={"csrf_token": form_token(client.get("/account/password").text)},
            follow_redirects=False,
        )
        assert refused.status_code == 403
    assert len(_messages(api.session)) == 3


def test_the_local_sms_page_names_an_answer_to_a_check_and_planners_see_no_flags(
    api: ApiHarness,
) -> None:
    people = _members(api)
    code = _asked_and_delivered(api.session, people["kari"].mobile)
    answered = handle_inbound(
        api.session, from_number=people["kari"].mobile, body=f"{code} JA", received_at=NOW
    )
    assert answered.outcome is InboundOutcome.CONTACT_CHECKED
    api.session.commit()
    admin = logged_in(api, ROLE_EMAILS[Role.ADMIN], "en")
    local = admin.get("/sms/local")
    assert local.status_code == 200, local.text
    assert "Contact check answered" in local.text
    planner = logged_in(api, ROLE_EMAILS[Role.PLANNER]).get(f"/organisations/{api.own.id}")
    assert planner.status_code == 200 and people["kari"].full_name in planner.text
    assert 'id="contact-checks"' not in planner.text


# -- the command --------------------------------------------------------------------------------


def test_the_command_asks_once_a_day_and_refuses_an_unknown_organisation(
    engine: Engine, fresh_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from beredskap.main.settings import get_settings

    with transaction(fresh_database.sessions, "test") as setup:
        organisation = Organisation(
            name="Eget Hjelpekorps", category="first_aid_corps", organisation_number="982463718"
        )
        setup.add(organisation)
        kari = add_volunteer(setup, KARI, "Kari Nordmann")
        kari.memberships.append(Membership(organisation=organisation))
        add_volunteer(setup, OLA, "Ola Nordmann")  # of no organisation
    monkeypatch.setenv("BEREDSKAP_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        first = runner.invoke(cli, ["verify-contacts", "--organisation", "982463718"])
        assert first.exit_code == 0, first.output
        assert "1 volunteer(s) asked, 0 asked already today" in first.output
        again = runner.invoke(cli, ["verify-contacts", "--older-than-days", "30"])
        assert again.exit_code == 0, again.output
        assert "1 volunteer(s) asked, 1 asked already today" in again.output
        unknown = runner.invoke(cli, ["verify-contacts", "--organisation", "999999999"])
        assert unknown.exit_code == 2 and "no organisation" in unknown.output
        bad = runner.invoke(cli, ["verify-contacts", "--older-than-days", "0"])
        assert bad.exit_code == 2
    finally:
        get_settings.cache_clear()
    with fresh_database.sessions() as check:
        assert check.scalar(select(func.count()).select_from(OutgoingMessage)) == 2
        assert check.scalar(select(func.count()).select_from(ContactCheck)) == 2
