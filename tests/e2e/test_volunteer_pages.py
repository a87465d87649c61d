"""Issue 15, the volunteer pages over HTTP on both backends: each role's access (an org editor
its own organisations' volunteers only), adding and editing with memberships and
qualifications, the stale form, bad input (422, nothing written), a known mobile, the CSRF
token, the consent rule (a STOP is undone only by the volunteer) and the audited read."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role
from beredskap.register.volunteers.models import (
    ConsentChannel,
    ConsentEvent,
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness

EDITOR = ROLE_EMAILS[Role.ORG_EDITOR]
ADMIN = ROLE_EMAILS[Role.ADMIN]


def _qualification(api: ApiHarness, code: str) -> QualificationType:
    return api.session.scalars(
        select(QualificationType).where(QualificationType.code == code)
    ).one()


def _volunteer(
    api: ApiHarness, *, own: bool = True, mobile: str = "+447700900321", **fields: Any
) -> Volunteer:
    volunteer = Volunteer(
        full_name=fields.pop("full_name", "Kari Nordvik"),
        mobile=mobile,
        **({"sms_consent": True} | fields),
    )
    volunteer.memberships.append(Membership(organisation=api.own if own else api.other))
    volunteer.qualifications.append(
        VolunteerQualification(
            qualification_type=_qualification(api, "first_aid"),
            expires_on=date.today() + timedelta(days=90),
        )
    )
    api.session.add(volunteer)
    api.session.commit()
    return volunteer


def _stored(api: ApiHarness, volunteer_id: int) -> Volunteer | None:
    api.session.expire_all()
    return api.session.get(Volunteer, volunteer_id)


def _reads(api: ApiHarness) -> list[AuditEntry]:
    api.session.expire_all()
    return list(
        api.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "read", AuditEntry.entity == "volunteers")
            .order_by(AuditEntry.id)
        )
    )


def _form(volunteer: Volunteer, token: str, **changes: Any) -> dict[str, Any]:
    """The edit form as the page sends it, with `changes` over it."""
    data: dict[str, Any] = {
        "csrf_token": token,
        "version": str(volunteer.version),
        "full_name": volunteer.full_name,
        "mobile": volunteer.mobile,
        "email": volunteer.email or "",
        "home_lat": "",
        "home_lon": "",
        "availability": volunteer.availability.value,
        "active": "1",
        "membership_organisation_id": [str(m.organisation_id) for m in volunteer.memberships],
        "membership_role": [m.role or "" for m in volunteer.memberships],
        "qualification_type_id": [str(q.qualification_type_id) for q in volunteer.qualifications],
        "qualification_obtained_on": [
            q.obtained_on.isoformat() if q.obtained_on else "" for q in volunteer.qualifications
        ],
        "qualification_expires_on": [
            q.expires_on.isoformat() if q.expires_on else "" for q in volunteer.qualifications
        ],
    }
    if volunteer.sms_consent:
        data["sms_consent"] = "1"
    return data | changes


# Who gets which page ----------------------------------------------------------------------------


def test_each_role_gets_the_volunteer_pages_its_rules_allow(api: ApiHarness) -> None:
    ours = _volunteer(api)
    theirs = _volunteer(api, own=False, mobile="+447700900322", full_name="Ola Annen")
    own_list = f"/organisations/{api.own.id}/volunteers"
    other_list = f"/organisations/{api.other.id}/volunteers"
    editor = logged_in(api, EDITOR)
    page = editor.get(own_list)
    assert page.status_code == 200 and "Kari Nordvik" in page.text and "+447700900321" in page.text
    assert "Ola Annen" not in page.text and f"/volunteers/{ours.id}/edit" in page.text
    assert editor.get(other_list).status_code == 403
    assert editor.get(f"/organisations/{api.other.id}/volunteers/new").status_code == 403
    assert editor.get(f"/volunteers/{theirs.id}/edit").status_code == 404
    assert editor.get(f"/volunteers/{ours.id}/edit").status_code == 200
    # The organisation's page links to its list.
    assert own_list in editor.get(f"/organisations/{api.own.id}").text
    # The planner reads names and qualifications, no mobile, and edits nothing.
    planner = logged_in(api, ROLE_EMAILS[Role.PLANNER])
    listed = planner.get(other_list)
    assert listed.status_code == 200 and "Ola Annen" in listed.text
    assert "+447700900322" not in listed.text and "/edit" not in listed.text
    assert planner.get(f"/volunteers/{theirs.id}/edit").status_code == 403
    # The duty officer reads every list with mobiles, and edits nothing.
    duty = logged_in(api, ROLE_EMAILS[Role.DUTY_OFFICER])
    assert "+447700900322" in duty.get(other_list).text
    assert duty.get(f"/organisations/{api.own.id}/volunteers/new").status_code == 403
    # The council sees no person at all.
    council = logged_in(api, ROLE_EMAILS[Role.COUNCIL])
    for url in (own_list, f"/volunteers/{ours.id}/edit"):
        refused = council.get(url)
        assert refused.status_code == 403 and "Kari Nordvik" not in refused.text
    # The administrator edits anyone's.
    assert logged_in(api, ADMIN).get(f"/volunteers/{theirs.id}/edit").status_code == 200
    # Posting to someone else's volunteer writes nothing.
    token = form_token(editor.get(own_list).text)
    before = api.counts(Volunteer, Membership)
    posted = editor.post(f"/volunteers/{theirs.id}/edit", data=_form(theirs, token, full_name="X"))
    assert posted.status_code == 404 and api.counts(Volunteer, Membership) == before


def test_reading_the_pages_is_audited_as_the_api_does(api: ApiHarness) -> None:
    ours = _volunteer(api)
    editor = logged_in(api, EDITOR)
    before = len(_reads(api))
    editor.get(f"/organisations/{api.own.id}/volunteers")
    editor.get(f"/volunteers/{ours.id}/edit")
    reads = _reads(api)[before:]
    assert [(r.entity_id, r.after, r.actor) for r in reads] == [
        ("", {"read": "web.volunteers", "count": 1}, EDITOR),
        (str(ours.id), {"read": "web.volunteer_edit", "count": 1}, EDITOR),
    ]
    # The planner sees no contact details: nothing to record.
    logged_in(api, ROLE_EMAILS[Role.PLANNER]).get(f"/organisations/{api.own.id}/volunteers")
    assert len(_reads(api)) == before + 2


# Adding and editing ---------------------------------------------------------------------------


def test_an_org_editor_adds_a_volunteer_with_a_qualification(api: ApiHarness) -> None:
    editor = logged_in(api, EDITOR)
    url = f"/organisations/{api.own.id}/volunteers/new"
    form = editor.get(url)
    assert form.status_code == 200 and 'name="membership_organisation_id"' in form.text
    assert "Annet Sanitetslag" not in form.text  # only its own organisations to choose
    boat = _qualification(api, "boat_licence")
    token = form_token(form.text)
    data = {
        "csrf_token": token,
        "full_name": "Per Hansen",
        "mobile": "+44 7700 900123",
        "email": "per@eget.example",
        "home_lat": "59,9512",
        "home_lon": "11.0488",
        "availability": "limited",
        "active": "1",
        "sms_consent": "1",
        "membership_organisation_id": [str(api.own.id), ""],
        "membership_role": ["lagleder", ""],
        "qualification_type_id": [str(boat.id), ""],
        "qualification_obtained_on": ["2024-04-01", ""],
        "qualification_expires_on": ["2029-04-01", ""],
    }
    # "Add a qualification" shows one more row and saves nothing.
    more = editor.post(url, data=data | {"add_row": "qualification"})
    assert more.status_code == 200 and more.text.count('name="qualification_type_id"') == 3
    assert api.counts(Volunteer)[0] == 0
    response = editor.post(url, data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    api.session.expire_all()
    created = api.session.scalars(select(Volunteer)).one()
    assert response.headers["location"] == (
        f"/organisations/{api.own.id}/volunteers?saved={created.id}#volunteer-{created.id}"
    )
    assert (created.full_name, created.mobile, created.email) == (
        "Per Hansen",
        "+447700900123",
        "per@eget.example",
    )
    assert created.availability.value == "limited" and created.sms_consent and created.active
    assert [(m.organisation_id, m.role) for m in created.memberships] == [(api.own.id, "lagleder")]
    (held,) = created.qualifications
    assert (held.qualification_type_id, held.obtained_on, held.expires_on) == (
        boat.id,
        date(2024, 4, 1),
        date(2029, 4, 1),
    )
    # The home area is coarse: snapped to the grid, never the point typed.
    assert created.home_area is not None
    (event,) = created.consent_events
    assert (event.given, event.channel, event.actor) == (True, ConsentChannel.STAFF, EDITOR)
    listing = editor.get(response.headers["location"])
    assert 'class="row--saved"' in listing.text and "Per Hansen" in listing.text


def test_editing_changes_qualifications_and_memberships(api: ApiHarness) -> None:
    ours = _volunteer(api)
    version = ours.version
    editor = logged_in(api, EDITOR)
    form = editor.get(f"/volunteers/{ours.id}/edit?from={api.own.id}")
    assert form.status_code == 200 and 'value="Kari Nordvik"' in form.text
    token = form_token(form.text)
    first_aid = _qualification(api, "first_aid")
    boat = _qualification(api, "boat_licence")
    data = _form(
        ours,
        token,
        availability="unavailable",
        membership_role=["mannskap"],
        qualification_type_id=[str(first_aid.id), str(boat.id)],
        qualification_obtained_on=["2023-01-01", "2025-02-03"],
        qualification_expires_on=["2027-01-01", ""],
        from_organisation=str(api.own.id),
    )
    response = editor.post(f"/volunteers/{ours.id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    stored = _stored(api, ours.id)
    assert stored is not None and stored.availability.value == "unavailable"
    assert stored.memberships[0].role == "mannskap"
    held = {q.qualification_type_id: (q.obtained_on, q.expires_on) for q in stored.qualifications}
    assert held == {
        first_aid.id: (date(2023, 1, 1), date(2027, 1, 1)),
        boat.id: (date(2025, 2, 3), None),
    }
    assert stored.version > version
    assert response.headers["location"].startswith(f"/organisations/{api.own.id}/volunteers?")
    # Removing a row removes the qualification.
    again = editor.get(f"/volunteers/{ours.id}/edit")
    data = _form(stored, form_token(again.text), qualification_remove=["0"])
    response = editor.post(f"/volunteers/{ours.id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    stored = _stored(api, ours.id)
    assert stored is not None
    assert [q.qualification_type_id for q in stored.qualifications] == [boat.id]


def test_an_org_editor_keeps_other_organisations_memberships(api: ApiHarness) -> None:
    ours = _volunteer(api)
    ours.memberships.append(Membership(organisation=api.other, role="sjåfør"))
    api.session.commit()
    editor = logged_in(api, EDITOR)
    form = editor.get(f"/volunteers/{ours.id}/edit")
    assert "Annet Sanitetslag (sjåfør)" in form.text
    data = _form(ours, form_token(form.text), full_name="Kari N. Nordvik")
    data["membership_organisation_id"] = [str(api.own.id)]
    data["membership_role"] = [""]
    response = editor.post(f"/volunteers/{ours.id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    stored = _stored(api, ours.id)
    assert stored is not None and stored.full_name == "Kari N. Nordvik"
    assert {(m.organisation_id, m.role) for m in stored.memberships} == {
        (api.own.id, None),
        (api.other.id, "sjåfør"),
    }


def test_a_stale_form_shows_the_change_instead_of_overwriting(api: ApiHarness) -> None:
    ours = _volunteer(api)
    editor = logged_in(api, EDITOR)
    form = editor.get(f"/volunteers/{ours.id}/edit")
    data = _form(ours, form_token(form.text), full_name="Kari Gammel")
    ours.full_name = "Kari Ny"  # someone else saves first
    api.session.commit()
    response = editor.post(f"/volunteers/{ours.id}/edit", data=data)
    assert response.status_code == 409
    assert 'id="conflict"' in response.text
    assert 'value="Kari Ny"' in response.text
    stored = _stored(api, ours.id)
    assert stored is not None and stored.full_name == "Kari Ny"
    assert f'name="version" value="{stored.version}"' in response.text


def test_bad_input_shows_messages_beside_the_fields_and_writes_nothing(api: ApiHarness) -> None:
    ours = _volunteer(api)
    version = ours.version
    editor = logged_in(api, EDITOR)
    form = editor.get(f"/volunteers/{ours.id}/edit")
    token = form_token(form.text)
    first_aid = _qualification(api, "first_aid")
    before = api.counts(Volunteer, Membership, VolunteerQualification, ConsentEvent)
    data = _form(
        ours,
        token,
        full_name="",
        mobile="12",
        email="ikke en adresse",
        home_lat="59.9",
        qualification_type_id=[str(first_aid.id), str(first_aid.id)],
        qualification_obtained_on=["2025-05-01", "i fjor"],
        qualification_expires_on=["2024-01-01", ""],
    )
    response = editor.post(f"/volunteers/{ours.id}/edit", data=data)
    assert response.status_code == 422
    html = response.text
    for field in ("full_name", "mobile", "email", "home_area"):
        assert f'id="f-{field}-error"' in html and f'href="#f-{field}"' in html, field
    assert "skriv en dato som ÅÅÅÅ-MM-DD" in html
    assert 'href="#f-qualification-2-obtained_on"' in html
    assert 'id="f-qualification-1-expires_on-error"' in html
    assert 'value="ikke en adresse"' in html and 'value="i fjor"' in html
    assert 'class="notice notice--error error-summary"' in html and "autofocus" in html
    assert api.counts(Volunteer, Membership, VolunteerQualification, ConsentEvent) == before
    # A qualification listed twice: the service's rule, on its row.
    twice = editor.post(
        f"/volunteers/{ours.id}/edit",
        data=_form(
            ours,
            token,
            qualification_type_id=[str(first_aid.id), str(first_aid.id)],
            qualification_obtained_on=["", ""],
            qualification_expires_on=["", ""],
        ),
    )
    assert twice.status_code == 422 and 'id="f-qualification-2-type-error"' in twice.text
    # An org editor may not leave the volunteer in none of its organisations' lists.
    none = editor.post(
        f"/volunteers/{ours.id}/edit",
        data=_form(ours, token, membership_remove=["0"]),
    )
    assert none.status_code == 422 and 'href="#f-memberships"' in none.text
    assert api.counts(Volunteer, Membership, VolunteerQualification, ConsentEvent) == before
    stored = _stored(api, ours.id)
    assert stored is not None and stored.version == version


def test_a_known_mobile_answers_as_the_api_does(api: ApiHarness) -> None:
    _volunteer(api, own=False, mobile="+447700900322", full_name="Ola Annen")
    mine = _volunteer(api)
    editor = logged_in(api, EDITOR)
    url = f"/organisations/{api.own.id}/volunteers/new"
    token = form_token(editor.get(url).text)
    data = {
        "csrf_token": token,
        "full_name": "Ny Person",
        "mobile": "+447700900322",
        "availability": "available",
        "active": "1",
        "membership_organisation_id": [str(api.own.id)],
        "membership_role": [""],
    }
    before = api.counts(Volunteer)
    theirs = editor.post(url, data=data)
    assert theirs.status_code == 409 and 'id="f-mobile-error"' in theirs.text
    assert "er allerede registrert" in theirs.text and "id " not in theirs.text.split(
        'id="f-mobile-error"'
    )[1].split("</p>")[0].replace('<span class="visually-hidden">', "")
    own = editor.post(url, data=data | {"mobile": mine.mobile})
    assert own.status_code == 409 and f"id {mine.id}" in own.text
    assert api.counts(Volunteer) == before


def test_a_change_without_the_form_token_is_refused(api: ApiHarness) -> None:
    ours = _volunteer(api)
    editor = logged_in(api, EDITOR)
    form = editor.get(f"/volunteers/{ours.id}/edit")
    before = api.counts(Volunteer, AuditEntry)
    data = _form(ours, form_token(form.text), full_name="Forfalsket")
    del data["csrf_token"]
    refused = editor.post(f"/volunteers/{ours.id}/edit", data=data)
    forged = editor.post(f"/volunteers/{ours.id}/edit", data=data | {"csrf_token": "x" * 43})
    created = editor.post(
        f"/organisations/{api.own.id}/volunteers/new",
        data={"full_name": "Ny", "mobile": "+447700900111"},
    )
    assert (refused.status_code, forged.status_code, created.status_code) == (403, 403, 403)
    assert api.counts(Volunteer, AuditEntry) == before
    stored = _stored(api, ours.id)
    assert stored is not None and stored.full_name == "Kari Nordvik"


# Consent ----------------------------------------------------------------------------------------


def test_staff_give_and_withdraw_consent_as_a_staff_event(api: ApiHarness) -> None:
    ours = _volunteer(api, sms_consent=False)
    editor = logged_in(api, EDITOR)
    form = editor.get(f"/volunteers/{ours.id}/edit")
    assert 'name="sms_consent"' in form.text
    data = _form(ours, form_token(form.text), sms_consent="1")
    response = editor.post(f"/volunteers/{ours.id}/edit", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    stored = _stored(api, ours.id)
    assert stored is not None and stored.sms_consent
    assert [(e.given, e.channel, e.actor) for e in stored.consent_events] == [
        (True, ConsentChannel.STAFF, EDITOR)
    ]


def test_consent_withdrawn_by_stop_is_not_offered_to_staff(api: ApiHarness) -> None:
    ours = _volunteer(api)
    ours.change_consent(False, ConsentChannel.SMS)  # the volunteer replied STOP
    api.session.commit()
    editor = logged_in(api, EDITOR)
    form = editor.get(f"/volunteers/{ours.id}/edit")
    assert form.status_code == 200
    assert 'name="sms_consent"' not in form.text
    assert 'id="consent-locked"' in form.text
    events = api.counts(ConsentEvent)
    # Other changes save; the consent stays withdrawn.
    data = _form(_stored(api, ours.id), form_token(form.text), full_name="Kari Stopp")
    saved = editor.post(f"/volunteers/{ours.id}/edit", data=data, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    stored = _stored(api, ours.id)
    assert stored is not None and stored.full_name == "Kari Stopp" and not stored.sms_consent
    assert api.counts(ConsentEvent)[0] == events[0]
    # A post that gives it anyway is refused as the API refuses it (409), nothing written.
    again = editor.get(f"/volunteers/{ours.id}/edit")
    forced = editor.post(
        f"/volunteers/{ours.id}/edit",
        data=_form(stored, form_token(again.text), sms_consent="1", full_name="Kari Igjen"),
    )
    assert forced.status_code == 409 and "START" in forced.text
    stored = _stored(api, ours.id)
    assert stored is not None and not stored.sms_consent and stored.full_name == "Kari Stopp"
    assert api.counts(ConsentEvent)[0] == events[0]


def test_the_pages_speak_english_on_request(api: ApiHarness) -> None:
    ours = _volunteer(api)
    english = logged_in(api, EDITOR, "en")
    page = english.get(f"/volunteers/{ours.id}/edit")
    assert page.status_code == 200 and "Edit volunteer" in page.text
    assert "Qualification 1" in page.text and "Add a qualification" in page.text
    listing = english.get(f"/organisations/{api.own.id}/volunteers")
    assert "New volunteer" in listing.text
