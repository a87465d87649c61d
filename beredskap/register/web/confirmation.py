"""What is registered for one organisation, as its editor confirms it: sites, equipment lines,
members counted by qualification (with how many consent to SMS) and agreements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session, joinedload

from beredskap.register.agreements.models import Agreement
from beredskap.register.inventory.models import Equipment, ResourceType
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)


@dataclass(frozen=True)
class QualificationCount:
    qualification_type: QualificationType
    holders: int
    consenting: int


@dataclass(frozen=True)
class Registered:
    sites: list[Site]
    equipment: list[Equipment]
    members: int
    consenting: int
    qualifications: list[QualificationCount]
    agreements: list[Agreement]


def _consenting() -> ColumnElement[int]:
    return func.coalesce(func.sum(case((Volunteer.sms_consent.is_(True), 1), else_=0)), 0)


def registered_for(session: Session, organisation: Organisation, today: date) -> Registered:
    """Everything the confirmation page shows, in a handful of statements."""
    organisation_id = organisation.id
    sites = session.scalars(
        select(Site).where(Site.organisation_id == organisation_id).order_by(Site.name, Site.id)
    )
    equipment = session.scalars(
        select(Equipment)
        .join(ResourceType, Equipment.resource_type_id == ResourceType.id)
        .where(Equipment.organisation_id == organisation_id)
        .options(joinedload(Equipment.resource_type), joinedload(Equipment.site))
        .order_by(ResourceType.capability, ResourceType.code, Equipment.id)
    )
    members = (
        select(Volunteer.id)
        .join(Membership, Membership.volunteer_id == Volunteer.id)
        .where(Membership.organisation_id == organisation_id, Volunteer.active.is_(True))
    )
    totals = session.execute(
        select(func.count(Volunteer.id), _consenting()).where(Volunteer.id.in_(members))
    ).one()
    by_qualification = session.execute(
        select(
            QualificationType,
            func.count(func.distinct(Volunteer.id)),
            func.count(func.distinct(case((Volunteer.sms_consent.is_(True), Volunteer.id)))),
        )
        .join(
            VolunteerQualification,
            VolunteerQualification.qualification_type_id == QualificationType.id,
        )
        .join(Volunteer, Volunteer.id == VolunteerQualification.volunteer_id)
        .where(Volunteer.id.in_(members), VolunteerQualification.valid_on(today))
        .group_by(QualificationType.id)
        .order_by(QualificationType.code)
    ).all()
    agreements = session.scalars(
        select(Agreement)
        .where(Agreement.organisation_id == organisation_id)
        .order_by(Agreement.valid_from.desc(), Agreement.id)
    )
    return Registered(
        sites=list(sites),
        equipment=list(equipment),
        members=int(totals[0] or 0),
        consenting=int(totals[1] or 0),
        qualifications=[
            QualificationCount(kind, int(holders), int(consenting))
            for kind, holders, consenting in by_qualification
        ],
        agreements=list(agreements),
    )
