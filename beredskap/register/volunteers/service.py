"""Qualification types and volunteers: queries and changes. Flushes, never commits.

A volunteer's memberships and qualifications are replaced as whole lists; rows that stay
are updated in place, so the audit trail shows what really changed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from beredskap.platform.columns import apply_changes, utcnow
from beredskap.platform.errors import N_, ConflictError, DomainValidationError, NotFoundError
from beredskap.register import catalogue
from beredskap.register.agreements.models import Commitment
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers import erasure
from beredskap.register.volunteers.models import (
    Availability,
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)

# Qualification types ------------------------------------------------------------------------


def qualification_types_query(
    *, active: bool | None = None, text: str | None = None
) -> Select[tuple[QualificationType]]:
    """Qualification types matching the filters (text: part of a name or the code, any case)."""
    statement = select(QualificationType)
    if active is not None:
        statement = statement.where(QualificationType.active == active)
    if text:
        statement = statement.where(catalogue.text_matches(QualificationType, text))
    return statement


def create_qualification_type(session: Session, *, fields: dict[str, Any]) -> QualificationType:
    """Add a qualification type of the municipality's own."""
    return catalogue.create_entry(
        session, QualificationType, fields=fields, label="qualification type"
    )


def update_qualification_type(
    session: Session, qualification_type: QualificationType, *, changes: dict[str, Any]
) -> QualificationType:
    """Rename, change the validity of, or retire a qualification type; shipped keep their code."""
    return catalogue.update_entry(
        session, qualification_type, changes=changes, label="qualification type"
    )


def delete_qualification_type(session: Session, qualification_type: QualificationType) -> None:
    """Delete an unused qualification type; one held by volunteers or committed is kept."""
    type_id = qualification_type.id
    used = session.scalar(
        select(func.count()).where(VolunteerQualification.qualification_type_id == type_id)
    ) or session.scalar(select(func.count()).where(Commitment.qualification_type_id == type_id))
    if used:
        raise ConflictError(
            N_(
                "%(type_code)s is held by volunteers or committed in agreements; "
                "set it inactive instead"
            ),
            type_code=qualification_type.code,
        )
    session.delete(qualification_type)
    session.flush()


# Volunteers ---------------------------------------------------------------------------------


def _members_of(organisation_ids: Collection[int]) -> Select[tuple[int]]:
    return select(Membership.volunteer_id).where(Membership.organisation_id.in_(organisation_ids))


def volunteers_query(
    *,
    members_of: Collection[int] | None = None,
    organisation_id: int | None = None,
    qualification_type_id: int | None = None,
    qualification_code: str | None = None,
    valid_on: date | None = None,
    expiring_before: date | None = None,
    availability: Availability | None = None,
    sms_consent: bool | None = None,
    active: bool | None = None,
    text: str | None = None,
) -> Select[tuple[Volunteer]]:
    """Volunteers matching the filters; `members_of` limits to members of those organisations.

    The qualification filters apply together to one qualification the volunteer holds: of
    that type (by id or code), valid on `valid_on`, expiring before `expiring_before`.
    """
    statement = select(Volunteer).options(
        selectinload(Volunteer.memberships), selectinload(Volunteer.qualifications)
    )
    if members_of is not None:
        statement = statement.where(Volunteer.id.in_(_members_of(members_of)))
    if organisation_id is not None:
        statement = statement.where(Volunteer.id.in_(_members_of([organisation_id])))
    if any(f is not None for f in (qualification_type_id, qualification_code, valid_on)) or (
        expiring_before is not None
    ):
        held = select(VolunteerQualification.volunteer_id)
        if qualification_type_id is not None:
            held = held.where(VolunteerQualification.qualification_type_id == qualification_type_id)
        if qualification_code is not None:
            held = held.join(QualificationType).where(QualificationType.code == qualification_code)
        if valid_on is not None:
            held = held.where(VolunteerQualification.valid_on(valid_on))
        if expiring_before is not None:
            held = held.where(VolunteerQualification.expires_on < expiring_before)
        statement = statement.where(Volunteer.id.in_(held))
    if availability is not None:
        statement = statement.where(Volunteer.availability == availability)
    if sms_consent is not None:
        statement = statement.where(Volunteer.sms_consent == sms_consent)
    if active is not None:
        statement = statement.where(Volunteer.active == active)
    if text:
        statement = statement.where(
            func.lower(Volunteer.full_name).contains(text.lower(), autoescape=True)
        )
    return statement


def get_volunteer(
    session: Session, volunteer_id: int, *, members_of: Collection[int] | None = None
) -> Volunteer:
    """The volunteer, or NotFoundError, also when not a member of `members_of` (when given),
    so a caller outside their organisations cannot tell whether the person exists."""
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None or (
        members_of is not None
        and not any(m.organisation_id in members_of for m in volunteer.memberships)
    ):
        raise NotFoundError("volunteer", volunteer_id)
    return volunteer


# Whether the caller may learn who holds a mobile, given the holder's organisations
# (`Principal.sees_member_of_any`); without one, nobody is named.
SeesHolder = Callable[[Collection[int]], bool]


def _names_nobody(_organisation_ids: Collection[int]) -> bool:
    return False


