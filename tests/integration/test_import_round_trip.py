"""Round trip (issue 15): the CSV the export writes for each import kind imports back with
every row unchanged and nothing written, on both backends."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.db import Base
from beredskap.register.export.archive import DirectoryTarget, export_all
from beredskap.register.imports.reading import read_table
from beredskap.register.imports.service import run_import
from beredskap.register.inventory.models import Equipment
from beredskap.register.organisations.models import Organisation
from tests.integration.test_layers import build_world
from tests.support.api import ApiHarness
from tests.support.callouts import at, volunteer

FILES = {
    "organisations": "organisations.csv",
    "sites": "sites.csv",
    "equipment": "equipment.csv",
    "volunteers": "volunteers.csv",
    "qualifications": "volunteer_qualifications.csv",
}


def _changes(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity != "import")
        )
        or 0
    )


@pytest.fixture
def exported(api: ApiHarness, tmp_path: Path) -> Path:
    session = api.session
    build_world(session)
    owner = session.scalars(
        select(Organisation).where(Organisation.name == "Nitelva Hjelpekorps")
    ).one()
    person = volunteer(session, 77, at(0, 1_000), ["first_aid"], owner)
    person.email = "frivillig77@example.org"
    # Every column the import reads, filled somewhere: an umbrella, municipality numbers, an
    # identified line with dates and notes beside the world's stock lines.
    oslo = session.scalars(select(Organisation).where(Organisation.name == "Oslo Sanitet")).one()
    oslo.umbrella_organisation = owner
    owner.municipality_numbers = ["3205", "3030"]
    line = session.scalars(select(Equipment).where(Equipment.organisation_id == owner.id)).first()
    assert line is not None
    session.add(
        Equipment(
            organisation_id=owner.id,
            site_id=line.site_id,
            resource_type_id=line.resource_type_id,
            quantity=1,
            identifier="AB 12345",
            last_inspected_on=date(2026, 5, 1),
            next_inspection_due=date(2027, 5, 1),
            notes="Står bakerst; «nøkkel» i skapet, linje 2",
        )
    )
    session.commit()
    export_all(session, Base.metadata, DirectoryTarget(tmp_path), personal=True)
    return tmp_path


@pytest.mark.parametrize("kind", list(FILES))
def test_the_exported_csv_imports_back_unchanged(
    api: ApiHarness, exported: Path, kind: str
) -> None:
    session = api.session
    session.info["actor"] = "test round trip"
    data = (exported / FILES[kind]).read_bytes()
    table = read_table(data, FILES[kind])
    assert table.rows, f"the export wrote no {kind}"
    before = _changes(session)
    report = run_import(session, kind, table, source=FILES[kind])
    assert [error.as_problem() for error in report.errors] == []
    assert report.counts() == {
        "rows": len(table.rows),
        "created": 0,
        "updated": 0,
        "unchanged": len(table.rows),
    }
    session.commit()
    assert _changes(session) == before


def test_a_name_column_stands_in_and_unknown_columns_count_outside_an_export(
    api: ApiHarness,
) -> None:
    session = api.session
    named = read_table(
        b"organisation_name;site_name;resource_type_code;quantity\n"
        b"Eget Hjelpekorps;Eget lager;generator;2\n",
        "x.csv",
    )
    report = run_import(session, "equipment", named, dry_run=True)
    assert report.ok and report.created == 1
    # Without the export's id/version/created_at/updated_at, an unknown column is an error.
    odd = read_table(
        b"organisation_name;site_name;resource_type_code;colour\n"
        b"Eget Hjelpekorps;Eget lager;generator;red\n",
        "x.csv",
    )
    report = run_import(session, "equipment", odd, dry_run=True)
    assert [error.code for error in report.errors] == ["unknown column %(column)s"]
