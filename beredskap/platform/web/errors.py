"""Friendly, translated error pages for browsers (the API keeps its problem documents)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from beredskap.platform.web.i18n import N_, translations_for
from beredskap.platform.web.rendering import render

ERROR_TEXTS: dict[int, tuple[str, str]] = {
    400: (N_("The request could not be read"), N_("Go back and try again.")),
    403: (
        N_("You do not have access to this page"),
        N_(
            "Your role, or the organisations you work for, do not allow it. If you were "
            "sending a form, reload the page and try again."
        ),
    ),
    404: (
        N_("Page not found"),
        N_("There is no such page, or the record has been removed from the register."),
    ),
    405: (N_("This cannot be done here"), N_("Go back and try again.")),
    409: (
        N_("The change could not be saved"),
        N_(
            "The register changed in the meantime, or the change breaks one of its rules. "
            "Reload the page and try again."
        ),
    ),
    412: (
        N_("The change could not be saved"),
        N_("Someone else changed the record after you opened it. Reload the page."),
    ),
    422: (
        N_("Some of the input is not valid"),
        N_("Go back, check what you entered and try again."),
    ),
    429: (N_("Too many attempts"), N_("Wait a little and try again.")),
    503: (
        N_("The register is not available right now"),
        N_("Its database cannot be reached. Try again in a moment."),
    ),
}
# A 503 says why, by the database fault (beredskap.platform.database_errors.DatabaseFault).
UNAVAILABLE_REASONS: dict[str, str] = {
    "disk_full": N_(
        "Its database cannot store more: its disk is full. Tell the system administrator."
    ),
    "busy": N_("Too many are using it at once. Try again in a moment."),
    "locked": N_("Its database is busy with another change. Try again in a moment."),
    "unreachable": N_("Its database cannot be reached. Try again in a moment."),
}
NOTHING_CHANGED = N_("Nothing was changed: what you asked for has NOT been done.")
CLIENT_ERROR = (N_("Something is wrong with the request"), N_("Go back and try again."))
SERVER_ERROR = (
    N_("Something went wrong on our side"),
    N_("Try again in a while. If it keeps happening, tell the preparedness coordinator."),
)


def html_error_page(request: Request, status: int, reason: str | None = None) -> Response:
    """The error page for a status (and, for a 503, its reason), in the reader's language.
    A change that failed says plainly that it was not made."""
    translations = translations_for(request)
    title, explanation = ERROR_TEXTS.get(status, CLIENT_ERROR if status < 500 else SERVER_ERROR)
    if status == 503 and reason in UNAVAILABLE_REASONS:
        explanation = UNAVAILABLE_REASONS[reason]
    changed = request.method not in ("GET", "HEAD", "OPTIONS") and status >= 500
    return render(
        request,
        "error.html",
        {
            "status": status,
            "title": translations.gettext(title),
            "explanation": translations.gettext(explanation),
            "not_done": translations.gettext(NOTHING_CHANGED) if changed else None,
        },
        status_code=status,
    )
