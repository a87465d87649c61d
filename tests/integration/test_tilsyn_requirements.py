"""The evidence pack's rules for § 4's varslingsliste and ressursoversikt, on both backends:
no, partly and yes as the register fills in, with the date of the evidence."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from beredskap.platform.columns import today_in_norway
from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.crisis_roles.models import CrisisRole
from beredskap.register.inventory.models import Equipment, ResourceType
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from reports.tilsyn.requirements import Met, ressursoversikt, varslingsliste
from tests.support.api import ApiHarness

TODAY = today_in_norway()


def _agreement(api: ApiHarness, reference: str, contacts: list[dict[str, str]]) -> Agreement:
    agreement = Agreement(
        organisation_id=api.own.id,
        reference=reference,
        title="Avtale",
        status=AgreementStatus.ACTIVE,
        valid_from=TODAY - timedelta(days=10),
        contacts=contacts,
    )
    api.session.add(agreement)
    api.session.flush()
    return agreement


def test_the_varslingsliste_is_met_when_every_role_and_agreement_has_a_phone(
    api: ApiHarness,
) -> None:
    assert varslingsliste(api.session, TODAY).met == Met.NO
    _agreement(api, "A-1", [{"name": "Leder", "phone": "+4791234567"}])
    partly = varslingsliste(api.session, TODAY)
    assert partly.met == Met.PARTLY  # no crisis role is registered
    api.session.add(
        CrisisRole(
            title="Ordfører", position=1, holders=[{"name": "Ordfører", "phone": "+4791111111"}]
        )
    )
    api.session.flush()
    met = varslingsliste(api.session, TODAY)
    assert met.met == Met.YES
    assert met.evidence_on == TODAY
    # An agreement in force whose contact has no number: partly again.
    _agreement(api, "A-2", [{"name": "Uten nummer"}])
    assert varslingsliste(api.session, TODAY).met == Met.PARTLY
    # An agreement not in force does not count.
    api.session.execute(
        update(Agreement).where(Agreement.reference == "A-2").values(status=AgreementStatus.DRAFT)
    )
    assert varslingsliste(api.session, TODAY).met == Met.YES


def test_the_ressursoversikt_is_met_with_own_and_organisations_equipment_all_confirmed(
    api: ApiHarness,
) -> None:
    assert ressursoversikt(api.session, TODAY).met == Met.NO
    atv = api.session.scalar(select(ResourceType.id).where(ResourceType.code == "atv"))
    api.session.add(
        Equipment(organisation_id=api.own.id, site_id=api.own_site.id, resource_type_id=atv)
    )
    api.session.flush()
    assert ressursoversikt(api.session, TODAY).met == Met.PARTLY  # none of the municipality's
    service = Organisation(name="Brann og redning", category="other", municipal=True)
    station = Site(
        organisation=service,
        name="Brannstasjonen",
        kind=SiteKind.BASE,
        location=api.own_site.location,
    )
    api.session.add_all([service, station])
    api.session.flush()
    api.session.add(Equipment(organisation_id=service.id, site_id=station.id, resource_type_id=atv))
    api.session.flush()
    unconfirmed = ressursoversikt(api.session, TODAY)
    assert unconfirmed.met == Met.PARTLY and unconfirmed.evidence_on is None
    confirmed = TODAY - timedelta(days=200)
    api.session.execute(update(Organisation).values(confirmed_on=TODAY - timedelta(days=3)))
    api.session.execute(
        update(Organisation).where(Organisation.id == api.other.id).values(confirmed_on=confirmed)
    )
    met = ressursoversikt(api.session, TODAY)
    assert met.met == Met.YES
    assert met.evidence_on == confirmed  # the oldest confirmation
    # A confirmation older than 12 months: partly.
    api.session.execute(
        update(Organisation)
        .where(Organisation.id == api.other.id)
        .values(confirmed_on=TODAY - timedelta(days=400))
    )
    assert ressursoversikt(api.session, TODAY).met == Met.PARTLY
