"""The inspector's evidence pack on both backends: the zip's members, every PDF read back with
pypdf and every spreadsheet with openpyxl, checked against the register (an exercise's title,
evaluation, lesson and action; an agreement's reference and review date); the one-page
summary's yes/no changing as a revision or an exercise is recorded; the marking on every page
and sheet; the coordinator and the duty officer only; every extraction audited."""

from __future__ import annotations

import re
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from dateutil.relativedelta import relativedelta
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import NORWAY, today_in_norway, utcnow
from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.readiness.models import PlanRevision
from exercises.models import (
    ActionStatus,
    ExerciseType,
    FollowUpAction,
    Observation,
)
from reports.marking import DEFAULT_BASIS
from reports.tilsyn.documents import CONTENTS, PACK
from tests.e2e.web_client import logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness
from tests.support.exercises import exercise

TODAY = today_in_norway()
PAGE = "/reports/tilsyn"
MARKING = f"Unntatt offentlighet {DEFAULT_BASIS}"
ADMIN = ROLE_EMAILS[Role.ADMIN]
TITLE = "Diskusjonsøvelse dambrudd Nitelva"
SUMMARY = "Varslingen gikk raskt; samband mellom stab og innsats må øves igjen."
LESSON = "Reservestrøm på rådhuset mangler plan for drivstoff."
ACTION = "Skaffe avtale om drivstoff til aggregatet"


def _day(value: object) -> str:
    return value.strftime("%d.%m.%Y")  # type: ignore[attr-defined]


@pytest.fixture
def register(api: ApiHarness) -> dict[str, object]:
    """An agreement in force with an annual review date, held by the own organisation; a
    tabletop exercise five months ago with that agreement, evaluated, with a lesson and an
    open action past its due date."""
    agreement = Agreement(
        organisation_id=api.own.id,
        reference="2025/EVAK-7",
        title="Evakueringsavtale",
        status=AgreementStatus.ACTIVE,
        valid_from=TODAY - timedelta(days=700),
        annual_review_on=TODAY + timedelta(days=40),
        tasks=["evacuation"],
        contacts=[{"name": "Leder Eget", "phone": "+4791234567"}],
    )
    api.session.add(agreement)
    api.session.flush()
    starts = utcnow().replace(microsecond=0) - relativedelta(months=5)
    held = exercise(api.session, title=TITLE, starts_at=starts, organisations=[api.own])
    held.agreements = [agreement]
    held.evaluated_at = starts + timedelta(days=10)
    held.evaluation_summary = SUMMARY
    held.observations = [Observation(text=LESSON, created_by="test")]
    held.actions = [
        FollowUpAction(
            description=ACTION,
            owner="Teknisk drift",
            due_on=TODAY - timedelta(days=20),
            status=ActionStatus.OPEN,
        )
    ]
    api.session.commit()
    return {"agreement": agreement, "exercise": held, "starts": starts}


def _zip(client, url: str = PAGE + ".zip") -> zipfile.ZipFile:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    return zipfile.ZipFile(BytesIO(response.content))


def _pdf_pages(content: bytes) -> list[str]:
    return [
        re.sub(r"[ \u2007]+", " ", page.extract_text())
        for page in PdfReader(BytesIO(content)).pages
    ]


def _rows(content: bytes, sheet: str) -> list[tuple[object, ...]]:
    book = load_workbook(BytesIO(content))
    return list(book[sheet].iter_rows(min_row=2, values_only=True))


def _summary(pack: zipfile.ZipFile) -> dict[str, tuple[object, ...]]:
    """The summary spreadsheet's rows by requirement (its first column)."""
    rows = _rows(pack.read("01-sammendrag.xlsx"), "Summary")
    return {str(row[0]): row for row in rows}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DUTY_OFFICER])
def test_the_coordinator_and_the_duty_officer_take_the_page_and_the_pack(
    api: ApiHarness, role: Role
) -> None:
    page = api.get(role, PAGE)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    pack = api.get(role, PAGE + ".zip")
    assert pack.status_code == 200 and pack.headers["content-type"] == "application/zip"


@pytest.mark.parametrize("role", [Role.COUNCIL, Role.ORG_EDITOR, Role.PLANNER])
def test_every_other_role_is_refused(api: ApiHarness, role: Role) -> None:
    for suffix in ("", ".zip"):
        response = api.get(role, PAGE + suffix)
        assert response.status_code == 403, (role, suffix)
        assert b"Unntatt" not in response.content and b"PK" not in response.content[:2]
    assert api.client.get(PAGE + ".zip", follow_redirects=False).status_code in (401, 303)


