"""Escalation: when too few said yes in time, ask more people, as set on the callout.

The timer is `Callout.escalation_due_at` in the database, so a restarted worker still runs
it; the worker calls `escalate_due` on every round. Flushes, never commits.
"""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2.shape import to_shape
from shapely.geometry import MultiPolygon
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.callouts.service import (
    MAX_RECIPIENTS,
    eligible_volunteers,
    insert_recipients,
    yes_count,
)
from alerts.models import Callout, CalloutRecipient, CalloutStatus, RecipientState


def escalate_due(
    session: Session, *, now: datetime, on: date, max_recipients: int = MAX_RECIPIENTS
) -> list[int]:
    """Run every escalation whose time has come; the ids of callouts that asked more people.

    Rows are locked (SKIP LOCKED on PostgreSQL), so of several workers one runs each.
    """
    due = session.scalars(
        select(Callout)
        .where(
            Callout.status == CalloutStatus.ACTIVE,
            Callout.escalation_due_at.is_not(None),
            Callout.escalation_due_at <= now,
        )
        .order_by(Callout.escalation_due_at)
        .with_for_update(skip_locked=True)
    ).all()
    escalated = []
    for callout in due:
        callout.escalation_due_at = None
        if callout.covered_at is None and yes_count(session, callout.id) < callout.wanted_total:
            added = widen(session, callout, on=on, max_recipients=max_recipients)
            callout.escalated_at = now
            if added:
                escalated.append(callout.id)
    session.flush()
    return escalated


def widen(
    session: Session, callout: Callout, *, on: date, max_recipients: int = MAX_RECIPIENTS
) -> int:
    """Queue everyone the wider radius and next circle of organisations add; how many."""
    organisation_ids = set(callout.organisation_ids or [])
    if organisation_ids:  # an empty list asks every organisation already
        organisation_ids |= set(callout.escalate_organisation_ids or [])
    area = to_shape(callout.area) if callout.area is not None else None
    asked = set(
        session.scalars(
            select(CalloutRecipient.volunteer_id).where(CalloutRecipient.callout_id == callout.id)
        )
    )
    added = [
        (volunteer_id, mobile, distance)
        for volunteer_id, mobile, distance in eligible_volunteers(
            session,
            centre=to_shape(callout.centre),
            radius_m=callout.escalate_radius_m or callout.radius_m,
            qualification_type_ids=[need.qualification_type_id for need in callout.needs],
            on=on,
            area=area if isinstance(area, MultiPolygon) else None,
            organisation_ids=sorted(organisation_ids) or None,
            max_recipients=max_recipients,
        )
        if volunteer_id not in asked
    ]
    insert_recipients(session, callout, added, RecipientState.QUEUED, ask_round=1)
    return len(added)
