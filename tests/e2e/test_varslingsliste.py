"""The varslingsliste on both backends: whom to alert, in order (the crisis roles, then per task
the agreements in force by their place, each with its primary and deputies), as a page with
tappable numbers, a PDF read back with pypdf and a spreadsheet read back with openpyxl; only the
coordinator and the duty officer read it; the coordinator edits its order (version-checked, bad
input changes nothing); every extraction is audited."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.crisis_roles.models import CrisisRole
from reports.marking import DEFAULT_BASIS
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness

TODAY = today_in_norway()
PAGE = "/reports/varslingsliste"
MARKING = f"Unntatt offentlighet {DEFAULT_BASIS}"
ADMIN = ROLE_EMAILS[Role.ADMIN]
DUTY = ROLE_EMAILS[Role.DUTY_OFFICER]


@pytest.fixture
def listed(api: ApiHarness) -> dict[str, Agreement]:
    """Two agreements in force for search (the other organisation's placed first), one of them
    also for first aid; an expired one; two crisis roles."""
    search_first = Agreement(
        organisation_id=api.other.id,
        reference="2026/SØK-1",
        title="Søk og førstehjelp",
        status=AgreementStatus.ACTIVE,
        valid_from=TODAY - timedelta(days=30),
        tasks=["search", "first_aid"],
        committed_mobilisation_minutes=60,
        alert_order=1,
        callout_route="Ring vakttelefonen, deretter SMS til medlemmene.",
        contacts=[
            {"name": "Primær Person", "role": "Leder", "phone": "+4791234567"},
            {"name": "Vara Én", "phone": "+4791234568"},
            {"name": "Vara To", "phone": "+4791234569", "email": "to@example.no"},
        ],
    )
    search_second = Agreement(
        organisation_id=api.own.id,
        reference="2026/SØK-2",
        title="Søk",
        status=AgreementStatus.ACTIVE,
        valid_from=TODAY - timedelta(days=30),
        tasks=["search"],
        committed_mobilisation_minutes=15,
    )
    expired = Agreement(
        organisation_id=api.own.id,
        reference="2020/GAMMEL",
        title="Utløpt",
        status=AgreementStatus.ACTIVE,
        valid_from=TODAY - timedelta(days=900),
        valid_until=TODAY - timedelta(days=1),
        tasks=["catering"],
        contacts=[{"name": "Gammel Kontakt", "phone": "+4791234560"}],
    )
    api.session.add_all(
        [
            search_first,
            search_second,
            expired,
            CrisisRole(
                title="Ordfører",
                position=1,
                duties="Leder kriseledelsen.",
                holders=[
                    {"name": "Ola Ordfører", "phone": "+4790000001"},
                    {"name": "Vara Ordfører", "phone": "+4790000002"},
                ],
            ),
            CrisisRole(title="Kommunedirektør", position=2, holders=[]),
        ]
    )
    api.session.commit()
    return {"first": search_first, "second": search_second, "expired": expired}


def _reads(api: ApiHarness, what: str) -> list[AuditEntry]:
    api.session.expire_all()
    entries = api.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "report",
            AuditEntry.entity_id == "varslingsliste",
            AuditEntry.action == "read",
        )
    ).all()
    return [entry for entry in entries if (entry.after or {}).get("read") == what]


@pytest.mark.parametrize("role", list(Role))
def test_only_the_coordinator_and_the_duty_officer_read_it(api: ApiHarness, role: Role) -> None:
    allowed = role in (Role.ADMIN, Role.DUTY_OFFICER)
    for suffix in ("", ".pdf", ".xlsx"):
        response = api.get(role, PAGE + suffix)
        assert response.status_code == (200 if allowed else 403), (suffix, response.status_code)
        if not allowed:
            assert b"Unntatt" not in response.content


def test_the_page_lists_whom_to_alert_in_order_with_tappable_numbers(
    api: ApiHarness, listed: dict[str, Agreement]
) -> None:
    html = logged_in(api, DUTY).get(PAGE).text
    body = html[html.index("<main") :]
    assert body.index(MARKING) < body.index("<h1")
    assert "Varslingsliste" in html
    # The crisis roles first, in order, the holder before the deputy.
    assert body.index("Ola Ordfører") < body.index("Vara Ordfører") < body.index("Kommunedirektør")
    assert 'href="tel:+4790000001"' in html
    # Search: the placed agreement before the faster one without a place.
    search = body[body.index('id="s-task-search"') : body.index('id="s-task-first_aid"')]
    assert search.index("Annet Sanitetslag") < search.index("Eget Hjelpekorps")
    assert search.index("Primær Person") < search.index("Vara Én") < search.index("Vara To")
    assert "Ring vakttelefonen, deretter SMS til medlemmene." in search
    assert "Vakt Eget" in search  # no contact on the agreement: the organisation's 24/7 one
    assert "+47 91 23 45 67" in search and 'href="tel:+4791234567"' in search
    # The expired agreement is not listed; a task nobody covers says so.
    assert "Gammel Kontakt" not in html
    catering = body[body.index('id="s-task-catering"') :]
    assert "Ingen avtale i kraft dekker denne oppgaven." in catering[:600]
    # The duty officer reads, the coordinator edits.
    assert "/contacts/1/up" not in html and "alert_order" not in html
    assert len(_reads(api, "varslingsliste.page")) == 1


def _pdf_text(content: bytes) -> list[str]:
    return [
        re.sub(r"[ \u2007]+", " ", page.extract_text())
        for page in PdfReader(BytesIO(content)).pages
    ]


def test_the_pdf_holds_the_list_marked_and_numbered_on_every_page(
    api: ApiHarness, listed: dict[str, Agreement]
) -> None:
    response = logged_in(api, ADMIN).get(PAGE + ".pdf")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    pages = _pdf_text(response.content)
    for number, text in enumerate(pages, start=1):
        assert MARKING in text, number
        assert f"side {number} av {len(pages)}" in text
    whole = "\n".join(pages)
    assert ADMIN in pages[0]
    assert whole.index("Ola Ordfører") < whole.index("Vara Ordfører")
    assert "Leder kriseledelsen." in whole  # a role's duties under its heading
    assert "1. Annet Sanitetslag · 2026/SØK-1" in whole
    assert "Ring vakttelefonen, deretter SMS til medlemmene." in whole
    assert re.search(r"Vara Én\s+Stedfortreder 1\s+\+47 91 23 45 68", whole), whole
    assert "Gammel Kontakt" not in whole
    [read] = _reads(api, "varslingsliste.pdf")
    assert read.actor == ADMIN


def test_the_spreadsheet_has_a_sheet_per_task_with_the_contacts_in_order(
    api: ApiHarness, listed: dict[str, Agreement]
) -> None:
    response = logged_in(api, DUTY).get(PAGE + ".xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames[0] == "Om"
    assert "Søk" in book.sheetnames and "Kriseledelse" in book.sheetnames
    for sheet in book.worksheets:
        assert MARKING in sheet.oddHeader.center.text, sheet.title
    rows = list(book["Søk"].iter_rows(values_only=True))
    assert rows[0][1] == "Navn"
    names = [row[1] for row in rows[1:]]
    assert names[:4] == ["Primær Person", "Vara Én", "Vara To", "Vakt Eget"]
    first = rows[1]
    assert first[4] == "+47 91 23 45 67"
    assert first[6] == "Ring vakttelefonen, deretter SMS til medlemmene."
    assert first[7] == 60  # a number, not text
    assert book["Søk"].freeze_panes == "A2"
    assert len(_reads(api, "varslingsliste.xlsx")) == 1


def _post(api: ApiHarness, email: str, url: str, data: dict[str, str]) -> object:
    client = logged_in(api, email)
    token = form_token(client.get(PAGE).text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def test_the_coordinator_places_an_agreement_and_moves_a_deputy_up(
    api: ApiHarness, listed: dict[str, Agreement]
) -> None:
    second = listed["second"]
    response = _post(
        api,
        ADMIN,
        f"{PAGE}/agreements/{second.id}/order",
        {"alert_order": "1", "version": str(second.version)},
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    first = listed["first"]
    response = _post(
        api,
        ADMIN,
        f"{PAGE}/agreements/{first.id}/contacts/2/up",
        {"version": str(first.version)},
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    api.session.expire_all()
    assert api.session.get(Agreement, second.id).alert_order == 1  # type: ignore[union-attr]
    contacts = api.session.get(Agreement, first.id).contacts  # type: ignore[union-attr]
    assert [c["name"] for c in contacts] == ["Primær Person", "Vara To", "Vara Én"]
    html = logged_in(api, ADMIN).get(PAGE).text
    search = html[html.index('id="s-task-search"') : html.index('id="s-task-first_aid"')]
    # Both placed 1: the faster first.
    assert search.index("Eget Hjelpekorps") < search.index("Annet Sanitetslag")


@pytest.mark.parametrize("value", ["0", "1000", "abc", "-1", "1.5"])
def test_a_bad_place_is_refused_on_its_field_and_nothing_changes(
    api: ApiHarness, listed: dict[str, Agreement], value: str
) -> None:
    first = listed["first"]
    before = api.counts(Agreement)
    response = _post(
        api,
        ADMIN,
        f"{PAGE}/agreements/{first.id}/order",
        {"alert_order": value, "version": str(first.version)},
    )
    assert response.status_code == 422  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    field = f"f-order-{first.id}"
    assert f'href="#{field}"' in html and f'id="{field}"' in html and 'aria-invalid="true"' in html
    assert "et heltall fra 1 til 999" in html
    api.session.expire_all()
    assert api.session.get(Agreement, first.id).alert_order == 1  # type: ignore[union-attr]
    assert api.counts(Agreement)[0] == before[0]


def test_a_stale_edit_is_refused_and_a_first_contact_cannot_move_up(
    api: ApiHarness, listed: dict[str, Agreement]
) -> None:
    first = listed["first"]
    stale = _post(
        api,
        ADMIN,
        f"{PAGE}/agreements/{first.id}/order",
        {"alert_order": "5", "version": str(first.version + 7)},
    )
    assert stale.status_code == 409  # type: ignore[attr-defined]
    top = _post(
        api, ADMIN, f"{PAGE}/agreements/{first.id}/contacts/0/up", {"version": str(first.version)}
    )
    assert top.status_code == 422  # type: ignore[attr-defined]
    api.session.expire_all()
    stored = api.session.get(Agreement, first.id)
    assert stored is not None and stored.alert_order == 1
    assert stored.contacts[0]["name"] == "Primær Person"


def test_the_duty_officer_may_not_edit_the_order(
    api: ApiHarness, listed: dict[str, Agreement]
) -> None:
    first = listed["first"]
    response = _post(
        api,
        DUTY,
        f"{PAGE}/agreements/{first.id}/order",
        {"alert_order": "3", "version": str(first.version)},
    )
    assert response.status_code == 403  # type: ignore[attr-defined]
    api.session.expire_all()
    assert api.session.get(Agreement, first.id).alert_order == 1  # type: ignore[union-attr]
