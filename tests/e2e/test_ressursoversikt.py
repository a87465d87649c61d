"""The ressursoversikt on both backends: the page (Norwegian, marked, a table per section),
the PDF read back with pypdf and the spreadsheet read back with openpyxl, checked against the
register; every staff role reads them, nobody else; each extraction is audited; the council
reads counts of one or two people as "færre enn 3"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from shapely.geometry import Point
from sqlalchemy import Engine, select

from beredskap.main.settings import Settings
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from beredskap.register.agreements.models import Agreement, AgreementStatus, Commitment
from beredskap.register.inventory.models import Equipment, EquipmentStatus, ResourceType
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from reports.marking import DEFAULT_BASIS
from tests.e2e.web_client import logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness, build_harness

TODAY = today_in_norway()
PAGE = "/reports/ressursoversikt"
MARKING = f"Unntatt offentlighet {DEFAULT_BASIS}"
ADMIN = ROLE_EMAILS[Role.ADMIN]
COUNCIL = ROLE_EMAILS[Role.COUNCIL]


def _type(api: ApiHarness, model: type, code: str) -> tuple[int, str]:
    row = api.session.execute(
        select(model.id, model.name_nb).where(model.code == code)  # type: ignore[attr-defined]
    ).one()
    return int(row[0]), str(row[1])


@pytest.fixture
def register(api: ApiHarness) -> dict[str, str]:
    """At the own organisation's store 4 ATVs: 2 ready, 1 past its inspection, 1 in
    maintenance; one member with first aid; a site of the municipality's own; an agreement
    committing 3 ATVs (2 count: not met) and one first-aider (met)."""
    atv, atv_name = _type(api, ResourceType, "atv")
    first_aid, first_aid_name = _type(api, QualificationType, "first_aid")
    first_aid_en = api.session.scalar(
        select(QualificationType.name_en).where(QualificationType.id == first_aid)
    )
    site = api.own_site.id
    own = api.own.id
    api.session.add_all(
        [
            Equipment(organisation_id=own, site_id=site, resource_type_id=atv, quantity=2),
            Equipment(
                organisation_id=own,
                site_id=site,
                resource_type_id=atv,
                quantity=1,
                next_inspection_due=TODAY - timedelta(days=10),
            ),
            Equipment(
                organisation_id=own,
                site_id=site,
                resource_type_id=atv,
                quantity=1,
                status=EquipmentStatus.MAINTENANCE,
            ),
            Agreement(
                organisation_id=own,
                reference="2026/ATV",
                title="Transportavtale",
                status=AgreementStatus.ACTIVE,
                valid_from=TODAY - timedelta(days=100),
                tasks=["transport"],
                commitments=[
                    Commitment(resource_type_id=atv, quantity=3),
                    Commitment(qualification_type_id=first_aid, quantity=1),
                ],
            ),
            Site(
                organisation_id=None,
                name="Rådhuset",
                kind=SiteKind.BASE,
                location=Point(11.04, 59.95),
            ),
        ]
    )
    person = Volunteer(full_name="Frivillig Én", mobile="+4791000001", sms_consent=True)
    person.memberships = [Membership(organisation_id=own)]
    person.qualifications = [VolunteerQualification(qualification_type_id=first_aid)]
    api.session.add(person)
    api.session.commit()
    return {"atv": atv_name, "first_aid": first_aid_name, "first_aid_en": str(first_aid_en)}


def _reads(api: ApiHarness, what: str) -> list[AuditEntry]:
    api.session.expire_all()
    entries = api.session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "report",
            AuditEntry.entity_id == "ressursoversikt",
            AuditEntry.action == "read",
        )
    ).all()
    return [entry for entry in entries if (entry.after or {}).get("read") == what]


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_role_reads_the_page_the_pdf_and_the_spreadsheet(
    api: ApiHarness, role: Role
) -> None:
    for suffix, kind in (("", "text/html"), (".pdf", "application/pdf"), (".xlsx", "sheet")):
        response = api.get(role, PAGE + suffix)
        assert response.status_code == 200, (suffix, response.text[:300])
        assert kind in response.headers["content-type"]
        assert response.headers["cache-control"] == "no-store" or suffix == ""


def test_nobody_else_reads_them(api: ApiHarness) -> None:
    for suffix in ("", ".pdf", ".xlsx"):
        response = api.client.get(PAGE + suffix, follow_redirects=False)
        assert response.status_code in (401, 303), (suffix, response.status_code)
        if response.status_code == 303:
            assert response.headers["location"].startswith("/login")
        assert b"Unntatt" not in response.content


def test_the_page_in_norwegian_holds_every_section_marked_at_the_top(
    api: ApiHarness, register: dict[str, str]
) -> None:
    page = logged_in(api, ADMIN).get(PAGE)
    assert page.status_code == 200
    html = page.text
    assert '<html lang="nb"' in html
    body = html[html.index("<main") :]
    # The marking comes before the title.
    assert body.index(MARKING) < body.index("<h1")
    for key in ("types", "organisations", "sites", "agreements", "people"):
        assert f'id="s-{key}"' in html and f'<caption id="c-{key}">' in html
        assert f'aria-labelledby="c-{key}" tabindex="0"' in html
    assert 'scope="col"' in html and 'scope="row"' in html
    assert "Eget Hjelpekorps" in html and register["atv"] in html
    assert "Kapasitet" in html and "Organisasjon" in html  # headings translated
    assert "Kommunen" in html and "Rådhuset" in html  # the municipality's own site
    assert 'href="/reports/ressursoversikt.pdf"' in html
    assert 'href="/reports/ressursoversikt.xlsx"' in html
    assert len(_reads(api, "ressursoversikt.page")) == 1


def _pdf_text(content: bytes) -> list[str]:
    """Each page's text, figure spaces (which align the figures) and runs of spaces as one."""
    return [
        re.sub(r"[ \u2007]+", " ", page.extract_text())
        for page in PdfReader(BytesIO(content)).pages
    ]


