"""Jinja2 rendering: one environment per interface language, each with its catalog installed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from beredskap.platform.auth.permissions import allowed_roles
from beredskap.platform.auth.service import Principal
from beredskap.platform.columns import NORWAY
from beredskap.platform.web.i18n import FORMAT_LOCALES, WEB_DIR, language_of, translations

# The layout, macros, error and login pages; each capability adds its own folder (`add_pages`).
TEMPLATE_DIR = WEB_DIR / "templates"
# Filters a capability brings, made per language from its catalog: (translations, language).
FilterFactory = Callable[[Translations, str], Mapping[str, Callable[..., Any]]]
_template_dirs: list[Path] = [TEMPLATE_DIR]
_filter_factories: list[FilterFactory] = []


def add_pages(directory: Path | None, filters: FilterFactory | None = None) -> None:
    """Let the templates of a capability's folder be rendered, with its filters (the
    composition root calls this once per capability; the same again changes nothing)."""
    if directory is not None and directory not in _template_dirs:
        _template_dirs.append(directory)
    if filters is not None and filters not in _filter_factories:
        _filter_factories.append(filters)
    environment.cache_clear()


# Pages load nothing from outside the app; no inline script or style either.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    # Pages may show contact details: keep them out of shared caches and the back-forward cache
    # of a borrowed device.
    "Cache-Control": "no-store",
}


def stamp(value: datetime | None) -> str:
    """A date and time in Norway, short and the same in both languages: 24.11.2026 03:12."""
    return "" if value is None else value.astimezone(NORWAY).strftime("%d.%m.%Y %H:%M")


@lru_cache(maxsize=2)
def environment(language: str) -> Environment:
    """The template environment of one language (built once per process)."""
    catalog = translations(language)
    locale = FORMAT_LOCALES[language]
    env = Environment(
        loader=FileSystemLoader(_template_dirs),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]

    def day(value: date | None, style: str = "medium") -> str:
        return "" if value is None else format_date(value, format=style, locale=locale)

    # Whole numbers remembered: Babel takes about 0.1 ms for each, and a table of counts
    # (the council map's, thousands of rows) writes the same small numbers again and again.
    @lru_cache(maxsize=4096)
    def whole(value: int) -> str:
        return format_decimal(value, locale=locale)

    def number(value: int | float | None, digits: int | None = None) -> str:
        """In the page's language ("0,3" in bokmål); `digits`: at most that many decimals
        (Babel's default is three)."""
        if value is None:
            return ""
        if digits is None:
            return whole(value) if type(value) is int else format_decimal(value, locale=locale)
        pattern = "#,##0." + "#" * digits if digits > 0 else "#,##0"
        return format_decimal(round(value, digits), format=pattern, locale=locale)

    env.filters.update(day=day, number=number)
    for filters in _filter_factories:
        env.filters.update(filters(catalog, language))
    env.globals.update(
        lang=language,
        field_attrs=field_attrs,
        group_attrs=group_attrs,
        may_open=may_open,
        stamp=stamp,
    )
    return env


def may_open(principal: Principal | None, route_name: str) -> bool:
    """Whether the principal's role may use a route (for links to pages it may open)."""
    rule = allowed_roles(route_name)
    return principal is not None and isinstance(rule, frozenset) and principal.role in rule


def number_format(request: Request) -> Callable[[int], str]:
    """Whole numbers as the reader's language writes them (1 000 000, 1,000,000)."""
    locale = FORMAT_LOCALES[language_of(request)]
    return lambda value: format_decimal(value, locale=locale)


def group_attrs(name: str, errors: dict[str, str]) -> Markup:
    """A control inside a group (a fieldset whose message is the group's): invalid with the
    group, described by its message; nothing while the group is fine."""
    if not errors.get(name):
        return Markup("")
    return Markup(f' aria-invalid="true" aria-describedby="f-{escape(name)}-error"')


def field_attrs(name: str, errors: dict[str, str], hint: str | None = None) -> Markup:
    """id and name of a form field, and what describes it (its hint and its error)."""
    described = [hint] if hint else []
    attrs = [f'id="f-{escape(name)}" name="{escape(name)}"']
    if errors.get(name):
        attrs.append('aria-invalid="true"')
        described.append(f"f-{name}-error")
    if described:
        attrs.append(f'aria-describedby="{escape(" ".join(described))}"')
    return Markup(" ".join(attrs))


def render_fragment(
    request: Request, template: str, context: dict[str, Any] | None = None
) -> Markup:
    """Part of a page (a dashboard panel another package contributes), in the request's
    language, for a page template to place as it is."""
    page = environment(language_of(request)).get_template(template)
    return Markup(page.render(request=request, **(context or {})))


def _session_clock(request: Request, principal: Principal | None) -> dict[str, int] | None:
    """When the browser's session ends, for session.js's warning (WCAG 2.2.1): its absolute
    end and how long it may sit unused (less the interval at which use is noted, so the
    warning never comes late), both in milliseconds."""
    if principal is None or principal.session_ends_at is None:
        return None
    settings = getattr(request.app.state, "settings", None)
    idle_minutes = getattr(settings, "session_idle_minutes", None)
    idle_ms = max(idle_minutes - 5, 1) * 60_000 if idle_minutes else 0
    return {"ends": int(principal.session_ends_at.timestamp() * 1000), "idle": idle_ms}


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    principal: Principal | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page in the request's language, with the security headers every page carries."""
    language = language_of(request)
    page = environment(language).get_template(template)
    url = request.url
    here = url.path + (f"?{url.query}" if url.query else "")
    html = page.render(
        request=request,
        principal=principal,
        csrf_token=principal.csrf_token if principal else None,
        session_clock=_session_clock(request, principal),
        here=here,
        other_language="en" if language == "nb" else "nb",
        **(context or {}),
    )
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS | (headers or {}))
