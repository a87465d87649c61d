"""Enhetsregisteret's download in (issue 15, item 3) on both backends: the shipped sample
updates names, addresses and flags of registered organisations by number, lists the
municipality's voluntary organisations as candidates, skips and reports malformed entities;
the same file again changes nothing, a dry run writes nothing, a broken file writes nothing;
the command's output and exit codes."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from beredskap.main import download_cli
from beredskap.main.cli import app as cli
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.runtime import Database
from beredskap.register.imports.brreg import BrregFileError, import_brreg
from beredskap.register.organisations.models import Organisation, OrganisationCandidate
from tests.support.api import ApiHarness
from tests.support.brreg import (
    CANDIDATES,
    DELETED_NUMBER,
    OTHER_NUMBER,
    OWN_NUMBER,
    SAMPLE,
    prepare,
    run,
)


def _audit(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _summaries(session: Session) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "import", AuditEntry.entity_id == "brreg")
        )
    )


def _by_number(session: Session, number: str) -> Organisation:
    session.expire_all()
    return session.scalars(
        select(Organisation).where(Organisation.organisation_number == number)
    ).one()


def _candidates(session: Session) -> dict[str, OrganisationCandidate]:
    session.expire_all()
    return {c.organisation_number: c for c in session.scalars(select(OrganisationCandidate))}


def test_the_sample_updates_flags_and_lists_candidates_and_again_changes_nothing(
    api: ApiHarness,
) -> None:
    session = api.session
    prepare(api)
    session.info["actor"] = "test brreg"
    audit_before = _audit(session)

    report = run(session)
    assert report.counts() == {
        "municipality": "3205",
        "read": 15,
        "in_municipality": 10,
        "matched": 3,
        "updated": 3,
        "flagged": 2,
        "candidates": 3,
        "malformed": 2,
    }
    assert report.problems == [
        "entity 11: organisasjonsnummer '123': an organisation number has exactly 9 digits",
        "entity 12: no navn",
    ]
    own = _by_number(session, OWN_NUMBER)
    assert own.name == "LILLESTRØM RØDE KORS HJELPEKORPS"
    assert (own.address, own.postal_code, own.postal_town) == ("Storgata 12", "2000", "LILLESTRØM")
    assert own.registry_warnings == [] and own.category == "first_aid_corps"
    other = _by_number(session, OTHER_NUMBER)
    assert other.name == "Annet Sanitetslag" and other.address == "Kirkegata 3, 2. etasje"
    assert other.registry_warnings == ["bankrupt"]
    deleted = _by_number(session, DELETED_NUMBER)
    assert deleted.deleted_from_registry_on == date(2026, 5, 1)
    assert deleted.registry_warnings == ["deleted"]
    candidates = _candidates(session)
    assert set(candidates) == CANDIDATES
    postal_only = candidates["990523649"]
    assert (postal_only.name, postal_only.address, postal_only.postal_code) == (
        "SKEDSMO JEGER- OG FISKERFORENING",
        "Postboks 88",
        "2021",
    )
    assert postal_only.organisation_form == "FLI"
    # Audited: each organisation's change as any change, and ONE entry that is the import.
    [summary] = _summaries(session)
    assert summary.actor == "test brreg" and summary.after is not None
    assert summary.after["updated"] == 3 and summary.after["file"] == "brreg_sample.json.gz"
    changes = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "organisations", AuditEntry.action == "update"
        )
    ).all()
    assert {c.entity_id for c in changes} >= {str(own.id), str(other.id), str(deleted.id)}
    assert _audit(session) == audit_before + 4

    versions = {o.id: o.version for o in session.scalars(select(Organisation))}
    ids = {n: c.id for n, c in candidates.items()}
    again = run(session)
    assert (again.updated, again.flagged, again.candidates, again.malformed) == (0, 2, 3, 2)
    session.expire_all()
    assert {o.id: o.version for o in session.scalars(select(Organisation))} == versions
    assert {n: c.id for n, c in _candidates(session).items()} == ids
    assert _audit(session) == audit_before + 5  # the second import's summary only


def test_a_dry_run_counts_and_writes_nothing(api: ApiHarness) -> None:
    session = api.session
    prepare(api)
    audit_before = _audit(session)
    report = run(session, dry_run=True)
    assert (report.updated, report.flagged, report.candidates) == (3, 2, 3)
    assert _by_number(session, OWN_NUMBER).name == "Eget Hjelpekorps"
    assert _by_number(session, OTHER_NUMBER).bankrupt is False
    assert _candidates(session) == {}
    assert _audit(session) == audit_before


def test_candidates_are_brought_to_the_files_set(api: ApiHarness) -> None:
    session = api.session
    prepare(api)
    session.add_all(
        [
            OrganisationCandidate(organisation_number="973120115", name="Gone"),
            OrganisationCandidate(organisation_number="990418918", name="Old name"),
        ]
    )
    session.flush()
    run(session)
    candidates = _candidates(session)
    assert set(candidates) == CANDIDATES
    assert candidates["990418918"].name == "LILLESTRØM FRIVILLIGSENTRAL"
    # A candidate registered meanwhile is no candidate on the next import.
    session.add(
        Organisation(name="Sentralen", category="volunteer_centre", organisation_number="990418918")
    )
    session.flush()
    assert run(session).candidates == 2
    assert set(_candidates(session)) == CANDIDATES - {"990418918"}


def _stream(entities: object, *, zipped: bool = False) -> io.BytesIO:
    data = json.dumps(entities).encode()
    return io.BytesIO(gzip.compress(data) if zipped else data)


def test_malformed_entities_are_reported_never_fatal(api: ApiHarness) -> None:
    good = {
        "organisasjonsnummer": "990418918",
        "navn": "Sentralen",
        "registrertIFrivillighetsregisteret": True,
        "forretningsadresse": {
            "adresse": ["Torvet 5"],
            "postnummer": "2000",
            "poststed": "LILLESTRØM",
            "kommunenummer": "3205",
        },
    }
    entities = [
        1,
        "text",
        None,
        [],
        {"navn": "no number"},
        {"organisasjonsnummer": "990418919", "navn": "check digit"},
        {"organisasjonsnummer": "990418918", "navn": 5},
        good | {"konkurs": "ja"},
        good | {"slettedato": "in May"},
        good | {"forretningsadresse": "Torvet 5"},
        good | {"forretningsadresse": {"adresse": [1, 2], "kommunenummer": "3205"}},
        good | {"organisasjonsform": "FLI"},
        good | {"navn": "x" * 201},
        good,
    ]
    report = import_brreg(api.session, _stream(entities, zipped=True), municipality_number="3205")
    assert report.read == 14 and report.malformed == 13 and report.candidates == 1
    assert len(report.problems) == 13
    assert set(_candidates(api.session)) == {"990418918"}


@pytest.mark.parametrize(
    "data",
    [b"", b"{}", b'{"enheter": []}', b"[1, 2", b"\x1f\x8b\x08garbage", b"not json at all"],
)
def test_a_file_that_is_not_the_download_writes_nothing(api: ApiHarness, data: bytes) -> None:
    prepare(api)
    audit_before = _audit(api.session)
    with pytest.raises(BrregFileError):
        import_brreg(api.session, io.BytesIO(data), municipality_number="3205")
    assert _audit(api.session) == audit_before and _candidates(api.session) == {}


def test_a_truncated_file_writes_nothing(api: ApiHarness) -> None:
    prepare(api)
    cut = gzip.compress(gzip.decompress(SAMPLE.read_bytes())[:-40])
    with pytest.raises(BrregFileError):
        import_brreg(api.session, io.BytesIO(cut), municipality_number="3205")
    assert _by_number(api.session, OWN_NUMBER).name == "Eget Hjelpekorps"
    assert _candidates(api.session) == {}


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
    monkeypatch.setenv("BEREDSKAP_MUNICIPALITY_NUMBER", "3205")
    yield


def test_the_command(cli_database: None, api: ApiHarness, tmp_path: Path) -> None:
    prepare(api)
    runner = CliRunner()
    dry = runner.invoke(cli, ["import", "brreg", str(SAMPLE), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "15 entities read, 10 in municipality 3205" in dry.output
    assert "3 would be updated, 2 flagged" in dry.output and "3 candidates" in dry.output
    assert "2 malformed skipped" in dry.output and "entity 12: no navn (skipped)" in dry.output
    assert _by_number(api.session, OWN_NUMBER).name == "Eget Hjelpekorps"
    done = runner.invoke(cli, ["import", "brreg", str(SAMPLE)])
    assert done.exit_code == 0 and "3 were updated" in done.output, done.output
    assert _by_number(api.session, OWN_NUMBER).name == "LILLESTRØM RØDE KORS HJELPEKORPS"
    again = runner.invoke(cli, ["import", "brreg", str(SAMPLE)])
    assert again.exit_code == 0 and "0 were updated" in again.output
    broken = tmp_path / "enheter.json.gz"
    broken.write_bytes(b"\x1f\x8bnot gzip")
    refused = runner.invoke(cli, ["import", "brreg", str(broken)])
    assert refused.exit_code == 1 and "nothing was imported" in refused.output
    assert runner.invoke(cli, ["import", "brreg", str(tmp_path / "none.gz")]).exit_code == 2
