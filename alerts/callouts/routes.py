"""/api/v1/callouts: plan, send, watch and stop a callout; follow-ups and "need covered"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from alerts.callouts import notices, service
from alerts.callouts.delivery_problems import problem_of
from alerts.callouts.planning import plan
from alerts.callouts.schemas import (
    CalloutCreate,
    CalloutOut,
    CalloutSummary,
    EscalationOut,
    FollowUpIn,
    NeedOut,
    NoticeOut,
    NoticesQueued,
    RecipientOut,
    VoiceCallOut,
)
from alerts.models import Callout, CalloutRecipient, CalloutStatus, RecipientState, VoiceCall
from alerts.outbox import worker_status
from alerts.roles import CALLOUT_ROLES
from alerts.voice.service import calls_of as voice_calls_of
from beredskap.platform.api.concurrency import set_etag
from beredskap.platform.api.geometry import area_out, point_out
from beredskap.platform.api.pagination import ListParams, Page, list_params, paginate
from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.types import PathId
from beredskap.platform.audit.reads import record_read
from beredskap.platform.auth.permissions import Rule
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.deps import CurrentPrincipal, SessionDep, SettingsDep

router = APIRouter(tags=["callouts"], responses=PROBLEM_RESPONSES)
# Planning, and whom a callout asks (names and mobiles): the callout roles only.
RULES: dict[str, Rule] = {
    f"callouts.{action}": CALLOUT_ROLES
    for action in (
        "create",
        "list",
        "read",
        "recipients",
        "send",
        "stop",
        "follow_up",
        "covered",
        "summary",
    )
}

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
        voice_after_min=callout.escalate_voice_after_min,
        due_at=callout.escalation_due_at,
        escalated_at=callout.escalated_at,
    )


def _provider(name: str | None) -> str | None:
    """The provider a message went to; the local gateway (nothing leaves) is none."""
    return name if name and name != "local" else None


def _call_out(call: VoiceCall | None) -> VoiceCallOut | None:
    if call is None:
        return None
    return VoiceCallOut(state=call.state, key=(call.digits or "")[:1] or None)


def callout_out(callout: Callout, figures: service.CalloutFigures) -> CalloutOut:
    """The callout as the API shows it, with figures fetched beforehand (see figures_for)."""
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
        voice_after_min=callout.voice_after_min,
        escalation=_escalation_out(callout),
        recipients_count=figures.counts["recipients"],
        counts=figures.counts,
        needs=[
            NeedOut(
                qualification=need.qualification_type.code,
                count=need.count,
                yes=figures.yes_per_need.get(need.qualification_type_id, 0),
            )
            for need in callout.needs
        ],
        version=callout.version,
    )


def _out(session: Session, callout: Callout) -> CalloutOut:
    figures = service.figures_for(session, [callout.id], today_in_norway())[callout.id]
    return callout_out(callout, figures)


@router.post(
    "/callouts",
    name="callouts.create",
    status_code=status.HTTP_201_CREATED,
    response_model=CalloutOut,
)
def create_callout(
    body: CalloutCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    response: Response,
) -> CalloutOut:
    """Plan a callout: a draft with the volunteers it would ask. Nothing is sent yet."""
    callout = plan(
        session, body, actor=principal.email, max_recipients=settings.callout_max_recipients
    )
    set_etag(response, callout.version)
    response.headers["Location"] = f"/api/v1/callouts/{callout.id}"
    return _out(session, callout)


@router.get("/callouts", name="callouts.list", response_model=Page[CalloutOut])
def list_callouts(
    session: SessionDep,
    principal: CurrentPrincipal,
    params: ListParams = Depends(list_params),
    status: Annotated[CalloutStatus | None, Query(description="Only this status")] = None,
    exercise: Annotated[
        bool | None, Query(description="true: exercises only; false: real callouts only")
    ] = None,
) -> Page[CalloutOut]:
    """Callouts, newest first by default; counts for the whole page in a few queries."""
    rows, total = paginate(
        session,
        service.callouts_query(status=status, exercise=exercise),
        params,
        sortable=CALLOUT_SORTS,
        default="-id",
        tiebreak=Callout.id,
    )
    figures = service.figures_for(session, [row.id for row in rows], today_in_norway())
    return Page(
        items=[callout_out(row, figures[row.id]) for row in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )


# Declared before /callouts/{callout_id}, which would otherwise take "summary" for an id.
@router.get("/callouts/summary", name="callouts.summary", response_model=CalloutSummary)
def summarise_callouts(session: SessionDep, principal: CurrentPrincipal) -> CalloutSummary:
    """Callouts per status, people asked and yes: real callouts and exercises apart."""
    totals = service.totals_real_and_exercise(session)
    return CalloutSummary.model_validate(totals)


@router.get("/callouts/{callout_id:int}", name="callouts.read", response_model=CalloutOut)
def read_callout(
    callout_id: PathId, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> CalloutOut:
    """One callout with its counts: per state, answers, and yes per need."""
    callout = service.get_callout(session, callout_id)
    set_etag(response, callout.version)
    return _out(session, callout)


@router.get(
    "/callouts/{callout_id:int}/recipients",
    name="callouts.recipients",
    response_model=Page[RecipientOut],
)
def list_recipients(
    callout_id: PathId,
    session: SessionDep,
    principal: CurrentPrincipal,
    params: ListParams = Depends(list_params),
) -> Page[RecipientOut]:
    """Whom the callout asks (or would ask), nearest first: state, answer and later messages."""
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
    sent_later = service.notices_of(session, [row.id for row in rows])
    calls = voice_calls_of(session, [row.id for row in rows])
    record_read(session, "callout_recipients", callout_id, what="callouts.recipients",
                count=len(rows))  # fmt: skip
    now = utcnow()
    live = {worker.name for worker in worker_status.live_workers(session, now)}

    def doubtful(row: CalloutRecipient) -> bool:
        return row.state is RecipientState.SENDING and not worker_status.held_by_live_worker(
            row.claimed_by, row.attempt_started_at, live, now=now
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
                in_doubt=doubtful(row),
                problem=problem_of(
                    row.state,
                    row.error_code,
                    in_doubt=doubtful(row),
                    opted_out=row.volunteer is not None and not row.volunteer.sms_consent,
                ),
                answer=row.answer,
                answered_at=row.answered_at,
                minutes_to_arrival=row.minutes_to_arrival,
                ask_round=row.ask_round,
                provider=_provider(row.provider),
                notices=[
                    NoticeOut(
                        kind=notice.kind, state=notice.state, provider=_provider(notice.provider)
                    )
                    for notice in sent_later[row.id]
                ],
                call=_call_out(calls.get(row.id)),
            )
            for row in rows
        ],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )


@router.post(
    "/callouts/{callout_id:int}/send",
    name="callouts.send",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=CalloutOut,
)
def send_callout(
    callout_id: PathId,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    response: Response,
) -> CalloutOut:
    """Confirm and send a draft: its recipients are queued for the sender (`beredskap
    worker`), which hands them to the SMS gateway; watch the counts on the callout."""
    callout = service.send(
        session,
        service.get_callout(session, callout_id),
        on=today_in_norway(),
        max_recipients=settings.callout_max_recipients,
    )
    set_etag(response, callout.version)
    return _out(session, callout)


@router.post("/callouts/{callout_id:int}/stop", name="callouts.stop", response_model=CalloutOut)
def stop_callout(
    callout_id: PathId, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> CalloutOut:
    """Stop a callout: messages not yet sent are cancelled."""
    callout = service.stop(session, service.get_callout(session, callout_id))
    set_etag(response, callout.version)
    return _out(session, callout)


@router.post(
    "/callouts/{callout_id:int}/follow-up",
    name="callouts.follow_up",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=NoticesQueued,
)
def follow_up(
    callout_id: PathId, body: FollowUpIn, session: SessionDep, principal: CurrentPrincipal
) -> NoticesQueued:
    """Send a message to everyone who said yes ("Oppmøte ved ..."); queued for the sender.
    409 for a draft or when nobody has said yes."""
    callout = service.get_callout(session, callout_id)
    return NoticesQueued(
        callout_id=callout.id, queued=notices.follow_up(session, callout, body.message)
    )


@router.post(
    "/callouts/{callout_id:int}/covered",
    name="callouts.covered",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=NoticesQueued,
)
def mark_covered(
    callout_id: PathId, session: SessionDep, principal: CurrentPrincipal
) -> NoticesQueued:
    """The officer decides the need is covered: tell everyone asked who has not said yes,
    cancel messages not yet sent and any escalation. Once per callout (409 after)."""
    callout = service.get_callout(session, callout_id)
    return NoticesQueued(callout_id=callout_id, queued=notices.thank_others(session, callout))
