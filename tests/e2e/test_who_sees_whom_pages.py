"""Issue 14 on the pages, on both backends: the duty officer's equipment form (status and notes
only), volunteers' names on an exercise's page (an org editor: its own members only), and
the evaluation report, its PDF and chart with no count of one or two people for the council."""

from __future__ import annotations

import re
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from alerts.models import RecipientState
from beredskap.platform.auth.models import Role
from beredskap.register.inventory.models import Equipment, EquipmentStatus, ResourceType
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers.models import Membership, Volunteer
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness
from tests.support.exercises import exercise, finished_drill

DUTY = ROLE_EMAILS[Role.DUTY_OFFICER]
EDITOR = ROLE_EMAILS[Role.ORG_EDITOR]
PLANNER = ROLE_EMAILS[Role.PLANNER]
COUNCIL = ROLE_EMAILS[Role.COUNCIL]


def _line(api: ApiHarness, organisation: Organisation) -> Equipment:
    site = api.own_site if organisation is api.own else api.other_site
    line = Equipment(
        organisation=organisation,
        site=site,
        resource_type=api.session.scalars(
            select(ResourceType).where(ResourceType.code == "generator")
        ).one(),
        quantity=2,
    )
    api.session.add(line)
    api.session.commit()
    return line


def _stored(api: ApiHarness, line: Equipment) -> Equipment:
    api.session.expire_all()
    stored = api.session.get(Equipment, line.id)
    assert stored is not None
    return stored


def test_the_duty_officer_gets_status_buttons_and_notes_only(api: ApiHarness) -> None:
    line = _line(api, api.other)
    duty = logged_in(api, DUTY)
    page = duty.get(f"/equipment/{line.id}/edit")
    assert page.status_code == 200
    html = page.text
    assert 'name="status" value="in_use"' in html and 'name="notes"' in html
    for field in ("quantity", "site_id", "identifier", "last_inspected_on", "resource_type_id"):
        assert f'name="{field}"' not in html, field
    token = form_token(html)

    # A post with another field is refused whole: nothing changes, not even the status.
    refused = duty.post(
        f"/equipment/{line.id}/edit",
        data={"csrf_token": token, "version": "1", "status": "in_use", "quantity": "9"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    stored = _stored(api, line)
    assert (stored.quantity, stored.status, stored.version) == (2, EquipmentStatus.READY, 1)

    saved = duty.post(
        f"/equipment/{line.id}/edit",
        data={"csrf_token": token, "version": "1", "notes": "Lånt ut til brannvesenet"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert _stored(api, line).notes == "Lånt ut til brannvesenet"


def test_the_org_editor_keeps_the_whole_form_for_its_own_lines(api: ApiHarness) -> None:
    line = _line(api, api.own)
    page = logged_in(api, EDITOR).get(f"/equipment/{line.id}/edit")
    assert page.status_code == 200
    for field in ("quantity", "site_id", "identifier", "notes", "next_inspection_due"):
        assert f'name="{field}"' in page.text, field


def _person(api: ApiHarness, name: str, number: int, organisation: Organisation) -> Volunteer:
    person = Volunteer(full_name=name, mobile=f"+4477009006{number:02d}")
    person.memberships.append(Membership(organisation=organisation))
    api.session.add(person)
    return person


def test_an_org_editor_sees_only_its_own_members_on_an_exercise(api: ApiHarness) -> None:
    invited = [
        _person(api, "Kari Egen", 1, api.own),
        _person(api, "Olga Annensen", 2, api.other),
        _person(api, "Per Annensen", 3, api.other),
    ]
    made = exercise(api.session, organisations=[api.own, api.other])
    made.volunteers = invited
    api.session.commit()
    url = f"/exercises/{made.id}"

    editor = logged_in(api, EDITOR).get(url).text
    assert "Kari Egen" in editor
    assert "Olga" not in editor and "Per Annensen" not in editor
    assert "Færre enn 3 frivillige fra andre organisasjoner" in editor
    planner = logged_in(api, PLANNER).get(url).text
    assert all(name in planner for name in ("Kari Egen", "Olga Annensen", "Per Annensen"))
    assert "andre organisasjoner" not in planner
    council = logged_in(api, COUNCIL).get(url).text
    assert "3 frivillige invitert" in council and "Kari" not in council


# Cells that count people (not minutes): the totals, the per-organisation counts and the
# "answered within" counts.
_COUNT_CELLS = re.compile(
    r"<dt>(?:Spurt|Levert|Feilet|Svarte|Ja|Nei)</dt><dd>([^<]*)<"
    r'|<td class="num" data-label="(?:Spurt|Levert|Svarte|Ja)">([^<]*)<'
    r'|<td class="num">([^<]*)<'
)


def _cells(html: str) -> list[str]:
    return ["".join(groups).strip() for groups in _COUNT_CELLS.findall(html)]


def test_the_council_reads_fewer_than_3_in_the_report_and_its_pdf(api: ApiHarness) -> None:
    drill = finished_drill(api.session, api.own, api.other)
    api.session.commit()
    report = f"/exercises/{drill.exercise.id}/report"

    council = logged_in(api, COUNCIL)
    html = council.get(report).text
    cells = _cells(html)
    assert len(cells) == 6 + 4 * 3 + 4, cells  # totals, three groups, four "within"
    assert not [cell for cell in cells if cell in ("1", "2")], cells
    assert "færre enn 3" in cells and "ikke vist" in html
    assert "Av personvernhensyn" in html
    # The unknown group (one person, yes after 61 minutes) shows no figure at all.
    unknown = html[html.index("Ukjent") :].split("</tr>")[0]
    assert "61" not in unknown and "færre enn 3" in unknown
    pdf = PdfReader(BytesIO(council.get(f"{report}.pdf").content))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "færre enn 3" in text and "ikke vist" in text

    planner = logged_in(api, PLANNER).get(report).text
    assert "færre enn 3" not in planner and "Av personvernhensyn" not in planner
    assert re.search(r'data-figure="all_needs">14<', planner)


def test_no_chart_for_the_council_when_fewer_than_3_were_asked(api: ApiHarness) -> None:
    drill = finished_drill(api.session, api.own, api.other)
    for recipient in drill.callout.recipients[1:]:
        recipient.state = RecipientState.CANCELLED
    api.session.commit()
    council = logged_in(api, COUNCIL)
    html = council.get(f"/exercises/{drill.exercise.id}/report").text
    assert "chart.svg" not in html and "færre enn 3" in html
    assert council.get(f"/exercises/{drill.exercise.id}/chart.svg").status_code == 404
    planner = logged_in(api, PLANNER)
    assert planner.get(f"/exercises/{drill.exercise.id}/chart.svg").status_code == 200
