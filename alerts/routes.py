"""/api/v1/callouts: plan a callout and see whom it asks (sending comes with the worker)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from alerts import service
from alerts.models import Callout, CalloutRecipient
from alerts.schemas import CalloutCreate, CalloutOut, EscalationOut, NeedOut, RecipientOut
from beredskap.api.concurrency import set_etag
from beredskap.api.geometry import area_out, point_out
from beredskap.api.pagination import ListParams, Page, list_params, paginate
from beredskap.api.problems import PROBLEM_RESPONSES
from beredskap.api.types import PathId
from beredskap.columns import today_in_norway
from beredskap.deps import CurrentPrincipal, SessionDep
from beredskap.errors import DomainValidationError
from geo.areas import InvalidAreaError, to_multipolygon
from geo.extent import OutsideNorwayError, check_lon_lat

router = APIRouter(tags=["callouts"], responses=PROBLEM_RESPONSES)

CALLOUT_SORTS = {"id": Callout.id, "created_at": Callout.created_at, "title": Callout.title}
RECIPIENT_SORTS = {
    "distance_m": CalloutRecipient.distance_m,
    "state": CalloutRecipient.state,
    "answered_at": CalloutRecipient.answered_at,
    "id": CalloutRecipient.id,
}


def _escalation_out(callout: Callout) -> EscalationOut | None:
    if callout.escalate_after_min is None:
        return None
    return EscalationOut(
        after_min=callout.escalate_after_min,
        radius_m=callout.escalate_radius_m,
        organisation_ids=list(callout.escalate_organisation_ids or []),
        due_at=callout.escalation_due_at,
        escalated_at=callout.escalated_at,
    )


def _out(session: Session, callout: Callout) -> CalloutOut:
    counts = service.recipient_counts(session, callout.id)
    needs = service.yes_per_need(session, callout, today_in_norway())
    return CalloutOut(
        id=callout.id,
        code=callout.code,
        title=callout.title,
        message=callout.message,
        exercise=callout.exercise,
        status=callout.status,
        centre=point_out(callout.centre) or {},
        radius_m=callout.radius_m,
        area=area_out(callout.area),
        organisation_ids=list(callout.organisation_ids or []),
        wanted=callout.wanted_total,
        thank_when_covered=callout.thank_when_covered,
        created_by=callout.created_by,
        created_at=callout.created_at,
        sent_at=callout.sent_at,
        stopped_at=callout.stopped_at,
        covered_at=callout.covered_at,
        escalation=_escalation_out(callout),
        recipients_count=counts["recipients"],
        counts=counts,
        needs=[
            NeedOut(qualification=need.qualification_type.code, count=need.count, yes=yes)
            for need, yes in needs
        ],
        version=callout.version,
    )


def _escalation_fields(body: CalloutCreate) -> dict[str, object]:
    escalation = body.escalation
    if escalation is None:
        return {}
    if escalation.radius_m is None and not escalation.organisation_ids:
        raise DomainValidationError(
            "escalation", "say how to escalate: a wider radius, more organisations, or both"
        )
    if escalation.organisation_ids and not body.organisation_ids:
        raise DomainValidationError(
            "escalation.organisation_ids",
            "the callout already asks every organisation; name its first circle in "
            "organisation_ids",
        )
    if escalation.radius_m is not None and escalation.radius_m <= body.radius_m:
        raise DomainValidationError("escalation.radius_m", "must be wider than radius_m")
    return {
        "escalate_after_min": escalation.after_min,
        "escalate_radius_m": escalation.radius_m,
        "escalate_organisation_ids": sorted(set(escalation.organisation_ids)),
    }


@router.post(
    "/callouts",
    name="callouts.create",
    status_code=status.HTTP_201_CREATED,
    response_model=CalloutOut,
)
def create_callout(
    body: CalloutCreate, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> CalloutOut:
    """Plan a callout: a draft with the volunteers it would ask. Nothing is sent yet."""
    try:
        lon, lat = check_lon_lat(body.lon, body.lat)
    except OutsideNorwayError as error:
        raise DomainValidationError("lat", str(error)) from None
    area = None
    if body.area is not None:
        try:
            area = to_multipolygon(body.area.model_dump())
        except InvalidAreaError as error:
            raise DomainValidationError("area", str(error)) from None
    codes = [need.qualification for need in body.needs]
    if len(set(codes)) != len(codes):
        raise DomainValidationError("needs", "name each qualification once")
    ids = service.qualification_ids_by_code(session, codes)
    callout = service.create_draft(
        session,
        fields={
            "title": body.title,
            "message": body.message,
            "exercise": body.exercise,
            "centre": Point(lon, lat),
            "radius_m": body.radius_m,
            "area": area,
            "organisation_ids": sorted(set(body.organisation_ids)),
            "wanted": body.wanted,
            "thank_when_covered": body.thank_when_covered,
            **_escalation_fields(body),
        },
        needs=[service.Need(ids[need.qualification], need.count) for need in body.needs],
        on=today_in_norway(),
        actor=principal.email,
    )
    set_etag(response, callout.version)
    response.headers["Location"] = f"/api/v1/callouts/{callout.id}"
    return _out(session, callout)


@router.get("/callouts", name="callouts.list", response_model=Page[CalloutOut])
def list_callouts(
    session: SessionDep,
    principal: CurrentPrincipal,
    params: ListParams = Depends(list_params),
) -> Page[CalloutOut]:
    """Callouts, newest first by default."""
    rows, total = paginate(
        session,
        select(Callout).options(selectinload(Callout.needs)),
        params,
        sortable=CALLOUT_SORTS,
        default="-id",
        tiebreak=Callout.id,
    )
    return Page(
        items=[_out(session, row) for row in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )


@router.get("/callouts/{callout_id}", name="callouts.read", response_model=CalloutOut)
def read_callout(
    callout_id: PathId, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> CalloutOut:
    """One callout with its counts: per state, answers, and yes per need."""
    callout = service.get_callout(session, callout_id)
    set_etag(response, callout.version)
    return _out(session, callout)


@router.get(
    "/callouts/{callout_id}/recipients",
    name="callouts.recipients",
    response_model=Page[RecipientOut],
)
def list_recipients(
    callout_id: PathId,
    session: SessionDep,
    principal: CurrentPrincipal,
    params: ListParams = Depends(list_params),
) -> Page[RecipientOut]:
    """Whom the callout asks (or would ask), nearest first: state and answer of each."""
    service.get_callout(session, callout_id)
    rows, total = paginate(
        session,
        select(CalloutRecipient)
        .where(CalloutRecipient.callout_id == callout_id)
        .options(selectinload(CalloutRecipient.volunteer)),
        params,
        sortable=RECIPIENT_SORTS,
        default="distance_m",
        tiebreak=CalloutRecipient.id,
    )
    return Page(
        items=[
            RecipientOut(
                id=row.id,
                volunteer_id=row.volunteer_id,
                name=row.volunteer.full_name if row.volunteer else None,
                mobile=row.mobile,
                distance_m=round(row.distance_m, 1),
                state=row.state,
                error_code=row.error_code,
                error_reason=row.error_reason,
                answer=row.answer,
                answered_at=row.answered_at,
                minutes_to_arrival=row.minutes_to_arrival,
            )
            for row in rows
        ],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )


@router.post(
    "/callouts/{callout_id}/send",
    name="callouts.send",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=CalloutOut,
)
def send_callout(
    callout_id: PathId, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> CalloutOut:
    """Confirm and send a draft: its recipients are queued for the sender (`beredskap
    worker`), which hands them to the SMS gateway; watch the counts on the callout."""
    callout = service.send(session, service.get_callout(session, callout_id), on=today_in_norway())
    set_etag(response, callout.version)
    return _out(session, callout)


@router.post("/callouts/{callout_id}/stop", name="callouts.stop", response_model=CalloutOut)
def stop_callout(
    callout_id: PathId, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> CalloutOut:
    """Stop a callout: messages not yet sent are cancelled."""
    callout = service.stop(session, service.get_callout(session, callout_id))
    set_etag(response, callout.version)
    return _out(session, callout)
