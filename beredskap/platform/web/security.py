"""Redirect targets, cookies and the login form's CSRF token (double-submit cookie)."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

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
