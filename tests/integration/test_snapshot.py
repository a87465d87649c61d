"""The offline binder (issue 17, item 6) on both backends: `beredskap snapshot --out DIR` writes
one complete folder of the demo municipality whose MANIFEST's checksums match its files; the
PDFs read back (pypdf) carry the marking on every page and the volunteers' list the register's
consenting members with readable numbers and no one who withdrew consent; the spreadsheets open
(openpyxl); the GeoPackage is read by pyogrio and GDAL's ogrinfo with the register's counts; a
file given as the folder is refused; a failing document leaves nothing; the nightly job writes
when configured and due, once a day, keeps the newest N and touches nothing else."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path

import pyogrio
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from beredskap.main import snapshot_cli
from beredskap.main.cli import app as cli
from beredskap.main.settings import Settings
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.columns import NORWAY, utcnow
from beredskap.platform.jobs import JobContext
from beredskap.platform.runtime import Database
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.seed.demo import seed_demo
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from reports.extraction import system_extraction
from reports.marking import DEFAULT_BASIS
from reports.snapshot import jobs
from reports.snapshot.documents import DOCUMENTS, GEOPACKAGE, MANIFEST, Document
from reports.snapshot.writer import NAME, snapshots, write_snapshot

OGRINFO = shutil.which("ogrinfo") or "/usr/bin/ogrinfo"
MARKING = f"Unntatt offentlighet {DEFAULT_BASIS}"
FILES = {document.filename for document in DOCUMENTS} | {GEOPACKAGE, MANIFEST}
CALLABLE = "Snapshot Reachable"
WITHDRAWN = "Snapshot Withdrawn"
INACTIVE = "Snapshot Departed"


@pytest.fixture
def register(session: Session) -> dict[str, str]:
    """The demo municipality, and in its first organisation three members of our own: one
    consenting with first aid, one who withdrew consent, one no longer active."""
    seed_demo(session)
    organisation = session.scalars(
        select(Organisation).where(Organisation.active.is_(True)).order_by(Organisation.id)
    ).first()
    assert organisation is not None
    first_aid = session.scalars(
        select(QualificationType).where(QualificationType.code == "first_aid")
    ).one()
    people = [
        Volunteer(full_name=CALLABLE, mobile="+4791234567", sms_consent=True),
        Volunteer(full_name=WITHDRAWN, mobile="+4791234568", sms_consent=False),
        Volunteer(full_name=INACTIVE, mobile="+4791234569", sms_consent=True, active=False),
    ]
    for person in people:
        person.memberships = [Membership(organisation_id=organisation.id, role="lagleder")]
    people[0].qualifications = [VolunteerQualification(qualification_type_id=first_aid.id)]
    session.add_all(people)
    session.commit()
    return {"organisation": organisation.name, "first_aid": first_aid.name_nb}


@pytest.fixture
def cli_database(session: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The command's database is the test's (inside its rolled-back transaction)."""
    bind = session.get_bind()
    factory = sessionmaker(bind=bind, join_transaction_mode="create_savepoint")
    engine: Engine = getattr(bind, "engine", bind)
    monkeypatch.setattr(
        snapshot_cli, "open_database", lambda _settings: Database(engine=engine, sessions=factory)
    )
    # The command's engine is the test's: it is not the command's to dispose of.
    monkeypatch.setattr(engine, "dispose", lambda *args, **kwargs: None)
    yield


def _context(session: Session, settings: Settings) -> JobContext:
    sessions = sessionmaker(
        bind=session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    database = Database(engine=session.get_bind().engine, sessions=sessions)  # type: ignore[union-attr]
    return JobContext(database, settings)


def _text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(path.read_bytes())).pages]


def _audited(session: Session) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "report",
                AuditEntry.entity_id == "snapshot",
                AuditEntry.action == "read",
            )
        )
    )


def _manifest_files(manifest: str) -> dict[str, tuple[str, int]]:
    rows = re.findall(r"^([0-9a-f]{64})\s+(\d+)\s+(\S+)$", manifest, re.MULTILINE)
    return {name: (sha, int(size)) for sha, size, name in rows}


