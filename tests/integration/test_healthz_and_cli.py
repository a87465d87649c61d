"""/healthz and the `beredskap` command on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from beredskap.main.app import create_app
from beredskap.main.cli import app as cli
from beredskap.main.settings import Settings
from beredskap.platform import migrate
from beredskap.platform.auth.models import Role
from beredskap.platform.auth.service import authenticate_password
from beredskap.platform.runtime import Database
from beredskap.register.organisations.models import Organisation


def test_healthz_names_backend_and_revision(engine: Engine, backend: str) -> None:
    database = Database(engine=engine, sessions=sessionmaker(bind=engine))
    client = TestClient(create_app(Settings(), database=database))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["backend"] == backend
    assert body["database"]["schema_revision"] == migrate.head_revision()


def test_healthz_answers_503_without_leaking_the_url() -> None:
    secret_url = "postgresql+psycopg://beredskap:hemmelig@127.0.0.1:1/nowhere"
    settings = Settings(database_url=secret_url)
    client = TestClient(create_app(settings))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "hemmelig" not in response.text
    assert response.json()["database"]["reachable"] is False


def test_cli_builds_seeds_and_empties_the_database(
    engine: Engine,
    backend: str,
    fresh_database: Database,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from beredskap.main.settings import get_settings

    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("BEREDSKAP_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)  # the demo logins file goes to ./var
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    try:
        run("db", "downgrade", "--yes")
        assert run("db", "current").strip() == f"{backend}: None"
        assert f"{backend}: schema at {migrate.head_revision()}" in run("db", "upgrade")
        assert run("db", "current").strip() == f"{backend}: {migrate.head_revision()}"
        seeded = run("seed", "demo")
        assert "29 organisations" in seeded
        credentials = tmp_path / "var" / "demo-logins.txt"
        assert credentials.stat().st_mode & 0o777 == 0o600
        logins = [line.split() for line in credentials.read_text().splitlines()]
        assert sorted(role for role, _email, _password in logins) == sorted(r.value for r in Role)
        _role, email, password = next(login for login in logins if login[0] == "org_editor")
        assert password in seeded  # shown once, on the terminal that asked
        again = runner.invoke(cli, ["seed", "demo"])
        assert again.exit_code == 1  # never on top of existing data
        assert "already holds organisations" in again.output
        assert "500 equipment" in run(
            "seed", "scale", "--organisations", "5", "--equipment", "500", "--volunteers", "20"
        )
        refused = runner.invoke(cli, ["seed", "scale", "--equipment", "-5"])
        assert refused.exit_code == 2  # refused by the option's range, nothing done
        with fresh_database.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Organisation)) == 34
            user = authenticate_password(session, email, password)
            assert user is not None and [o.name for o in user.organisations] == [
                "Nitelva Hjelpekorps"
            ]
    finally:
        get_settings.cache_clear()


def test_settings_refuse_an_unknown_database_url() -> None:
    with pytest.raises(ValueError, match="must be a sqlite"):
        Settings(database_url="mysql://root@localhost/x")
