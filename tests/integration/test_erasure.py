"""Purging a volunteer erases every trace of the person (GDPR art. 17) on both backends:
afterwards no text or JSON column of any table holds their name, mobile or e-mail, while the
callout's figures and the audit trail's who-changed-what-when stay."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, String, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from alerts.inbound.sms import handle_inbound
from alerts.models import (
    Answer,
    CalloutRecipient,
    LocalSms,
    MessageChannel,
    OutgoingMessage,
    RecipientState,
)
from alerts.outbox import claims as outbox
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role
from beredskap.platform.db import Base
from beredskap.register.volunteers.models import Volunteer
from tests.support.api import ApiHarness
from tests.support.callouts import URL, at, body, deliver_all, volunteer

NAME = "Kari Slettemo Nordmann"
MOBILE = "+4791234567"
EMAIL = "kari.slettemo@example.no"
VOLUNTEERS = "/api/v1/volunteers"


def _traces(session: Session, needles: list[str]) -> list[tuple[str, str, int]]:
    """(table, column, rows) of every text-like column holding any needle."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, (String, Text, JSON)):
                continue
            as_text = cast(column, Text)  # enums and JSON compared as their text
            hits = session.scalar(
                select(func.count())
                .select_from(table)
                .where(or_(*(as_text.contains(needle) for needle in needles)))
            )
            if hits:
                found.append((table.name, column.name, hits))
    return found


def _figures(api: ApiHarness, callout_id: int) -> dict[str, Any]:
    read = api.get(Role.DUTY_OFFICER, f"{URL}/{callout_id}")
    assert read.status_code == 200, read.text
    # The per-need yes counts too: they read what each recipient held when asked.
    return {key: read.json()[key] for key in ("counts", "recipients_count", "needs")}


def test_a_purged_volunteer_leaves_no_trace_and_the_figures_stay(api: ApiHarness) -> None:
    volunteer(api.session, 1, at(0, 1_000), ["first_aid"], api.own)
    person = volunteer(api.session, 2, at(90, 1_500), ["first_aid"], api.own)
    person.full_name, person.mobile = NAME, MOBILE
    api.session.commit()
    subject_id = person.id
    url = f"{VOLUNTEERS}/{subject_id}"
    # Changes through the API, so the audit trail holds copies of the values.
    changed = api.patch(Role.ADMIN, url, json={"email": EMAIL})
    assert changed.status_code == 200, changed.text

    created = api.post(Role.DUTY_OFFICER, URL, json=body())
    assert created.status_code == 201, created.text
    callout_id = created.json()["id"]
    assert api.post(Role.DUTY_OFFICER, f"{URL}/{callout_id}/send").status_code == 202
    deliver_all(api.session, callout_id)
    api.session.commit()
    handle_inbound(
        api.session, from_number=MOBILE, body="JA 10 min, har vondt i kneet",
        received_at=datetime.now(UTC),
    )  # fmt: skip
    sent = LocalSms(provider_id="L1", reference="r1", to=MOBILE, body="Leteaksjon",
                    status="delivered", created_at=datetime.now(UTC))  # fmt: skip
    mailed = OutgoingMessage(channel=MessageChannel.EMAIL, to=EMAIL, subject="Øvelse",
                             body=f"Hei {NAME}", dedupe_key=f"test:{subject_id}")  # fmt: skip
    api.session.add_all([sent, mailed])
    api.session.commit()
    follow_up = api.post(
        Role.DUTY_OFFICER, f"{URL}/{callout_id}/follow-up", json={"message": "Oppmøte"}
    )
    assert follow_up.status_code == 202, follow_up.text
    before = _figures(api, callout_id)
    assert before["counts"]["yes"] == 1 and before["recipients_count"] == 2, before
    assert [need["yes"] for need in before["needs"]] == [1], before
    needles = [NAME, MOBILE, MOBILE.removeprefix("+"), EMAIL]
    assert len(_traces(api.session, needles)) >= 6  # the scenario reached every table

    purged = api.delete(Role.ADMIN, url)
    assert purged.status_code == 204, purged.text

    api.session.expire_all()
    assert _traces(api.session, needles) == []
    assert api.session.get(Volunteer, subject_id) is None
    assert api.get(Role.ADMIN, url).status_code == 404
    assert _figures(api, callout_id) == before
    answers = api.session.scalars(
        select(CalloutRecipient.answer).where(CalloutRecipient.callout_id == callout_id)
    ).all()
    assert Answer.YES in answers
    # The trail keeps that the person was changed and removed, by whom and when.
    trail = api.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "volunteers", AuditEntry.entity_id == str(subject_id)
        )
    ).all()
    assert {entry.action for entry in trail} >= {"insert", "update", "delete"}
    assert all(entry.actor for entry in trail)


def test_messages_queued_for_a_purged_volunteer_are_not_sent(api: ApiHarness) -> None:
    person = volunteer(api.session, 3, at(0, 1_000), ["first_aid"], api.own)
    person.mobile = MOBILE
    api.session.commit()
    created = api.post(Role.DUTY_OFFICER, URL, json=body())
    callout_id = created.json()["id"]
    assert api.post(Role.DUTY_OFFICER, f"{URL}/{callout_id}/send").status_code == 202
    assert api.delete(Role.ADMIN, f"{VOLUNTEERS}/{person.id}").status_code == 204
    claims = outbox.claim_due(api.session, now=datetime.now(UTC), limit=500, worker="test")
    api.session.commit()
    assert [claim for claim in claims if claim.to.startswith("volunteer#")] == []
    api.session.expire_all()
    states = api.session.scalars(
        select(CalloutRecipient.state).where(CalloutRecipient.callout_id == callout_id)
    ).all()
    assert states == [RecipientState.CANCELLED]


def test_purging_an_unknown_volunteer_is_404(api: ApiHarness) -> None:
    assert api.delete(Role.ADMIN, f"{VOLUNTEERS}/987654").status_code == 404
