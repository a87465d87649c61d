"""The evaluation report pages over HTTP on both backends: the report with its figures, the
chart (SVG), the PDF (read back with pypdf), the planners' forms, and what is overdue."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway, utcnow
from exercises.models import ActionStatus, Exercise, ExerciseStatus, FollowUpAction, Observation
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness
from tests.support.exercises import DRILL_TITLE, Drill, exercise, finished_drill

PLANNER = ROLE_EMAILS[Role.PLANNER]
COUNCIL = ROLE_EMAILS[Role.COUNCIL]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def drill(api: ApiHarness) -> Drill:
    made = finished_drill(api.session, api.own, api.other)
    api.session.commit()
    return made


def _report(drill: Drill) -> str:
    return f"/exercises/{drill.exercise.id}/report"


def test_the_council_reads_the_report_with_figures_and_no_people(
    api: ApiHarness, drill: Drill
) -> None:
    council = logged_in(api, COUNCIL)
    page = council.get(_report(drill))
    assert page.status_code == 200, page.text
    html = page.text
    assert "Evalueringsrapport" in html and DRILL_TITLE in html
    assert "Varslingsøvelse" in html and "Gjennomført" in html
    assert re.search(r'data-figure="first_answer">2<', html)
    assert re.search(r'data-figure="need_first_aid">14<', html)
    # One boat licence holder said yes: that need's time (and so all needs') is one
    # person's answer, and no = 2 withholds the yes/no split (so the time wanted was reached).
    assert re.search(r'data-figure="need_boat_licence">ikke vist<', html)
    assert re.search(r'data-figure="all_needs">ikke vist<', html)
    assert re.search(r'data-figure="wanted">ikke vist<', html)
    shares = re.findall(r'data-figure="within_(\d+)">([^<]+)<', html)
    assert shares == [("5", "30 %"), ("15", "50 %"), ("30", "50 %"), ("60", "60 %")]
    assert "Annet Sanitetslag" in html and "Eget Hjelpekorps" in html and "Ukjent" in html
    assert f'<img src="/exercises/{drill.exercise.id}/chart.svg"' in html
    assert f'href="/exercises/{drill.exercise.id}/report.pdf"' in html
    # Counts only: no volunteer's name or number, and no form for the council.
    assert "Frivillig" not in html and "+44770090" not in html
    assert 'action="/exercises/' not in html
    assert "img-src 'self'" in page.headers["content-security-policy"]
    english = logged_in(api, COUNCIL, language="en").get(_report(drill)).text
    assert "Evaluation report" in english and "Share of those asked" in english


def test_the_chart_is_an_svg_with_its_axes_and_lines(api: ApiHarness, drill: Drill) -> None:
    council = logged_in(api, COUNCIL)
    response = council.get(f"/exercises/{drill.exercise.id}/chart.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    assert len(root.findall(f".//{SVG}path")) > 5
    text = response.text
    for label in ("Minutter etter at utkallingen ble sendt", "Svar", "Alle svar", "Ønsket"):
        assert f"<!-- {label} -->" in text, label
    tabletop = exercise(api.session)
    api.session.commit()
    assert council.get(f"/exercises/{tabletop.id}/chart.svg").status_code == 404


def test_the_pdf_holds_the_report_with_norwegian_letters(api: ApiHarness, drill: Drill) -> None:
    api.session.add(
        Observation(exercise_id=drill.exercise.id, text="Få svarte før 5 min.", created_by="t")
    )
    api.session.commit()
    response = logged_in(api, COUNCIL).get(f"/exercises/{drill.exercise.id}/report.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and f"exercise-{drill.exercise.id}-" in disposition
    reader = PdfReader(BytesIO(response.content))
    assert reader.metadata is not None and reader.metadata.title == DRILL_TITLE
    text = " ".join(page.extract_text() for page in reader.pages)
    squeezed = re.sub(r"\s+", " ", text)
    for expected in (
        DRILL_TITLE,
        "Evalueringsrapport",
        "Varslingsøvelsen",
        "Andel av de spurte",
        "Annet Sanitetslag",
        "Få svarte før 5 min.",
        "Læringspunkter",
    ):
        assert expected in squeezed, expected
    assert any(page.images for page in reader.pages), "the chart is missing"
    assert "+44770090" not in squeezed and "Frivillig" not in squeezed


def test_a_report_without_a_drill_shows_the_facts_and_lessons(api: ApiHarness) -> None:
    tabletop = exercise(api.session, scenario="Flom i Nitelva.", organisations=[api.own])
    api.session.commit()
    council = logged_in(api, COUNCIL)
    page = council.get(f"/exercises/{tabletop.id}/report")
    assert page.status_code == 200
    assert "Flom i Nitelva." in page.text and "Diskusjonsøvelse" in page.text
    assert "chart.svg" not in page.text and "Eget Hjelpekorps" in page.text
    pdf = council.get(f"/exercises/{tabletop.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert council.get("/exercises/987654/report").status_code == 404


def _stored(api: ApiHarness, exercise_id: int) -> Exercise:
    api.session.expire_all()
    found = api.session.get(Exercise, exercise_id)
    assert found is not None
    return found


def test_a_planner_records_lessons_and_the_evaluation_on_the_page(
    api: ApiHarness, drill: Drill
) -> None:
    planner = logged_in(api, PLANNER)
    page = planner.get(_report(drill))
    token = form_token(page.text)
    base = f"/exercises/{drill.exercise.id}"
    added = planner.post(
        f"{base}/observations",
        data={"text": "Varslingslisten var utdatert.", "csrf_token": token},
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"].startswith(
        f"{base}/report?done=observation"
    )
    observation = _stored(api, drill.exercise.id).observations[0]
    # Bad input: the page again with messages, nothing written.
    refused = planner.post(
        f"{base}/actions",
        data={"description": "", "owner": "Kari", "due_on": "31.02.2027", "csrf_token": token},
    )
    assert refused.status_code == 422
    assert "Fyll ut dette." in refused.text and "Oppgi en dato" in refused.text
    assert 'value="Kari"' in refused.text
    assert _stored(api, drill.exercise.id).actions == []
    made = planner.post(
        f"{base}/actions",
        data={
            "description": "Oppdatere varslingslisten",
            "owner": "Kari",
            "due_on": "2027-01-15",
            "observation_id": str(observation.id),
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    action = _stored(api, drill.exercise.id).actions[0]
    assert action.observation_id == observation.id and action.due_on.isoformat() == "2027-01-15"
    closed = planner.post(
        f"{base}/actions/{action.id}/close",
        data={"closing_note": "Gjort.", "csrf_token": token},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    action = _stored(api, drill.exercise.id).actions[0]
    assert action.status == ActionStatus.CLOSED and action.closing_note == "Gjort."
    again = planner.post(f"{base}/actions/{action.id}/close", data={"csrf_token": token})
    assert again.status_code == 409 and "allerede lukket" in again.text
    assert (
        planner.post(f"{base}/evaluation", data={"summary": " ", "csrf_token": token}).status_code
        == 422
    )
    evaluated = planner.post(
        f"{base}/evaluation",
        data={"summary": "Varslingen virket.", "csrf_token": token},
        follow_redirects=False,
    )
    assert evaluated.status_code == 303
    stored = _stored(api, drill.exercise.id)
    assert stored.evaluated_at is not None and stored.evaluation_summary == "Varslingen virket."
    report = planner.get(_report(drill)).text
    assert (
        "Varslingen virket." in report
        and "Gjort." in report
        and "Evalueringen er registrert" not in report
    )


def test_the_forms_need_the_csrf_token_the_role_and_a_completed_exercise(api: ApiHarness) -> None:
    planned = exercise(api.session, status=ExerciseStatus.PLANNED)
    api.session.commit()
    base = f"/exercises/{planned.id}"
    planner = logged_in(api, PLANNER)
    assert planner.post(f"{base}/observations", data={"text": "x"}).status_code == 403
    token = form_token(planner.get(f"{base}/report").text)
    refused = planner.post(f"{base}/evaluation", data={"summary": "Bra", "csrf_token": token})
    assert refused.status_code == 409 and "Bare en gjennomført øvelse" in refused.text
    assert _stored(api, planned.id).evaluated_at is None
    council = logged_in(api, COUNCIL)
    council_token = form_token(council.get("/").text)
    assert (
        council.post(
            f"{base}/observations", data={"text": "x", "csrf_token": council_token}
        ).status_code
        == 403
    )
    assert _stored(api, planned.id).observations == []


def test_the_overdue_page_lists_what_to_act_on(api: ApiHarness) -> None:
    ended = exercise(api.session, title="Ikke evaluert", starts_at=utcnow() - timedelta(days=40))
    api.session.add(
        FollowUpAction(
            exercise=ended,
            description="Kjøpe aggregat",
            owner="Ola",
            due_on=today_in_norway() - timedelta(days=2),
        )
    )
    api.session.commit()
    council = logged_in(api, COUNCIL)
    assert 'href="/exercises/overdue"' in council.get("/").text
    page = council.get("/exercises/overdue")
    assert page.status_code == 200, page.text
    assert "Hva som er forfalt" in page.text
    assert f'data-exercise="{ended.id}"' in page.text and "Ikke evaluert" in page.text
    assert "Kjøpe aggregat" in page.text
    assert f'href="/exercises/{ended.id}/report"' in page.text
