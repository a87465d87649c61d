"""The accessibility statement (tilgjengelighetserklæring), public at /tilgjengelighet.

Norwegian public-sector web solutions must publish one in the form Uutilsynet asks for: what
conforms to WCAG 2.1 AA, what does not and why, how to give feedback, when it was last
checked. Its sentences are in the catalogs like every other text (templates/accessibility.html);
change them and `LAST_CHECKED` together when a check is made.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from beredskap.platform.deps import OptionalPrincipal, SettingsDep
from beredskap.platform.web.rendering import render

router = APIRouter(include_in_schema=False)

# The last check of the whole solution: axe-core over every page of every role in the test
# suite, and the manual review of issue 18. Change it with the statement's text.
LAST_CHECKED = date(2026, 12, 7)


@router.get("/tilgjengelighet", name="web.accessibility_statement")
def accessibility_statement(
    request: Request, settings: SettingsDep, principal: OptionalPrincipal
) -> Response:
    contact = settings.accessibility_contact
    return render(
        request,
        "accessibility.html",
        {
            "last_checked": LAST_CHECKED,
            "contact": contact,
            "contact_is_email": bool(contact and "@" in contact and ":" not in contact),
            # Only a web address is made a link; anything else is shown as text.
            "contact_is_url": bool(contact and contact.startswith(("https://", "http://"))),
        },
        principal=principal,
    )
