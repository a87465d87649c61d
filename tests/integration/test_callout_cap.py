"""A callout as CAP 1.2 (alerts/cap) through /api/v1/callouts/{id}/cap on both backends: the
Alert, its Updates and the Cancel, each valid against the OASIS schema shipped in tests/data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import update

from alerts.callouts.escalation import escalate_due
from alerts.models import Answer, Callout, CalloutNotice
from alerts.sms_texts import EXERCISE_MARKER
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import utcnow
from beredskap.platform.privacy.retention import ERASED
from tests.support.api import ApiHarness
from tests.support.callouts import (
    LILLESTROM,
    TODAY,
    URL,
    answer,
    at,
    body,
    sent_and_delivered,
    volunteer,
)

XSD = Path(__file__).parents[1] / "data" / "CAP-v1.2.xsd"
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
CAP_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
ORGANISATION_NUMBER = "974760673"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.fixture
def town(api: ApiHarness) -> ApiHarness:
    api.own.organisation_number = ORGANISATION_NUMBER
    volunteer(api.session, 1, at(0, 1_000), ["first_aid"], api.own)
    volunteer(api.session, 2, at(90, 2_000), ["first_aid"], api.own)
    volunteer(api.session, 3, at(270, 3_000), ["first_aid"], api.other)  # the next circle
    volunteer(api.session, 4, at(180, 8_000), ["first_aid"], api.own)  # the wider radius
    api.session.commit()
    return api


class Cap:
    """A CAP document read back, after it passed the schema."""

    def __init__(self, content: bytes, schema: etree.XMLSchema) -> None:
        self.raw = content
        self.root = etree.fromstring(content)
        schema.assertValid(self.root)

    def text(self, path: str) -> str | None:
        found = self.root.find(path, NS)
        return None if found is None else found.text

    def all(self, path: str) -> list[str]:
        return [element.text or "" for element in self.root.findall(path, NS)]


def _cap(api: ApiHarness, schema: etree.XMLSchema, path: str) -> Cap:
    response = api.get(Role.DUTY_OFFICER, path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/cap+xml")
    return Cap(response.content, schema)


def _latest(api: ApiHarness, schema: etree.XMLSchema, callout_id: int) -> Cap:
    return _cap(api, schema, f"{URL}/{callout_id}/cap.xml")


def _listed(api: ApiHarness, callout_id: int) -> list[dict[str, Any]]:
    response = api.get(Role.DUTY_OFFICER, f"{URL}/{callout_id}/cap")
    assert response.status_code == 200, response.text
    assert response.json()["callout_id"] == callout_id
    return list(response.json()["messages"])


def _reference(cap: Cap) -> str:
    return f"{cap.text('cap:sender')},{cap.text('cap:identifier')},{cap.text('cap:sent')}"


def test_a_real_callout_is_an_actual_alert_to_organisations_in_a_circle(
    town: ApiHarness, schema: etree.XMLSchema
) -> None:
    callout_id = sent_and_delivered(town)
    cap = _latest(town, schema, callout_id)
    assert cap.text("cap:identifier") == f"3205-callout-{callout_id}-1"
    assert cap.text("cap:sender") == "beredskap@kommune-3205.invalid"  # no public URL set
    sent = cap.text("cap:sent")
    assert sent is not None and CAP_TIME.match(sent), sent
    assert (cap.text("cap:status"), cap.text("cap:msgType")) == ("Actual", "Alert")
    assert cap.text("cap:scope") == "Private"
    assert cap.text("cap:note") is None and cap.text("cap:references") is None
    assert cap.text("cap:incidents") == f"3205-callout-{callout_id}"
    # Those within 5 km: two of the own organisation, one of the other (which has no number).
    addresses = (cap.text("cap:addresses") or "").split()
    assert sorted(addresses) == sorted(
        [f"orgnr:{ORGANISATION_NUMBER}", f"organisation:{town.other.id}"]
    )
    info = "cap:info/cap:"
    assert cap.text(info + "language") == "no"
    assert cap.text(info + "category") == "Rescue"
    assert cap.text(info + "event") == body()["title"]
    assert cap.text(info + "responseType") == "Execute"
    assert (cap.text(info + "urgency"), cap.text(info + "severity")) == ("Immediate", "Unknown")
    assert cap.text(info + "certainty") == "Observed"
    assert cap.text(info + "instruction") == body()["message"]
    assert cap.text(info + "senderName")
    assert cap.all(info + "area/cap:circle") == [f"{LILLESTROM[1]:.6f},{LILLESTROM[0]:.6f} 5"]
    assert cap.all(info + "area/cap:polygon") == []
    assert cap.all(info + "area/cap:geocode/cap:valueName") == ["kommunenummer"]
    assert cap.all(info + "area/cap:geocode/cap:value") == ["3205"]
    # No person in it: neither a mobile nor a name.
    assert b"+44770090" not in cap.raw and b"Frivillig" not in cap.raw
    assert _listed(town, callout_id) == [
        {
            "sequence": 1,
            "identifier": f"3205-callout-{callout_id}-1",
            "sender": "beredskap@kommune-3205.invalid",
            "sent": sent,
            "msg_type": "Alert",
            "references": [],
            "href": f"{URL}/{callout_id}/cap.xml?message=1",
        }
    ]
    assert _cap(town, schema, f"{URL}/{callout_id}/cap.xml?message=1").raw == cap.raw


def test_an_exercise_callout_is_an_exercise_with_a_note_naming_it(
    town: ApiHarness, schema: etree.XMLSchema
) -> None:
    callout_id = sent_and_delivered(town, exercise=True, title="Øvelse Nitelva 2026")
    cap = _latest(town, schema, callout_id)
    assert cap.text("cap:status") == "Exercise"
    assert cap.text("cap:note") == f"{EXERCISE_MARKER}: Øvelse Nitelva 2026"
    # The marker is for SMS; CAP says it by its status.
    assert EXERCISE_MARKER not in (cap.text("cap:info/cap:instruction") or "")


def test_a_follow_up_is_an_update_referencing_the_alert_which_stays_as_it_was(
    town: ApiHarness, schema: etree.XMLSchema
) -> None:
    callout_id = sent_and_delivered(town, exercise=True)
    alert = _latest(town, schema, callout_id)
    items = town.get(Role.DUTY_OFFICER, f"{URL}/{callout_id}/recipients").json()["items"]
    answer(town.session, items[0]["id"], Answer.YES, minutes=15)
    town.session.commit()
    response = town.post(
        Role.DUTY_OFFICER,
        f"{URL}/{callout_id}/follow-up",
        json={"message": "Oppmøte ved brannstasjonen kl 03.30"},
    )
    assert response.status_code == 202, response.text
    update = _latest(town, schema, callout_id)
    assert update.text("cap:msgType") == "Update"
    assert update.text("cap:status") == "Exercise"
    assert update.text("cap:identifier") == f"3205-callout-{callout_id}-2"
    assert update.text("cap:references") == _reference(alert)
    assert update.text("cap:incidents") == alert.text("cap:incidents")
    assert update.text("cap:info/cap:instruction") == "Oppmøte ved brannstasjonen kl 03.30"
    assert update.text("cap:info/cap:description") == body()["message"]
    # The Alert is still message 1, unchanged, so the reference keeps naming it.
    assert _cap(town, schema, f"{URL}/{callout_id}/cap.xml?message=1").raw == alert.raw
    assert [item["msg_type"] for item in _listed(town, callout_id)] == ["Alert", "Update"]


def test_escalation_covered_and_stop_are_updates_then_a_cancel_referencing_them_all(
    town: ApiHarness, schema: etree.XMLSchema
) -> None:
    callout_id = sent_and_delivered(
        town, escalation={"after_min": 10, "radius_m": 10_000, "organisation_ids": []}
    )
    alert = _latest(town, schema, callout_id)
    callout = town.session.get(Callout, callout_id)
    assert callout is not None
    callout.escalation_due_at = utcnow()  # its time has come
    town.session.commit()
    assert escalate_due(town.session, now=utcnow(), on=TODAY) == [callout_id]
    town.session.commit()
    escalated = _latest(town, schema, callout_id)
    assert escalated.text("cap:msgType") == "Update"
    assert escalated.text("cap:references") == _reference(alert)
    # The wider radius, and the volunteer it added, of the own organisation.
    assert escalated.all("cap:info/cap:area/cap:circle") == [
        f"{LILLESTROM[1]:.6f},{LILLESTROM[0]:.6f} 10"
    ]
    assert town.post(Role.DUTY_OFFICER, f"{URL}/{callout_id}/covered").status_code == 202
    covered = _latest(town, schema, callout_id)
    assert covered.text("cap:msgType") == "Update"
    assert covered.text("cap:info/cap:responseType") is None
    assert town.post(Role.DUTY_OFFICER, f"{URL}/{callout_id}/stop").status_code == 200
    cancel = _latest(town, schema, callout_id)
    assert cancel.text("cap:msgType") == "Cancel"
    assert cancel.text("cap:identifier") == f"3205-callout-{callout_id}-4"
    assert (cancel.text("cap:references") or "").split() == [
        _reference(alert),
        _reference(escalated),
        _reference(covered),
    ]
    assert cancel.text("cap:info/cap:urgency") == "Past"
    assert cancel.text("cap:info/cap:responseType") == "None"
    listed = _listed(town, callout_id)
    assert [item["msg_type"] for item in listed] == ["Alert", "Update", "Update", "Cancel"]
    for item in listed:  # every message on its own, valid, and the same as listed
        cap = _cap(town, schema, item["href"])
        assert cap.text("cap:identifier") == item["identifier"]
        assert cap.text("cap:sent") == item["sent"]


def test_a_drawn_area_is_its_polygon_within_the_radius(
    town: ApiHarness, schema: etree.XMLSchema
) -> None:
    lon, lat = LILLESTROM
    # A tall strip: its ends lie beyond the 5 km radius and are cut off.
    west, east, south, north = lon - 0.02, lon + 0.02, lat - 0.2, lat + 0.2
    strip = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    callout_id = sent_and_delivered(town, area={"type": "Polygon", "coordinates": [strip]})
    cap = _latest(town, schema, callout_id)
    assert cap.all("cap:info/cap:area/cap:circle") == []
    [polygon] = cap.all("cap:info/cap:area/cap:polygon")
    pairs = [tuple(float(value) for value in pair.split(",")) for pair in polygon.split()]
    assert len(pairs) >= 4 and pairs[0] == pairs[-1]
    latitudes = [pair[0] for pair in pairs]
    assert lat - 0.05 < min(latitudes) and max(latitudes) < lat + 0.05  # clipped at ~5 km
    assert all(lon - 0.0201 < pair[1] < lon + 0.0201 for pair in pairs)
    assert cap.all("cap:info/cap:area/cap:geocode/cap:value") == ["3205"]


def test_the_sender_is_the_public_host(public_api: ApiHarness, schema: etree.XMLSchema) -> None:
    volunteer(public_api.session, 1, at(0, 1_000), ["first_aid"], public_api.own)
    public_api.session.commit()
    callout_id = sent_and_delivered(public_api)
    cap = _latest(public_api, schema, callout_id)
    assert cap.text("cap:sender") == "beredskap@testserver"


def test_who_may_read_and_what_bad_input_gets(town: ApiHarness) -> None:
    callout_id = sent_and_delivered(town)
    paths = (
        f"{URL}/{callout_id}/cap",
        f"{URL}/{callout_id}/cap.xml",
        f"{URL}/{callout_id}/cap.xml?message=1",
    )
    for path in paths:
        assert town.get(Role.ADMIN, path).status_code == 200
        for role in (Role.COUNCIL, Role.PLANNER, Role.ORG_EDITOR):
            assert town.get(role, path).status_code == 403, (role, path)
        assert town.get(None, path).status_code == 401
    for path in (f"{URL}/987654/cap", f"{URL}/987654/cap.xml", f"{URL}/987654/cap.xml?message=1"):
        assert town.get(Role.DUTY_OFFICER, path).status_code == 404, path
    assert town.get(Role.DUTY_OFFICER, f"{URL}/{callout_id}/cap.xml?message=2").status_code == 404
    for path in (
        f"{URL}/0/cap.xml",
        f"{URL}/99999999999999999999/cap.xml",
        f"{URL}/{callout_id}/cap.xml?message=0",
        f"{URL}/{callout_id}/cap.xml?message=last",
        f"{URL}/{callout_id}/cap.xml?message=99999999999999999999",
    ):
        assert town.get(Role.DUTY_OFFICER, path).status_code == 422, path
    draft = town.post(Role.DUTY_OFFICER, URL, json=body()).json()["id"]
    assert town.get(Role.DUTY_OFFICER, f"{URL}/{draft}/cap.xml").status_code == 409
    assert town.get(Role.DUTY_OFFICER, f"{URL}/{draft}/cap.xml?message=1").status_code == 404
    assert _listed(town, draft) == []


def test_a_follow_up_erased_by_retention_keeps_its_place_in_the_thread(
    town: ApiHarness, schema: etree.XMLSchema
) -> None:
    callout_id = sent_and_delivered(town)
    items = town.get(Role.DUTY_OFFICER, f"{URL}/{callout_id}/recipients").json()["items"]
    for item in items[:2]:
        answer(town.session, item["id"], Answer.YES)
    town.session.commit()
    url = f"{URL}/{callout_id}/follow-up"
    assert town.post(Role.DUTY_OFFICER, url, json={"message": "Oppmøte kl 03"}).status_code == 202
    before = _listed(town, callout_id)
    town.session.execute(
        update(CalloutNotice).where(CalloutNotice.callout_id == callout_id).values(body=ERASED)
    )
    town.session.commit()
    assert _listed(town, callout_id) == before  # the same messages, numbers and times
    update_message = _latest(town, schema, callout_id)
    assert update_message.text("cap:msgType") == "Update"
    # Its own words are gone: the callout's message is what is left to say.
    assert update_message.text("cap:info/cap:instruction") == body()["message"]
