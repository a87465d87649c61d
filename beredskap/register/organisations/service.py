"""Organisations and sites: queries and changes. Flushes, never commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from beredskap.platform.columns import apply_changes
from beredskap.platform.digits import parse_digits
from beredskap.platform.errors import N_, ConflictError, DomainValidationError, NotFoundError
from beredskap.register.agreements.models import Agreement
from beredskap.register.inventory.models import Equipment
from beredskap.register.organisations.models import (
    Organisation,
    OrganisationCategory,
    Site,
    SiteKind,
)
from beredskap.register.volunteers.models import Membership


def organisations_query(
    *,
    category: OrganisationCategory | None = None,
    active: bool | None = None,
    municipal: bool | None = None,
    text: str | None = None,
    ids: list[int] | None = None,
) -> Select[tuple[Organisation]]:
    """Organisations matching the filters (text: part of the name, any case)."""
    statement = select(Organisation)
    if category is not None:
        statement = statement.where(Organisation.category == category)
    if active is not None:
        statement = statement.where(Organisation.active == active)
    if municipal is not None:
        statement = statement.where(Organisation.municipal == municipal)
    if text:
        statement = statement.where(
            func.lower(Organisation.name).contains(text.lower(), autoescape=True)
        )
    if ids is not None:
        statement = statement.where(Organisation.id.in_(ids))
    return statement


def _check_umbrella(session: Session, organisation: Organisation, umbrella_id: int | None) -> None:
    if umbrella_id is None:
        return
    if organisation.id is not None and umbrella_id == organisation.id:
        raise DomainValidationError(
            "umbrella_organisation_id", N_("an organisation is not its own umbrella")
        )
    if session.get(Organisation, umbrella_id) is None:
        raise DomainValidationError(
            "umbrella_organisation_id", N_("no organisation with id %(id)s"), id=umbrella_id
        )


def _check_unique_number(session: Session, organisation: Organisation) -> None:
    number = organisation.organisation_number
    if number is None:
        return
    clash = session.scalar(
        select(Organisation.id).where(
            Organisation.organisation_number == number, Organisation.id != (organisation.id or 0)
        )
    )
    if clash is not None:
        raise ConflictError(
            N_("organisation number %(number)s is registered already (id %(id)s)"),
            number=number,
            id=clash,
        )


def create_organisation(
    session: Session, *, fields: dict[str, Any], flush: bool = True
) -> Organisation:
    """Add an organisation; validators on the model refuse bad values by field. An import
    passes `flush=False` and flushes its rows together."""
    organisation = Organisation(**fields)
    _check_umbrella(session, organisation, fields.get("umbrella_organisation_id"))
    _check_unique_number(session, organisation)
    session.add(organisation)
    if flush:
        session.flush()
    return organisation


def update_organisation(
    session: Session, organisation: Organisation, *, changes: dict[str, Any], flush: bool = True
) -> Organisation:
    apply_changes(organisation, changes)
    if "umbrella_organisation_id" in changes:
        _check_umbrella(session, organisation, changes["umbrella_organisation_id"])
    if "organisation_number" in changes:
        _check_unique_number(session, organisation)
    if flush:
        session.flush()
    return organisation


def confirm_organisation(session: Session, organisation: Organisation, *, on: date) -> Organisation:
    """Its editor (or the coordinator) says the record is current as of `on` (Oslo's day);
    the audit trail keeps who confirmed and when."""
    organisation.confirmed_on = on
    session.flush()
    return organisation


def _count(session: Session, statement: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)


def delete_organisation(session: Session, organisation: Organisation) -> None:
    """Delete an organisation that holds nothing; otherwise say what still depends on it."""
    held = {
        "sites": _count(session, select(Site.id).where(Site.organisation_id == organisation.id)),
        "equipment": _count(
            session, select(Equipment.id).where(Equipment.organisation_id == organisation.id)
        ),
        "agreements": _count(
            session, select(Agreement.id).where(Agreement.organisation_id == organisation.id)
        ),
        "members": _count(
            session,
            select(Membership.volunteer_id).where(Membership.organisation_id == organisation.id),
        ),
    }
    if any(held.values()):
        raise ConflictError(
            N_(
                "%(name)s still has %(sites)s sites, %(equipment)s equipment lines, "
                "%(agreements)s agreements and %(members)s members; set it inactive instead, "
                "or move or remove those first"
            ),
            name=organisation.name,
            **held,
        )
    session.delete(organisation)
    session.flush()


def sites_query(
    *,
    organisation_id: int | None = None,
    kind: SiteKind | None = None,
    text: str | None = None,
) -> Select[tuple[Site]]:
    statement = select(Site)
    if organisation_id is not None:
        statement = statement.where(Site.organisation_id == organisation_id)
    if kind is not None:
        statement = statement.where(Site.kind == kind)
    if text:
        statement = statement.where(func.lower(Site.name).contains(text.lower(), autoescape=True))
    return statement


def require_organisation(session: Session, organisation_id: int | None, field: str) -> None:
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise DomainValidationError(field, N_("no organisation with id %(id)s"), id=organisation_id)


def create_site(session: Session, *, fields: dict[str, Any], flush: bool = True) -> Site:
    """Add a site (the API's and the pages'); validators on the model refuse bad values by
    field, and the organisation, when given, must exist. An import passes `flush=False`."""
    require_organisation(session, fields.get("organisation_id"), "organisation_id")
    site = Site(**fields)
    session.add(site)
    if flush:
        session.flush()
    return site


def update_site(
    session: Session, site: Site, *, changes: dict[str, Any], flush: bool = True
) -> Site:
    """Change a site's fields (it stays with its organisation)."""
    apply_changes(site, changes)
    if flush:
        session.flush()
    return site


def get_site(session: Session, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        raise NotFoundError("site", site_id)
    return site


def delete_site(session: Session, site: Site) -> None:
    """Delete a site with no equipment; equipment must be moved first."""
    held = _count(session, select(Equipment.id).where(Equipment.site_id == site.id))
    if held:
        raise ConflictError(
            N_("%(name)s still holds %(count)s equipment lines; move them first"),
            name=site.name,
            count=held,
        )
    session.delete(site)
    session.flush()


def find_organisation(session: Session, id_or_number: str) -> Organisation | None:
    """An organisation by id or by organisation number."""
    key = id_or_number.replace(" ", "")
    conditions = [Organisation.organisation_number == key]
    organisation_id = parse_digits(key, max_digits=8)
    if organisation_id is not None:
        conditions.append(Organisation.id == organisation_id)
    return session.scalars(select(Organisation).where(or_(*conditions))).first()
