"""Request dependencies: the unit of work, who is asking, and whether they may.

`authorize` runs on every route (added by the app); it reads the permission matrix by the
route's name, so no route can forget its rule.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, object_session
from starlette.concurrency import run_in_threadpool

from beredskap.api.problems import NotAuthenticatedError, ProblemError, forbidden
from beredskap.auth import service
from beredskap.auth.models import ApiToken, WebSession
from beredskap.auth.permissions import PUBLIC, allowed_roles
from beredskap.auth.service import Principal
from beredskap.db import declare_write_intent, transaction
from beredskap.runtime import Database
from beredskap.settings import Settings

SESSION_COOKIE = "beredskap_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FORM_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ANONYMOUS_ACTOR = "anonymous"


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed before the response is sent, or rolled back.

    Making the session touches no database, so it happens on the event loop; everything that
    does I/O (taking the write lock, commit or rollback, and returning the connection) runs in
    the thread pool, in as few hops as possible.
    """
    database: Database = request.app.state.database
    session = database.sessions()
    session.info["actor"] = ANONYMOUS_ACTOR
    if request.method not in _SAFE_METHODS:
        await run_in_threadpool(declare_write_intent, session)
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_roll_back_and_close, session)
        raise
    await run_in_threadpool(_commit_and_close, session)


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


async def get_settings_from_app(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_from_app)]


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()[:512]


def _identify(request: Request, session: Session) -> Principal | None:
    token = _bearer_token(request)
    if token is not None:
        row = service.live_token(session, token)
        if row is None:
            return None
        principal = service.principal_for(row.user)
        if service.use_is_due(row.last_used_at):
            _record_use(request, principal, row)
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        web_session = service.session_for_cookie(session, cookie[:512])
        if web_session is not None:
            principal = service.principal_for(web_session.user, csrf_token=web_session.csrf_token)
            if service.use_is_due(web_session.last_seen_at):
                _record_use(request, principal, web_session)
            return principal
    return None


def _record_use(request: Request, principal: Principal, row: ApiToken | WebSession) -> None:
    """Note the use without turning a read into a write.

    A write request records it in its own transaction (which holds the write lock already:
    a second transaction would wait for the request itself); a read uses a short one.
    """
    if request.method not in _SAFE_METHODS:
        session = object_session(row)
        assert session is not None
        service.record_use(session, row)
        return
    database: Database = request.app.state.database
    with transaction(database.sessions, actor=principal.email) as session:
        service.record_use(session, row)


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


# A credential one route accepts besides a login (the calendar feed's token in its URL, for
# calendar clients that cannot send headers): it returns the principal, None when absent, or
# raises a problem. The composition root registers them by route name in
# `app.state.route_credentials`; no other route ever consults them.
RouteCredential = Callable[[Request, Session], Principal | None]


def _route_credential(request: Request) -> RouteCredential | None:
    credentials: Mapping[str, RouteCredential] = getattr(request.app.state, "route_credentials", {})
    return credentials.get(getattr(request.scope.get("route"), "name", ""))


async def identify(request: Request, session: SessionDep) -> Principal | None:
    """Who is calling (bearer token or session cookie, or the route's own credential), and
    the audit actor for the request.

    The lookup runs in the thread pool, so its database work never blocks the event loop (a
    blocked loop can deadlock with a request holding a lock). A caller with neither token nor
    cookie (Twilio's webhooks, the login page) costs no lookup and no thread-pool hop.
    """
    principal = None
    if _bearer_token(request) is not None or request.cookies.get(SESSION_COOKIE):
        principal = await run_in_threadpool(_identify, request, session)
    if principal is None and (credential := _route_credential(request)) is not None:
        principal = await run_in_threadpool(credential, request, session)
    if principal is not None:
        session.info["actor"] = principal.email
    return principal


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
