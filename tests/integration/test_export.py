"""The export (issue 15, item 4) on both backends: every owned table as CSV with a README of
its columns, the map layers as a GeoPackage that GDAL's ogrinfo reads with the right feature
counts, personal data only with it (the declaration decides which columns), the API for the
administrator only, the command line, and one audit entry per export."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from beredskap.main.cli import app as cli
from beredskap.main.settings import get_settings
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role, User
from beredskap.platform.auth.secrets import digest
from beredskap.platform.db import Base
from beredskap.platform.export.tables import NOT_OWNED
from beredskap.platform.privacy.declaration import personal_tables
from beredskap.platform.runtime import Database
from beredskap.register.agreements.models import Agreement
from beredskap.register.inventory.models import Equipment
from beredskap.register.organisations.models import Organisation, Site
from tests.integration.test_layers import build_world
from tests.support.api import PASSWORD, ROLE_EMAILS, ApiHarness
from tests.support.callouts import at, volunteer

# Debian's gdal-bin (CI installs it): a missing ogrinfo fails the test, never skips it.
OGRINFO = shutil.which("ogrinfo") or "/usr/bin/ogrinfo"
MOBILE = "+447700900477"
SECRETS = ("password_hash", "token_hash", "csrf_token")


def _owned() -> set[str]:
    return {f"{table.name}.csv" for table in Base.metadata.sorted_tables} - {
        f"{name}.csv" for name in NOT_OWNED
    }


def _world(session: Session) -> None:
    build_world(session)
    person = volunteer(session, 77, at(0, 1_000), ["first_aid"], session.scalars(
        select(Organisation).where(Organisation.name == "Nitelva Hjelpekorps")).one())  # fmt: skip
    assert person.mobile == MOBILE
    session.commit()


def _expected_layers(session: Session) -> dict[str, int]:
    def count(statement: object) -> int:
        return int(session.scalar(statement) or 0)  # type: ignore[arg-type]

    return {
        "sites": count(select(func.count(Site.id))),
        "organisation_bases": count(
            select(func.count(Organisation.id)).where(Organisation.home_base.is_not(None))
        ),
        "agreement_service_areas": count(
            select(func.count(Agreement.id)).where(Agreement.service_area.is_not(None))
        ),
        "equipment_per_site": count(select(func.count(distinct(Equipment.site_id)))),
    }


def _ogrinfo_counts(path: Path) -> dict[str, int]:
    done = subprocess.run(
        [OGRINFO, "-ro", "-so", "-al", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    names = re.findall(r"^Layer name: (\S+)$", done.stdout, re.MULTILINE)
    counts = re.findall(r"^Feature Count: (\d+)$", done.stdout, re.MULTILINE)
    assert "GPKG" in done.stdout or "GeoPackage" in done.stdout or names, done.stdout
    return dict(zip(names, map(int, counts), strict=True))


def users_hash(api: ApiHarness) -> str:
    return api.session.scalars(select(User.password_hash)).first() or "no hash"


def _headers(files: dict[str, str]) -> dict[str, list[str]]:
    return {
        name: next(csv.reader(io.StringIO(text)))
        for name, text in files.items()
        if name.endswith(".csv")
    }


def _personal_columns() -> dict[str, set[str]]:
    return {
        f"{table.table.name}.csv": {column.name for column in table.personal}
        for table in personal_tables(Base.metadata)
        if table.personal
    }


def _exports(api: ApiHarness) -> list[AuditEntry]:
    api.session.expire_all()
    return list(
        api.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "export", AuditEntry.action == "read")
        )
    )


def _unzip(content: bytes, tmp_path: Path) -> tuple[dict[str, str], Path]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    files = {
        name: archive.read(name).decode("utf-8")
        for name in archive.namelist()
        if name.endswith((".csv", ".md"))
    }
    geopackage = tmp_path / "layers.gpkg"
    geopackage.write_bytes(archive.read("layers.gpkg"))
    return files, geopackage


def test_the_administrator_gets_every_table_and_the_layers(api: ApiHarness, tmp_path: Path) -> None:
    _world(api.session)
    response = api.get(Role.ADMIN, "/api/v1/export.zip")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    files, geopackage = _unzip(response.content, tmp_path)

    csv_files = {name for name in files if name.endswith(".csv")}
    assert csv_files == _owned()
    assert "audit_log.csv" in csv_files and "web_sessions.csv" not in csv_files
    readme = files["README.md"]
    for name, header in _headers(files).items():
        assert f"## {name}" in readme, name
        section = readme.split(f"## {name}")[1].split("\n## ")[0]
        for column in header:
            assert f"| {column} |" in section, (name, column)
    # Natural keys beside the ids; personal data in (the administrator), secrets never.
    equipment = _headers(files)["equipment.csv"]
    for natural in ("organisation_number", "organisation_name", "site_name", "resource_type_code"):
        assert natural in equipment
    assert MOBILE in files["volunteers.csv"] and "volunteer_mobile" in files["memberships.csv"]
    assert "+447700900500" in files["organisations.csv"]
    assert all(not set(SECRETS) & set(header) for header in _headers(files).values())
    everything = "".join(files.values())
    assert all(digest(token) not in everything for token in api.tokens.values())
    assert users_hash(api) not in everything
    users = list(csv.DictReader(io.StringIO(files["users.csv"])))
    assert {row["email"] for row in users} == set(ROLE_EMAILS.values())
    assert PASSWORD not in everything

    counts = _ogrinfo_counts(geopackage)
    assert counts == _expected_layers(api.session)
    assert counts["sites"] >= 3 and counts["agreement_service_areas"] >= 2

    entries = _exports(api)
    assert len(entries) == 1
    assert entries[0].actor == ROLE_EMAILS[Role.ADMIN]
    assert entries[0].after["read"] == "export.zip" and entries[0].after["count"] > 0


def test_without_personal_data_no_declared_column_leaves(api: ApiHarness, tmp_path: Path) -> None:
    _world(api.session)
    response = api.get(Role.ADMIN, "/api/v1/export.zip", params={"personal_data": "false"})
    assert response.status_code == 200
    files, geopackage = _unzip(response.content, tmp_path)
    headers = _headers(files)
    personal = _personal_columns()
    assert personal["volunteers.csv"] >= {"full_name", "mobile", "email", "home_area"}
    for name, columns in personal.items():
        if name in headers:
            assert not columns & set(headers[name]), name
    assert "audit_log.csv" not in files
    assert set(headers) == _owned() - {"audit_log.csv"}
    everything = "".join(files.values())
    for value in (MOBILE, "+447700900500", "Vaktleder Nitelva", "Frivillig 77", "@test.example"):
        assert value not in everything, value
    assert "volunteer_mobile" not in headers["memberships.csv"]
    assert "Personal data: left out" in files["README.md"]
    counts = _ogrinfo_counts(geopackage)
    assert counts == _expected_layers(api.session)
    layers_info = subprocess.run(
        [OGRINFO, "-ro", "-al", str(geopackage), "organisation_bases"],
        capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    assert "contact_24_7" not in layers_info and "Nitelva Hjelpekorps" in layers_info
    entries = _exports(api)
    assert len(entries) == 1
    assert entries[0].after == {"read": "export.zip without personal data", "count": 0}


@pytest.mark.parametrize("role", [None, *(r for r in Role if r is not Role.ADMIN)])
def test_only_the_administrator_may_export(api: ApiHarness, role: Role | None) -> None:
    response = api.get(role, "/api/v1/export.zip")
    assert response.status_code == (401 if role is None else 403)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _exports(api) == []


def test_the_command_writes_a_directory_and_is_audited(
    fresh_database: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(
        "BEREDSKAP_DATABASE_URL", fresh_database.engine.url.render_as_string(hide_password=False)
    )
    get_settings.cache_clear()
    try:
        with fresh_database.sessions() as session:
            _world(session)
            expected = _expected_layers(session)
        runner = CliRunner()
        full = runner.invoke(cli, ["export", "--out", str(tmp_path / "full")])
        assert full.exit_code == 0, full.output
        lean = runner.invoke(
            cli, ["export", "--out", str(tmp_path / "lean"), "--without-personal-data"]
        )
        assert lean.exit_code == 0, lean.output
        assert "without personal data" in lean.output
    finally:
        get_settings.cache_clear()

    written = {path.name for path in (tmp_path / "full").iterdir()}
    assert written == _owned() | {"README.md", "layers.gpkg"}
    assert MOBILE in (tmp_path / "full" / "volunteers.csv").read_text(encoding="utf-8")
    lean_files = {
        path.name: path.read_text(encoding="utf-8")
        for path in (tmp_path / "lean").iterdir()
        if path.suffix in (".csv", ".md")
    }
    headers = _headers(lean_files)
    for name, columns in _personal_columns().items():
        assert not columns & set(headers.get(name, [])), name
    assert MOBILE not in "".join(lean_files.values())
    assert _ogrinfo_counts(tmp_path / "full" / "layers.gpkg") == expected
    assert _ogrinfo_counts(tmp_path / "lean" / "layers.gpkg") == expected

    with fresh_database.sessions() as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "export", AuditEntry.action == "read")
            .order_by(AuditEntry.id)
        ).all()
    assert [(entry.actor, entry.after["read"]) for entry in entries] == [
        ("cli", "cli export"),
        ("cli", "cli export without personal data"),
    ]
