"""Logging in and out, and choosing the interface language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, BeforeValidator

from beredskap.platform.auth import service, throttle
from beredskap.platform.auth.secrets import MAX_PASSWORD_LENGTH
from beredskap.platform.deps import (
    SESSION_COOKIE,
    CurrentPrincipal,
    OptionalPrincipal,
    SessionDep,
    SettingsDep,
)
from beredskap.platform.settings import PlatformSettings
from beredskap.platform.web import password_pages, statement_pages
from beredskap.platform.web.forms import PostedForm, parse_form
from beredskap.platform.web.i18n import LANGUAGES, translations_for
from beredskap.platform.web.rendering import render
from beredskap.platform.web.security import (
    clear_login_csrf_cookie,
    clear_session_cookie,
    login_csrf_ok,
    login_csrf_token,
    safe_next,
    set_language_cookie,
    set_login_csrf_cookie,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)
MAX_EMAIL_LENGTH = 254


class LoginInput(BaseModel):
    """The login form. Its one message is about the form, never a field: which of the two
    was wrong is not told."""

    email: Annotated[str, BeforeValidator(lambda value: str(value).strip()[:MAX_EMAIL_LENGTH])] = ""
    password: str = ""
    csrf_token: str = ""
    next: str = "/"


def login_policy(settings: PlatformSettings) -> throttle.LoginPolicy:
    return throttle.policy_of(settings)


def _login_page(
    request: Request,
    settings: PlatformSettings,
    *,
    email: str = "",
    next_path: str = "/",
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    token = login_csrf_token(request)
    response = render(
        request,
        "login.html",
        {"email": email, "next_path": next_path, "login_token": token, "error": error},
        status_code=status_code,
        headers=headers,
    )
    set_login_csrf_cookie(response, settings, token)
    return response


@router.get("/login", name="web.login_form")
def login_form(
    request: Request,
    settings: SettingsDep,
    principal: OptionalPrincipal,
    next_path: Annotated[str | None, Query(alias="next")] = None,
) -> Response:
    """The login form; someone already logged in in this browser goes straight on."""
    target = safe_next(next_path)
    if principal is not None and principal.csrf_token is not None:
        return RedirectResponse(target, status_code=303)
    return _login_page(request, settings, next_path=target)


@router.post("/login", name="web.login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    posted: PostedForm,
) -> Response:
    """Check the password, slowing down repeated failures; on success start a web session."""
    translations = translations_for(request)
    _ = translations.gettext
    typed = parse_form(LoginInput, posted, translations).fields
    target = safe_next(typed["next"])
    email, password = typed["email"], typed["password"]

    def again(error: str, status_code: int, headers: dict[str, str] | None = None) -> Response:
        return _login_page(
            request,
            settings,
            email=email,
            next_path=target,
            error=error,
            status_code=status_code,
            headers=headers,
        )

    if not login_csrf_ok(request, typed["csrf_token"]):
        return again(_("The login form had expired. Please try again."), 400)
    if not email or not password:
        return again(_("Enter your e-mail address and your password."), 400)
    client = request.client.host if request.client else None
    policy = login_policy(settings)
    wait = throttle.seconds_to_wait(session, policy, email, client)
    if wait > 0:
        message = translations.ngettext(
            "Too many failed attempts. Wait %(seconds)d second and try again.",
            "Too many failed attempts. Wait %(seconds)d seconds and try again.",
            wait,
        ) % {"seconds": wait}
        return again(message, 429, {"Retry-After": str(wait)})
    user = None
    if len(password) <= MAX_PASSWORD_LENGTH:
        user = service.authenticate_password(session, email, password)
    if user is None:
        throttle.record_failure(session, email, client)
        return again(_("Wrong e-mail address or password."), 400)
    session.info["actor"] = user.email
    throttle.clear_failures(session, email)
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        service.end_session(session, previous[:512])  # never keep a session fixed before login
    _row, cookie = service.start_session(session, user, hours=settings.session_hours)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, settings, cookie)
    clear_login_csrf_cookie(response, settings)
    return response


@router.post("/logout", name="web.logout")
def logout(
    request: Request, session: SessionDep, settings: SettingsDep, _principal: CurrentPrincipal
) -> Response:
    """End the browser's session (the form's CSRF token is checked by `authorize`)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        service.end_session(session, cookie[:512])
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, settings)
    return response


@router.post("/session/extend", name="web.session_extend")
def extend_session(
    request: Request, session: SessionDep, settings: SettingsDep, _principal: CurrentPrincipal
) -> Response:
    """Another `session_hours` for the browser's session, asked from the warning shown five
    minutes before it ends (session.js; the CSRF header is checked by `authorize`)."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    row = service.extend_session(session, cookie[:512], hours=settings.session_hours)
    if row is None:  # ended meanwhile: `identify` found it a moment ago, so only just
        return JSONResponse({"ended": True}, status_code=409)
    return JSONResponse({"ends_at": row.expires_at.isoformat()})


@router.get("/language", name="web.language")
def choose_language(
    settings: SettingsDep,
    lang: str = "",
    next_path: Annotated[str | None, Query(alias="next")] = None,
) -> Response:
    """Remember the chosen language in a cookie and go back to the page."""
    response = RedirectResponse(safe_next(next_path), status_code=303)
    if lang in LANGUAGES:
        set_language_cookie(response, settings, lang)
    return response


# The password page is the platform's too; its routes ride on this router.
router.include_router(password_pages.router)
router.include_router(statement_pages.router)
