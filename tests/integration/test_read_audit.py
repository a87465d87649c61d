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


def _new_reads(api: ApiHarness, seen: int) -> list[dict]:
    """The read entries written since `seen` were listed, oldest first."""
    reads = _reads(api)
    assert len(reads) >= seen
    return list(reversed(reads[: len(reads) - seen]))


def test_the_volunteers_api_audits_reads_of_contact_details(api: ApiHarness) -> None:
    for number in range(3):
        volunteer(api.session, number, at(number * 90, 1_000), ["first_aid"], api.own)
    other = volunteer(api.session, 3, at(400, 1_000), [], api.other)
    api.session.commit()
    actors = {
        role: api.get(role, "/api/v1/me").json()["email"]
        for role in (Role.ADMIN, Role.ORG_EDITOR, Role.DUTY_OFFICER)
    }
    assert _reads(api) == []

    # A page of the list: one entry, as many as the page showed.
    page = api.get(Role.ADMIN, "/api/v1/volunteers", params={"limit": 2, "q": "Frivillig"})
    assert page.status_code == 200 and len(page.json()["items"]) == 2
    assert page.json()["items"][0]["mobile"]
    (entry,) = _new_reads(api, 0)
    assert (entry["entity"], entry["entity_id"], entry["actor"]) == (
        "volunteers",
        "",
        actors[Role.ADMIN],
    )
    assert entry["after"] == {"read": "volunteers.list", "count": 2}
    # An org editor's page holds its own members only, and says so.
    mine = api.get(Role.ORG_EDITOR, "/api/v1/volunteers").json()["items"]
    everyone = api.get(Role.DUTY_OFFICER, "/api/v1/volunteers").json()["items"]
    assert (len(mine), len(everyone)) == (3, 4)
    editor, officer = _new_reads(api, 1)
    assert (editor["actor"], editor["after"]["count"]) == (actors[Role.ORG_EDITOR], 3)
    assert (officer["actor"], officer["after"]["count"]) == (actors[Role.DUTY_OFFICER], 4)

    # One volunteer: the entry names the record (so the access export finds it).
    one = api.get(Role.DUTY_OFFICER, f"/api/v1/volunteers/{other.id}")
    assert one.status_code == 200 and one.json()["mobile"] == other.mobile
    (entry,) = _new_reads(api, 3)
    assert (entry["entity"], entry["entity_id"]) == ("volunteers", str(other.id))
    assert entry["after"] == {"read": "volunteers.read", "count": 1}
    by_record = api.get(Role.ADMIN, "/api/v1/audit",
                        params={"action": "read", "entity": "volunteers",
                                "entity_id": str(other.id)})  # fmt: skip
    assert [item["id"] for item in by_record.json()["items"]] == [entry["id"]]

    # Without contact details (the planner), an empty page or a refused record: no entry.
    before = api.counts(AuditEntry)
    assert api.get(Role.PLANNER, "/api/v1/volunteers").json()["items"][0].get("mobile") is None
    assert api.get(Role.PLANNER, f"/api/v1/volunteers/{other.id}").status_code == 200
    nobody = api.get(Role.ADMIN, "/api/v1/volunteers", params={"q": "Ingen slik"})
    assert nobody.json()["items"] == []
    assert api.get(Role.ORG_EDITOR, f"/api/v1/volunteers/{other.id}").status_code == 404
    assert api.counts(AuditEntry) == before


HTML = {"Accept": "text/html"}


def test_pages_showing_members_mobiles_are_audited(api: ApiHarness) -> None:
    for number in range(2):
        volunteer(api.session, number, at(number * 90, 1_000), [], api.own)
    api.session.commit()
    admin = api.get(Role.ADMIN, "/api/v1/me").json()["email"]

    page = api.client.get(f"/organisations/{api.own.id}", headers=api.headers(Role.ADMIN) | HTML)
    assert page.status_code == 200 and "+447700900400" in page.text
    (entry,) = _reads(api)
    assert (entry["entity"], entry["entity_id"], entry["actor"]) == (
        "memberships",
        str(api.own.id),
        admin,
    )
    assert entry["after"] == {"read": "web.organisation", "count": 2}

    near = {"lat": "59.9560", "lon": "11.0490", "radius_km": "20"}
    incident = api.client.get("/maps/incident", params=near,
                              headers=api.headers(Role.DUTY_OFFICER) | HTML)  # fmt: skip
    assert incident.status_code == 200 and "+447700900401" in incident.text
    newest = _reads(api)[0]
    assert (newest["entity"], newest["entity_id"]) == ("volunteers", "")
    assert newest["after"] == {"read": "web.map_incident", "count": 2}

    # Members without their mobiles (the planner), or another organisation's page with no
    # member: nothing written.
    before = api.counts(AuditEntry)
    for role, organisation in ((Role.PLANNER, api.own), (Role.ADMIN, api.other)):
        shown = api.client.get(f"/organisations/{organisation.id}",
                               headers=api.headers(role) | HTML)  # fmt: skip
        assert shown.status_code == 200 and "+447700900400" not in shown.text
    assert api.counts(AuditEntry) == before
