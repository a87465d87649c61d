"""Readiness on the pages, on both backends: the agreement's page, the organisation page's
block, `/readiness` worst first with its filters, and the dashboards' panel, each saying met
or not and why, in Norwegian by default; the council reads counts of people of one or two as
"færre enn 3"."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from beredskap.platform.auth.models import Role
from beredskap.platform.columns import today_in_norway
from beredskap.register.agreements.models import Agreement, AgreementStatus, Commitment
from beredskap.register.inventory.models import Equipment, EquipmentStatus, ResourceType
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from tests.e2e.web_client import logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness

TODAY = today_in_norway()


def _type(api: ApiHarness, model: type, code: str) -> int:
    type_id = api.session.scalar(select(model.id).where(model.code == code))  # type: ignore[attr-defined]
    assert type_id is not None
    return int(type_id)


def _register(api: ApiHarness) -> tuple[Agreement, Agreement]:
    """An ATV agreement short of what it promises, and a first-aid one met by one person."""
    atv = _type(api, ResourceType, "atv")
    first_aid = _type(api, QualificationType, "first_aid")
    short = Agreement(
        organisation_id=api.own.id,
        reference="2026/ATV",
        title="ATV-avtale",
        status=AgreementStatus.ACTIVE,
        valid_from=date(2025, 1, 1),
        tasks=["transport"],
        commitments=[Commitment(resource_type_id=atv, quantity=4)],
    )
    met = Agreement(
        organisation_id=api.own.id,
        reference="2026/FA",
        title="Førstehjelpsavtale",
        status=AgreementStatus.ACTIVE,
        valid_from=date(2025, 1, 1),
        valid_until=TODAY + timedelta(days=45),
        tasks=["first_aid"],
        commitments=[Commitment(qualification_type_id=first_aid, quantity=1)],
    )
    site = api.own_site.id
    api.session.add_all(
        [
            short,
            met,
            Equipment(organisation_id=api.own.id, site_id=site, resource_type_id=atv, quantity=2),
            Equipment(
                organisation_id=api.own.id,
                site_id=site,
                resource_type_id=atv,
                quantity=1,
                next_inspection_due=TODAY - timedelta(days=10),
            ),
            Equipment(
                organisation_id=api.own.id,
                site_id=site,
                resource_type_id=atv,
                quantity=1,
                status=EquipmentStatus.MAINTENANCE,
            ),
        ]
    )
    person = Volunteer(full_name="Frivillig Én", mobile="+4791000001", sms_consent=True)
    person.memberships = [Membership(organisation_id=api.own.id)]
    person.qualifications = [VolunteerQualification(qualification_type_id=first_aid)]
    api.session.add(person)
    api.session.commit()
    return short, met


def test_the_agreement_page_says_met_or_not_and_why(api: ApiHarness) -> None:
    short, met = _register(api)
    admin = logged_in(api, ROLE_EMAILS[Role.ADMIN])
    page = admin.get(f"/agreements/{short.id}")
    assert page.status_code == 200, page.text
    text = page.text
    assert "Ikke oppfylt" in text
    assert "2 av 4 teller, 4 avtalt" in text
    assert "1 kontroll forfalt" in text and "1 på vedlikehold" in text
    assert f'href="/agreements/{short.id}/edit"' in text

    met_page = admin.get(f"/agreements/{met.id}").text
    assert "Oppfylt" in met_page and "1 av 1 medlemmer teller, 1 avtalt" in met_page
    # The agreement ends in 45 days: the 60- and 90-day forecast says so.
    assert "avtalen er avsluttet" in met_page
    assert admin.get("/agreements/987654").status_code == 404

    english = logged_in(api, ROLE_EMAILS[Role.ADMIN], language="en")
    assert "2 of 4 count, 4 committed" in english.get(f"/agreements/{short.id}").text


def test_the_organisation_page_and_the_readiness_list(api: ApiHarness) -> None:
    short, _met = _register(api)
    admin = logged_in(api, ROLE_EMAILS[Role.ADMIN])
    organisation = admin.get(f"/organisations/{api.own.id}").text
    assert "Holder den i dag?" in organisation and "Ikke oppfylt" in organisation
    assert f'href="/agreements/{short.id}"' in organisation

    listing = admin.get("/readiness").text
    assert "1 av 2 avtaler oppfylt" in listing
    # Worst first: the short one before the met one.
    assert listing.index("ATV-avtale") < listing.index("Førstehjelpsavtale")
    only_met = admin.get("/readiness", params={"met": "yes"}).text
    assert "Førstehjelpsavtale" in only_met and "ATV-avtale" not in only_met
    by_task = admin.get("/readiness", params={"task": "transport"}).text
    assert "ATV-avtale" in by_task and "Førstehjelpsavtale" not in by_task
    # Nonsense filters are ignored, never a 500.
    odd = admin.get("/readiness", params={"organisation": "x", "task": "juggling", "met": "?"})
    assert odd.status_code == 200


def test_the_dashboards_panel_and_what_the_council_sees(api: ApiHarness) -> None:
    short, _met = _register(api)
    admin = logged_in(api, ROLE_EMAILS[Role.ADMIN]).get("/").text
    assert "Holder avtalene?" in admin and "1 av 2 avtaler i kraft er oppfylt i dag." in admin
    assert f'href="/agreements/{short.id}"' in admin

    council = logged_in(api, ROLE_EMAILS[Role.COUNCIL])
    dashboard = council.get("/").text
    assert "Avtaler i kraft etter oppgave" in dashboard and "Frivillig Én" not in dashboard
    # The line marked ready but past its inspection is not counted among the ready ones.
    assert '<th scope="col" class="num">Kontroll forfalt</th>' in dashboard
    listing = council.get("/readiness").text
    assert "færre enn 3" in listing and "Frivillig Én" not in listing

    editor = logged_in(api, ROLE_EMAILS[Role.ORG_EDITOR]).get("/").text
    assert "Holder avtalene?" in editor
    duty = logged_in(api, ROLE_EMAILS[Role.DUTY_OFFICER]).get("/").text
    assert "Holder avtalene?" not in duty