def test_the_pdf_holds_the_register_marked_and_numbered_on_every_page(
    api: ApiHarness, register: dict[str, str]
) -> None:
    response = logged_in(api, ADMIN).get(PAGE + ".pdf")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    pages = _pdf_text(response.content)
    assert len(pages) >= 6  # the title page with contents, then five sections
    for number, text in enumerate(pages, start=1):
        assert MARKING in text, number
        assert re.search(rf"\b{number} \S+ {len(pages)}\b", text), number
    first = pages[0]
    assert ADMIN in first  # who extracted it
    assert re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", first)  # when, in Oslo time
    # The contents: each section with the page it starts on.
    whole = "\n".join(pages)
    assert "Eget Hjelpekorps" in whole
    # The own store: 2 ready, none in use, 1 in maintenance, none out of service, 1 past its
    # inspection, 4 in all.
    assert re.search(rf"Eget lager\s*{re.escape(register['atv'])}\s*\S+\s*2 0 1 0 1 4", whole), (
        whole
    )
    assert "Rådhuset" in whole
    [read] = _reads(api, "ressursoversikt.pdf")
    assert read.actor == ADMIN


def test_the_pdf_in_english_says_page_n_of_m(api: ApiHarness) -> None:
    pages = _pdf_text(logged_in(api, ADMIN, language="en").get(PAGE + ".pdf").content)
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in text
        assert MARKING in text  # the marking is Norwegian whatever the language
    assert "Contents" in pages[0]
    titles = (
        "Resources by capability and type",
        "Resources per organisation and site",
        "Sites",
        "Agreements and their coverage",
        "People by qualification",
    )
    for title in titles:  # the contents give the page each section starts on
        found = re.search(rf"^{title} (\d+)$", pages[0], re.MULTILINE)
        assert found, (title, pages[0])
        assert title in pages[int(found.group(1)) - 1]


def test_the_spreadsheet_has_a_sheet_per_section_with_numbers_frozen_and_filtered(
    api: ApiHarness, register: dict[str, str]
) -> None:
    response = logged_in(api, ADMIN, language="en").get(PAGE + ".xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Om", "Types", "Per organisation", "Sites", "Agreements", "People"]
    about = book["Om"]
    assert about["A1"].value == MARKING
    values = [cell.value for row in about.iter_rows() for cell in row]
    assert ADMIN in values
    for sheet in book.worksheets:
        assert sheet.oddHeader.center.text == MARKING, sheet.title
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), name
        assert sheet.column_dimensions["A"].width >= 8
    per_site = book["Per organisation"]
    headings = [cell.value for cell in per_site[1]]
    assert headings[:4] == ["Organisation", "Site", "Resource type", "Unit"]
    rows = [
        [cell.value for cell in row]
        for row in per_site.iter_rows(min_row=2)
        if row[0].value == "Eget Hjelpekorps"
    ]
    atv_rows = [row for row in rows if row[2] == "ATV" or row[1] == "Eget lager"]
    assert atv_rows, rows
    assert atv_rows[0][4:] == [2, 0, 1, 0, 1, 4]
    assert all(isinstance(value, int) for value in atv_rows[0][4:])
    sites = [[cell.value for cell in row] for row in book["Sites"].iter_rows(min_row=2)]
    assert sites[0][:2] == ["The municipality", "Rådhuset"]
    # Coverage per commitment: 3 ATVs committed, 2 count; one first-aider, who counts.
    agreements = [list(row) for row in book["Agreements"].iter_rows(min_row=2, values_only=True)]
    assert [row[5:] for row in agreements] == [
        ["ATV", 3, 2, "No"],
        [register["first_aid_en"], 1, 1, "Yes"],
    ]
    assert agreements[0][:2] == ["Eget Hjelpekorps", "2026/ATV Transportavtale"]
    assert agreements[0][4] == "No"  # the agreement as a whole is not met
    assert len(_reads(api, "ressursoversikt.xlsx")) == 1


