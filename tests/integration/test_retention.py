"""Retention enforced on both backends: what has outlived its period is erased (callout
recipients and notices: number and text go, the answer stays) or deleted (message logs,
replies), audit copies of personal values are overwritten, inactive volunteers purged; a dry
run counts and changes nothing; a second run finds nothing; recent data is untouched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from alerts.inbound.sms import handle_inbound
from alerts.models import Answer, CalloutRecipient, InboundSms, LocalSms
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import LoginFailure, Role, User, WebSession
from beredskap.platform.columns import utcnow
from beredskap.platform.db import Base
from beredskap.platform.privacy.retention import Period, apply_retention
from beredskap.register.volunteers.models import Volunteer
from beredskap.register.volunteers.retention import purge_inactive
from tests.support.api import ApiHarness
from tests.support.callouts import at, sent_and_delivered, volunteer

DAYS = {
    Period.CALLOUT: 365,
    Period.MESSAGE_LOG: 90,
    Period.AUDIT_PERSONAL: 1_825,
    Period.INACTIVE_VOLUNTEER: 365,
    Period.SECURITY_LOG: 30,
}


def _counts(outcomes: list) -> dict[str, int]:
    return {outcome.table: outcome.rows for outcome in outcomes}


def test_old_personal_data_goes_and_recent_stays(api: ApiHarness) -> None:
    old_person = volunteer(api.session, 1, at(0, 1_000), ["first_aid"], api.own)
    volunteer(api.session, 2, at(90, 1_000), ["first_aid"], api.own)
    api.session.commit()
    old_mobile = old_person.mobile

    def sent_callout() -> int:
        callout_id = sent_and_delivered(api)
        handle_inbound(api.session, from_number=old_mobile, body="JA 10",
                       received_at=datetime.now(UTC))  # fmt: skip
        api.session.commit()
        return callout_id

    old_callout = sent_callout()
    long_ago = utcnow() - timedelta(days=400)
    api.session.execute(update(CalloutRecipient).where(CalloutRecipient.callout_id == old_callout)
                        .values(created_at=long_ago))  # fmt: skip
    api.session.execute(update(InboundSms).values(received_at=long_ago))
    api.session.add(LocalSms(provider_id="L1", reference="r1", to=old_mobile, body="Gammel",
                             status="delivered", created_at=long_ago))  # fmt: skip
    recent_callout = sent_callout()
    # A volunteer changed long ago through the API (so the trail holds the values) and since
    # then inactive.
    leaver = volunteer(api.session, 3, at(180, 1_000), ["first_aid"], api.own)
    api.session.commit()
    leaver_id, leaver_mobile = leaver.id, leaver.mobile
    changed = api.patch(
        Role.ADMIN, f"/api/v1/volunteers/{leaver_id}", json={"active": False, "email": "gone@x.no"}
    )
    assert changed.status_code == 200, changed.text
    api.session.execute(update(Volunteer).where(Volunteer.id == leaver_id)
                        .values(updated_at=long_ago))  # fmt: skip
    api.session.execute(update(AuditEntry).where(AuditEntry.entity == "volunteers")
                        .values(occurred_at=utcnow() - timedelta(days=2_000)))  # fmt: skip
    api.session.commit()

    now = utcnow()
    dry = [purge_inactive(api.session, DAYS[Period.INACTIVE_VOLUNTEER], now, dry_run=True),
           *apply_retention(api.session, Base.metadata, DAYS, now, dry_run=True)]  # fmt: skip
    api.session.rollback()
    expected = _counts(dry)
    assert expected["volunteers"] == 1
    assert expected["callout_recipients"] == 2  # the old callout's two recipients
    assert expected["inbound_sms"] == 1 and expected["local_sms"] == 1  # the old reply and SMS
    assert expected["audit_log"] >= 3
    assert api.session.get(Volunteer, leaver_id) is not None  # a dry run changes nothing

    done = [purge_inactive(api.session, DAYS[Period.INACTIVE_VOLUNTEER], now),
            *apply_retention(api.session, Base.metadata, DAYS, now)]  # fmt: skip
    api.session.commit()
    # The purge already erased the leaver's audit copies, so fewer are left for the trail's
    # own period than the dry run counted.
    counted = _counts(done)
    assert counted.pop("audit_log") <= expected.pop("audit_log")
    assert counted == expected
    api.session.expire_all()
    assert api.session.get(Volunteer, leaver_id) is None
    old_rows = api.session.scalars(
        select(CalloutRecipient).where(CalloutRecipient.callout_id == old_callout)
    ).all()
    assert {row.mobile for row in old_rows} == {"erased"}
    assert Answer.YES in {row.answer for row in old_rows}  # the answer stays
    recent_rows = api.session.scalars(
        select(CalloutRecipient).where(CalloutRecipient.callout_id == recent_callout)
    ).all()
    assert old_mobile in {row.mobile for row in recent_rows}
    assert api.session.scalars(select(LocalSms)).all() == []
    trail = api.session.scalars(select(AuditEntry).where(AuditEntry.entity == "volunteers")).all()
    copies = " ".join(str(entry.before) + str(entry.after) for entry in trail)
    assert old_mobile not in copies and leaver_mobile not in copies and "gone@x.no" not in copies

    again = apply_retention(api.session, Base.metadata, DAYS, utcnow())
    assert not any(outcome.rows for outcome in again)


def test_old_sessions_and_failed_logins_go_and_a_staff_user_is_no_volunteer(
    api: ApiHarness,
) -> None:
    user = api.session.scalars(select(User).where(User.role == Role.DUTY_OFFICER)).first()
    assert user is not None
    long_ago = utcnow() - timedelta(days=31)
    api.session.add_all([
        LoginFailure(email=user.email, client_address="192.0.2.7", occurred_at=long_ago),
        LoginFailure(email=user.email, client_address="192.0.2.8", occurred_at=utcnow()),
        WebSession(user_id=user.id, token_hash="a" * 64, csrf_token="c", created_at=long_ago,
                   expires_at=long_ago + timedelta(hours=12)),
        WebSession(user_id=user.id, token_hash="b" * 64, csrf_token="c", created_at=utcnow(),
                   expires_at=utcnow() + timedelta(hours=12)),
    ])  # fmt: skip
    # A volunteer who shares the staff user's e-mail address: purging the volunteer must not
    # touch the staff user (a different kind of data subject).
    twin = volunteer(api.session, 1, at(0, 1_000), ["first_aid"], api.own)
    twin.email = user.email
    api.session.commit()
    purged = api.delete(Role.ADMIN, f"/api/v1/volunteers/{twin.id}")
    assert purged.status_code == 204, purged.text

    counted = _counts(apply_retention(api.session, Base.metadata, DAYS, utcnow()))
    api.session.commit()
    assert counted["login_failures"] == 1 and counted["web_sessions"] == 1
    api.session.expire_all()
    assert [row.client_address for row in api.session.scalars(select(LoginFailure))] == [
        "192.0.2.8"
    ]
    assert [row.token_hash[0] for row in api.session.scalars(select(WebSession))
            if row.user_id == user.id] == ["b"]  # fmt: skip
    assert api.session.get(User, user.id).email == user.email
