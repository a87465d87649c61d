"""An access request (GDPR art. 15) on both backends: the export holds every table the
declaration links to the person, is the administrator's alone, and is itself audited."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from alerts.inbound.sms import handle_inbound
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role
from tests.support.api import ApiHarness
from tests.support.callouts import at, sent_and_delivered, volunteer


def test_the_export_holds_everything_about_the_person(api: ApiHarness) -> None:
    person = volunteer(api.session, 1, at(0, 1_000), ["first_aid"], api.own)
    volunteer(api.session, 2, at(90, 1_000), ["first_aid"], api.own)
    api.session.commit()
    callout_id = sent_and_delivered(api)
    handle_inbound(api.session, from_number=person.mobile, body="JA 5",
                   received_at=datetime.now(UTC))  # fmt: skip
    api.session.commit()
    url = f"/api/v1/volunteers/{person.id}/export"

    response = api.get(Role.ADMIN, url)
    assert response.status_code == 200, response.text
    exported = response.json()
    tables = exported["tables"]
    assert tables["volunteers"][0]["mobile"] == person.mobile
    assert {"memberships", "volunteer_qualifications", "consent_events"} <= set(tables)
    assert [row["callout_id"] for row in tables["callout_recipients"]] == [callout_id]
    assert [row["body"] for row in tables["inbound_sms"]] == ["JA 5"]
    # Only this person's rows: the other volunteer asked by the same callout is not there.
    assert len(tables["volunteers"]) == 1 and len(tables["callout_recipients"]) == 1
    reads = api.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "read", AuditEntry.entity_id == str(person.id)
        )
    ).all()
    assert len(reads) == 1 and reads[0].actor

    for role in (Role.DUTY_OFFICER, Role.ORG_EDITOR, Role.COUNCIL, Role.PLANNER):
        assert api.get(role, url).status_code == 403
    assert api.get(Role.ADMIN, "/api/v1/volunteers/987654/export").status_code == 404
