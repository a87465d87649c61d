"""What readiness reads of an agreement, loaded as plain rows: its terms and commitments.

Two Core statements for any number of agreements. Loading the same as ORM entities with
their commitments and catalogue entries took 220 ms of a 450 ms answer for 1,000 agreements.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from geoalchemy2 import WKBElement
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from beredskap.register.agreements.models import Agreement, AgreementStatus, Commitment
from beredskap.register.inventory.models import ResourceType
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers.models import QualificationType


@dataclass(frozen=True)
class Committed:
    """One commitment with the name of what it commits."""

    id: int
    resource_type_id: int | None
    qualification_type_id: int | None
    quantity: int
    code: str
    name_nb: str
    name_en: str


@dataclass(frozen=True)
class Terms:
    """An agreement's terms as readiness judges them."""

    id: int
    reference: str
    title: str
    organisation_id: int
    organisation_name: str
    status: AgreementStatus
    tasks: list[str]
    valid_from: date
    valid_until: date | None
    committed_mobilisation_minutes: int | None
    service_area: WKBElement | None
    commitments: tuple[Committed, ...]

    def in_force_on(self, day: date) -> bool:
        """Active, and the day lies in its term."""
        return (
            self.status == AgreementStatus.ACTIVE
            and self.valid_from <= day
            and (self.valid_until is None or self.valid_until >= day)
        )


_TERM_COLUMNS = (
    Agreement.id,
    Agreement.reference,
    Agreement.title,
    Agreement.organisation_id,
    Agreement.status,
    Agreement.tasks,
    Agreement.valid_from,
    Agreement.valid_until,
    Agreement.committed_mobilisation_minutes,
    Agreement.service_area,
    Organisation.name,
)


def load_terms(session: Session, agreements: Select[Any]) -> list[Terms]:
    """The terms of the agreements a select of `Agreement` picks, in its order."""
    rows = session.execute(
        agreements.with_only_columns(*_TERM_COLUMNS).join(
            Organisation, Organisation.id == Agreement.organisation_id
        )
    ).all()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    committed: dict[int, list[Committed]] = defaultdict(list)
    lines = session.execute(
        select(
            Commitment.agreement_id,
            Commitment.id,
            Commitment.resource_type_id,
            Commitment.qualification_type_id,
            Commitment.quantity,
            func.coalesce(ResourceType.code, QualificationType.code),
            func.coalesce(ResourceType.name_nb, QualificationType.name_nb),
            func.coalesce(ResourceType.name_en, QualificationType.name_en),
        )
        .outerjoin(ResourceType, ResourceType.id == Commitment.resource_type_id)
        .outerjoin(QualificationType, QualificationType.id == Commitment.qualification_type_id)
        .where(Commitment.agreement_id.in_(ids))
        .order_by(Commitment.agreement_id, Commitment.id)
    )
    for agreement_id, *line in lines:
        committed[agreement_id].append(Committed(*line))
    return [
        Terms(
            id=row[0],
            reference=row[1],
            title=row[2],
            organisation_id=row[3],
            organisation_name=row[10],
            status=AgreementStatus(row[4]),
            tasks=list(row[5] or []),
            valid_from=row[6],
            valid_until=row[7],
            committed_mobilisation_minutes=row[8],
            service_area=row[9],
            commitments=tuple(committed.get(row[0], ())),
        )
        for row in rows
    ]
