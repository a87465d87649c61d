"""Issue 16, currency, on the pages over HTTP on both backends: an organisation's editor
confirms its record (/organisations/{id}/confirm), the plan's yearly revisions
(/readiness/revisions), the dashboards' lists (organisations not confirmed in 12 months, the
plan's warning, the overdue inspections with their total and /inspections, every one of
them, a page at a time), and equipment's status and inspection state side by side."""

from __future__ import annotations

import re
from datetime import date, timedelta

from shapely.geometry import Point
from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.inventory.models import Equipment, EquipmentStatus, ResourceType
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from beredskap.register.readiness.models import PlanRevision
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness

ADMIN = ROLE_EMAILS[Role.ADMIN]
EDITOR = ROLE_EMAILS[Role.ORG_EDITOR]
NOT_EDITORS = (Role.DUTY_OFFICER, Role.COUNCIL, Role.PLANNER)


def _type(api: ApiHarness, code: str) -> ResourceType:
    found = api.session.scalar(select(ResourceType).where(ResourceType.code == code))
    assert found is not None
    return found


def _line(
    api: ApiHarness,
    next_due: date | None,
    *,
    organisation: Organisation | None = None,
    site: Site | None = None,
    status: EquipmentStatus = EquipmentStatus.READY,
    identifier: str | None = None,
) -> Equipment:
    line = Equipment(
        organisation=organisation or api.own,
        site=site or api.own_site,
        resource_type=_type(api, "generator"),
        quantity=1,
        status=status,
        identifier=identifier,
        next_inspection_due=next_due,
    )
    api.session.add(line)
    api.session.commit()
    return line


def _confirmed_on(api: ApiHarness, organisation: Organisation) -> date | None:
    api.session.expire_all()
    stored = api.session.get(Organisation, organisation.id)
    assert stored is not None
    return stored.confirmed_on


# Confirming the record ------------------------------------------------------------------------


def _registered(api: ApiHarness) -> None:
    """The own organisation's members (two with first aid, one consenting) and an agreement."""
    first_aid = api.session.scalar(
        select(QualificationType).where(QualificationType.code == "first_aid")
    )
    today = today_in_norway()
    for name, mobile, consent, expires in (
        ("Kari Nordvik", "+447700900321", True, today + timedelta(days=90)),
        ("Ola Nordvik", "+447700900322", False, today + timedelta(days=5)),
        ("Per Utløpt", "+447700900323", True, today - timedelta(days=1)),
    ):
        volunteer = Volunteer(full_name=name, mobile=mobile, sms_consent=consent)
        volunteer.memberships.append(Membership(organisation=api.own, role="mannskap"))
        volunteer.qualifications.append(
            VolunteerQualification(qualification_type=first_aid, expires_on=expires)
        )
        api.session.add(volunteer)
    api.session.add(
        Agreement(
            organisation=api.own,
            reference="2026/991",
            title="Beredskapsavtale førstehjelp",
            status=AgreementStatus.ACTIVE,
            valid_from=date(2026, 1, 1),
        )
    )
    api.session.commit()


