"""Kartverket's address download in (issue 15, item 1: a site placed by its address) on both
backends: the shipped sample keeps the municipality's street addresses in WGS84 (UTM 33 and
32 rows alike), skips other municipalities and matrikkel addresses, reports malformed lines;
the same file again changes nothing, a dry run writes nothing, a changed file replaces the
set, a file that is not the download writes nothing; zipped too; the command."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from beredskap.main import download_cli
from beredskap.main.cli import app as cli
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.runtime import Database
from beredskap.register.addresses.lookup import find
from beredskap.register.addresses.models import Address
from beredskap.register.imports.addresses import (
    AddressFileError,
    AddressReport,
    import_addresses,
)
from tests.support.api import ApiHarness

SAMPLE = Path(__file__).parent.parent / "data" / "addresses_sample.csv"
MUNICIPALITY = "3205"
# The sample: 11 lines; 6 street addresses of Lillestrøm (3205), one of them in UTM 32 and
# Skolevegen 3 twice (2000 and 2013); a matrikkel address and one of Bærum (3201) left out;
# 3 malformed (a number "x12", no Nord, a point outside Norway).
FIRST = {
    "municipality": MUNICIPALITY,
    "read": 11,
    "in_municipality": 6,
    "created": 6,
    "updated": 0,
    "unchanged": 0,
    "removed": 0,
    "malformed": 3,
}


def run_bytes(session: Session, data: bytes, **options: object) -> AddressReport:
    return import_addresses(
        session, io.BytesIO(data), municipality_number=MUNICIPALITY, source="test.csv",
        **options,  # type: ignore[arg-type]
    )  # fmt: skip


def run(session: Session, **options: object) -> AddressReport:
    return run_bytes(session, SAMPLE.read_bytes(), **options)


def _addresses(session: Session) -> dict[int, Address]:
    session.expire_all()
    return {a.address_id: a for a in session.scalars(select(Address))}


def _summaries(session: Session) -> int:
    query = (
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.entity == "import", AuditEntry.entity_id == "addresses")
    )
    return int(session.scalar(query) or 0)


def test_the_sample_is_imported_and_again_changes_nothing(api: ApiHarness) -> None:
    session = api.session
    report = run(session)
    assert report.counts() == FIRST
    stored = _addresses(session)
    assert set(stored) == {300000001 + n for n in range(6)}
    storgata = stored[300000001]
    assert (storgata.street, storgata.number, storgata.letter) == ("Storgata", 1, "")
    assert (storgata.postal_code, storgata.postal_town) == ("2000", "LILLESTRØM")
    point = to_shape(storgata.point)
    assert (round(point.y, 5), round(point.x, 5)) == (59.956, 11.049)
    kirkegata = to_shape(stored[300000004].point)  # given in UTM 32
    assert (round(kirkegata.y, 5), round(kirkegata.x, 5)) == (59.957, 11.047)
    assert stored[300000002].search_key == "storgate 1b"
    assert _summaries(session) == 1

    again = run(session)
    assert again.counts() == FIRST | {"created": 0, "unchanged": 6}
    assert {a.id for a in _addresses(session).values()} == {a.id for a in stored.values()}


def test_a_dry_run_counts_and_writes_nothing(api: ApiHarness) -> None:
    session = api.session
    report = run(session, dry_run=True)
    assert report.counts() == FIRST and report.dry_run
    assert _addresses(session) == {} and _summaries(session) == 0


def test_malformed_lines_are_reported_never_fatal(api: ApiHarness) -> None:
    report = run(api.session)
    assert report.malformed == 3
    assert report.problems[0].startswith("line 10: nummer 'x12'")
    assert "line 11: Nord '' is not a number" in report.problems
    assert any(p.startswith("line 12:") and "not in Norway" in p for p in report.problems)


def test_a_changed_file_replaces_the_set(api: ApiHarness) -> None:
    session = api.session
    run(session)
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("300000003;")]  # Torvet 5 gone
    kept = [
        line.replace(";2000;LILLESTRØM;", ";2001;LILLESTRØM;")
        if line.startswith("300000001;") else line
        for line in kept
    ]  # fmt: skip
    report = run_bytes(session, "\n".join(kept).encode())
    assert (report.created, report.updated, report.removed, report.unchanged) == (0, 1, 1, 4)
    stored = _addresses(session)
    assert 300000003 not in stored and stored[300000001].postal_code == "2001"


def test_a_zipped_file_is_read(api: ApiHarness) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "Basisdata_3205_Lillestrom_25833_MatrikkelenAdresse.csv", SAMPLE.read_bytes()
        )
    report = run_bytes(api.session, buffer.getvalue())
    assert report.counts() == FIRST


@pytest.mark.parametrize(
    "data",
    [b"", b"PK\x03\x04broken", b"a;b;c\n1;2;3\n", "kommunenummer;Nord\n\xff".encode("latin-1")],
)
def test_a_file_that_is_not_the_download_writes_nothing(api: ApiHarness, data: bytes) -> None:
    with pytest.raises(AddressFileError):
        run_bytes(api.session, data)
    assert _addresses(api.session) == {}


def test_the_typed_address_is_found(api: ApiHarness) -> None:
    session = api.session
    run(session)
    assert [a.address_id for a in find(session, "storgate 1 b")] == [300000002]
    assert [a.address_id for a in find(session, "STORGATA  1")] == [300000001]
    assert len(find(session, "Skoleveien 3")) == 2
    assert [a.address_id for a in find(session, "Skolevegen 3, 2013 Skjetten")] == [300000006]
    assert find(session, "Storgata 99") == [] and find(session, "Torvet") == []


# The command ---------------------------------------------------------------------------------


@pytest.fixture
def cli_database(api: ApiHarness, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The command's database is the test's (inside its rolled-back transaction)."""
    bind = api.session.get_bind()
    factory = sessionmaker(bind=bind, join_transaction_mode="create_savepoint")
    engine: Engine = getattr(bind, "engine", bind)
    monkeypatch.setattr(
        download_cli, "open_database", lambda _settings: Database(engine=engine, sessions=factory)
    )
    monkeypatch.setenv("BEREDSKAP_MUNICIPALITY_NUMBER", MUNICIPALITY)
    yield


def test_the_command(cli_database: None, api: ApiHarness, tmp_path: Path) -> None:
    runner = CliRunner()
    dry = runner.invoke(cli, ["import", "addresses", str(SAMPLE), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "11 lines read, 6 street addresses in municipality 3205" in dry.output
    assert "6 would be created" in dry.output and "3 malformed skipped" in dry.output
    assert "line 10: nummer 'x12' is not a whole number (skipped)" in dry.output
    assert _addresses(api.session) == {}
    done = runner.invoke(cli, ["import", "addresses", str(SAMPLE)])
    assert done.exit_code == 0 and "6 were created" in done.output, done.output
    again = runner.invoke(cli, ["import", "addresses", str(SAMPLE)])
    assert again.exit_code == 0 and "0 were created, 0 updated, 0 removed, 6 unchanged" in (
        again.output
    )
    assert len(_addresses(api.session)) == 6
    broken = tmp_path / "adresser.csv"
    broken.write_bytes(b"nothing;here\n")
    refused = runner.invoke(cli, ["import", "addresses", str(broken)])
    assert refused.exit_code == 1 and "nothing was imported" in refused.output
    missing = runner.invoke(cli, ["import", "addresses", str(tmp_path / "none.csv")])
    assert missing.exit_code == 2
