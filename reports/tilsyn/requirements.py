"""The summary's judgement: per requirement of forskrift om kommunal beredskapsplikt, whether
the register shows it met (yes, partly, no), the date of the evidence and the rule applied.

The rules are stated on the summary itself, so the inspector reads what "met" means here:
- § 4 varslingsliste: every crisis-management role has a person with a phone number, and
  every agreement in force has a contact with a phone number.
- § 4 ressursoversikt: equipment of the municipality's own services and of the organisations
  is registered, and every active owner has confirmed its record in the last 12 months
  (`readiness.currency`, the register's rule for a current record).
- § 4 yearly revision: a revision recorded less than 12 months ago (`readiness.revisions`).
- § 7 exercise every second year: a completed exercise of the plan (tabletop, functional or
  full scale) that ended in the last 24 months; alert drills alone exercise only the
  alerting, so they count as partly.
- § 8 written evaluation: every completed exercise of the last 24 months whose evaluation is
  due (30 days after its end, `evaluation.overdue`) has a written evaluation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.callouts.planning import in_force
from beredskap.platform.web.i18n import N_
from beredskap.register.agreements.models import Agreement
from beredskap.register.crisis_roles.models import CrisisRole
from beredskap.register.inventory.models import Equipment
from beredskap.register.organisations.models import Organisation
from beredskap.register.readiness.currency import unconfirmed_organisations
from beredskap.register.readiness.revisions import revision_is_due
from exercises.evaluation.overdue import EVALUATION_WITHIN
from exercises.models import ExerciseType
from reports.tilsyn.data import Evidence, oslo_day


class Met(enum.StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


MET_LABELS = {Met.YES: N_("Yes"), Met.PARTLY: N_("Partly"), Met.NO: N_("No")}


@dataclass(frozen=True)
class Finding:
    """A finding's text as a message id and its parameters, translated when laid out."""

    message: str
    params: dict[str, object]


@dataclass(frozen=True)
class Requirement:
    key: str
    title: str  # a message id, as `rule`
    basis: str  # the paragraph of the forskrift, the same in both languages
    rule: str
    met: Met
    evidence_on: date | None
    findings: tuple[Finding, ...]


def _finding(message: str, **params: object) -> Finding:
    return Finding(message, params)


def _has_phone(contacts: list[dict[str, str]] | None) -> bool:
    return any(contact.get("phone") for contact in contacts or [])


def _latest(*moments: datetime | None) -> date | None:
    known = [moment for moment in moments if moment is not None]
    return oslo_day(max(known)) if known else None


def varslingsliste(session: Session, on: date) -> Requirement:
    roles = session.execute(select(CrisisRole.holders, CrisisRole.updated_at)).all()
    agreements = session.execute(
        select(Agreement.contacts, Agreement.updated_at).where(in_force(on))
    ).all()
    roles_reachable = sum(1 for holders, _changed in roles if _has_phone(holders))
    agreements_reachable = sum(1 for contacts, _changed in agreements if _has_phone(contacts))
    if roles and roles_reachable == len(roles) and agreements_reachable == len(agreements):
        met = Met.YES
    elif roles_reachable or agreements_reachable:
        met = Met.PARTLY
    else:
        met = Met.NO
    return Requirement(
        key="varslingsliste",
        title=N_("Alerting list (varslingsliste)"),
        basis="§ 4 b",
        rule=N_(
            "Met when every role of the crisis management has a person with a phone number "
            "and every agreement in force has a contact with a phone number."
        ),
        met=met,
        evidence_on=_latest(*(changed for _h, changed in roles), *(c for _a, c in agreements)),
        findings=(
            _finding(
                N_("Crisis-management roles with a phone number: %(reachable)s of %(total)s."),
                reachable=roles_reachable,
                total=len(roles),
            ),
            _finding(
                N_(
                    "Agreements in force with a contact's phone number: %(reachable)s of %(total)s."
                ),
                reachable=agreements_reachable,
                total=len(agreements),
            ),
        ),
    )


