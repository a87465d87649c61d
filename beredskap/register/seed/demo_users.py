"""One demo login per role, with generated passwords (never a fixed, guessable one)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.auth.models import Role
from beredskap.platform.auth.service import add_user
from beredskap.register.organisations.models import Organisation

DEMO_DOMAIN = "lillestrom.example"
ORG_EDITOR_ORGANISATION = "Nitelva Hjelpekorps"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: Role
    password: str


def seed_demo_users(session: Session) -> list[DemoLogin]:
    """Add a user for each role; the org editor edits Nitelva Hjelpekorps."""
    organisation = session.scalars(
        select(Organisation).where(Organisation.name == ORG_EDITOR_ORGANISATION)
    ).one()
    logins = []
    for role in Role:
        email = f"{role.value.replace('_', '-')}@{DEMO_DOMAIN}"
        _user, password = add_user(
            session,
            email=email,
            role=role,
            organisations=[organisation] if role == Role.ORG_EDITOR else None,
        )
        assert password is not None
        logins.append(DemoLogin(email=email, role=role, password=password))
    return logins


def write_credentials(path: Path, logins: list[DemoLogin]) -> None:
    """Keep the demo logins in a file only the owner can read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{login.role.value:<13} {login.email:<34} {login.password}" for login in logins]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write("\n".join(lines) + "\n")
