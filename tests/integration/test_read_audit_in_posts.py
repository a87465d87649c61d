"""A form posted and its page shown again records its read in the request's own transaction:
on SQLite, a second writer for the audit entry waited for the request's write lock until the
request gave up (503). Found by posting a bad place on the varslingsliste in a running server;
here against a committed database, whose sessions are separate connections as in production."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from beredskap.main.app import create_app
from beredskap.main.settings import Settings
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role
from beredskap.platform.auth.service import add_user
from beredskap.platform.runtime import Database
from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.organisations.models import Organisation
from tests.e2e.web_client import HTML, form_token

PASSWORD = "et langt og godt passord 42"


@pytest.fixture
def client(fresh_database: Database) -> Iterator[tuple[TestClient, int]]:
    with fresh_database.sessions() as session:
        session.info["actor"] = "test"
        add_user(session, email="k@example.org", role=Role.ADMIN, password=PASSWORD)
        organisation = Organisation(name="Eget Hjelpekorps", category="first_aid_corps")
        agreement = Agreement(
            organisation=organisation,
            reference="2026/1",
            title="Avtale",
            status=AgreementStatus.ACTIVE,
            valid_from=date(2020, 1, 1),
            tasks=["search"],
            contacts=[{"name": "Kari", "phone": "+4791234567"}],
        )
        session.add(agreement)
        session.commit()
        agreement_id = agreement.id
    app = create_app(Settings(), database=fresh_database)
    with TestClient(app, base_url="https://testserver", headers=HTML) as test_client:
        login = test_client.get("/login")
        test_client.post(
            "/login",
            data={
                "email": "k@example.org",
                "password": PASSWORD,
                "csrf_token": form_token(login.text),
            },
        )
        yield test_client, agreement_id


def test_a_refused_form_shows_its_page_again_and_records_the_read(
    client: tuple[TestClient, int], fresh_database: Database
) -> None:
    test_client, agreement_id = client
    page = test_client.get("/reports/varslingsliste")
    assert page.status_code == 200
    refused = test_client.post(
        f"/reports/varslingsliste/agreements/{agreement_id}/order",
        data={"csrf_token": form_token(page.text), "alert_order": "abc", "version": "1"},
    )
    assert refused.status_code == 422, refused.text[:300]
    with fresh_database.sessions() as session:
        reads = session.scalars(
            select(AuditEntry.after).where(
                AuditEntry.entity == "report", AuditEntry.entity_id == "varslingsliste"
            )
        ).all()
    assert len(reads) == 2  # the page, and the page shown again with the message