def test_the_council_reads_one_or_two_people_as_fewer_than_three(
    api: ApiHarness, register: dict[str, str]
) -> None:
    council = logged_in(api, COUNCIL)
    html = council.get(PAGE).text
    people = html[html.index('id="s-people"') :]
    assert register["first_aid"] in people and "færre enn 3" in people
    assert "Frivillig" not in html
    book = load_workbook(BytesIO(council.get(PAGE + ".xlsx").content))
    row = next(r for r in book.worksheets[5].iter_rows(min_row=2, values_only=True))
    assert row[:2] == ("Eget Hjelpekorps", register["first_aid"])
    assert row[2] == "færre enn 3" and row[3] == "færre enn 3"
    # In the coverage too, a person counted is withheld; equipment stays exact.
    covered = [r[5:8] for r in book["Avtaler"].iter_rows(min_row=2, values_only=True)]
    assert covered == [("ATV", 3, 2), (register["first_aid"], 1, "færre enn 3")]
    pdf = "\n".join(_pdf_text(council.get(PAGE + ".pdf").content))
    assert "færre enn 3" in pdf
    # The coordinator sees the exact count.
    admin = load_workbook(BytesIO(logged_in(api, ADMIN).get(PAGE + ".xlsx").content))
    exact = next(r for r in admin.worksheets[5].iter_rows(min_row=2, values_only=True))
    assert exact[2:4] == (1, 1)


def test_names_are_given_only_to_readers_who_may_see_the_members(
    api: ApiHarness, register: dict[str, str]
) -> None:
    admin = load_workbook(BytesIO(logged_in(api, ADMIN).get(PAGE + ".xlsx").content))
    people = list(admin["Personell"].iter_rows(values_only=True))
    assert people[0][-1] == "Navn"
    assert people[1][:2] == ("Eget Hjelpekorps", register["first_aid"])
    assert people[1][-1] == "Frivillig Én"
    assert "Frivillig Én" in logged_in(api, ADMIN).get(PAGE).text
    # Not in the PDF (no room for a list of names), nor anywhere for the council.
    assert "Frivillig" not in "\n".join(_pdf_text(logged_in(api, ADMIN).get(PAGE + ".pdf").content))
    council = load_workbook(BytesIO(logged_in(api, COUNCIL).get(PAGE + ".xlsx").content))
    assert "Navn" not in next(council["Personell"].iter_rows(values_only=True))


BASIS = "jf. offentleglova § 24 tredje ledd"


@pytest.fixture
def configured(engine: Engine) -> Iterator[ApiHarness]:
    yield from build_harness(engine, Settings(report_exemption_basis=BASIS))


def test_the_marking_carries_the_configured_legal_basis(configured: ApiHarness) -> None:
    marking = f"Unntatt offentlighet {BASIS}"
    admin = logged_in(configured, ADMIN)
    html = admin.get(PAGE).text
    assert marking in html and DEFAULT_BASIS not in html
    pages = _pdf_text(admin.get(PAGE + ".pdf").content)
    assert all(marking in text and DEFAULT_BASIS not in text for text in pages)
    book = load_workbook(BytesIO(admin.get(PAGE + ".xlsx").content))
    assert book["Om"]["A1"].value == marking
    assert {sheet.oddHeader.center.text for sheet in book.worksheets} == {marking}


def test_an_inactive_organisation_is_left_out(api: ApiHarness) -> None:
    atv, _name = _type(api, ResourceType, "atv")
    gone = Organisation(name="Nedlagt Lag", category="other", active=False)
    store = Site(
        organisation=gone, name="Gammelt lager", kind=SiteKind.STORAGE, location=Point(11.1, 59.9)
    )
    api.session.add_all([gone, store])
    api.session.flush()
    api.session.add(Equipment(organisation_id=gone.id, site_id=store.id, resource_type_id=atv))
    api.session.commit()
    admin = logged_in(api, ADMIN)
    assert "Nedlagt Lag" not in admin.get(PAGE).text
    assert "Nedlagt Lag" not in "\n".join(_pdf_text(admin.get(PAGE + ".pdf").content))
    book = load_workbook(BytesIO(admin.get(PAGE + ".xlsx").content))
    values = {
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    }
    assert "Nedlagt Lag" not in values and "Gammelt lager" not in values
    assert "Annet Sanitetslag" in values  # an active organisation's site, without equipment


def test_an_agreement_not_in_force_and_without_commitments_is_listed_as_such(
    api: ApiHarness,
) -> None:
    api.session.add(
        Agreement(
            organisation_id=api.other.id,
            reference="2025/UTKAST",
            title="Utkast",
            status=AgreementStatus.DRAFT,
            valid_from=TODAY,
            tasks=["catering"],
        )
    )
    api.session.commit()
    book = load_workbook(BytesIO(logged_in(api, ADMIN, language="en").get(PAGE + ".xlsx").content))
    rows = list(book["Agreements"].iter_rows(min_row=2, values_only=True))  # "" reads as None
    assert rows == [
        (
            "Annet Sanitetslag",
            "2025/UTKAST Utkast (Not in force)",
            "Catering",
            None,
            "No",
            None,
            None,
            None,
            None,
        )
    ]
