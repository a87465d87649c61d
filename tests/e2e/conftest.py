"""The real app in uvicorn on 127.0.0.1 (a free port in 8100-8199), driven by headless Chromium.

Each browser test gets a committed database of its backend (`fresh_database`, rebuilt after
the test) with the demo municipality and one login per role.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from beredskap.main.app import create_app
from beredskap.main.settings import Settings
from beredskap.platform.auth.models import Role
from beredskap.platform.auth.service import add_user
from beredskap.platform.db import transaction
from beredskap.platform.runtime import Database
from beredskap.register.organisations.models import Organisation
from beredskap.register.seed.demo import seed_demo

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PORTS = range(8100, 8200)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PASSWORD = "e2e password for every role"
EDITOR_ORGANISATION = "Nitelva Hjelpekorps"
# Few free failures, so the slow-down shows after a handful of wrong passwords.
FREE_FAILURES = 3


@dataclass
class LiveApp:
    base_url: str
    backend: str
    database: Database
    emails: dict[Role, str]
    screenshots: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_in(self, page: Page, role: Role, *, english: bool = False) -> None:
        """Log `page` in as `role` through the login form (in English on request)."""
        page.goto(self.url("/login"))
        page.get_by_label("E-mail address" if english else "E-postadresse").fill(self.emails[role])
        page.get_by_label("Password" if english else "Passord", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in" if english else "Logg inn").click()
        page.wait_for_url(self.url("/"))

    def shot(self, page: Page, name: str) -> Path:
        """Save a full-page screenshot under build/screenshots/<backend>/."""
        path = self.screenshots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


def _bound_socket() -> socket.socket:
    for port in PORTS:
        candidate = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        candidate.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            candidate.bind(("127.0.0.1", port))
        except OSError:
            candidate.close()
            continue
        return candidate
    raise RuntimeError("no free port in 8100-8199")


def _seed(database: Database) -> dict[Role, str]:
    emails = {role: f"{role.value.replace('_', '-')}@e2e.example" for role in Role}
    with transaction(database.sessions, "e2e setup") as session:
        seed_demo(session)
        organisation = session.scalars(
            select(Organisation).where(Organisation.name == EDITOR_ORGANISATION)
        ).one()
        for role, email in emails.items():
            add_user(
                session,
                email=email,
                role=role,
                password=PASSWORD,
                organisations=[organisation] if role == Role.ORG_EDITOR else None,
                display_name=None,
            )
    return emails


@pytest.fixture
def live_app(fresh_database: Database, backend: str) -> Iterator[LiveApp]:
    emails = _seed(fresh_database)
    settings = Settings(login_free_failures=FREE_FAILURES, login_max_delay_seconds=60)
    app = create_app(settings, database=fresh_database)
    sock = _bound_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    screenshots = SCREENSHOTS / backend
    screenshots.mkdir(parents=True, exist_ok=True)
    try:
        yield LiveApp(f"http://127.0.0.1:{port}", backend, fresh_database, emails, screenshots)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    """A browser tab that records every request it makes."""

    page: Page
    requested: list[str]


def open_tab(chromium: Browser, *, phone: bool) -> Visit:
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = chromium.new_context(
        viewport=viewport,
        device_scale_factor=1,
        is_mobile=phone,
        has_touch=phone,
        locale="nb-NO",  # the browser's own widgets (date fields) as a Norwegian user sees them
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    return Visit(page, requested)


@pytest.fixture
def phone(chromium: Browser) -> Iterator[Visit]:
    """A phone-sized tab, as in the storage room."""
    visit = open_tab(chromium, phone=True)
    yield visit
    visit.page.context.close()


@pytest.fixture
def desktop(chromium: Browser) -> Iterator[Visit]:
    visit = open_tab(chromium, phone=False)
    yield visit
    visit.page.context.close()
