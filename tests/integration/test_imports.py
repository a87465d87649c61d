"""Spreadsheet imports (issue 15) on both backends: all or nothing with every bad row
reported, idempotent with updates counted, CSV (`;` and `,`, UTF-8 and Windows-1252) and
XLSX, the API's roles and its answers to any file (4xx, never 500), and the command's exit
codes."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from geoalchemy2.shape import to_shape
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from beredskap.main import import_cli
from beredskap.main.cli import app as cli
from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role
from beredskap.platform.runtime import Database
from beredskap.register.imports.reading import read_table
from beredskap.register.imports.service import run_import
from beredskap.register.imports.template import template_csv, template_xlsx
from beredskap.register.inventory.models import Equipment, EquipmentStatus
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.volunteers.models import ConsentChannel, Volunteer
from tests.support.api import ApiHarness

HEADINGS = "Organisasjon;Lagringssted;Ressurstype;Antall;Identifikator;Status;Neste kontroll"
GOOD = [
    "Eget Hjelpekorps;Eget lager;generator;2;;Klar;31.03.2027",
    "Eget Hjelpekorps;eget LAGER;ATV;1;AB 12345;i bruk;",
    "Annet Sanitetslag;Annet lager;Aggregat;;;;2027-06-01",
]


def _csv(lines: list[str], *, delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    text = "\r\n".join([HEADINGS, *lines]).replace(";", delimiter)
    return text.encode(encoding)


def _import(session: Session, data: bytes, kind: str = "equipment", **options: Any) -> Any:
    return run_import(session, kind, read_table(data, options.pop("name", "")), **options)


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def db(api: ApiHarness) -> Session:
    """The harness's session (its organisations, sites and users), audited as 'test'."""
    api.session.info["actor"] = "test import"
    return api.session