def test_the_command_writes_a_complete_snapshot_of_the_demo(
    cli_database: None, register: dict[str, str], session: Session, tmp_path: Path
) -> None:
    out = tmp_path / "binder" / "nested"  # made, parents too
    done = CliRunner().invoke(cli, ["snapshot", "--out", str(out)])
    assert done.exit_code == 0, done.output

    [folder] = list(out.iterdir())
    assert NAME.fullmatch(folder.name), folder.name
    assert {path.name for path in folder.iterdir()} == FILES
    for name in FILES:
        size = (folder / name).stat().st_size
        assert re.search(rf"^\s+{size:,} bytes  {re.escape(name)}$".replace(",", " "),
                         done.output, re.MULTILINE), (name, done.output)  # fmt: skip

    # The manifest: the marking, the time in both zones, and every file's checksum and size.
    manifest = (folder / MANIFEST).read_text(encoding="utf-8")
    assert MARKING in manifest
    assert "beredskap snapshot" in manifest and "(UTC)" in manifest
    listed = _manifest_files(manifest)
    assert set(listed) == FILES - {MANIFEST}
    for name, (sha, size) in listed.items():
        content = (folder / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == sha, name
        assert len(content) == size, name

    # Every page of every PDF is marked.
    for name in ("ressursoversikt.pdf", "varslingsliste.pdf", "frivillige.pdf"):
        pages = _text(folder / name)
        assert len(pages) >= 2, name
        assert all(MARKING in page for page in pages), name

    # The volunteers: the consenting member with a readable number, role and qualification;
    # neither the one who withdrew consent nor the one who left.
    volunteers = "\n".join(_text(folder / "frivillige.pdf"))
    line = next(text for text in volunteers.splitlines() if CALLABLE in text)
    assert "+47 91 23 45 67" in line and "lagleder" in line and register["first_aid"] in line
    assert register["organisation"] in volunteers
    assert WITHDRAWN not in volunteers and "91 23 45 68" not in volunteers
    assert INACTIVE not in volunteers and "91 23 45 69" not in volunteers
    # Every consenting active member of an active organisation is listed, by name.
    members = session.execute(
        select(Volunteer.full_name)
        .join(Membership, Membership.volunteer_id == Volunteer.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            Organisation.active.is_(True),
            Volunteer.active.is_(True),
            Volunteer.sms_consent.is_(True),
        )
    ).scalars()
    flat = volunteers.replace("\n", " ")
    assert all(name in flat for name in members)

    # The spreadsheets open, with the "Om" sheet marked.
    for name in ("ressursoversikt.xlsx", "varslingsliste.xlsx"):
        book = load_workbook(folder / name, read_only=True)
        assert book.sheetnames[0] == "Om" and len(book.sheetnames) >= 2, name
        assert next(book["Om"].iter_rows(max_row=1, values_only=True))[0] == MARKING

    # The GeoPackage: four layers, a site per feature, the 24/7 contacts for the duty officer.
    geopackage = folder / GEOPACKAGE
    layers = {name: kind for name, kind in pyogrio.list_layers(geopackage)}
    assert layers == {
        "sites": "Point",
        "organisation_bases": "Point",
        "agreement_service_areas": "MultiPolygon",
        "equipment_per_site": "Point",
    }
    sites = pyogrio.read_info(geopackage, layer="sites")
    assert sites["features"] == session.scalar(select(func.count(Site.id)))
    assert sites["crs"] == "EPSG:4326"
    assert (
        "contact_24_7_phone" in pyogrio.read_info(geopackage, layer="organisation_bases")["fields"]
    )
    ogrinfo = subprocess.run(
        [OGRINFO, "-ro", "-so", str(geopackage), "sites"], capture_output=True, text=True
    )
    assert ogrinfo.returncode == 0, ogrinfo.stderr
    assert f"Feature Count: {sites['features']}" in ogrinfo.stdout

    # One audited read, counting the people listed with their numbers.
    [entry] = _audited(session)
    assert entry.actor == "cli snapshot"
    assert entry.after["read"] == f"snapshot.folder {folder}"
    assert entry.after["count"] == session.scalar(
        select(func.count(func.distinct(Volunteer.id)))
        .join(Membership, Membership.volunteer_id == Volunteer.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            Organisation.active.is_(True),
            Volunteer.active.is_(True),
            Volunteer.sms_consent.is_(True),
        )
    )


def test_the_command_keeps_the_newest_n(
    cli_database: None, session: Session, tmp_path: Path
) -> None:
    seed_demo(session)
    session.commit()
    old = [tmp_path / f"beredskap-2020-01-0{day}T0200" for day in (1, 2, 3)]
    for path in old:
        path.mkdir()
        (path / MANIFEST).write_text("an old snapshot\n", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    done = CliRunner().invoke(cli, ["snapshot", "--out", str(tmp_path), "--keep", "2"])
    assert done.exit_code == 0, done.output
    assert "removed 2 older snapshot(s)" in done.output
    kept = snapshots(tmp_path)
    assert len(kept) == 2 and kept[0] == old[2] and kept[1].name.startswith("beredskap-20")
    assert (tmp_path / "notes").is_dir()


def test_a_file_as_the_folder_is_refused(cli_database: None, tmp_path: Path) -> None:
    target = tmp_path / "binder"
    target.write_text("not a folder\n", encoding="utf-8")
    done = CliRunner().invoke(cli, ["snapshot", "--out", str(target)])
    assert done.exit_code == 2
    assert "exists and is not a folder" in done.output
    assert target.read_text(encoding="utf-8") == "not a folder\n"
    assert [path.name for path in tmp_path.iterdir()] == ["binder"]
    bad_keep = CliRunner().invoke(cli, ["snapshot", "--out", str(tmp_path), "--keep", "0"])
    assert bad_keep.exit_code == 2
    assert [path.name for path in tmp_path.iterdir()] == ["binder"]


def test_a_document_failing_midway_leaves_no_snapshot(session: Session, tmp_path: Path) -> None:
    seed_demo(session)
    session.commit()

    def broken(_session: Session, _extraction: object) -> bytes:
        raise RuntimeError("the report failed")

    documents = (DOCUMENTS[0], Document("broken.pdf", broken), *DOCUMENTS[1:])
    extraction = system_extraction(Settings(), "test")
    with pytest.raises(RuntimeError, match="the report failed"):
        write_snapshot(session, extraction, tmp_path, documents=documents)
    assert list(tmp_path.iterdir()) == []  # not even the partial folder
    assert _audited(session) == []


def test_the_nightly_job_writes_once_a_day_when_configured(
    session: Session, tmp_path: Path
) -> None:
    seed_demo(session)
    session.commit()
    noon = datetime.now(NORWAY).replace(hour=12, minute=0, second=0, microsecond=0)
    # Not configured: nothing, whatever the hour.
    assert jobs.run_nightly(_context(session, Settings(snapshot_dir=None)), noon) is None
    folder = tmp_path / "nightly"
    settings = Settings(snapshot_dir=folder, snapshot_hour=13, snapshot_keep=2)
    # Before its hour: nothing yet.
    assert jobs.run_nightly(_context(session, settings), noon) is None
    assert not folder.exists()

    foreign = folder / "beredskap-notes"
    foreign.mkdir(parents=True)
    older = []
    for day in (1, 2):
        path = folder / f"beredskap-2020-01-0{day}T0200"
        path.mkdir()
        (path / MANIFEST).write_text("old\n", encoding="utf-8")
        older.append(path)
    at_hour = noon.replace(hour=13, minute=5)
    written = jobs.run_nightly(_context(session, settings), at_hour)
    assert written is not None and written.name == f"beredskap-{at_hour:%Y-%m-%dT%H%M}"
    assert {path.name for path in written.iterdir()} == FILES
    assert snapshots(folder) == [older[1], written]  # the newest 2 kept
    assert foreign.is_dir()
    [entry] = _audited(session)
    assert entry.actor == jobs.ACTOR
    assert "beredskap snapshot (nightly job)" in (written / MANIFEST).read_text(encoding="utf-8")

    # Later looks the same day find today's snapshot and write nothing.
    assert jobs.run_nightly(_context(session, settings), at_hour + timedelta(hours=3)) is None
    assert len(snapshots(folder)) == 2 and len(_audited(session)) == 1


def test_the_nightly_job_leaves_no_snapshot_when_it_fails(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_demo(session)
    session.commit()
    from reports.snapshot import writer

    def broken(*_args: object, **_kwargs: object) -> dict[str, int]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "write_geopackage", broken)
    settings = Settings(snapshot_dir=tmp_path, snapshot_hour=0)
    with pytest.raises(OSError, match="No space left"):
        jobs.run_nightly(_context(session, settings), utcnow())
    assert list(tmp_path.iterdir()) == []
    assert os.access(tmp_path, os.W_OK)
