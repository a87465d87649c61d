"""Redirect targets, cookies, the login form's CSRF token (double-submit cookie), and the
caching and transport headers of every response."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from beredskap.platform.deps import SESSION_COOKIE
from beredskap.platform.settings import PlatformSettings
from beredskap.platform.web.i18n import LANG_COOKIE

LOGIN_CSRF_COOKIE = "beredskap_login_csrf"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600
LOGIN_CSRF_MAX_AGE = 2 * 3600
MAX_NEXT_LENGTH = 2000


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go to after a login or a language switch; anything else goes home.

    Only paths on this site are allowed (never `//host`, `/\\host`, a scheme or control
    characters), so the parameter cannot be used to send someone elsewhere.
    """
    if not target or len(target) > MAX_NEXT_LENGTH:
        return default
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(ch) < 0x20 or ch in "\\\x7f" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def set_session_cookie(response: Response, settings: PlatformSettings, value: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=settings.session_hours * 3600,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, settings: PlatformSettings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=settings.cookie_secure, httponly=True, samesite="lax"
    )


def login_csrf_token(request: Request) -> str:
    """The login form's token: the one the browser holds already, or a new one."""
    current = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if 20 <= len(current) <= 100 and current.replace("-", "").replace("_", "").isalnum():
        return current
    return secrets.token_urlsafe(32)


def set_login_csrf_cookie(response: Response, settings: PlatformSettings, token: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=LOGIN_CSRF_MAX_AGE,
        path="/login",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )


def clear_login_csrf_cookie(response: Response, settings: PlatformSettings) -> None:
    response.delete_cookie(
        LOGIN_CSRF_COOKIE,
        path="/login",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )


def login_csrf_ok(request: Request, sent: str | None) -> bool:
    """The form's token matches the cookie set with the form (both needed, both equal)."""
    held = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not held or not sent:
        return False
    return hmac.compare_digest(held.encode(), sent.encode())


def set_language_cookie(response: Response, settings: PlatformSettings, language: str) -> None:
    response.set_cookie(
        LANG_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


STATIC_PREFIX = "/static/"
API_PREFIX = "/api/"
HSTS = "max-age=31536000"
# A route's own Cache-Control is kept when it already keeps the response out of shared
# caches (the calendar feed: "private, no-cache", for its ETag polling; it names no person).
_PRIVATE_ENOUGH = ("no-store", "private")


def hsts_wanted(settings: PlatformSettings) -> bool:
    """HSTS only where the app is served over https (BEREDSKAP_PUBLIC_URL): on a plain-http
    demo it would do nothing, and on localhost it would pin every other local app to https."""
    return bool(settings.public_url and settings.public_url.startswith("https://"))


class SecurityHeaders:
    """Pure ASGI: `Cache-Control: no-store` on every response that may hold personal data,
    and HSTS on every response when the app is served over https.

    "May hold personal data" is kept simple rather than decided route by route: every
    response under /api/ and every response to a request that carries a credential (a
    session cookie or an Authorization header: a logged-in browser's pages, error pages and
    redirects, /ogc for a GIS client). Static files keep their caching. Pages set no-store
    themselves as well (`rendering.PAGE_HEADERS`).
    """

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = _may_hold_personal_data(scope)
        if not no_store and not self.hsts:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if no_store and not any(
                    word in headers.get("cache-control", "") for word in _PRIVATE_ENOUGH
                ):
                    headers["Cache-Control"] = "no-store"
                if self.hsts:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _may_hold_personal_data(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    if path.startswith(STATIC_PREFIX):
        return False
    if path.startswith(API_PREFIX):
        return True
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return True
        if name == b"cookie" and SESSION_COOKIE.encode() + b"=" in value:
            return True
    return False
