"""Readiness on the web: the page of every agreement worst first (`/readiness`), one
agreement's page (`/agreements/{id}`), the block on the organisation page and the dashboards'
panel. Every figure is the API's (`readiness.schemas`): the same lines, reasons and forecast,
with people's counts of one or two withheld from whoever may not see them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.api.types import PathId
from beredskap.platform.auth.models import Role
from beredskap.platform.auth.permissions import READERS, Rule
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.digits import parse_digits
from beredskap.platform.web.rendering import render, render_fragment
from beredskap.register.agreements import service as agreements
from beredskap.register.agreements.models import AgreementTask
from beredskap.register.organisations.models import Organisation
from beredskap.register.readiness.schemas import AgreementReadinessOut, ReadinessOut
from beredskap.register.readiness.service import (
    agreement_readiness,
    agreements_readiness,
    travel_of,
)

router = APIRouter()
# Counts only, people's counts of one or two withheld: every role may read them.
RULES: dict[str, Rule] = {"web.readiness": READERS, "web.agreement": READERS}
PANEL_ROWS = 8  # the dashboards show the worst few and link to the whole list


def _exact_for(principal: Principal, organisation_ids: set[int]) -> set[int]:
    return {i for i in organisation_ids if principal.sees_small_counts_of(i)}


def readiness_of(
    request: Request, session: Session, principal: Principal, **filters: Any
) -> ReadinessOut:
    """Every agreement matching the filters, worst first, as the reader may see it."""
    day = today_in_norway()
    travel = travel_of(request.app.state.settings)
    items = agreements_readiness(session, on=day, travel=travel, **filters)
    exact = _exact_for(principal, {item.organisation_id for item in items})
    return ReadinessOut.of(items, on=day, travel=travel, exact_for=exact)


def readiness_by_agreement(
    request: Request, session: Session, principal: Principal, organisation_id: int
) -> dict[int, AgreementReadinessOut]:
    """The organisation page's block: each of its agreements' readiness by agreement id."""
    judged = readiness_of(request, session, principal, organisation_id=organisation_id)
    return {item.agreement_id: item for item in judged.agreements}


@router.get("/readiness", name="web.readiness")
def readiness_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    organisation: str | None = None,
    task: str | None = None,
    met: str | None = None,
) -> Response:
    """Does every agreement hold today? Worst first, each commitment with what counts and
    why the rest does not, and what falls short in 30, 60 and 90 days."""
    organisation_id = parse_digits(organisation)
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        organisation_id = None
    chosen_task = next((t for t in AgreementTask if t.value == task), None)
    chosen_met = {"yes": True, "no": False}.get(met or "")
    judged = readiness_of(
        request,
        session,
        principal,
        organisation_id=organisation_id,
        task=chosen_task,
        met=chosen_met,
    )
    organisations = session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name, Organisation.id)
    ).all()
    return render(
        request,
        "readiness/index.html",
        {
            "judged": judged,
            "organisations": organisations,
            "tasks": list(AgreementTask),
            "chosen": {
                "organisation": organisation_id,
                "task": chosen_task.value if chosen_task else "",
                "met": met if chosen_met is not None else "",
            },
        },
        principal=principal,
    )


@router.get("/agreements/{agreement_id:int}", name="web.agreement")
def agreement_page(
    agreement_id: PathId, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """One agreement: its terms, whether it holds today and why, and the forecast."""
    agreement = agreements.get_agreement(session, agreement_id)
    day = today_in_norway()
    travel = travel_of(request.app.state.settings)
    judged = agreement_readiness(session, agreement, on=day, travel=travel)
    item = AgreementReadinessOut.of(
        judged, exact=principal.sees_small_counts_of(agreement.organisation_id)
    )
    return render(
        request,
        "readiness/agreement.html",
        {"agreement": agreement, "item": item, "on": day, "travel": travel},
        principal=principal,
    )


def readiness_panel(request: Request, session: Session, principal: Principal) -> Markup | None:
    """The dashboards' panel: the coordinator's every agreement worst first, the council's
    met or not per agreement and task (counts only), an organisation's own agreements."""
    if principal.role == Role.ORG_EDITOR:
        if not principal.organisation_ids:
            return None
        # Only its own agreements are judged: never every agreement for one dashboard.
        judged = readiness_of(
            request, session, principal, organisation_ids=principal.organisation_ids
        )
        items = judged.agreements
    elif principal.role in (Role.ADMIN, Role.COUNCIL):
        judged = readiness_of(request, session, principal)
        items = judged.agreements
    else:
        return None
    in_force = [item for item in items if item.in_force]
    return render_fragment(
        request,
        "readiness/panel.html",
        {
            "items": in_force[:PANEL_ROWS],
            "total": len(in_force),
            "met": sum(1 for item in in_force if item.met),
            "by_task": _by_task(in_force) if principal.role == Role.COUNCIL else None,
            "on": judged.on,
        },
    )


def _by_task(items: list[AgreementReadinessOut]) -> list[tuple[str, int, int]]:
    """(task, agreements in force, of them met) for each task some agreement covers."""
    counts: dict[str, list[int]] = {}
    for item in items:
        for task in item.tasks:
            entry = counts.setdefault(task, [0, 0])
            entry[0] += 1
            entry[1] += int(item.met)
    order = [task.value for task in AgreementTask]
    return [
        (task, total, met)
        for task, (total, met) in sorted(counts.items(), key=lambda kv: order.index(kv[0]))
    ]
