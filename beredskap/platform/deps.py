"""Request dependencies: the unit of work, who is asking, and whether they may.

`authorize` runs on every route (added by the app); it reads the permission matrix by the
route's name, so no route can forget its rule.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from beredskap.platform.api.admission import DatabaseAdmission
from beredskap.platform.api.problems import NotAuthenticatedError, ProblemError, forbidden
from beredskap.platform.auth import service
from beredskap.platform.auth.permissions import PUBLIC, allowed_roles
from beredskap.platform.auth.service import Identified, Principal
from beredskap.platform.database_errors import describe, is_transient
from beredskap.platform.db import transaction
from beredskap.platform.runtime import Database
from beredskap.platform.settings import PlatformSettings

SESSION_COOKIE = "beredskap_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FORM_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ANONYMOUS_ACTOR = "anonymous"
_log = logging.getLogger(__name__)


def _admission(request: Request) -> DatabaseAdmission:
    admission: DatabaseAdmission = request.app.state.database_admission
    return admission


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed before the response is sent, or rolled back.

    The request is first admitted to the database (`api.admission`: a place among fewer
    than there are connections, or 503 within seconds). The session connects only when the
    route first uses it; a write request's session takes SQLite's write lock then, not
    before. Commit or rollback, and returning the connection, run in one thread-pool hop.
    """
    admission = _admission(request)
    token = await admission.enter()
    try:
        database: Database = request.app.state.database
        if request.method in _SAFE_METHODS:
            session = database.sessions()
        else:
            session = database.writing_session()
        principal: Principal | None = getattr(request.state, "principal", None)
        session.info["actor"] = principal.email if principal else ANONYMOUS_ACTOR
        try:
            yield session
        except BaseException:
            await run_in_threadpool(_roll_back_and_close, session)
            raise
        await run_in_threadpool(_commit_and_close, session)
    finally:
        admission.leave(token)


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _roll_back_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


# scope="function": the commit happens before the response, so a failed commit is answered.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_settings_from_app(request: Request) -> PlatformSettings:
    settings: PlatformSettings = request.app.state.settings
    return settings


SettingsDep = Annotated[PlatformSettings, Depends(get_settings_from_app)]


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()[:512]


# A credential one route accepts besides a login (the calendar feed's token in its URL, for
# calendar clients that cannot send headers): it returns who it belongs to, None when absent,
# or raises a problem. The composition root registers them by route name in
# `app.state.route_credentials`; no other route ever consults them.
RouteCredential = Callable[[Request, Session], Identified | None]


def _route_credential(request: Request) -> RouteCredential | None:
    credentials: Mapping[str, RouteCredential] = getattr(request.app.state, "route_credentials", {})
    return credentials.get(getattr(request.scope.get("route"), "name", ""))


def _look_up(request: Request, session: Session) -> Identified | None:
    token = _bearer_token(request)
    if token is not None:
        row = service.live_token(session, token)
        if row is None:
            return None
        touch = service.use_statement(row) if service.use_is_due(row.last_used_at) else None
        return Identified(service.principal_for(row.user), touch)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        settings: PlatformSettings = request.app.state.settings
        idle = timedelta(minutes=settings.session_idle_minutes)
        web_session = service.session_for_cookie(session, cookie[:512], idle=idle)
        if web_session is not None:
            principal = service.principal_for(
                web_session.user,
                csrf_token=web_session.csrf_token,
                session_ends_at=web_session.expires_at,
            )
            due = service.use_is_due(web_session.last_seen_at)
            return Identified(principal, service.use_statement(web_session) if due else None)
    return None


def _identify(request: Request, credential: RouteCredential | None) -> Principal | None:
    """The lookup in a read of its own, then (when due) the note of the credential's use in
    a short write transaction: one connection at a time, and the request's own transaction
    (which may hold SQLite's write lock) is not begun yet, so neither waits for the other."""
    database: Database = request.app.state.database
    with database.sessions() as session:
        identified = None
        if _bearer_token(request) is not None or request.cookies.get(SESSION_COOKIE):
            identified = _look_up(request, session)
        if identified is None and credential is not None:
            identified = credential(request, session)
    if identified is None:
        return None
    if identified.touch is not None:
        try:
            with transaction(database.sessions, actor=identified.principal.email) as writer:
                writer.execute(identified.touch)
        except SQLAlchemyError as error:
            # Only a note of when the credential was last used: with the disk full or the
            # database locked, the duty officer must still be able to read the callout page.
            if not is_transient(error):
                raise
            _log.warning("note of a credential's use not saved: %s", describe(error))
    return identified.principal


async def identify(request: Request) -> Principal | None:
    """Who is calling (bearer token or session cookie, or the route's own credential), and
    the audit actor for the request's session (`request.state.principal`).

    The lookup runs in the thread pool, so its database work never blocks the event loop,
    and only once admitted to the database. A caller with neither token nor cookie (Twilio's
    webhooks, the login page, the health check) costs no lookup, no admission and no
    thread-pool hop.
    """
    credential = _route_credential(request)
    principal = None
    if _bearer_token(request) is not None or request.cookies.get(SESSION_COOKIE) or credential:
        async with _admission(request).admitted():
            principal = await run_in_threadpool(_identify, request, credential)
    request.state.principal = principal
    return principal


async def _check_csrf(request: Request, principal: Principal) -> None:
    """Browser sessions must prove each change came from our own page."""
    if principal.csrf_token is None or request.method in _SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if sent is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FORM_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, principal.csrf_token):
        raise ProblemError(403, "Forbidden", "The form's security token is missing or stale.")


async def authorize(
    request: Request, principal: Annotated[Principal | None, Depends(identify)]
) -> Principal | None:
    """Apply the permission matrix to the route being called (no I/O but the form read)."""
    route = request.scope.get("route")
    rule = allowed_roles(getattr(route, "name", ""))
    if rule == PUBLIC:
        return principal
    if rule is None:
        raise forbidden("This route has no permission rule.")
    if principal is None:
        raise NotAuthenticatedError()
    if principal.role not in rule:
        raise forbidden()
    await _check_csrf(request, principal)
    return principal


# async: no I/O, so it runs on the event loop instead of costing a thread-pool hop.
async def require_principal(
    principal: Annotated[Principal | None, Depends(authorize)],
) -> Principal:
    """The caller of a route that is not public (authorize has already refused anonymous)."""
    if principal is None:
        raise NotAuthenticatedError()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(authorize)]
