"""Enhetsregisteret on the pages, on both backends: the candidates page for the admin only,
a candidate registered on a click (with the CSRF token, through the organisations service),
and the register's flags on the organisation page and the coordinator's dashboard."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.register.organisations.models import Organisation, OrganisationCandidate
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness
from tests.support.brreg import prepare, run

ADMIN = ROLE_EMAILS[Role.ADMIN]
URL = "/organisations/candidates"


def _imported(api: ApiHarness) -> Organisation:
    scouts = prepare(api)
    run(api.session)
    api.session.commit()
    return scouts


def _candidate(api: ApiHarness, number: str) -> OrganisationCandidate | None:
    api.session.expire_all()
    return api.session.scalars(
        select(OrganisationCandidate).where(OrganisationCandidate.organisation_number == number)
    ).one_or_none()


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_the_admin_sees_or_registers_candidates(api: ApiHarness, role: Role) -> None:
    _imported(api)
    candidate = _candidate(api, "990418918")
    assert candidate is not None
    client = logged_in(api, ROLE_EMAILS[role])
    assert client.get(URL).status_code == 403
    token = form_token(client.get("/").text)
    refused = client.post(
        f"{URL}/{candidate.id}/create", data={"csrf_token": token, "category": "other"}
    )
    assert refused.status_code == 403
    assert _candidate(api, "990418918") is not None
    assert URL not in client.get("/organisations").text


def test_the_admin_registers_a_candidate_on_a_click(api: ApiHarness) -> None:
    _imported(api)
    admin = logged_in(api, ADMIN, language="en")
    page = admin.get(URL)
    assert page.status_code == 200
    assert "LILLESTRØM FRIVILLIGSENTRAL" in page.text and "OSLO RØDE KORS" not in page.text
    assert "Postboks 88, 2021 SKEDSMOKORSET" in page.text
    assert f'href="{URL}"' in admin.get("/organisations").text
    candidate = _candidate(api, "990418918")
    assert candidate is not None
    create = f"{URL}/{candidate.id}/create"
    before = api.counts(Organisation)
    for token in (None, "forged"):  # no click without the form's token
        sent = {"category": "volunteer_centre"} | ({"csrf_token": token} if token else {})
        assert admin.post(create, data=sent).status_code == 403
    assert api.counts(Organisation) == before
    wrong = admin.post(
        create,
        data={"csrf_token": form_token(page.text), "category": "pirates"},
    )
    assert wrong.status_code == 422 and api.counts(Organisation) == before
    done = admin.post(
        create,
        data={"csrf_token": form_token(page.text), "category": "volunteer_centre"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    api.session.expire_all()
    organisation = api.session.scalars(
        select(Organisation).where(Organisation.organisation_number == "990418918")
    ).one()
    assert done.headers["location"] == f"/organisations/{organisation.id}?done=created"
    assert organisation.name == "LILLESTRØM FRIVILLIGSENTRAL"
    assert organisation.category == "volunteer_centre"
    assert organisation.municipality_numbers == ["3205"]
    assert (organisation.address, organisation.postal_code) == ("Torvet 5", "2000")
    assert _candidate(api, "990418918") is None
    shown = admin.get(done.headers["location"]).text
    assert "Torvet 5, 2000 LILLESTRØM" in shown
    assert "LILLESTRØM FRIVILLIGSENTRAL" not in admin.get(URL).text
    # The same click again (a second tab) finds no candidate.
    again = admin.post(
        create,
        data={"csrf_token": form_token(page.text), "category": "other"},
    )
    assert again.status_code == 404 and api.counts(Organisation)[0] == before[0] + 1


def test_a_candidate_registered_meanwhile_is_refused_not_doubled(api: ApiHarness) -> None:
    _imported(api)
    candidate = _candidate(api, "991466207")
    assert candidate is not None
    api.session.add(
        Organisation(name="Speiderne", category="scouts", organisation_number="991466207")
    )
    api.session.commit()
    admin = logged_in(api, ADMIN, language="en")
    token = form_token(admin.get(URL).text)
    before = api.counts(Organisation)
    refused = admin.post(
        f"{URL}/{candidate.id}/create", data={"csrf_token": token, "category": "scouts"}
    )
    assert refused.status_code == 409 and "registered already" in refused.text
    assert api.counts(Organisation) == before


def test_the_flags_are_shown_on_the_organisation_page_and_the_dashboard(
    api: ApiHarness,
) -> None:
    scouts = _imported(api)
    admin = logged_in(api, ADMIN, language="en")
    other = admin.get(f"/organisations/{api.other.id}").text
    assert "registry-warning" in other and "bankrupt" in other
    assert "Kirkegata 3, 2. etasje, 2004 LILLESTRØM" in other
    deleted = admin.get(f"/organisations/{scouts.id}").text
    assert "deleted from Enhetsregisteret on" in deleted
    own = admin.get(f"/organisations/{api.own.id}").text
    assert "registry-warning" not in own
    dashboard = admin.get("/").text
    assert "Enhetsregisteret reports problems" in dashboard
    assert f'href="/organisations/{api.other.id}"' in dashboard
    assert f'href="/organisations/{scouts.id}"' in dashboard
    assert f'href="{URL}"' in dashboard
    for role in (Role.DUTY_OFFICER, Role.ORG_EDITOR):
        assert "registry-warning" not in logged_in(api, ROLE_EMAILS[role]).get("/").text
