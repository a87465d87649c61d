"""Errors as `application/problem+json` (RFC 9457); no input may produce a 500.

Domain validation errors and request validation errors carry a field-level `errors` list; a
domain validation error's item also gives its `code` (the message's English template, as the
gettext catalogs hold it) and `params`, so a client can show the message in its own language.
Database errors are mapped to 409/422 without echoing the driver's message, which can hold
SQL, values or connection details.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from beredskap.platform.database_errors import DatabaseFault, classify, describe
from beredskap.platform.errors import ConflictError, DomainValidationError, NotFoundError

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger(__name__)


class ProblemError(Exception):
    """Raised anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
        # A code for pages that explain the error in the reader's language ("busy", ...).
        self.reason = reason


class NotAuthenticatedError(ProblemError):
    """No valid credentials: API clients get 401, browsers are sent to the login page."""

    def __init__(self) -> None:
        super().__init__(
            401,
            "Not authenticated",
            "Log in, or send a bearer token in the Authorization header.",
            headers={"WWW-Authenticate": "Bearer"},
        )


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of the API is answered."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None


def _documented(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description, "content": {PROBLEM_JSON: {}}}


# Declared on every API router, so the OpenAPI document lists what clients may receive.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("The body could not be read (not UTF-8, or not the declared type)"),
    401: _documented("Not authenticated"),
    403: _documented("The role may not do this, or not to this organisation's records"),
    404: _documented("No such record"),
    409: _documented("Conflict: a duplicate, a record still in use, or an edit conflict"),
    412: _documented("If-Match names an older version"),
    422: _documented("Invalid input, with a field-level list"),
    429: _documented("Too many attempts"),
    503: _documented("The database is not reachable, full or busy: nothing was changed"),
}

# What a 503 says for each kind of database trouble; nothing was written in any of them.
_UNAVAILABLE_DETAIL = {
    DatabaseFault.DISK_FULL: "The database cannot store more data (its disk is full). "
    "Nothing was saved.",
    DatabaseFault.LOCKED: "The database is busy with another change. Nothing was saved; try again.",
    DatabaseFault.BUSY: "Too many requests at once; nothing was changed. Try again in a moment.",
}
UNREACHABLE_DETAIL = "The database is not reachable. Nothing was saved."


def forbidden(detail: str = "Your role may not do this.") -> ProblemError:
    return ProblemError(403, "Forbidden", detail)


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    field = ".".join(parts) or str(loc[0] if loc else "request")
    # Unions report which alternative failed, e.g. home_base.LatLon.lat: keep the path readable.
    return field


def _validation_errors(error: RequestValidationError) -> list[dict[str, str]]:
    errors = []
    for item in error.errors():
        message = str(item.get("msg", "invalid"))
        if item.get("type") == "json_invalid":
            message = "the body is not valid JSON (or not UTF-8)"
        errors.append({"field": _location(tuple(item.get("loc", ()))), "message": message})
    return errors


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


# Renders an error page for a browser: (request, status, reason code or None) -> response.
# Installed by the app, so this module knows nothing of templates; without it every error is a
# problem document. The reason says more than the status (a `DatabaseFault` value for a 503).
HtmlErrorPage = Callable[[Request, int, str | None], Response]

# Headers an HTML error page keeps from the problem (the rest only make sense to API clients).
_HTML_HEADERS = ("retry-after",)


def _login_redirect(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(here, safe='/')}", status_code=303)


def install_problem_handlers(app: FastAPI, html_error_page: HtmlErrorPage | None = None) -> None:
    """Answer every error the app can raise with a problem document (or a redirect to log in).

    Browsers asking for a page outside /api/ get `html_error_page` instead, when one is given.
    """

    def respond(
        request: Request,
        status: int,
        title: str,
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        reason: str | None = None,
    ) -> Response:
        if html_error_page is not None and _wants_html(request):
            try:
                page = html_error_page(request, status, reason)
            except Exception:
                logger.exception("the error page for %s could not be rendered", status)
            else:
                for name, value in (headers or {}).items():
                    if name.lower() in _HTML_HEADERS:
                        page.headers[name] = value
                return page
        return problem_response(status, title, detail, errors, headers)

    @app.exception_handler(NotAuthenticatedError)
    async def _not_authenticated(request: Request, error: NotAuthenticatedError) -> Response:
        if _wants_html(request):
            return _login_redirect(request)
        return respond(request, error.status, error.title, error.detail, headers=error.headers)

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, error: ProblemError) -> Response:
        return respond(
            request,
            error.status,
            error.title,
            error.detail,
            error.errors,
            headers=error.headers,
            reason=error.reason,
        )

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, error: RequestValidationError) -> Response:
        return respond(
            request, 422, "Invalid request", "Some fields are invalid.", _validation_errors(error)
        )

    @app.exception_handler(DomainValidationError)
    async def _domain_invalid(request: Request, error: DomainValidationError) -> Response:
        return respond(
            request,
            422,
            "Invalid request",
            f"{error.field}: {error.message}",
            [
                {
                    "field": error.field,
                    "message": error.message,
                    "code": error.code,
                    "params": dict(error.params),
                }
            ],
        )

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, error: NotFoundError) -> Response:
        return respond(request, 404, "Not found", str(error))

    @app.exception_handler(ConflictError)
    async def _conflict(request: Request, error: ConflictError) -> Response:
        return respond(request, 409, "Conflict", error.message)

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, _error: StaleDataError) -> Response:
        return respond(
            request,
            409,
            "Edit conflict",
            "Someone else changed this record after you loaded it. Reload it and try again.",
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, error: IntegrityError) -> Response:
        text = str(error.orig).lower()
        if "unique" in text or "duplicate" in text:
            detail = "A record with the same unique value exists already."
        elif "foreign key" in text:
            detail = "The record refers to, or is referred to by, records that do not allow it."
        else:
            detail = "The change breaks a rule of the register."
        return respond(request, 409, "Conflict", detail)

    @app.exception_handler(DataError)
    async def _data(request: Request, _error: DataError) -> Response:
        return respond(request, 422, "Invalid request", "A value is out of range or malformed.")

    async def _unavailable(request: Request, error: Exception) -> Response:
        # In words, without the driver's text (it may hold the connection string).
        logger.error(
            "database unavailable for %s %s: %s", request.method, request.url.path, describe(error)
        )
        fault = classify(error)
        return respond(
            request,
            503,
            "Service unavailable",
            _UNAVAILABLE_DETAIL.get(fault, UNREACHABLE_DETAIL),
            headers={"Retry-After": "2" if fault is DatabaseFault.BUSY else "5"},
            reason=fault.value,
        )

    for unavailable in (OperationalError, InterfaceError, PoolTimeoutError):
        app.add_exception_handler(unavailable, _unavailable)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, error: DBAPIError) -> Response:
        if error.connection_invalidated:
            return await _unavailable(request, error)
        logger.error(
            "database error for %s %s: %s", request.method, request.url.path, describe(error)
        )
        return respond(request, 500, "Internal error", "Something went wrong on our side.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        return respond(
            request,
            error.status_code,
            str(error.detail) if error.status_code < 500 else "Error",
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        logger.exception("unhandled %s", type(error).__name__)
        return respond(request, 500, "Internal error", "Something went wrong on our side.")