def _check_unique_mobile(session: Session, volunteer: Volunteer, sees_holder: SeesHolder) -> None:
    """A mobile is one volunteer's. The conflict names the holder (by id) only to a caller who
    may see that volunteer: to anyone else "already registered" is all a number reveals."""
    clash = session.scalar(
        select(Volunteer).where(
            Volunteer.mobile == volunteer.mobile, Volunteer.id != (volunteer.id or 0)
        )
    )
    if clash is None:
        return
    if sees_holder([m.organisation_id for m in clash.memberships]):
        raise ConflictError(
            N_("another volunteer (id %(id)s) has the mobile %(mobile)s"),
            id=clash.id,
            mobile=volunteer.mobile,
        )
    raise ConflictError(N_("the mobile %(mobile)s is already registered"), mobile=volunteer.mobile)


def _check_listed_once(
    session: Session,
    items: list[dict[str, Any]],
    *,
    key: str,
    field: str,
    model: type[Any],
    entity: str,
) -> None:
    """Each referenced id exists and appears once; errors name the item, e.g. memberships.1.
    `entity` is "organisation" or "qualification type"."""
    ids = [item[key] for item in items]
    known = set(session.scalars(select(model.id).where(model.id.in_(ids)))) if ids else set()
    seen: set[int] = set()
    for index, value in enumerate(ids):
        where = f"{field}.{index}.{key}"
        if value not in known and entity == "organisation":
            raise DomainValidationError(where, N_("no organisation with id %(id)s"), id=value)
        if value not in known:
            raise DomainValidationError(where, N_("no qualification type with id %(id)s"), id=value)
        if value in seen:
            raise DomainValidationError(where, N_("listed twice"))
        seen.add(value)


def _replace_memberships(
    session: Session, volunteer: Volunteer, items: list[dict[str, Any]]
) -> bool:
    """Make the volunteer's memberships exactly `items`; True when something changed."""
    _check_listed_once(
        session,
        items,
        key="organisation_id",
        field="memberships",
        model=Organisation,
        entity="organisation",
    )
    before = {(m.organisation_id, m.role) for m in volunteer.memberships}
    existing = {m.organisation_id: m for m in volunteer.memberships}
    kept = []
    for item in items:
        membership = existing.get(item["organisation_id"])
        if membership is None:
            membership = Membership(organisation_id=item["organisation_id"])
        membership.role = item.get("role")
        kept.append(membership)
    volunteer.memberships = kept
    return before != {(m.organisation_id, m.role) for m in kept}


def _replace_qualifications(
    session: Session, volunteer: Volunteer, items: list[dict[str, Any]]
) -> bool:
    """Make the volunteer's qualifications exactly `items`; True when something changed."""
    _check_listed_once(
        session,
        items,
        key="qualification_type_id",
        field="qualifications",
        model=QualificationType,
        entity="qualification type",
    )

    def state(rows: list[VolunteerQualification]) -> set[tuple[Any, ...]]:
        return {(q.qualification_type_id, q.obtained_on, q.expires_on) for q in rows}

    before = state(volunteer.qualifications)
    existing = {q.qualification_type_id: q for q in volunteer.qualifications}
    kept = []
    for item in items:
        qualification = existing.get(item["qualification_type_id"])
        if qualification is None:
            qualification = VolunteerQualification(
                qualification_type_id=item["qualification_type_id"]
            )
        qualification.obtained_on = item.get("obtained_on")
        qualification.expires_on = item.get("expires_on")
        kept.append(qualification)
    volunteer.qualifications = kept
    return before != state(kept)


def create_volunteer(
    session: Session,
    *,
    fields: dict[str, Any],
    memberships: list[dict[str, Any]],
    qualifications: list[dict[str, Any]],
    sees_holder: SeesHolder = _names_nobody,
    flush: bool = True,
) -> Volunteer:
    """Register a volunteer with memberships and qualifications; a known mobile is a conflict
    (naming its holder only if `sees_holder` says the caller may see them). An import passes
    `flush=False` and flushes its rows together."""
    volunteer = Volunteer(**fields)
    _check_unique_mobile(session, volunteer, sees_holder)
    _replace_memberships(session, volunteer, memberships)
    _replace_qualifications(session, volunteer, qualifications)
    session.add(volunteer)
    if flush:
        session.flush()
    return volunteer


def update_volunteer(
    session: Session,
    volunteer: Volunteer,
    *,
    changes: dict[str, Any],
    memberships: list[dict[str, Any]] | None = None,
    qualifications: list[dict[str, Any]] | None = None,
    sees_holder: SeesHolder = _names_nobody,
    flush: bool = True,
) -> Volunteer:
    """Change fields; lists given replace the memberships or qualifications."""
    with session.no_autoflush:
        apply_changes(volunteer, changes)
        if "mobile" in changes:
            _check_unique_mobile(session, volunteer, sees_holder)
        lists_changed = False
        if memberships is not None:
            lists_changed |= _replace_memberships(session, volunteer, memberships)
        if qualifications is not None:
            lists_changed |= _replace_qualifications(session, volunteer, qualifications)
        if lists_changed:
            # The record as a whole changed: a new version, so a stale ETag is refused.
            volunteer.updated_at = utcnow()
    if flush:
        session.flush()
    return volunteer


def delete_volunteer(session: Session, volunteer: Volunteer) -> None:
    """Purge a volunteer on leaving: the record and every trace of the person (`erasure`)."""
    erasure.purge_volunteer(session, volunteer)
