"""From a checked request (API body or web form) to a draft callout: the rules both share.

Flushes, never commits.
"""

from __future__ import annotations

from datetime import date

from shapely.geometry import Point
from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from alerts.callouts import service
from alerts.callouts.schemas import CalloutCreate
from alerts.models import Callout
from beredskap.platform.columns import today_in_norway
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.platform.geo_errors import geo_invalid
from beredskap.register.agreements.models import Agreement, AgreementStatus
from geo.areas import InvalidAreaError, to_multipolygon
from geo.extent import OutsideNorwayError, check_lon_lat


def in_force(day: date) -> ColumnElement[bool]:
    """An agreement a callout may ask by: active, and the day within its term."""
    return and_(Agreement.status == AgreementStatus.ACTIVE, Agreement.valid_on(day))


def _organisations_asked(session: Session, body: CalloutCreate) -> list[int]:
    """The organisations named, plus those holding the named agreements (in force today):
    who to ask "by agreement". Empty: every organisation."""
    asked = set(body.organisation_ids)
    if body.agreement_ids:
        today = today_in_norway()
        holders = dict(
            session.execute(
                select(Agreement.id, Agreement.organisation_id).where(
                    Agreement.id.in_(body.agreement_ids), in_force(today)
                )
            ).all()
        )
        missing = [agreement for agreement in body.agreement_ids if agreement not in holders]
        if missing:
            raise DomainValidationError(
                "agreement_ids",
                N_("agreement %(id)s does not exist or is not in force today"),
                id=missing[0],
            )
        asked |= set(holders.values())
    return sorted(asked)


def _escalation_fields(body: CalloutCreate, first_circle: list[int]) -> dict[str, object]:
    escalation = body.escalation
    if escalation is None:
        return {}
    if escalation.radius_m is None and not escalation.organisation_ids:
        raise DomainValidationError(
            "escalation", N_("say how to escalate: a wider radius, more organisations, or both")
        )
    if escalation.organisation_ids and not first_circle:
        raise DomainValidationError(
            "escalation.organisation_ids",
            N_(
                "the callout already asks every organisation; name its first circle in "
                "organisation_ids or agreement_ids"
            ),
        )
    if escalation.radius_m is not None and escalation.radius_m <= body.radius_m:
        raise DomainValidationError("escalation.radius_m", N_("must be wider than radius_m"))
    return {
        "escalate_after_min": escalation.after_min,
        "escalate_radius_m": escalation.radius_m,
        "escalate_organisation_ids": sorted(set(escalation.organisation_ids)),
        "escalate_voice_after_min": escalation.voice_after_min,
    }


def plan(
    session: Session,
    body: CalloutCreate,
    *,
    actor: str,
    max_recipients: int = service.MAX_RECIPIENTS,
) -> Callout:
    """A draft with the volunteers it would ask; DomainValidationError names the field."""
    try:
        lon, lat = check_lon_lat(body.lon, body.lat)
    except OutsideNorwayError as error:
        raise geo_invalid("lat", error) from None
    area = None
    if body.area is not None:
        try:
            area = to_multipolygon(body.area.model_dump())
        except InvalidAreaError as error:
            raise geo_invalid("area", error) from None
    codes = [need.qualification for need in body.needs]
    if len(set(codes)) != len(codes):
        raise DomainValidationError("needs", N_("name each qualification once"))
    ids = service.qualification_ids_by_code(session, codes)
    first_circle = _organisations_asked(session, body)
    return service.create_draft(
        session,
        fields={
            "title": body.title,
            "message": body.message,
            "exercise": body.exercise,
            "centre": Point(lon, lat),
            "radius_m": body.radius_m,
            "area": area,
            "organisation_ids": first_circle,
            "wanted": body.wanted,
            "thank_when_covered": body.thank_when_covered,
            "voice_after_min": body.voice_after_min,
            **_escalation_fields(body, first_circle),
        },
        needs=[service.Need(ids[need.qualification], need.count) for need in body.needs],
        on=today_in_norway(),
        actor=actor,
        max_recipients=max_recipients,
    )