def test_the_editor_reads_what_is_registered_and_confirms_with_one_button(
    api: ApiHarness,
) -> None:
    _registered(api)
    overdue = _line(api, today_in_norway() - timedelta(days=4), identifier="AGG-7")
    editor = logged_in(api, EDITOR, language="en")
    url = f"/organisations/{api.own.id}/confirm"

    own = editor.get(f"/organisations/{api.own.id}").text
    assert "The record has never been confirmed." in own and f'href="{url}"' in own
    assert 'class="button button--primary" href="' + url in own  # highlighted
    dashboard = editor.get("/").text
    assert f'href="{url}"' in dashboard and "The record has never been confirmed." in dashboard

    page = editor.get(url)
    assert page.status_code == 200, page.text
    text = page.text
    assert "Eget lager" in text  # the site
    assert "AGG-7" in text and "Ready" in text and "Inspection overdue" in text
    assert "not counted as ready" in text
    # Volunteers as counts: three active members, two consenting; first aid valid today: two
    # holders, one of them consenting (the expired one is not counted).
    assert "3 active members, 2 consenting to SMS callout" in text
    cells = r"First aid</th>\s*<td class=\"num\">(\d+)</td>\s*<td class=\"num\">(\d+)"
    row = re.search(cells, text)
    assert row is not None and row.groups() == ("2", "1")
    assert "Kari Nordvik" not in text  # counts, not names
    assert "2026/991" in text and "Valid from" in text
    assert text.count("<form") >= 1 and "Confirm that the information is correct" in text

    response = editor.post(url, data={"csrf_token": form_token(text)}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?done=confirmed"
    today = today_in_norway()
    assert _confirmed_on(api, api.own) == today
    done = editor.get(response.headers["location"]).text
    assert "Thank you. The record is confirmed" in done
    own = editor.get(f"/organisations/{api.own.id}").text
    assert "Record last confirmed" in own
    assert 'class="button button--primary" href="' + url not in own  # no longer highlighted
    assert overdue.id


def test_only_the_organisation_s_editors_and_the_coordinator_may_confirm(
    api: ApiHarness,
) -> None:
    other = f"/organisations/{api.other.id}/confirm"
    editor = logged_in(api, EDITOR)
    assert editor.get(other).status_code == 403
    token = form_token(editor.get(f"/organisations/{api.own.id}/confirm").text)
    assert editor.post(other, data={"csrf_token": token}).status_code == 403
    for role in NOT_EDITORS:
        client = logged_in(api, ROLE_EMAILS[role])
        assert client.get(f"/organisations/{api.own.id}/confirm").status_code == 403, role
        page = client.get(f"/organisations/{api.own.id}").text
        assert f"/organisations/{api.own.id}/confirm" not in page, role
        token = form_token(client.get("/").text) if "csrf_token" in client.get("/").text else ""
        refused = client.post(f"/organisations/{api.own.id}/confirm", data={"csrf_token": token})
        assert refused.status_code == 403, role
    admin = logged_in(api, ADMIN)
    assert admin.get("/organisations/999999/confirm").status_code == 404
    assert admin.get(other).status_code == 200
    # Without its CSRF token the button does nothing.
    assert admin.post(other, data={}).status_code == 403
    assert admin.post(other, data={"csrf_token": "forged"}).status_code == 403
    assert _confirmed_on(api, api.other) is None
    assert _confirmed_on(api, api.own) is None
    token = form_token(admin.get(other).text)
    assert admin.post(other, data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert _confirmed_on(api, api.other) == today_in_norway()


# The coordinator's dashboard ------------------------------------------------------------------


def test_the_dashboard_lists_organisations_not_confirmed_and_warns_of_the_plan(
    api: ApiHarness,
) -> None:
    today = today_in_norway()
    api.own.confirmed_on = today - timedelta(days=400)
    recent = Organisation(name="Nylig Bekreftet", category="scouts", confirmed_on=today)
    api.session.add(recent)
    api.session.commit()
    admin = logged_in(api, ADMIN, language="en")

    page = admin.get("/").text
    section = page[page.index('id="h-unconfirmed"') : page.index('id="h-overdue"')]
    assert "2 active organisations have not confirmed" in section
    # Never confirmed first, then the oldest confirmation; a recent one is not listed.
    assert section.index("Annet Sanitetslag") < section.index("Eget Hjelpekorps")
    assert "never confirmed" in section and "Nylig Bekreftet" not in section
    assert "No revision of the plan is recorded." in page
    assert 'href="/readiness/revisions"' in page

    api.session.add(
        PlanRevision(
            revised_on=today - timedelta(days=380), revised_by="Kommunestyret", scope="Hele planen"
        )
    )
    api.session.commit()
    assert "more than 12 months ago" in admin.get("/").text
    api.session.add(
        PlanRevision(revised_on=today - timedelta(days=2), revised_by="Rådet", scope="Varsling")
    )
    api.session.commit()
    page = admin.get("/").text
    assert "more than 12 months ago" not in page and "No revision of the plan" not in page
    council = logged_in(api, ROLE_EMAILS[Role.COUNCIL]).get("/").text
    assert 'href="/readiness/revisions"' in council


def test_the_dashboard_shows_the_first_overdue_and_the_total_and_links_them_all(
    api: ApiHarness,
) -> None:
    today = today_in_norway()
    lines = [_line(api, today - timedelta(days=day)) for day in range(1, 31)]  # 30 overdue
    due_soon = _line(api, today + timedelta(days=10), status=EquipmentStatus.MAINTENANCE)
    later = _line(api, today + timedelta(days=200))
    other_site = api.other_site
    theirs = _line(api, today - timedelta(days=90), organisation=api.other, site=other_site)
    admin = logged_in(api, ADMIN, language="en")

    page = admin.get("/").text
    section = page[page.index('id="h-overdue"') :]
    assert "31 equipment lines are overdue; the 10 most overdue are shown." in section
    assert 'href="/inspections"' in section
    assert section.count('class="line"') == 10
    assert section.index(f"/equipment/{theirs.id}/edit") < section.index(
        f"/equipment/{lines[-1].id}/edit"
    )  # most overdue first
    assert "Inspection overdue" in section and "Ready" in section

    listed = admin.get("/inspections")
    assert listed.status_code == 200
    text = listed.text
    assert "32 equipment lines" in text  # 31 overdue and one due within 30 days
    ids = [int(i) for i in re.findall(r'id="equipment-(\d+)"', text)]
    expected = [theirs.id, *[line.id for line in reversed(lines)], due_soon.id]
    assert ids == expected  # most overdue first, every one
    assert later.id not in ids
    assert "Inspection due soon" in text and "Maintenance" in text

    mine = admin.get("/inspections", params={"organisation": str(api.own.id)}).text
    assert "31 equipment lines" in mine and f'id="equipment-{theirs.id}"' not in mine
    odd = admin.get("/inspections", params={"organisation": "x", "page": "-2"})
    assert odd.status_code == 200 and "32 equipment lines" in odd.text


def test_the_inspection_list_pages_through_every_line(api: ApiHarness) -> None:
    today = today_in_norway()
    for day in range(1, 56):  # 55 overdue: two pages of 50
        _line(api, today - timedelta(days=day))
    planner = logged_in(api, ROLE_EMAILS[Role.PLANNER], language="en")
    first = planner.get("/inspections").text
    second = planner.get("/inspections", params={"page": "2"}).text
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    first_ids = re.findall(r'id="equipment-(\d+)"', first)
    second_ids = re.findall(r'id="equipment-(\d+)"', second)
    assert len(first_ids) == 50 and len(second_ids) == 5
    assert not set(first_ids) & set(second_ids)
    assert "/edit" not in first  # the planner edits no equipment


# The plan's revisions on the page -------------------------------------------------------------


def test_the_coordinator_records_a_revision_on_the_page(api: ApiHarness) -> None:
    admin = logged_in(api, ADMIN, language="en")
    page = admin.get("/readiness/revisions")
    assert page.status_code == 200 and "No revision is recorded yet." in page.text
    token = form_token(page.text)
    day = today_in_norway() - timedelta(days=1)
    response = admin.post(
        "/readiness/revisions",
        data={
            "csrf_token": token,
            "revised_on": day.isoformat(),
            "revised_by": "Beredskapsrådet",
            "scope": "Ressursoversikten",
            "note": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    listed = admin.get(response.headers["location"]).text
    assert "The revision was recorded." in listed and "Beredskapsrådet" in listed
    assert "1 revision, newest first" in listed
    stored = api.session.scalars(select(PlanRevision)).one()
    assert stored.revised_on == day and stored.note is None and stored.recorded_by_user_id


def test_bad_revisions_are_shown_beside_their_fields_and_nothing_is_written(
    api: ApiHarness,
) -> None:
    admin = logged_in(api, ADMIN, language="en")
    token = form_token(admin.get("/readiness/revisions").text)
    before = api.counts(PlanRevision)
    future = (today_in_norway() + timedelta(days=3)).isoformat()
    for fields, field, message in (
        ({"revised_on": "31.02.2026"}, "revised_on", "enter a date as YYYY-MM-DD"),
        ({"revised_on": future}, "revised_on", "a revision date cannot be in the future"),
        ({"revised_on": ""}, "revised_on", "is required"),
        ({"revised_by": ""}, "revised_by", "is required"),
        ({"scope": "x" * 4001}, "scope", "at most 4,000 characters"),
    ):
        data = {
            "csrf_token": token,
            "revised_on": "2026-01-05",
            "revised_by": "Rådet",
            "scope": "Planen",
        } | fields
        response = admin.post("/readiness/revisions", data=data)
        assert response.status_code == 422, fields
        text = response.text
        assert 'class="notice notice--error error-summary"' in text
        assert f'href="#f-{field}"' in text, fields  # the summary links to the field
        assert f'id="f-{field}-error"' in text and message in text, (fields, message)
        assert 'aria-invalid="true"' in text
    assert api.counts(PlanRevision) == before


def test_who_may_read_and_record_revisions_on_the_page(api: ApiHarness) -> None:
    for role in (Role.COUNCIL, Role.DUTY_OFFICER, Role.PLANNER):
        client = logged_in(api, ROLE_EMAILS[role])
        page = client.get("/readiness/revisions")
        assert page.status_code == 200, role
        assert 'action="/readiness/revisions"' not in page.text, role  # no form
        token = form_token(client.get("/").text) if "csrf_token" in client.get("/").text else ""
        data = {"csrf_token": token, "revised_on": "2026-01-05", "revised_by": "X", "scope": "Y"}
        assert client.post("/readiness/revisions", data=data).status_code == 403, role
    editor = logged_in(api, EDITOR)
    assert editor.get("/readiness/revisions").status_code == 403
    assert api.session.scalars(select(PlanRevision)).first() is None


# Status and inspection state side by side -----------------------------------------------------


def test_equipment_shows_status_and_inspection_state_wherever_it_appears(
    api: ApiHarness,
) -> None:
    today = today_in_norway()
    shared = Site(
        organisation=None, name="Kommunelageret", kind=SiteKind.STORAGE, location=Point(11.1, 59.9)
    )
    api.session.add(shared)
    api.session.commit()
    _line(api, today - timedelta(days=2), site=shared, identifier="SHARED-1")
    _line(api, today + timedelta(days=90), identifier="FINE-1")
    _line(api, None, identifier="NODATE-1", status=EquipmentStatus.IN_USE)

    sites = logged_in(api, ROLE_EMAILS[Role.COUNCIL], language="en").get("/sites").text
    assert "Kommunelageret" in sites and "SHARED-1" in sites
    assert "Inspection overdue" in sites and "not counted as ready" in sites

    own = logged_in(api, ROLE_EMAILS[Role.DUTY_OFFICER], language="en")
    page = own.get(f"/organisations/{api.own.id}").text
    for text in ("Inspection OK", "No inspection date", "In use", "Ready"):
        assert text in page, text
    dashboard = own.get("/").text
    # One line marked ready but overdue is not counted in the ready stock, and is said.
    assert "1 more line marked ready, but its inspection is overdue" in dashboard

    editor = logged_in(api, EDITOR, language="en").get("/").text
    assert "No inspection date" in editor and "In use" in editor  # a line needing attention

    listed = logged_in(api, ROLE_EMAILS[Role.PLANNER], language="en").get("/organisations").text
    assert "1 of 3 equipment lines ready" in listed  # the overdue line is not ready

    incident = logged_in(api, ADMIN, language="en").get(
        "/maps/incident", params={"lat": "59.96", "lon": "11.06", "radius_km": "20"}
    )
    assert incident.status_code == 200, incident.text
    results = incident.text[incident.text.index('id="h-results"') :]
    assert "Inspection OK" in results and "Ready" in results
