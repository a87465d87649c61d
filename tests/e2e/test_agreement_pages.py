"""Issue 15 on the pages, on both backends: agreements (the list, new, edit) with their
commitments as repeated rows, contacts and a service area drawn, pasted or uploaded as
GeoJSON, with the API's role rules (agreements.create/update: the admin), its service's
refusals as messages beside their fields (422, nothing written), the version check (409,
nothing overwritten) and the CSRF token.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.register.agreements.models import Agreement, AgreementStatus, Commitment
from beredskap.register.inventory.models import ResourceType
from beredskap.register.volunteers.models import QualificationType
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness

ADMIN = ROLE_EMAILS[Role.ADMIN]
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[11.0, 59.9], [11.1, 59.9], [11.1, 60.0], [11.0, 60.0], [11.0, 59.9]]],
}


def _resource(api: ApiHarness, code: str) -> int:
    type_id = api.session.scalar(select(ResourceType.id).where(ResourceType.code == code))
    assert type_id is not None
    return type_id


def _qualification(api: ApiHarness, code: str) -> int:
    type_id = api.session.scalar(select(QualificationType.id).where(QualificationType.code == code))
    assert type_id is not None
    return type_id


def _agreement(api: ApiHarness, **fields: Any) -> Agreement:
    agreement = Agreement(
        organisation_id=fields.pop("organisation_id", api.own.id),
        reference=fields.pop("reference", "2026/17"),
        title=fields.pop("title", "Beredskapsavtale"),
        status=fields.pop("status", AgreementStatus.ACTIVE),
        valid_from=fields.pop("valid_from", date(2026, 1, 1)),
        **fields,
    )
    api.session.add(agreement)
    api.session.commit()
    return agreement


def _stored(api: ApiHarness, agreement_id: int) -> Agreement:
    api.session.expire_all()
    stored = api.session.get(Agreement, agreement_id)
    assert stored is not None
    return stored


def _fields(api: ApiHarness, token: str, **extra: Any) -> dict[str, Any]:
    return {
        "csrf_token": token,
        "organisation_id": str(api.own.id),
        "reference": "2026/42",
        "title": "Avtale om forpleining",
        "status": "active",
        "valid_from": "2026-01-01",
        "valid_until": "2028-12-31",
        "notice_period_days": "90",
        "annual_review_on": "2026-11-01",
        "committed_mobilisation_minutes": "60",
        "tasks": ["catering", "first_aid"],
        "callout_route": "Vakttelefon, deretter SMS",
        "police_rescue_precedence": "1",
        **extra,
    }


# Who may open what ----------------------------------------------------------------------------


def test_each_role_gets_the_pages_the_api_would_let_it_use(api: ApiHarness) -> None:
    agreement = _agreement(api)
    admin = logged_in(api, ADMIN)
    for url in ("/agreements", "/agreements/new", f"/agreements/{agreement.id}/edit"):
        assert admin.get(url).status_code == 200, url
    assert 'href="/agreements/new"' in admin.get("/agreements").text
    own = admin.get(f"/organisations/{api.own.id}").text
    assert f"/agreements/new?organisation_id={api.own.id}" in own
    assert f"/agreements/{agreement.id}/edit" in own
    for role in (Role.ORG_EDITOR, Role.DUTY_OFFICER, Role.COUNCIL, Role.PLANNER):
        client = logged_in(api, ROLE_EMAILS[role])
        listing = client.get("/agreements")
        assert listing.status_code == 200 and "2026/17" in listing.text, role
        assert 'href="/agreements/new"' not in listing.text
        for url in ("/agreements/new", f"/agreements/{agreement.id}/edit"):
            page = client.get(url)
            assert page.status_code == 403, (role, url)
        page = client.get(f"/organisations/{api.own.id}").text
        assert "/agreements/new" not in page and f"/agreements/{agreement.id}/edit" not in page
    assert admin.get("/agreements/999999/edit").status_code == 404


def test_posts_of_a_role_without_the_right_write_nothing(api: ApiHarness) -> None:
    agreement = _agreement(api)
    editor = logged_in(api, ROLE_EMAILS[Role.ORG_EDITOR])
    token = form_token(editor.get("/").text)
    before = api.counts(Agreement, Commitment)
    created = editor.post("/agreements/new", data=_fields(api, token))
    edited = editor.post(
        f"/agreements/{agreement.id}/edit",
        data=_fields(api, token, version=str(agreement.version), reference="2026/17"),
    )
    assert created.status_code == 403 and edited.status_code == 403
    assert api.counts(Agreement, Commitment) == before


# Creating and editing -------------------------------------------------------------------------


def test_the_admin_registers_an_agreement_with_commitments(api: ApiHarness) -> None:
    admin = logged_in(api, ADMIN)
    token = form_token(admin.get("/agreements/new").text)
    generator, first_aid = _resource(api, "generator"), _qualification(api, "first_aid")
    data = _fields(
        api,
        token,
        commitment_kind=[f"resource:{generator}", f"qualification:{first_aid}", ""],
        commitment_quantity=["2", "6", ""],
        contact_name=["Kari Kontakt", ""],
        contact_role=["leder", ""],
        contact_phone=["+447700900123", ""],
        contact_email=["kari@example.org", ""],
        service_area=json.dumps(SQUARE),
    )
    # "Add a commitment" shows one more row and writes nothing.
    before = api.counts(Agreement, Commitment)
    more = admin.post("/agreements/new", data={**data, "add_row": "commitment"})
    assert more.status_code == 200
    assert more.text.count('name="commitment_kind"') == 4
    assert api.counts(Agreement, Commitment) == before

    response = admin.post("/agreements/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(f"/organisations/{api.own.id}?done=")
    stored = api.session.scalars(select(Agreement).where(Agreement.reference == "2026/42")).one()
    assert stored.tasks == ["catering", "first_aid"]
    assert stored.valid_until == date(2028, 12, 31) and stored.notice_period_days == 90
    assert stored.committed_mobilisation_minutes == 60 and stored.police_rescue_precedence
    assert {
        (c.resource_type_id, c.qualification_type_id, c.quantity) for c in stored.commitments
    } == {(generator, None, 2), (None, first_aid, 6)}
    assert stored.contacts == [
        {
            "name": "Kari Kontakt",
            "role": "leder",
            "phone": "+447700900123",
            "email": "kari@example.org",
        }
    ]
    assert to_shape(stored.service_area).bounds == (11.0, 59.9, 11.1, 60.0)
    page = admin.get(response.headers["location"]).text
    assert "Avtalen er registrert." in page or "The agreement was registered." in page
    listing = admin.get("/agreements").text
    assert "Avtale om forpleining" in listing


def test_the_admin_edits_commitments_and_removes_the_area(api: ApiHarness) -> None:
    generator, atv = _resource(api, "generator"), _resource(api, "atv")
    agreement = _agreement(api, service_area=SQUARE)
    agreement.commitments = [Commitment(resource_type_id=generator, quantity=1)]
    api.session.commit()
    admin = logged_in(api, ADMIN)
    form = admin.get(f"/agreements/{agreement.id}/edit")
    assert form.status_code == 200
    assert f'value="resource:{generator}" selected' in form.text
    assert "km²" in form.text  # the stored area in words
    data = _fields(
        api,
        form_token(form.text),
        version=str(agreement.version),
        reference="2026/17",
        commitment_kind=[f"resource:{generator}", f"resource:{atv}"],
        commitment_quantity=["1", "3"],
        commitment_remove=["0"],
        remove_area="1",
    )
    response = admin.post(f"/agreements/{agreement.id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    stored = _stored(api, agreement.id)
    assert [(c.resource_type_id, c.quantity) for c in stored.commitments] == [(atv, 3)]
    assert stored.service_area is None and stored.title == "Avtale om forpleining"


def test_a_form_made_before_someone_elses_change_overwrites_nothing(api: ApiHarness) -> None:
    agreement = _agreement(api)
    admin = logged_in(api, ADMIN)
    form = admin.get(f"/agreements/{agreement.id}/edit")
    version = agreement.version
    agreement.title = "Endret i mellomtiden"
    api.session.commit()
    response = admin.post(
        f"/agreements/{agreement.id}/edit",
        data=_fields(api, form_token(form.text), version=str(version), reference="2026/17"),
    )
    assert response.status_code == 409
    assert "Endret i mellomtiden" in response.text
    assert 'id="conflict"' in response.text
    assert _stored(api, agreement.id).title == "Endret i mellomtiden"


def test_bad_input_is_refused_with_messages_beside_the_fields(api: ApiHarness) -> None:
    _agreement(api, reference="2026/1")
    admin = logged_in(api, ADMIN)
    token = form_token(admin.get("/agreements/new").text)
    before = api.counts(Agreement, Commitment)
    generator = _resource(api, "generator")
    response = admin.post(
        "/agreements/new",
        data=_fields(
            api,
            token,
            title="",
            valid_from="2026-05-01",
            valid_until="2026-01-01",
            notice_period_days="9999",
            committed_mobilisation_minutes="x",
            commitment_kind=[f"resource:{generator}", "resource:0"],
            commitment_quantity=["0", "2"],
            contact_name=[""],
            contact_role=["leder"],
            contact_phone=[""],
            contact_email=[""],
        ),
    )
    assert response.status_code == 422
    text = response.text
    for anchor in (
        "#f-title",
        "#f-valid_until",
        "#f-notice_period_days",
        "#f-committed_mobilisation_minutes",
        "#f-commitment-1-quantity",
        "#f-commitment-2-kind",
        "#f-contact-1-name",
    ):
        assert f'href="{anchor}"' in text, anchor
    assert 'id="f-commitment-1-quantity-error"' in text
    assert "error-summary" in text
    assert api.counts(Agreement, Commitment) == before

    # The service's refusals: a known reference (409 as the API), a type committed twice.
    twice = admin.post(
        "/agreements/new",
        data=_fields(
            api,
            token,
            commitment_kind=[f"resource:{generator}", f"resource:{generator}"],
            commitment_quantity=["1", "2"],
        ),
    )
    assert twice.status_code == 422 and 'href="#f-commitment-2-kind"' in twice.text
    known = admin.post("/agreements/new", data=_fields(api, token, reference="2026/1"))
    assert known.status_code == 409 and 'href="#f-reference"' in known.text
    bad_phone = admin.post(
        "/agreements/new",
        data=_fields(
            api,
            token,
            contact_name=["Ola"],
            contact_role=[""],
            contact_phone=["12"],
            contact_email=[""],
        ),
    )
    assert bad_phone.status_code == 422 and 'href="#f-contact-1-phone"' in bad_phone.text
    assert api.counts(Agreement, Commitment) == before


# The service area as a file -------------------------------------------------------------------


def _upload(api: ApiHarness, admin: Any, content: bytes, reference: str) -> Any:
    token = form_token(admin.get("/agreements/new").text)
    return admin.post(
        "/agreements/new",
        data=_fields(api, token, reference=reference),
        files={"service_area_file": ("area.geojson", content, "application/geo+json")},
        follow_redirects=False,
    )


def test_a_geojson_file_sets_the_service_area(api: ApiHarness) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"navn": "Sørum"}, "geometry": SQUARE}],
    }
    response = _upload(api, logged_in(api, ADMIN), json.dumps(collection).encode(), "2026/F1")
    assert response.status_code == 303, response.text
    stored = api.session.scalars(select(Agreement).where(Agreement.reference == "2026/F1")).one()
    assert to_shape(stored.service_area).geom_type == "MultiPolygon"
    assert to_shape(stored.service_area).bounds == (11.0, 59.9, 11.1, 60.0)


def test_bad_geojson_files_are_refused_and_nothing_is_written(api: ApiHarness) -> None:
    admin = logged_in(api, ADMIN)
    before = api.counts(Agreement, Commitment)
    outside = {
        "type": "Polygon",
        "coordinates": [[[2.0, 48.8], [2.5, 48.8], [2.5, 49.0], [2.0, 48.8]]],
    }
    line = {"type": "LineString", "coordinates": [[11.0, 59.9], [11.1, 60.0]]}
    cases = {
        b"{not json": ("not GeoJSON", "ikke GeoJSON"),
        json.dumps(outside).encode(): ("outside Norway", "utenfor Norge"),
        json.dumps(line).encode(): ("Polygon or MultiPolygon", "Polygon eller MultiPolygon"),
        b" " * 700_001: ("kB", "kB"),
    }
    for number, (content, words) in enumerate(cases.items()):
        response = _upload(api, admin, content, f"2026/B{number}")
        assert response.status_code == 422, words
        assert 'href="#f-service_area"' in response.text, words
        assert 'id="f-service_area-error"' in response.text
        assert words[0] in response.text or words[1] in response.text, (words, response.text)
    assert api.counts(Agreement, Commitment) == before


# CSRF -------------------------------------------------------------------------------------------


def test_a_post_without_the_form_token_is_refused(api: ApiHarness) -> None:
    agreement = _agreement(api)
    admin = logged_in(api, ADMIN)
    before = api.counts(Agreement, Commitment)
    created = admin.post("/agreements/new", data=_fields(api, "wrong"))
    edited = admin.post(
        f"/agreements/{agreement.id}/edit",
        data={k: v for k, v in _fields(api, "").items() if k != "csrf_token"}
        | {"version": str(agreement.version)},
    )
    assert created.status_code == 403 and edited.status_code == 403
    assert api.counts(Agreement, Commitment) == before
