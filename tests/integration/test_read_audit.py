"""Reads of personal data are audited on both backends: one `read` entry per request (who,
what, how many), listed by GET /api/v1/audit?action=read; reads without people write none."""

from __future__ import annotations

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role
from tests.support.api import ApiHarness
from tests.support.callouts import URL, at, sent_and_delivered, volunteer


def _reads(api: ApiHarness) -> list[dict]:
    listed = api.get(Role.ADMIN, "/api/v1/audit", params={"action": "read", "limit": 100})
    assert listed.status_code == 200, listed.text
    return list(listed.json()["items"])


def test_reading_people_is_audited_once_per_request(api: ApiHarness) -> None:
    for number in range(3):
        volunteer(api.session, number, at(number * 90, 1_000), ["first_aid"], api.own)
    api.session.commit()
    callout_id = sent_and_delivered(api)
    assert _reads(api) == []

    assert api.get(Role.DUTY_OFFICER, f"{URL}/{callout_id}/recipients").status_code == 200
    found = api.get(Role.DUTY_OFFICER, "/api/v1/search/volunteers",
                    params={"lat": 59.956, "lon": 11.049, "radius_m": 5000})  # fmt: skip
    assert found.status_code == 200, found.text
    reads = _reads(api)
    assert len(reads) == 2
    by_what = {entry["after"]["read"]: entry for entry in reads}
    recipients = by_what["callouts.recipients"]
    assert recipients["after"]["count"] == 3 and recipients["entity_id"] == str(callout_id)
    assert recipients["actor"] == by_what["search.volunteers"]["actor"] != ""
    assert by_what["search.volunteers"]["after"]["count"] == 3

    # Reads without people (the callout itself, counts) write no read entry.
    before = api.counts(AuditEntry)
    assert api.get(Role.DUTY_OFFICER, f"{URL}/{callout_id}").status_code == 200
    assert api.counts(AuditEntry) == before
    assert api.get(Role.ADMIN, "/api/v1/audit", params={"action": "nonsense"}).status_code == 422
