"""Logging in to the web pages from a test client, as a browser does (cookie and CSRF token)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.support.api import PASSWORD, ApiHarness

HTML = {"accept": "text/html,application/xhtml+xml"}
_FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


def form_token(html: str) -> str:
    """The CSRF token of the first form on the page."""
    match = _FORM_TOKEN.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def browser(api: ApiHarness, language: str | None = None) -> TestClient:
    """A fresh client for the app under test, with its own cookie jar."""
    client = TestClient(api.client.app, base_url="https://testserver", headers=HTML)
    if language:
        client.cookies.set("lang", language)
    return client


def log_in(client: TestClient, email: str, password: str = PASSWORD, **data: Any) -> Any:
    """Open the login form and send it; returns the response to the POST (not followed)."""
    page = client.get("/login")
    assert page.status_code == 200, page.text
    body = {"email": email, "password": password, "csrf_token": form_token(page.text)} | data
    return client.post("/login", data=body, follow_redirects=False)


def logged_in(api: ApiHarness, email: str, language: str | None = None) -> TestClient:
    client = browser(api, language)
    response = log_in(client, email)
    assert response.status_code == 303, response.text
    return client