def ressursoversikt(session: Session, on: date) -> Requirement:
    lines = dict(
        session.execute(
            select(Organisation.municipal, func.count(Equipment.id))
            .join(Organisation, Organisation.id == Equipment.organisation_id)
            .where(Organisation.active.is_(True))
            .group_by(Organisation.municipal)
        ).all()
    )
    own, others = int(lines.get(True, 0)), int(lines.get(False, 0))
    unconfirmed = unconfirmed_organisations(session, on)
    oldest = session.scalar(
        select(func.min(Organisation.confirmed_on)).where(Organisation.active.is_(True))
    )
    if own and others and not unconfirmed:
        met = Met.YES
    elif own or others:
        met = Met.PARTLY
    else:
        met = Met.NO
    return Requirement(
        key="ressursoversikt",
        title=N_("Resource overview (ressursoversikt)"),
        basis="§ 4 c",
        rule=N_(
            "Met when equipment of the municipality's own services and of the organisations is "
            "registered and every active organisation has confirmed its record in the last 12 "
            "months. The date is the oldest confirmation."
        ),
        met=met,
        evidence_on=None if unconfirmed else oldest,
        findings=(
            _finding(
                N_(
                    "Equipment lines: %(own)s of the municipality's own services, %(others)s of "
                    "the organisations."
                ),
                own=own,
                others=others,
            ),
            _finding(
                N_("Active organisations not confirmed in the last 12 months: %(count)s."),
                count=len(unconfirmed),
            ),
        ),
    )


def revision(evidence: Evidence) -> Requirement:
    latest = evidence.revisions[0] if evidence.revisions else None
    due = revision_is_due(latest, evidence.on)
    findings = (
        (_finding(N_("No revision of the plan is recorded.")),)
        if latest is None
        else (
            _finding(
                N_("Last revised %(day)s by %(by)s."),
                day=latest.revised_on.strftime("%d.%m.%Y"),
                by=latest.revised_by,
            ),
        )
    )
    return Requirement(
        key="revision",
        title=N_("Yearly revision of the plan"),
        basis="§ 4",
        rule=N_("Met when the last recorded revision is less than 12 months old."),
        met=Met.NO if due else Met.YES,
        evidence_on=latest.revised_on if latest else None,
        findings=findings,
    )


def exercise(evidence: Evidence) -> Requirement:
    held = [
        item.exercise
        for item in evidence.exercises
        if item.held and item.exercise.ends_at <= evidence.now
    ]
    of_plan = [e for e in held if e.type != ExerciseType.ALERT_DRILL]
    if of_plan:
        met, last = Met.YES, of_plan[0]
    elif held:
        met, last = Met.PARTLY, held[0]
    else:
        met, last = Met.NO, None
    findings = [
        _finding(
            N_(
                "Completed exercises in the last 24 months: %(count)s, of them alert drills: "
                "%(drills)s."
            ),
            count=len(held),
            drills=len(held) - len(of_plan),
        ),
    ]
    if last is not None:
        findings.append(
            _finding(
                N_("Last: %(title)s, %(day)s."),
                title=last.title,
                day=oslo_day(last.ends_at).strftime("%d.%m.%Y"),
            )
        )
    findings.append(
        _finding(
            N_(
                "Organisations with an agreement in force not exercised within 24 months: "
                "%(count)s."
            ),
            count=len(evidence.organisations_not_exercised),
        )
    )
    return Requirement(
        key="exercise",
        title=N_("Exercise at least every second year"),
        basis="§ 7",
        rule=N_(
            "Met when a tabletop, functional or full-scale exercise was completed in the last "
            "24 months; alert drills alone exercise only the alerting and count as partly."
        ),
        met=met,
        evidence_on=oslo_day(last.ends_at) if last is not None else None,
        findings=tuple(findings),
    )


def evaluation(evidence: Evidence) -> Requirement:
    held = [
        item.exercise
        for item in evidence.exercises
        if item.held and item.exercise.ends_at <= evidence.now
    ]
    written = [e for e in held if e.evaluated_at is not None and e.evaluation_summary]
    due = [e for e in held if e in written or e.ends_at <= evidence.now - EVALUATION_WITHIN]
    if due and len(written) >= len(due):
        met = Met.YES
    elif written:
        met = Met.PARTLY
    else:
        met = Met.NO
    latest = max((e.evaluated_at for e in written if e.evaluated_at), default=None)
    return Requirement(
        key="evaluation",
        title=N_("Written evaluation of exercises"),
        basis="§ 8",
        rule=N_(
            "Met when every exercise completed in the last 24 months has a written evaluation; "
            "an exercise that ended less than 30 days ago is not yet due."
        ),
        met=met,
        evidence_on=oslo_day(latest) if latest else None,
        findings=(
            _finding(
                N_("Evaluated in writing: %(written)s of %(due)s exercises due."),
                written=len(written),
                due=len(due),
            ),
        ),
    )


def requirements(session: Session, evidence: Evidence) -> list[Requirement]:
    return [
        varslingsliste(session, evidence.on),
        ressursoversikt(session, evidence.on),
        revision(evidence),
        exercise(evidence),
        evaluation(evidence),
    ]
