"""Readiness of the agreements asked about, worst first: what the API, the dashboards and
the agreement and organisation pages read."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.errors import NotFoundError
from beredskap.register.agreements.models import Agreement, AgreementStatus, AgreementTask
from beredskap.register.agreements.service import agreements_query
from beredskap.register.organisations.models import Organisation
from beredskap.register.readiness.coverage import AgreementReadiness, readiness
from beredskap.register.readiness.terms import load_terms
from beredskap.register.readiness.travel import TravelAssumption


def travel_of(settings: Any) -> TravelAssumption:
    """The travel assumption of the register's settings."""
    return TravelAssumption(
        speed_kmh=float(settings.travel_speed_kmh),
        detour_factor=float(settings.travel_detour_factor),
    )


def agreements_readiness(
    session: Session,
    *,
    on: date,
    travel: TravelAssumption,
    organisation_id: int | None = None,
    task: AgreementTask | None = None,
    status: AgreementStatus | None = None,
    met: bool | None = None,
    organisation_ids: Collection[int] | None = None,
) -> list[AgreementReadiness]:
    """Every agreement matching the filters with its lines and forecast, worst first
    (`organisation_ids`: only those organisations', e.g. an organisation editor's own)."""
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise NotFoundError("organisation", organisation_id)
    statement = agreements_query(organisation_id=organisation_id, status=status, task=task)
    if organisation_ids is not None:
        statement = statement.where(Agreement.organisation_id.in_(sorted(organisation_ids)))
    items = readiness(session, load_terms(session, statement), on=on, travel=travel)
    if met is not None:
        items = [item for item in items if item.met is met]
    return sorted(items, key=lambda item: item.severity)


def agreement_readiness(
    session: Session, agreement: Agreement, *, on: date, travel: TravelAssumption
) -> AgreementReadiness:
    """One agreement's lines and forecast."""
    terms = load_terms(session, select(Agreement).where(Agreement.id == agreement.id))
    return readiness(session, terms, on=on, travel=travel)[0]
