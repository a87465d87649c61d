"""Kartverket's place names in (issue 18, item 1, optional part) on both backends: the sample
GML keeps the municipality's places (a point, a centre line, a multipoint in two
municipalities, a point given latitude first in EPSG:4258), leaves out another municipality's,
reports a place without a position; the same file again changes nothing, a dry run writes
nothing, a changed file replaces the set, what is not the download writes nothing; zipped too;
the command; and the place search finds them, without diacritics too."""

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
from beredskap.platform.auth.models import Role
from beredskap.platform.runtime import Database
from beredskap.register.addresses import search
from beredskap.register.addresses.models import PlaceName
from beredskap.register.addresses.resolve import locate
from beredskap.register.imports.place_names import (
    PlaceFileError,
    PlaceReport,
    import_place_names,
)
from tests.support.api import ApiHarness

SAMPLE = Path(__file__).parent.parent / "data" / "places_sample.gml"
FIRST = {
    "municipality": "3205",
    "read": 6,
    "in_municipality": 4,
    "names": 5,  # Lillestrøm's older spelling is a name of its own to search by
    "created": 5,
    "updated": 0,
    "unchanged": 0,
    "removed": 0,
    "malformed": 1,
}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    search.forget()
    yield
    search.forget()


def run_bytes(session: Session, data: bytes, **options: object) -> PlaceReport:
    return import_place_names(
        session, io.BytesIO(data), municipality_number="3205", source="sample.gml",
        **options,  # type: ignore[arg-type]
    )  # fmt: skip


def _names(session: Session) -> dict[tuple[int, str], PlaceName]:
    session.expire_all()
    return {(p.place_id, p.name_key): p for p in session.scalars(select(PlaceName))}


def _summaries(session: Session) -> int:
    query = (
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.entity == "import", AuditEntry.entity_id == "place_names")
    )
    return int(session.scalar(query) or 0)


def test_the_sample_is_imported_and_again_changes_nothing(api: ApiHarness) -> None:
    session = api.session
    report = run_bytes(session, SAMPLE.read_bytes())
    assert report.counts() == FIRST
    assert report.problems == ["place 5: no position"]
    stored = _names(session)
    assert set(stored) == {
        (100001, "lillestrom"),
        (100001, "lillestrom stasjonsby"),
        (100002, "nitelva"),
        (100003, "oyeren"),
        (100006, "kjeller"),
    }
    lillestrom = stored[(100001, "lillestrom")]
    assert (lillestrom.name, lillestrom.kind, lillestrom.importance) == ("Lillestrøm", "by", 3)
    assert stored[(100001, "lillestrom stasjonsby")].name == "Lillestrøm"  # shown by its name
    point = to_shape(lillestrom.point)
    assert (round(point.y, 3), round(point.x, 3)) == (59.956, 11.049)
    kjeller = to_shape(stored[(100006, "kjeller")].point)  # EPSG:4258, latitude first
    assert (round(kjeller.y, 3), round(kjeller.x, 3)) == (59.972, 11.039)
    nitelva = to_shape(stored[(100002, "nitelva")].point)  # the middle of its centre line
    assert 59.94 < nitelva.y < 59.97
    assert _summaries(session) == 1

    again = run_bytes(session, SAMPLE.read_bytes())
    assert again.counts() == FIRST | {"created": 0, "unchanged": 5}


def test_a_dry_run_writes_nothing_and_a_changed_file_replaces_the_set(api: ApiHarness) -> None:
    session = api.session
    assert run_bytes(session, SAMPLE.read_bytes(), dry_run=True).created == 5
    assert _names(session) == {} and _summaries(session) == 0
    run_bytes(session, SAMPLE.read_bytes())
    changed = SAMPLE.read_text(encoding="utf-8").replace(
        "<app:navneobjekttype>elv<", "<app:navneobjekttype>bekk<"
    )
    written = "</app:komplettskrivemåte>"
    changed = changed.replace(f"Kjeller{written}", f"Kjeller sentrum{written}")
    report = run_bytes(session, changed.encode())
    assert (report.created, report.updated, report.removed, report.unchanged) == (1, 1, 1, 3)
    stored = _names(session)
    assert stored[(100002, "nitelva")].kind == "bekk"
    assert (100006, "kjeller sentrum") in stored and (100006, "kjeller") not in stored


def test_zipped_too(api: ApiHarness) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Basisdata_3205_Lillestrom_25833_Stedsnavn_GML.gml", SAMPLE.read_bytes())
    assert run_bytes(api.session, buffer.getvalue()).counts() == FIRST


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"lokalid;kommunenummer\n1;3205\n", "not a readable place-name file"),
        (b"<?xml version='1.0'?><a><b/></a>", "no app:Sted"),
        (b"<gml:FeatureCollection", "not a readable place-name file"),
        (b"PK\x03\x04 broken", "not a readable zip"),
    ],
)
def test_what_is_not_the_download_writes_nothing(
    api: ApiHarness, data: bytes, message: str
) -> None:
    with pytest.raises(PlaceFileError, match=message):
        run_bytes(api.session, data)
    assert _names(api.session) == {} and _summaries(api.session) == 0


def test_the_place_search_finds_them(api: ApiHarness) -> None:
    run_bytes(api.session, SAMPLE.read_bytes())
    api.session.commit()
    for typed, label in [
        ("Lillestrom", "Lillestrøm (by)"),
        ("lillestroem", "Lillestrøm (by)"),
        ("Oyeren", "Øyeren (innsjø)"),
        ("Nitelv", "Nitelva (elv)"),
        ("Lillestrøm stasjonsby", "Lillestrøm (by)"),
    ]:
        response = api.get(Role.DUTY_OFFICER, "/api/v1/places", params={"q": typed})
        assert response.status_code == 200
        first = response.json()["results"][0]
        assert (first["label"], first["kind"]) == (label, "place"), typed
    located = locate(api.session, "Oyeren")
    assert located.found is not None and located.found.label == "Øyeren (innsjø)"
    # A place is found once, by whichever of its spellings.
    labels = [p.label for p in search.search(api.session, "Lillestrom", 10)]
    assert labels.count("Lillestrøm (by)") == 1


def test_the_command(api: ApiHarness, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The command's database is the test's (inside its rolled-back transaction).
    bind = api.session.get_bind()
    factory = sessionmaker(bind=bind, join_transaction_mode="create_savepoint")
    engine: Engine = getattr(bind, "engine", bind)
    monkeypatch.setattr(
        download_cli, "open_database", lambda _settings: Database(engine=engine, sessions=factory)
    )
    monkeypatch.setenv("BEREDSKAP_MUNICIPALITY_NUMBER", "3205")
    runner = CliRunner()
    dry = runner.invoke(cli, ["import", "places", str(SAMPLE), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "places: 6 places read, 4 in municipality 3205 with 5 names" in dry.output
    assert "place 5: no position (skipped)" in dry.output
    assert "(dry run: nothing written)" in dry.output and _names(api.session) == {}
    done = runner.invoke(cli, ["import", "places", str(SAMPLE)])
    assert done.exit_code == 0 and "5 were created" in done.output, done.output
    broken = tmp_path / "broken.gml"
    broken.write_bytes(b"<nope")
    failed = runner.invoke(cli, ["import", "places", str(broken)])
    assert failed.exit_code == 1 and "nothing was imported" in failed.output
