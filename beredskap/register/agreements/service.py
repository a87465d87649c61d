"""Preparedness agreements, their committed capacities, and whether the register meets them.
Flushes, never commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, String, cast, select
from sqlalchemy.orm import Session, selectinload

from beredskap.platform.columns import utcnow
from beredskap.platform.errors import N_, ConflictError, DomainValidationError, NotFoundError
from beredskap.register.agreements.models import (
    Agreement,
    AgreementStatus,
    AgreementTask,
    Commitment,
)
from beredskap.register.inventory.models import ResourceType
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers.models import (
    QualificationType,
)


def agreements_query(
    *,
    organisation_id: int | None = None,
    status: AgreementStatus | None = None,
    task: AgreementTask | None = None,
    valid_on: date | None = None,
    expiring_before: date | None = None,
) -> Select[tuple[Agreement]]:
    """Agreements matching the filters, with their commitments loaded alongside."""
    statement = select(Agreement).options(selectinload(Agreement.commitments))
    if organisation_id is not None:
        statement = statement.where(Agreement.organisation_id == organisation_id)
    if status is not None:
        statement = statement.where(Agreement.status == status)
    if task is not None:
        # Tasks are a JSON list of enum values; a quoted value matches exactly one task.
        statement = statement.where(cast(Agreement.tasks, String).contains(f'"{task.value}"'))
    if valid_on is not None:
        statement = statement.where(Agreement.valid_on(valid_on))
    if expiring_before is not None:
        statement = statement.where(Agreement.valid_until < expiring_before)
    return statement


def get_agreement(session: Session, agreement_id: int) -> Agreement:
    """The agreement, or NotFoundError."""
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFoundError("agreement", agreement_id)
    return agreement


def _check(session: Session, agreement: Agreement) -> None:
    """The organisation exists, the period is in order and the reference is unique."""
    if session.get(Organisation, agreement.organisation_id) is None:
        raise DomainValidationError(
            "organisation_id",
            N_("no organisation with id %(id)s"),
            id=agreement.organisation_id,
        )
    if agreement.valid_until is not None and agreement.valid_until < agreement.valid_from:
        raise DomainValidationError("valid_until", N_("must not be before valid_from"))
    clash = session.scalar(
        select(Agreement.id).where(
            Agreement.reference == agreement.reference, Agreement.id != (agreement.id or 0)
        )
    )
    if clash is not None:
        raise ConflictError(
            N_("an agreement with reference %(reference)s exists (id %(id)s)"),
            reference=agreement.reference,
            id=clash,
        )


def _key(resource_type_id: int | None, qualification_type_id: int | None) -> tuple[str, int]:
    """A commitment's identity within its agreement: which catalogue, which type."""
    if resource_type_id is not None:
        return ("resource_type_id", resource_type_id)
    assert qualification_type_id is not None
    return ("qualification_type_id", qualification_type_id)


def _replace_commitments(
    session: Session, agreement: Agreement, items: list[dict[str, Any]]
) -> bool:
    """Make the commitments exactly `items` (one line per type); True when something changed."""
    catalogues = {"resource_type_id": ResourceType, "qualification_type_id": QualificationType}
    seen: set[tuple[str, int]] = set()
    for index, item in enumerate(items):
        field, type_id = key = _key(item.get("resource_type_id"), item.get("qualification_type_id"))
        if session.get(catalogues[field], type_id) is None:
            where = f"commitments.{index}.{field}"
            if field == "resource_type_id":
                raise DomainValidationError(
                    where, N_("no resource type with id %(id)s"), id=type_id
                )
            raise DomainValidationError(
                where, N_("no qualification type with id %(id)s"), id=type_id
            )
        if key in seen:
            raise DomainValidationError(f"commitments.{index}.{field}", N_("committed twice"))
        seen.add(key)

    def state(rows: list[Commitment]) -> set[tuple[Any, ...]]:
        return {(r.resource_type_id, r.qualification_type_id, r.quantity) for r in rows}

    before = state(agreement.commitments)
    existing = {_key(c.resource_type_id, c.qualification_type_id): c for c in agreement.commitments}
    kept = []
    for item in items:
        field, type_id = _key(item.get("resource_type_id"), item.get("qualification_type_id"))
        commitment = existing.get((field, type_id)) or Commitment(**{field: type_id})
        commitment.quantity = item["quantity"]
        kept.append(commitment)
    agreement.commitments = kept
    return before != state(kept)


def create_agreement(
    session: Session, *, fields: dict[str, Any], commitments: list[dict[str, Any]]
) -> Agreement:
    """Register an agreement with its committed capacities; a known reference is a conflict."""
    agreement = Agreement(**fields)
    _check(session, agreement)
    _replace_commitments(session, agreement, commitments)
    session.add(agreement)
    session.flush()
    return agreement


def update_agreement(
    session: Session,
    agreement: Agreement,
    *,
    changes: dict[str, Any],
    commitments: list[dict[str, Any]] | None = None,
) -> Agreement:
    """Change fields; a commitments list replaces the committed capacities."""
    with session.no_autoflush:
        # valid_from first, so valid_until is judged against the new start.
        for field, value in sorted(changes.items(), key=lambda item: item[0] != "valid_from"):
            setattr(agreement, field, value)
        _check(session, agreement)
        if commitments is not None and _replace_commitments(session, agreement, commitments):
            # The record as a whole changed: a new version, so a stale ETag is refused.
            agreement.updated_at = utcnow()
    session.flush()
    return agreement


def delete_agreement(session: Session, agreement: Agreement) -> None:
    """Remove an agreement and its commitments (it stays in the audit trail)."""
    session.delete(agreement)
    session.flush()