# The import itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8"), (",", "utf-8-sig"), (";", "cp1252"), ("\t", "utf-8")],
)
def test_csv_dialects_import_and_again_change_nothing(
    db: Session, delimiter: str, encoding: str
) -> None:
    data = _csv(GOOD, delimiter=delimiter, encoding=encoding)
    first = _import(db, data, name="utstyr.csv")
    assert first.ok, first.errors
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    atv = db.scalars(select(Equipment).where(Equipment.identifier == "AB 12345")).one()
    assert atv.status == EquipmentStatus.IN_USE and atv.quantity == 1
    audit = _count(db, AuditEntry)

    again = _import(db, data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert _count(db, Equipment) == 3
    # Only the import's own summary entry: no record changed.
    assert _count(db, AuditEntry) == audit + 1


def test_changed_rows_count_as_updates(db: Session) -> None:
    assert _import(db, _csv(GOOD)).ok
    changed = [GOOD[0].replace(";2;", ";5;"), GOOD[1], GOOD[2].replace("2027-06-01", "")]
    report = _import(db, _csv(changed))
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    by_site = {(e.site.name, e.quantity): e for e in db.scalars(select(Equipment))}
    assert set(by_site) == {("Eget lager", 5), ("Eget lager", 1), ("Annet lager", 1)}
    assert by_site[("Annet lager", 1)].next_inspection_due is None
    summary = db.scalars(
        select(AuditEntry).where(AuditEntry.entity == "import").order_by(AuditEntry.id.desc())
    ).first()
    assert summary is not None and summary.actor == "test import"
    assert summary.after == {
        "kind": "equipment",
        "file": "",
        "rows": 3,
        "created": 0,
        "updated": 2,
        "unchanged": 1,
    }


def test_all_or_nothing_reports_every_bad_row(db: Session) -> None:
    before = (_count(db, Equipment), _count(db, AuditEntry))
    rows = [
        GOOD[0],
        "Ingen slik;Eget lager;generator;1;;;",  # unknown organisation
        "Eget Hjelpekorps;Annet lager;tulletype;mange;;Knust;32.13.2027",  # site, type, qty...
        "Eget Hjelpekorps;Eget lager;atv;3;REG1;;",  # an identified item has quantity 1
        GOOD[0],  # the same line twice
    ]
    report = _import(db, _csv(rows))
    assert not report.ok
    found = {(e.row, e.column) for e in report.errors}
    assert {
        (3, "Organisasjon"),
        (4, "Lagringssted"),
        (4, "Ressurstype"),
        (4, "Antall"),
        (4, "Status"),
        (4, "Neste kontroll"),
        (5, "Identifikator"),
        (6, "Ressurstype"),
    } <= found
    codes = {e.code for e in report.errors}
    assert "no organisation with the number or name %(key)s" in codes
    assert "the same equipment line as row %(row)s" in codes
    assert (_count(db, Equipment), _count(db, AuditEntry)) == before


def test_headings_unknown_missing_or_english(db: Session) -> None:
    bad = b"Organisasjon;Ressurstype;Farge\nEget Hjelpekorps;generator;gul\n"
    report = _import(db, bad)
    assert {(e.row, e.column, e.code) for e in report.errors} == {
        (1, "Farge", "unknown column %(column)s"),
        (1, "Lagringssted", "the column %(column)s is missing"),
    }
    english = b"organisation,site,resource type,quantity\nEget Hjelpekorps,Eget lager,generator,4\n"
    assert _import(db, english).created == 1


def test_dry_run_counts_and_writes_nothing(db: Session) -> None:
    before = (_count(db, Equipment), _count(db, AuditEntry))
    report = _import(db, _csv(GOOD), dry_run=True)
    assert report.ok and report.created == 3
    assert (_count(db, Equipment), _count(db, AuditEntry)) == before


def test_an_org_editor_imports_only_its_own(db: Session, api: ApiHarness) -> None:
    report = _import(db, _csv(GOOD), may_edit=lambda organisation_id: organisation_id == api.own.id)
    assert report.forbidden
    assert [(e.row, e.column) for e in report.errors if e.forbidden] == [(4, "Organisasjon")]


def test_xlsx_from_the_template(db: Session) -> None:
    workbook = load_workbook(io.BytesIO(template_xlsx("equipment")))
    assert workbook.sheetnames == ["Data", "Forklaring"]
    explained = {row[0]: row for row in workbook["Forklaring"].iter_rows(values_only=True)}
    assert "Klar" in explained["Status"][2] and explained["Organisasjon"][1] == "ja"
    sheet = workbook["Data"]
    headings = [cell.value for cell in sheet[1]]
    row = dict.fromkeys(headings, None) | {
        "Organisasjon": "Eget Hjelpekorps",
        "Lagringssted": "Eget lager",
        "Ressurstype": "generator",
        "Antall": 7,
        "Neste kontroll": datetime(2027, 3, 31),
    }
    sheet.append([row[h] for h in headings])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = _import(db, buffer.getvalue(), name="utstyr.xlsx")
    assert report.ok and report.created == 1, report.errors
    line = db.scalars(select(Equipment).where(Equipment.quantity == 7)).one()
    assert str(line.next_inspection_due) == "2027-03-31"
    assert _import(db, buffer.getvalue()).unchanged == 1
    assert template_csv("equipment").decode("utf-8-sig").startswith("Organisasjon;Lagringssted")


def test_organisations_import_matches_by_number_then_name(db: Session, api: ApiHarness) -> None:
    data = (
        "Navn;Organisasjonsnummer;Kategori;Telefon døgnvakt;Kommunenummer;"
        "Paraplyorganisasjon;Aktiv\n"
        "Ny Speidergruppe;;Speidergruppe;+47 912 34 567;3205, 3030;;ja\n"
        "Eget Hjelpekorps;149090479;Hjelpekorps;;3205;Ny Speidergruppe;\n"
        "Under Ny;;other;;;Ny Speidergruppe;nei\n"
    ).encode("cp1252")
    report = _import(db, data, kind="organisations")
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    db.refresh(api.own)
    assert api.own.organisation_number == "149090479"
    assert api.own.umbrella_organisation is not None
    assert api.own.umbrella_organisation.name == "Ny Speidergruppe"
    new = db.scalars(select(Organisation).where(Organisation.name == "Ny Speidergruppe")).one()
    assert new.contact_24_7_phone == "+4791234567" and new.municipality_numbers == ["3030", "3205"]
    again = _import(db, data, kind="organisations")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    bad = b"Navn;Organisasjonsnummer;Kategori\nA;123;Hjelpekorps\n;;Hjelpekorps\nB;;nope\n"
    errors = {(e.row, e.column) for e in _import(db, bad, kind="organisations").errors}
    assert errors == {(2, "Organisasjonsnummer"), (3, "Navn"), (4, "Kategori")}


def test_sites_import_by_coordinates_or_utm_and_again_unchanged(
    db: Session, api: ApiHarness
) -> None:
    data = (
        "Organisasjon;Navn;Type;Breddegrad;Lengdegrad;UTM-sone;Øst;Nord;Adresse;Døgntilgang\n"
        "Eget Hjelpekorps;Nytt lager;Lager;59,95;11,05;;;;Storgata 1;ja\n"
        ";Kommunelager;storage;;;33;277000;6655000;;nei\n"
        "Eget Hjelpekorps;Eget lager;Base;;;;;;Ny adresse;\n"
    ).encode("cp1252")
    report = _import(db, data, kind="sites")
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    db.refresh(api.own_site)
    assert api.own_site.address == "Ny adresse" and api.own_site.kind == "base"
    municipal = db.scalars(select(Site).where(Site.name == "Kommunelager")).one()
    assert municipal.organisation_id is None
    point = to_shape(municipal.location)
    assert 59.9 < point.y < 60.1 and 10.9 < point.x < 11.2
    again = _import(db, data, kind="sites")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    bad = "Organisasjon;Navn;Type;Breddegrad;Lengdegrad\nX;A;Lager;48.85;2.35\n;B;Slott;abc;\n"
    errors = {(e.row, e.column) for e in _import(db, bad.encode(), kind="sites").errors}
    assert errors == {(2, "Organisasjon"), (2, "Breddegrad"), (3, "Type"), (3, "Breddegrad")}


def test_volunteers_and_qualifications_by_mobile(db: Session, api: ApiHarness) -> None:
    people = (
        "Navn;Mobil;E-post;Organisasjon;Rolle;SMS-samtykke;Tilgjengelighet\n"
        "Kari Nordmann;+44 7700 900999;kari@example.org;Eget Hjelpekorps;mannskap;ja;\n"
        "Ola Nordmann;+447700900998;;Annet Sanitetslag;;nei;Delvis tilgjengelig\n"
    ).encode("cp1252")
    report = _import(db, people, kind="volunteers")
    assert report.ok, report.errors
    assert report.created == 2
    kari = db.scalars(select(Volunteer).where(Volunteer.mobile == "+447700900999")).one()
    assert kari.sms_consent is True
    assert [e.channel for e in kari.consent_events] == [ConsentChannel.IMPORT]
    assert [(m.organisation_id, m.role) for m in kari.memberships] == [(api.own.id, "mannskap")]
    assert _import(db, people, kind="volunteers").unchanged == 2
    # A second organisation is added beside the first; consent withdrawn by STOP stays so.
    kari.change_consent(False, ConsentChannel.SMS)
    db.flush()
    other = people.replace(b"Eget Hjelpekorps;mannskap", b"Annet Sanitetslag;leder")
    refused = _import(db, other, kind="volunteers")
    assert [(e.row, e.code[:40]) for e in refused.errors] == [
        (2, "this volunteer withdrew consent by reply")
    ]
    other = other.replace(b";ja;", b";nei;")
    assert _import(db, other, kind="volunteers").updated == 1
    db.refresh(kari)
    assert {m.organisation_id for m in kari.memberships} == {api.own.id, api.other.id}

    held = (
        "Mobil;Kvalifikasjon;Oppnådd;Utløper\n"
        "+447700900999;Førstehjelp;01.02.2025;01.02.2028\n"
        "+447700900998;first_aid;;\n"
        "+447700900997;tull;32.01.2025;\n"
    ).encode()
    bad = _import(db, held, kind="qualifications")
    assert {(e.row, e.column) for e in bad.errors} == {
        (4, "Mobil"),
        (4, "Kvalifikasjon"),
        (4, "Oppnådd"),
    }
    good = held.rsplit(b"+447700900997", 1)[0]
    assert _import(db, good, kind="qualifications").created == 2
    assert _import(db, good, kind="qualifications").unchanged == 2
    later = good.replace(b"01.02.2028", b"01.02.2029")
    assert (_import(db, later, kind="qualifications").updated) == 1
    db.refresh(kari)
    assert [str(q.expires_on) for q in kari.qualifications] == ["2029-02-01"]


# The API -------------------------------------------------------------------------------------

URL = "/api/v1/imports"


def _upload(
    api: ApiHarness, role: Role, data: bytes, kind: str = "equipment", name: str = "u.csv", **q: Any
) -> Any:
    return api.post(role, f"{URL}/{kind}", params=q, files={"file": (name, data)})


def test_api_imports_with_counts_and_dry_run(api: ApiHarness) -> None:
    before = api.counts(Equipment)
    dry = _upload(api, Role.ADMIN, _csv(GOOD), dry_run="true")
    assert dry.status_code == 200, dry.text
    assert dry.json() == {
        "kind": "equipment",
        "dry_run": True,
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    assert api.counts(Equipment) == before
    done = _upload(api, Role.ADMIN, _csv(GOOD))
    assert done.status_code == 200 and done.json()["created"] == 3
    again = _upload(api, Role.ADMIN, _csv(GOOD))
    assert again.json()["unchanged"] == 3


def test_api_answers_bad_rows_with_422_and_writes_nothing(api: ApiHarness) -> None:
    before = api.counts(Equipment)
    response = _upload(api, Role.ADMIN, _csv([GOOD[0], "X;Y;Z;-3;;;"]))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    assert {(e["row"], e["column"]) for e in errors} == {
        (3, "Organisasjon"),
        (3, "Ressurstype"),
        (3, "Antall"),
    }
    assert all({"message", "code", "params"} <= e.keys() for e in errors)
    assert api.counts(Equipment) == before


def test_api_roles(api: ApiHarness) -> None:
    own_only = _csv([GOOD[0]])
    assert _upload(api, Role.ORG_EDITOR, own_only).status_code == 200
    refused = _upload(api, Role.ORG_EDITOR, _csv(GOOD))
    assert refused.status_code == 403
    assert [e["row"] for e in refused.json()["errors"]] == [4]
    organisations = b"Navn;Kategori\nNy;Annet\n"
    assert _upload(api, Role.ORG_EDITOR, organisations, kind="organisations").status_code == 403
    assert _upload(api, Role.ADMIN, organisations, kind="organisations").status_code == 200
    for role in (Role.COUNCIL, Role.DUTY_OFFICER, Role.PLANNER):
        assert _upload(api, role, own_only).status_code == 403, role
    assert _upload(api, None, own_only).status_code == 401
    unknown = api.post(Role.ADMIN, f"{URL}/boats", files={"file": ("a.csv", b"x")})
    assert unknown.status_code == 422


def _zip_garbage() -> bytes:
    return b"PK\x03\x04" + os.urandom(2000)


def _workbook(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.csv", b""),
        ("blank.csv", b"\r\n \r\n;;;\r\n"),
        ("random.bin", bytes(range(256)) * 20),
        ("nul.csv", b"Organisasjon\x00;x\n"),
        ("not-a-zip.xlsx", _zip_garbage()),
        ("text.xlsx", b"Organisasjon;Lagringssted\n"),
        ("empty.xlsx", _workbook([])),
        ("wrong-sheet.xlsx", _workbook([["Farge", "Form"], ["gul", "rund"]])),
        ("huge-cell.xlsx", _workbook([HEADINGS.split(";"), ["x" * 32_000] * 7])),
        ("huge-field.csv", b'Organisasjon;Lagringssted\n"' + b"x" * 200_000 + b'";y\n'),
        ("unclosed-quote.csv", b'Organisasjon;Lagringssted\n"Eget;Eget lager\n'),
        ("latin1.csv", "Organisasjon;Lagringssted;Ressurstype\n\x81\x8d;ø;å\n".encode("latin-1")),
        ("many-columns.csv", (";".join(["x"] * 500) + "\n").encode()),
    ],
)
def test_api_never_500s_on_a_bad_file(api: ApiHarness, name: str, data: bytes) -> None:
    response = _upload(api, Role.ADMIN, data, name=name)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/problem+json")
    assert len(response.text) < 50_000  # a huge cell is not echoed back whole


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=xyz", b"--xyz\r\ngarbage\r\n"),
        ("multipart/form-data", b"no boundary at all"),
        ("application/json", b'{"file": "Organisasjon;Lagringssted"}'),
        ("text/csv", b"Organisasjon;Lagringssted\n"),
    ],
)
def test_api_answers_a_body_that_is_no_upload_with_4xx(
    api: ApiHarness, content_type: str, body: bytes
) -> None:
    headers = api.headers(Role.ADMIN) | {"content-type": content_type}
    response = api.client.post(f"{URL}/equipment", content=body, headers=headers)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])


