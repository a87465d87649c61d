"""Users, tokens and the login slow-down, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from beredskap.main.app import create_app
from beredskap.main.cli import app as cli
from beredskap.main.settings import Settings, get_settings
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth import service, throttle
from beredskap.platform.auth.models import ApiToken, Role, User
from beredskap.platform.auth.secrets import digest
from beredskap.platform.columns import utcnow
from beredskap.platform.errors import DomainValidationError
from beredskap.platform.runtime import Database
from beredskap.register.organisations import service as organisation_service
from beredskap.register.organisations.models import Organisation
from tests.support.api import ApiHarness

POLICY = throttle.LoginPolicy(free_failures=3, window=timedelta(minutes=15), max_delay_seconds=60)


def _organisation(session: Session) -> Organisation:
    organisation = Organisation(
        name="Nitelva Hjelpekorps", category="first_aid_corps", organisation_number="974760673"
    )
    session.add(organisation)
    session.flush()
    return organisation


def test_passwords_are_hashed_and_kept_out_of_the_audit_trail(session: Session) -> None:
    user, generated = service.add_user(session, email="Kari@Example.org", role="admin")
    assert generated is not None and len(generated) >= 20
    assert user.email == "kari@example.org"
    assert user.password_hash and generated not in user.password_hash
    assert user.password_hash.startswith("$argon2")
    assert service.authenticate_password(session, "KARI@example.org ", generated) is user
    assert service.authenticate_password(session, "kari@example.org", "wrong" * 3) is None
    row, token = service.create_token(session, user, days=1)
    session.flush()
    trail = " ".join(str(e.after) for e in session.scalars(select(AuditEntry)))
    assert "api_tokens" in {e.entity for e in session.scalars(select(AuditEntry))}
    for secret in ("$argon2", generated, token, row.token_hash):
        assert secret not in trail


def test_user_rules(session: Session) -> None:
    organisation = _organisation(session)
    with pytest.raises(DomainValidationError, match="needs an organisation"):
        service.add_user(session, email="a@example.org", role="org_editor")
    with pytest.raises(DomainValidationError, match="only an org_editor"):
        service.add_user(
            session, email="b@example.org", role="council", organisations=[organisation]
        )
    with pytest.raises(DomainValidationError, match="at least 12"):
        service.add_user(session, email="c@example.org", role="admin", password="short")
    service.add_user(session, email="d@example.org", role="admin")
    with pytest.raises(DomainValidationError, match="exists already"):
        service.add_user(session, email="D@example.org", role="planner")
    assert organisation_service.find_organisation(session, "974 760 673") is organisation
    assert organisation_service.find_organisation(session, str(organisation.id)) is organisation


def test_tokens_expire_and_can_be_revoked(session: Session) -> None:
    user, _ = service.add_user(session, email="e@example.org", role="duty_officer")
    row, token = service.create_token(session, user, days=1)
    assert service.user_for_token(session, token) is user
    assert row.token_hash != token and len(row.token_hash) == 64
    row.expires_at = utcnow() - timedelta(seconds=1)
    assert service.user_for_token(session, token) is None
    _row, second = service.create_token(session, user, days=1)
    assert service.revoke_tokens(session, user=user) == 1  # the expired one was not live...
    assert service.user_for_token(session, second) is None
    user.active = False
    _row, third = service.create_token(session, user, days=1)
    assert service.user_for_token(session, third) is None  # deactivated users are shut out


def test_failed_logins_are_slowed_down_per_email_and_cleared(session: Session) -> None:
    email, address = "f@example.org", "192.0.2.7"
    for _ in range(POLICY.free_failures - 1):
        throttle.record_failure(session, email, address)
    assert throttle.seconds_to_wait(session, POLICY, email, address) == 0
    throttle.record_failure(session, email, address)
    assert throttle.seconds_to_wait(session, POLICY, email, address) == 1
    for _ in range(4):
        throttle.record_failure(session, email, address)
    assert 1 < throttle.seconds_to_wait(session, POLICY, email, address) <= 32
    for _ in range(20):
        throttle.record_failure(session, email, address)
    assert throttle.seconds_to_wait(session, POLICY, email, address) == POLICY.max_delay_seconds
    # Another person behind the same address is not locked out by one person's typos.
    assert throttle.seconds_to_wait(session, POLICY, "g@example.org", address) == 0
    throttle.clear_failures(session, email)
    assert throttle.seconds_to_wait(session, POLICY, email, None) == 0


def test_cli_adds_users_and_manages_tokens(
    engine: object, fresh_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "BEREDSKAP_DATABASE_URL", fresh_database.engine.url.render_as_string(hide_password=False)
    )
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        with fresh_database.sessions() as session:
            _organisation(session)
            session.commit()
        added = runner.invoke(
            cli,
            [
                "user",
                "add",
                "Kari@Example.org",
                "--role",
                "org_editor",
                "--organisation",
                "974760673",
            ],
        )
        assert added.exit_code == 0, added.output
        assert "for Nitelva Hjelpekorps" in added.output
        password = added.output.strip().splitlines()[-1]
        piped = runner.invoke(
            cli,
            ["user", "add", "ola@example.org", "--role", "admin", "--password-stdin"],
            input="et langt nok passord\n",
        )
        assert piped.exit_code == 0 and "Password" not in piped.output
        refused = runner.invoke(cli, ["user", "add", "x@example.org", "--role", "org_editor"])
        assert refused.exit_code == 2 and "needs an organisation" in refused.output
        unknown = runner.invoke(cli, ["user", "add", "y@example.org", "--role", "pirate"])
        assert unknown.exit_code == 2

        created = runner.invoke(cli, ["token", "create", "kari@example.org", "--days", "7"])
        assert created.exit_code == 0, created.output
        token = created.output.strip().splitlines()[-1]
        client = TestClient(create_app(Settings(), database=fresh_database))
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["role"] == "org_editor"

        revoked = runner.invoke(cli, ["token", "revoke", token])
        assert revoked.exit_code == 0 and "Revoked 1" in revoked.output
        assert (
            client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code
            == 401
        )
        assert runner.invoke(cli, ["token", "revoke", token]).exit_code == 2  # nothing live

        with fresh_database.sessions() as session:
            user = session.scalars(select(User).where(User.email == "kari@example.org")).one()
            assert user.role == Role.ORG_EDITOR
            assert service.authenticate_password(session, "kari@example.org", password) is not None
            assert session.scalar(select(ApiToken.revoked_at)) is not None
    finally:
        get_settings.cache_clear()


def test_a_read_records_the_tokens_use_without_becoming_a_write(api: ApiHarness) -> None:
    url = "/api/v1/organisations"
    token_row = api.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == digest(api.tokens[Role.PLANNER]))
    ).one()
    assert token_row.last_used_at is None
    before = api.counts(AuditEntry)
    assert api.get(Role.PLANNER, url).status_code == 200
    api.session.expire_all()
    first_use = token_row.last_used_at
    assert first_use is not None
    assert api.get(Role.PLANNER, url).status_code == 200  # within five minutes: not rewritten
    api.session.expire_all()
    assert token_row.last_used_at == first_use
    assert api.counts(AuditEntry) == before  # a use is not a change of the register


def test_a_write_as_the_first_use_of_a_token_does_not_wait_for_itself(
    fresh_database: Database,
) -> None:
    """The use is recorded inside the write's own transaction: on SQLite a second
    transaction would wait for the lock the request itself holds."""
    with fresh_database.sessions() as session:
        user, _ = service.add_user(session, email="h@example.org", role="admin")
        _row, token = service.create_token(session, user, days=1)
        session.commit()
    client = TestClient(create_app(Settings(), database=fresh_database))
    started = utcnow()
    response = client.post(
        "/api/v1/organisations",
        json={"name": "Første bruk", "category": "other"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    assert (utcnow() - started).total_seconds() < 5
    with fresh_database.sessions() as session:
        assert session.scalar(select(ApiToken.last_used_at)) is not None


def test_failures_from_elsewhere_do_not_slow_down_the_account_from_its_own_address(
    session: Session,
) -> None:
    """An attacker failing on purpose for the duty officer's e-mail slows down only their own
    address; brute force from one address over many accounts is slowed down too."""
    email, attacker, officer = "vakt@example.org", "203.0.113.9", "198.51.100.7"
    for _ in range(50):
        throttle.record_failure(session, email, attacker)
    assert throttle.seconds_to_wait(session, POLICY, email, attacker) > 0
    assert throttle.seconds_to_wait(session, POLICY, email, officer) == 0
    sprayer = "203.0.113.10"
    for number in range(POLICY.free_failures * throttle.ADDRESS_ALLOWANCE_FACTOR + 1):
        throttle.record_failure(session, f"user{number}@example.org", sprayer)
    assert throttle.seconds_to_wait(session, POLICY, "new@example.org", sprayer) > 0
    assert throttle.seconds_to_wait(session, POLICY, "new@example.org", officer) == 0
