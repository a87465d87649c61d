"""The duty officer's dashboard panel: a new callout in few steps, and the callouts that are
open now (drafts waiting to be sent, active ones with their answers so far).

A panel of `alerts` (`ALERTS.dashboard_panels`), since the register may not know callouts.
The short form posts to `/callouts/new` like the full one (the same reading, rules and
messages: a mistake shows the full form with the message at its field). It asks only what
a callout cannot do without: the message, where, and one need; the title is then the
message's first words, the radius the default, and everything else is on the full form.
"""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.requests import Request

from alerts.callouts import service
from alerts.callouts.form import DEFAULT_RADIUS_KM
from alerts.models import MAX_MESSAGE_LENGTH, OPEN_STATUSES, Callout
from alerts.roles import CALLOUT_ROLES
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import today_in_norway
from beredskap.platform.web.i18n import language_of
from beredskap.platform.web.rendering import render_fragment
from beredskap.register.web.map_forms import active_qualification_types

# Open callouts listed on the dashboard, newest first; the rest are on /callouts.
SHOWN = 10


def panel(request: Request, session: Session, principal: Principal) -> Markup | None:
    """For the roles that run callouts; None for the others."""
    if principal.role not in CALLOUT_ROLES:
        return None
    rows = list(
        session.scalars(
            service.callouts_query()
            .where(Callout.status.in_(OPEN_STATUSES))
            .order_by(Callout.id.desc())
            .limit(SHOWN + 1)
        )
    )
    more = len(rows) > SHOWN
    rows = rows[:SHOWN]
    figures = service.figures_for(session, [row.id for row in rows], today_in_norway())
    language = language_of(request)
    qualifications = sorted(
        (
            (entry.id, entry.name_nb if language == "nb" else entry.name_en)
            for entry in active_qualification_types(session)
        ),
        key=lambda entry: entry[1].lower(),
    )
    return render_fragment(
        request,
        "callouts/dashboard_panel.html",
        {
            "open_callouts": [(row, figures[row.id].counts) for row in rows],
            "more": more,
            "open_total": _open_total(session) if more else len(rows),
            "qualifications": qualifications,
            "radius_km": f"{DEFAULT_RADIUS_KM:g}",
            "max_message": MAX_MESSAGE_LENGTH,
            "csrf_token": principal.csrf_token,
        },
    )


def _open_total(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(Callout).where(Callout.status.in_(OPEN_STATUSES))
        )
        or 0
    )
