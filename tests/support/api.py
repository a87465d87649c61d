"""An API under test: the real app, its request sessions joined to the test's transaction.

Every request commits to a savepoint; the whole test is rolled back afterwards, on both
backends. One user per role, each with a bearer token; the org editor edits `own` only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from beredskap.main.app import create_app
from beredskap.main.settings import Settings
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth import service as auth_service
from beredskap.platform.auth.models import Role, User
from beredskap.platform.auth.secrets import hash_password
from beredskap.platform.runtime import Database
from beredskap.register.organisations.models import Organisation, Site, SiteKind

ROLE_EMAILS = {role: f"{role.value}@test.example" for role in Role}
PASSWORD = "correct horse battery staple"


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class ApiHarness:
    client: TestClient
    session: Session
    own: Organisation  # the org editor's organisation
    other: Organisation  # somebody else's
    own_site: Site
    other_site: Site
    tokens: dict[Role, str] = field(default_factory=dict)

    def headers(self, role: Role | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}

    def get(self, role: Role | None, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, headers=self.headers(role), **kwargs)

    def post(self, role: Role | None, url: str, **kwargs: Any) -> Any:
        return self.client.post(url, headers=self.headers(role), **kwargs)

    def patch(
        self, role: Role | None, url: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        return self.client.patch(url, headers=self.headers(role) | (headers or {}), **kw)

    def delete(
        self, role: Role | None, url: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        return self.client.delete(url, headers=self.headers(role) | (headers or {}), **kw)

    def counts(self, *models: type) -> tuple[int, ...]:
        """Rows per model plus audit entries: unchanged means nothing was written."""
        self.session.expire_all()
        return tuple(
            int(self.session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (*models, AuditEntry)
        )


def build_harness(engine: Engine, settings: Settings | None = None) -> Iterator[ApiHarness]:
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    session = factory()
    session.info["actor"] = "test setup"
    own = Organisation(
        name="Eget Hjelpekorps",
        category="first_aid_corps",
        home_base=Point(11.05, 59.95),
        contact_24_7_name="Vakt Eget",
        contact_24_7_phone="+447700900990",
        contact_24_7_email="vakt@eget.example",
    )
    other = Organisation(name="Annet Sanitetslag", category="health_association")
    own_site = Site(
        organisation=own,
        name="Eget lager",
        kind=SiteKind.STORAGE,
        location=Point(11.06, 59.96),
        access_notes="Nøkkel hos Kari",
    )
    other_site = Site(
        organisation=other, name="Annet lager", kind=SiteKind.STORAGE, location=Point(11.16, 59.93)
    )
    session.add_all([own, other, own_site, other_site])
    session.flush()
    tokens = {}
    for role, email in ROLE_EMAILS.items():
        # Users are made directly with one shared hash: argon2 is slow on purpose.
        user = User(email=email, role=role, password_hash=_password_hash(), active=True)
        user.organisations = [own] if role == Role.ORG_EDITOR else []
        session.add(user)
        _row, tokens[role] = auth_service.create_token(session, user, days=1)
    session.commit()
    app = create_app(settings or Settings(), database=Database(engine=engine, sessions=factory))
    client = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    try:
        yield ApiHarness(client, session, own, other, own_site, other_site, tokens)
    finally:
        client.close()
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def api(engine: Engine) -> Iterator[ApiHarness]:
    yield from build_harness(engine)


# The test client's own address as BEREDSKAP_PUBLIC_URL: links the app makes (calendar feeds)
# then open in the test client.
PUBLIC_URL = "https://testserver"


@pytest.fixture
def public_api(engine: Engine) -> Iterator[ApiHarness]:
    yield from build_harness(engine, Settings(public_url=PUBLIC_URL))
