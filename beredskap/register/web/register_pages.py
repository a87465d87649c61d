"""The dashboard, the list of organisations and one organisation's page."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from beredskap.platform.api.crud import get_or_404
from beredskap.platform.api.types import PathId
from beredskap.platform.audit.reads import record_read
from beredskap.platform.auth.models import Role
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.digits import parse_digits
from beredskap.platform.web.rendering import render
from beredskap.register.inventory.models import EquipmentStatus
from beredskap.register.organisations.models import Organisation, OrganisationCategory
from beredskap.register.readiness.currency import is_stale, unconfirmed_organisations
from beredskap.register.readiness.ready import InspectionState
from beredskap.register.readiness.revisions import latest_revision, revision_is_due
from beredskap.register.web import candidate_pages, queries
from beredskap.register.web.readiness_pages import readiness_by_agreement

router = APIRouter()
MAX_SEARCH_LENGTH = 100
MAX_PAGE = 100_000
YES_NO = {"yes": True, "no": False}  # the list's filters "active" and "agreement"
OWNERS = {"municipal": True, "voluntary": False}  # the list's filter "owner"


@router.get("/", name="web.dashboard")
def dashboard(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """What each role does first."""
    today = today_in_norway()
    context: dict[str, object] = {"today": today}
    if principal.role == Role.ADMIN:
        overdue, overdue_total = queries.overdue_inspections(session, today)
        latest = latest_revision(session)
        context |= {
            "counts": queries.register_counts(session),
            "agreements": queries.agreements_needing_attention(session, today),
            "overdue": overdue,
            "overdue_total": overdue_total,
            "unconfirmed": unconfirmed_organisations(session, today),
            "latest_revision": latest,
            "revision_due": revision_is_due(latest, today),
            **candidate_pages.registry_context(session),  # Enhetsregisteret's warnings
        }
    elif principal.role == Role.DUTY_OFFICER:
        context |= {
            "organisations": queries.active_organisations(session),
            "stock": queries.ready_by_capability(session, today),
        }
    elif principal.role == Role.COUNCIL:
        context |= {
            "overview": queries.council_overview(session, today),
            # Ready, then marked ready but past its inspection (not ready), then the others.
            "statuses": [EquipmentStatus.READY, InspectionState.OVERDUE]
            + [status for status in EquipmentStatus if status != EquipmentStatus.READY],
        }
    elif principal.role == Role.ORG_EDITOR:
        context |= {
            "own": queries.editor_overview(session, principal.organisation_ids, today),
        }
    else:
        context |= {"agreements": queries.active_agreements(session)}
    context["panels"] = dashboard_panels(request, session, principal)
    return render(request, "dashboard.html", context, principal=principal)


# What another package shows on a role's dashboard (the SMS sending status for the duty
# officer): a callable of the request, session and principal giving a rendered panel, or
# None for a role it is not for. The composition root lists them in
# `app.state.dashboard_panels`; the core knows none of them.
DashboardPanel = Callable[[Request, Session, Principal], Markup | None]


def dashboard_panels(request: Request, session: Session, principal: Principal) -> list[Markup]:
    panels: Sequence[DashboardPanel] = getattr(request.app.state, "dashboard_panels", ())
    rendered = (panel(request, session, principal) for panel in panels)
    return [html for html in rendered if html is not None]


def _search_text(raw: str | None) -> str:
    text = "".join(ch for ch in (raw or "") if unicodedata.category(ch) != "Cc")
    return text.strip()[:MAX_SEARCH_LENGTH]


@router.get("/organisations", name="web.organisations")
def organisations(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    category: str | None = None,
    q: str | None = None,
    page: Annotated[str | None, Query()] = None,
    active: str | None = None,
    agreement: str | None = None,
    owner: str | None = None,
) -> Response:
    """Organisations, filtered by category, part of the name, whether active, whether they
    have an active agreement and whether they are the municipality's own services or voluntary
    ones (unknown filters are ignored)."""
    chosen = category if category in {c.value for c in OrganisationCategory} else None
    text = _search_text(q)
    number = parse_digits(page) or 1
    number = number if number <= MAX_PAGE else 1
    active = active if active in YES_NO else ""
    agreement = agreement if agreement in YES_NO else ""
    owner = owner if owner in OWNERS else ""
    rows, total = queries.organisation_list(
        session,
        category=OrganisationCategory(chosen) if chosen else None,
        text=text or None,
        page=number,
        active=YES_NO.get(active),
        agreement=YES_NO.get(agreement),
        municipal=OWNERS.get(owner),
        today=today_in_norway(),
    )
    pages = max(1, math.ceil(total / queries.PAGE_SIZE))
    return render(
        request,
        "organisations.html",
        {
            "rows": rows,
            "total": total,
            "category": chosen or "",
            "categories": list(OrganisationCategory),
            "q": text,
            "active_filter": active,
            "agreement": agreement,
            "owner": owner,
            "filter_query": urlencode(
                {
                    "q": text,
                    "category": chosen or "",
                    "active": active,
                    "agreement": agreement,
                    "owner": owner,
                }
            ),
            "page": number,
            "pages": pages,
        },
        principal=principal,
    )


@router.get("/organisations/{organisation_id:int}", name="web.organisation")
def organisation(
    organisation_id: PathId,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    saved: str | None = None,
) -> Response:
    """Sites, equipment by type and status, members (to those who may see them), agreements."""
    record = get_or_404(session, Organisation, organisation_id, "organisation")
    today = today_in_norway()
    volunteers = (
        queries.organisation_volunteers(session, record.id)
        if principal.sees_members_of(record.id)
        else None
    )
    sees_phones = principal.sees_phones_of(record.id)
    if sees_phones and volunteers:  # the members' mobiles
        record_read(
            session, "memberships", record.id, what="web.organisation", count=len(volunteers)
        )
    return render(
        request,
        "organisation.html",
        {
            "organisation": record,
            "sites": queries.organisation_sites(session, record.id),
            "groups": queries.equipment_groups(session, record.id, today),
            "agreements": queries.organisation_agreements(session, record.id),
            "readiness": readiness_by_agreement(request, session, principal, record.id),
            "volunteers": volunteers,
            "sees_phones": sees_phones,
            "sees_contacts": principal.sees_contact_details,
            "may_add": principal.may_edit_organisation(record.id),
            "may_edit": principal.may_edit_equipment_of(record.id),
            "saved": parse_digits(saved),
            "today": today,
            "confirmation_stale": is_stale(record.confirmed_on, today),
        },
        principal=principal,
    )