def test_the_pack_holds_every_document_marked_on_every_page_and_sheet(
    api: ApiHarness, register: dict[str, object]
) -> None:
    pack = _zip(logged_in(api, ADMIN))
    names = pack.namelist()
    assert names == [CONTENTS, *(entry.filename for entry in PACK)]
    assert {"02-ressursoversikt.pdf", "03-varslingsliste.xlsx"} <= set(names)
    assert pack.testzip() is None
    contents = pack.read(CONTENTS).decode("utf-8")
    assert contents.startswith(MARKING)
    assert ADMIN in contents
    for entry in PACK:
        assert entry.filename in contents
    for name in names:
        content = pack.read(name)
        if name.endswith(".pdf"):
            pages = _pdf_pages(content)
            assert pages, name
            for number, text in enumerate(pages, start=1):
                assert MARKING in text, (name, number)
                assert re.search(rf"\b{number} \S+ {len(pages)}\b", text), (name, number)
        elif name.endswith(".xlsx"):
            book = load_workbook(BytesIO(content))
            assert book["Om"]["A1"].value == MARKING, name
            for sheet in book.worksheets:
                assert sheet.oddHeader.center.text == MARKING, (name, sheet.title)
    # The summary is one page.
    assert len(_pdf_pages(pack.read("01-sammendrag.pdf"))) == 1


def test_the_record_and_the_agreements_read_back_as_registered(
    api: ApiHarness, register: dict[str, object]
) -> None:
    pack = _zip(logged_in(api, ADMIN, language="en"))
    starts = register["starts"]
    record = "\n".join(_pdf_pages(pack.read("05-ovelser.pdf")))
    flat = re.sub(r"\s+", " ", record)
    for text in (TITLE, SUMMARY, LESSON, ACTION, "Eget Hjelpekorps", "2025/EVAK-7"):
        assert text in flat, text
    assert "Tabletop exercise" in flat and "20 days overdue" in flat
    exercises = _rows(pack.read("05-ovelser.xlsx"), "Exercises")
    [row] = [r for r in exercises if r[2] == TITLE]
    assert row[0] == starts.astimezone(NORWAY).strftime("%d.%m.%Y %H:%M")  # type: ignore[attr-defined]
    assert row[3:5] == ("Tabletop exercise", "Completed")
    assert row[5] == "Eget Hjelpekorps" and row[6].startswith("2025/EVAK-7 Evakueringsavtale")
    assert row[9] == SUMMARY
    [lesson] = _rows(pack.read("05-ovelser.xlsx"), "Lessons")
    assert lesson[2] == LESSON
    [action] = _rows(pack.read("05-ovelser.xlsx"), "Follow-up actions")
    assert action[1:5] == (
        ACTION,
        "Teknisk drift",
        _day(TODAY - timedelta(days=20)),
        "Open, 20 days overdue",
    )
    agreements = _rows(pack.read("04-avtaler.xlsx"), "Agreements")
    [agreement] = [r for r in agreements if r[1] == "2025/EVAK-7"]
    assert agreement[0] == "Eget Hjelpekorps"
    assert agreement[5] == _day(TODAY - timedelta(days=700))  # valid from
    assert agreement[6] == "open-ended"
    assert agreement[7] == _day(TODAY + timedelta(days=40))  # the annual review
    assert agreement[8:11] == (0, 0, "Yes")  # no commitment: met
    assert agreement[11] == _day(starts.astimezone(NORWAY))  # type: ignore[attr-defined]
    pdf = re.sub(r"\s+", " ", "\n".join(_pdf_pages(pack.read("04-avtaler.pdf"))))
    assert "2025/EVAK-7" in pdf and _day(TODAY + timedelta(days=40)) in pdf
    # Exercised: not among what is late; the other organisation has no agreement.
    late = _rows(pack.read("06-ikke-ovd.xlsx"), "Agreements")
    assert not [r for r in late if r[1] == "2025/EVAK-7"]
    overdue = _rows(pack.read("06-ikke-ovd.xlsx"), "Actions overdue")
    assert [(r[1], r[4]) for r in overdue] == [(ACTION, 20)]