def test_api_takes_a_file_larger_than_other_routes_accept(api: ApiHarness) -> None:
    filler = "Eget Hjelpekorps;Eget lager;generator;1;;Klar;\r\n" * 40_000  # about 1.9 MB
    data = (HEADINGS + "\r\n" + filler).encode()
    assert len(data) > 1_048_576
    response = _upload(api, Role.ADMIN, data, dry_run="true")
    assert response.status_code == 422  # read and checked (the same line many times), not 413
    assert response.json()["errors"][0]["code"] == "the same equipment line as row %(row)s"
    too_big = api.post(Role.ADMIN, EQUIPMENT_API, content=b"x" * 1_100_000)
    assert too_big.status_code == 413


EQUIPMENT_API = "/api/v1/equipment"


# The command ---------------------------------------------------------------------------------


@pytest.fixture
def cli_database(api: ApiHarness, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The command's database is the test's (inside its rolled-back transaction)."""
    bind = api.session.get_bind()
    factory = sessionmaker(bind=bind, join_transaction_mode="create_savepoint")
    engine: Engine = getattr(bind, "engine", bind)
    monkeypatch.setattr(
        import_cli, "open_database", lambda _settings: Database(engine=engine, sessions=factory)
    )
    yield


def test_cli_exit_codes(cli_database: None, api: ApiHarness, tmp_path: Path) -> None:
    runner = CliRunner()
    good = tmp_path / "utstyr.csv"
    good.write_bytes(_csv(GOOD, encoding="cp1252"))
    before = api.counts(Equipment)
    dry = runner.invoke(cli, ["import", "equipment", str(good), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "3 would be created" in dry.output
    assert api.counts(Equipment) == before
    done = runner.invoke(cli, ["import", "equipment", str(good)])
    assert done.exit_code == 0 and "3 were created" in done.output
    again = runner.invoke(cli, ["import", "equipment", str(good)])
    assert again.exit_code == 0 and "3 unchanged" in again.output

    bad = tmp_path / "feil.csv"
    bad.write_bytes(_csv(["X;Eget lager;generator;1;;;", "Eget Hjelpekorps;Eget lager;nope;1;;;"]))
    refused = runner.invoke(cli, ["import", "equipment", str(bad)])
    assert refused.exit_code == 1
    assert "row 2, Organisasjon" in refused.output and "row 3, Ressurstype" in refused.output
    garbage = tmp_path / "g.xlsx"
    garbage.write_bytes(_zip_garbage())
    assert runner.invoke(cli, ["import", "equipment", str(garbage)]).exit_code == 1
    assert runner.invoke(cli, ["import", "boats", str(good)]).exit_code == 2
    assert runner.invoke(cli, ["import", "equipment", str(tmp_path / "none.csv")]).exit_code == 2

    template = tmp_path / "mal.xlsx"
    made = runner.invoke(cli, ["import", "template", "organisations", str(template)])
    assert made.exit_code == 0, made.output
    assert load_workbook(template).sheetnames == ["Data", "Forklaring"]
    as_csv = tmp_path / "mal.csv"
    assert runner.invoke(cli, ["import", "template", "equipment", str(as_csv)]).exit_code == 0
    assert as_csv.read_bytes().startswith(b"\xef\xbb\xbfOrganisasjon;")
