"""/api/v1/callouts on both backends: planning a draft, whom it would ask, and who may see it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from shapely.geometry import Point
from sqlalchemy import select

from alerts.models import Callout, CalloutRecipient
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.volunteers.models import (
    Membership,
    Volunteer,
    VolunteerQualification,
)
from tests.support.api import ApiHarness
from tests.support.callouts import LILLESTROM, TODAY, at, qualification

URL = "/api/v1/callouts"


def _volunteer(
    api: ApiHarness,
    number: int,
    place: Point,
    codes: dict[str, date | None],
    **fields: Any,
) -> Volunteer:
    organisation = fields.pop("organisation", api.own)
    volunteer = Volunteer(
        full_name=f"Frivillig {number}",
        mobile=f"+4477009003{number:02d}",
        home_area=place,
        sms_consent=fields.pop("sms_consent", True),
        **fields,
    )
    volunteer.memberships.append(Membership(organisation=organisation))
    for code, expires in codes.items():
        volunteer.qualifications.append(
            VolunteerQualification(
                qualification_type=qualification(api.session, code),
                obtained_on=TODAY - timedelta(days=100),
                expires_on=expires,
            )
        )
    api.session.add(volunteer)
    return volunteer


@pytest.fixture
def crowd(api: ApiHarness) -> ApiHarness:
    later = TODAY + timedelta(days=300)
    _volunteer(api, 1, at(0, 1_000), {"first_aid": later})
    _volunteer(api, 2, at(90, 2_000), {"boat_licence": None})
    _volunteer(api, 3, at(180, 3_000), {"first_aid": later, "boat_licence": None})
    _volunteer(api, 4, at(0, 4_000), {"first_aid": TODAY - timedelta(days=1)})  # lapsed
    _volunteer(api, 5, at(270, 2_500), {"first_aid": later}, sms_consent=False)
    _volunteer(api, 6, at(270, 3_500), {"first_aid": later}, availability="unavailable")
    _volunteer(api, 7, at(45, 30_000), {"first_aid": later})  # too far
    _volunteer(api, 8, at(90, 4_500), {"first_aid": later}, organisation=api.other)
    _volunteer(api, 9, at(0, 2_200), {"search_and_rescue": later})  # not needed
    api.session.commit()
    return api


def _body(**fields: Any) -> dict[str, Any]:
    return {
        "title": "Savnet person ved Nitelva",
        "message": "Leteaksjon. Oppmøte Lillestrøm stasjon. Svar JA eller NEI.",
        "exercise": False,
        "lat": LILLESTROM[1],
        "lon": LILLESTROM[0],
        "radius_m": 10_000,
        "needs": [
            {"qualification": "first_aid", "count": 8},
            {"qualification": "boat_licence", "count": 2},
        ],
    } | fields


def _names(api: ApiHarness, callout_id: int, role: Role = Role.DUTY_OFFICER) -> list[str]:
    response = api.get(role, f"{URL}/{callout_id}/recipients")
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


def test_a_draft_asks_the_available_consenting_and_qualified_nearest_first(
    crowd: ApiHarness,
) -> None:
    response = crowd.post(Role.DUTY_OFFICER, URL, json=_body())
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "draft" and created["recipients_count"] == 4
    assert created["counts"]["planned"] == 4 and created["counts"]["queued"] == 0
    assert created["counts"]["no_answer"] == 4 and created["counts"]["yes"] == 0
    assert created["wanted"] == 10 and created["code"]
    assert [(n["qualification"], n["count"], n["yes"]) for n in created["needs"]] == [
        ("first_aid", 8, 0),
        ("boat_licence", 2, 0),
    ]
    # Nearest first; not the lapsed, the non-consenting, the unavailable, the far or the
    # one without a needed qualification.
    assert _names(crowd, created["id"]) == [
        "Frivillig 1",
        "Frivillig 2",
        "Frivillig 3",
        "Frivillig 8",
    ]
    read = crowd.get(Role.ADMIN, f"{URL}/{created['id']}")
    assert read.status_code == 200 and read.json()["recipients_count"] == 4


def test_organisations_and_an_area_narrow_whom_it_asks(crowd: ApiHarness) -> None:
    only_own = crowd.post(Role.DUTY_OFFICER, URL, json=_body(organisation_ids=[crowd.own.id]))
    assert _names(crowd, only_own.json()["id"]) == ["Frivillig 1", "Frivillig 2", "Frivillig 3"]
    north = at(0, 1_000)
    square = [
        [north.x - 0.01, north.y - 0.005],
        [north.x + 0.01, north.y - 0.005],
        [north.x + 0.01, north.y + 0.005],
        [north.x - 0.01, north.y + 0.005],
        [north.x - 0.01, north.y - 0.005],
    ]
    in_area = crowd.post(
        Role.DUTY_OFFICER, URL, json=_body(area={"type": "Polygon", "coordinates": [square]})
    )
    assert in_area.status_code == 201, in_area.text
    assert _names(crowd, in_area.json()["id"]) == ["Frivillig 1"]


def test_who_to_ask_by_agreement(crowd: ApiHarness) -> None:
    """An agreement in force names its organisation; one not in force is refused."""
    today = today_in_norway()
    agreement = Agreement(
        organisation_id=crowd.own.id,
        reference="BER-2026-7",
        title="Førstehjelp ved flom",
        status=AgreementStatus.ACTIVE,
        valid_from=today - timedelta(days=30),
    )
    ended = Agreement(
        organisation_id=crowd.other.id,
        reference="BER-2020-1",
        title="Gammel avtale",
        status=AgreementStatus.ACTIVE,
        valid_from=today - timedelta(days=900),
        valid_until=today - timedelta(days=1),
    )
    crowd.session.add_all([agreement, ended])
    crowd.session.flush()
    by_agreement = crowd.post(Role.DUTY_OFFICER, URL, json=_body(agreement_ids=[agreement.id]))
    assert by_agreement.status_code == 201, by_agreement.text
    assert by_agreement.json()["organisation_ids"] == [crowd.own.id]
    assert _names(crowd, by_agreement.json()["id"]) == ["Frivillig 1", "Frivillig 2", "Frivillig 3"]
    refused = crowd.post(Role.DUTY_OFFICER, URL, json=_body(agreement_ids=[ended.id]))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "agreement_ids"


def test_open_callouts_get_distinct_codes(crowd: ApiHarness) -> None:
    codes = {crowd.post(Role.DUTY_OFFICER, URL, json=_body()).json()["code"] for _ in range(3)}
    assert len(codes) == 3


def test_only_callout_roles_plan_and_see_callouts(crowd: ApiHarness) -> None:
    created = crowd.post(Role.ADMIN, URL, json=_body()).json()
    for role in (Role.COUNCIL, Role.PLANNER, Role.ORG_EDITOR):
        assert crowd.post(role, URL, json=_body()).status_code == 403
        assert crowd.get(role, f"{URL}/{created['id']}").status_code == 403
        assert crowd.get(role, f"{URL}/{created['id']}/recipients").status_code == 403
    assert crowd.get(None, URL).status_code == 401
    listed = crowd.get(Role.DUTY_OFFICER, URL).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"needs": []}, "needs"),
        ({"needs": [{"qualification": "juggling", "count": 1}]}, "needs"),
        ({"needs": [{"qualification": "first_aid", "count": 0}]}, "needs"),
        (
            {"needs": [{"qualification": "first_aid", "count": 1}] * 2},
            "needs",
        ),
        ({"radius_m": 0}, "radius_m"),
        ({"radius_m": 10**9}, "radius_m"),
        ({"lat": 11.0, "lon": 59.9}, "lat"),
        ({"message": ""}, "message"),
        ({"message": "x" * 481}, "message"),
        ({"title": "a\x00b"}, "title"),
        (
            {
                "area": {
                    "type": "Polygon",
                    "coordinates": [[[11, 60], [12, 61], [12, 60], [11, 61], [11, 60]]],
                }
            },
            "area",
        ),
        ({"organisation_ids": [0]}, "organisation_ids"),
    ],
)
def test_bad_callouts_are_explained_and_nothing_is_written(
    crowd: ApiHarness, fields: dict[str, Any], field: str
) -> None:
    before = crowd.counts(Callout, CalloutRecipient)
    response = crowd.post(Role.DUTY_OFFICER, URL, json=_body(**fields))
    assert response.status_code == 422, response.text
    assert field in response.text
    assert crowd.counts(Callout, CalloutRecipient) == before


def test_unknown_callout_is_404(crowd: ApiHarness) -> None:
    assert crowd.get(Role.DUTY_OFFICER, f"{URL}/999999").status_code == 404
    assert crowd.get(Role.DUTY_OFFICER, f"{URL}/999999/recipients").status_code == 404


def test_send_queues_whoever_qualifies_now_and_stop_cancels_what_is_unsent(
    crowd: ApiHarness,
) -> None:
    created = crowd.post(Role.DUTY_OFFICER, URL, json=_body()).json()
    # Between planning and sending, one withdraws consent and one more becomes available.
    first = crowd.session.scalars(select(Volunteer).where(Volunteer.full_name == "Frivillig 1"))
    first.one().sms_consent = False
    resting = crowd.session.scalars(select(Volunteer).where(Volunteer.full_name == "Frivillig 6"))
    resting.one().availability = "available"
    crowd.session.commit()

    sent = crowd.post(Role.DUTY_OFFICER, f"{URL}/{created['id']}/send")
    assert sent.status_code == 202, sent.text
    body = sent.json()
    assert body["status"] == "active" and body["sent_at"] is not None
    assert body["counts"]["queued"] == body["recipients_count"] == 4
    assert body["counts"]["planned"] == 0
    assert sorted(_names(crowd, created["id"])) == [
        "Frivillig 2",
        "Frivillig 3",
        "Frivillig 6",
        "Frivillig 8",
    ]
    again = crowd.post(Role.DUTY_OFFICER, f"{URL}/{created['id']}/send")
    assert again.status_code == 409

    stopped = crowd.post(Role.DUTY_OFFICER, f"{URL}/{created['id']}/stop")
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["status"] == "stopped"
    assert stopped.json()["counts"]["cancelled"] == 4 and stopped.json()["counts"]["queued"] == 0
    assert crowd.post(Role.DUTY_OFFICER, f"{URL}/{created['id']}/stop").status_code == 409
    assert crowd.post(Role.DUTY_OFFICER, f"{URL}/{created['id']}/send").status_code == 409


def test_only_callout_roles_send_and_stop(crowd: ApiHarness) -> None:
    created = crowd.post(Role.DUTY_OFFICER, URL, json=_body()).json()
    for role in (Role.COUNCIL, Role.PLANNER, Role.ORG_EDITOR):
        assert crowd.post(role, f"{URL}/{created['id']}/send").status_code == 403
        assert crowd.post(role, f"{URL}/{created['id']}/stop").status_code == 403
    assert crowd.get(Role.DUTY_OFFICER, f"{URL}/{created['id']}").json()["status"] == "draft"
    assert crowd.post(Role.DUTY_OFFICER, f"{URL}/999999/send").status_code == 404