def test_the_summary_says_what_is_met_and_changes_with_the_register(api: ApiHarness) -> None:
    client = logged_in(api, ADMIN, language="en")
    before = _summary(_zip(client))
    revision = before["Yearly revision of the plan"]
    assert revision[1:4] == ("§ 4", "No", "none")
    assert before["Exercise at least every second year"][2] == "No"
    assert before["Written evaluation of exercises"][2] == "No"
    # A revision today, an evaluated tabletop 18 months ago and an alert drill.
    api.session.add(PlanRevision(revised_on=TODAY, revised_by="Kommunestyret", scope="Hele planen"))
    long_ago = utcnow().replace(microsecond=0) - relativedelta(months=18)
    held = exercise(api.session, title="Fullskala flom", starts_at=long_ago)
    held.type = ExerciseType.FULL_SCALE
    held.evaluated_at = long_ago + timedelta(days=5)
    held.evaluation_summary = "Skriftlig evaluering."
    api.session.commit()
    after = _summary(_zip(client))
    assert after["Yearly revision of the plan"][2:4] == ("Yes", _day(TODAY))
    exercised = after["Exercise at least every second year"]
    assert exercised[2:4] == ("Yes", _day((long_ago + timedelta(hours=2)).astimezone(NORWAY)))
    assert "Fullskala flom" in exercised[4]
    assert after["Written evaluation of exercises"][2:4] == (
        "Yes",
        _day(held.evaluated_at.astimezone(NORWAY)),
    )
    # An alert drill not evaluated 30 days after it ended: evaluation partly.
    exercise(
        api.session,
        title="Ikke evaluert",
        type=ExerciseType.ALERT_DRILL,
        starts_at=utcnow() - timedelta(days=60),
    )
    api.session.commit()
    pack = _zip(client)
    assert _summary(pack)["Written evaluation of exercises"][2] == "Partly"
    summary_pdf = re.sub(r"\s+", " ", _pdf_pages(pack.read("01-sammendrag.pdf"))[0])
    assert "Yearly revision of the plan" in summary_pdf and "Partly" in summary_pdf
    assert _day(TODAY) in summary_pdf and "Rule:" in summary_pdf
    # More than 24 months ago does not count: the alert drill alone exercises the plan partly.
    held.starts_at = utcnow() - relativedelta(months=25)
    held.ends_at = held.starts_at + timedelta(hours=2)
    api.session.commit()
    assert _summary(_zip(client))["Exercise at least every second year"][2] == "Partly"
    revisions = _rows(_zip(client).read("07-planrevisjoner.xlsx"), "Revisions")
    assert revisions == [(_day(TODAY), "Kommunestyret", "Hele planen", None)]


def test_an_alert_drill_alone_exercises_the_plan_partly(api: ApiHarness) -> None:
    exercise(
        api.session,
        title="Varslingsøvelse",
        type=ExerciseType.ALERT_DRILL,
        starts_at=utcnow() - timedelta(days=90),
    )
    api.session.commit()
    summary = _summary(_zip(logged_in(api, ADMIN, language="en")))
    assert summary["Exercise at least every second year"][2] == "Partly"


def test_the_page_shows_the_summary_and_the_tables_and_links_the_pack(
    api: ApiHarness, register: dict[str, object]
) -> None:
    html = logged_in(api, ADMIN, language="en").get(PAGE).text
    body = html[html.index("<main") :]
    assert body.index(MARKING) < body.index("<h1")
    assert 'href="/reports/tilsyn.zip"' in html
    for key in ("varslingsliste", "ressursoversikt", "revision", "exercise", "evaluation"):
        assert f'data-requirement="{key}"' in html
    for key in ("agreements", "exercises", "lessons", "actions", "late-organisations", "revisions"):
        assert f'id="s-{key}"' in html
    assert TITLE in html and SUMMARY in html and "2025/EVAK-7" in html
    assert "01-sammendrag.pdf" in html


def _reads(api: ApiHarness) -> list[tuple[str, str]]:
    api.session.expire_all()
    entries = api.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "report", AuditEntry.action == "read")
    ).all()
    return sorted((entry.entity_id, (entry.after or {}).get("read")) for entry in entries)


def test_every_extraction_is_audited(api: ApiHarness) -> None:
    client = logged_in(api, ROLE_EMAILS[Role.DUTY_OFFICER])
    client.get(PAGE)
    assert _reads(api) == [("tilsyn", "tilsyn.page")]
    _zip(client)
    assert _reads(api) == [
        ("ressursoversikt", "ressursoversikt.pdf"),
        ("ressursoversikt", "ressursoversikt.xlsx"),
        ("tilsyn", "tilsyn.page"),
        ("tilsyn", "tilsyn.zip"),
        ("varslingsliste", "varslingsliste.pdf"),
        ("varslingsliste", "varslingsliste.xlsx"),
    ]
    api.session.expire_all()
    actors = set(
        api.session.scalars(select(AuditEntry.actor).where(AuditEntry.entity == "report")).all()
    )
    assert actors == {ROLE_EMAILS[Role.DUTY_OFFICER]}
