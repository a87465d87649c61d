"""Bad input is refused with a clear message, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from shapely.geometry import Point
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.errors import DomainValidationError
from beredskap.register.inventory.models import Equipment, EquipmentStatus, ResourceType
from beredskap.register.organisations.models import Organisation, Site, SiteKind
from beredskap.register.volunteers.models import Volunteer


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Organisation, Site, Equipment, Volunteer, AuditEntry)
    )


@pytest.fixture
def site(session: Session) -> Site:
    organisation = Organisation(name="Nitelva Hjelpekorps", category="first_aid_corps")
    site = Site(
        organisation=organisation, name="Lager", kind=SiteKind.STORAGE, location=Point(11.05, 59.95)
    )
    session.add_all([organisation, site])
    session.commit()  # a savepoint inside the test transaction
    return site


def _organisation(**overrides: Any) -> Organisation:
    fields: dict[str, Any] = {"name": "Fetsund Sanitetsforening", "category": "health_association"}
    return Organisation(**(fields | overrides))


def _volunteer(**overrides: Any) -> Volunteer:
    fields: dict[str, Any] = {"full_name": "Kari Testesen", "mobile": "+447700900001"}
    return Volunteer(**(fields | overrides))


BAD_INPUT: list[tuple[str, Callable[[Site], object], str, str]] = [
    (
        "wrong check digit",
        lambda s: _organisation(organisation_number="974760674"),
        "organisation_number",
        "check digit",
    ),
    (
        "organisation number too short",
        lambda s: _organisation(organisation_number="12345"),
        "organisation_number",
        "9 digits",
    ),
    (
        "landline as mobile",
        lambda s: _volunteer(mobile="+47 22 12 34 56"),
        "mobile",
        "not a mobile",
    ),
    ("malformed mobile", lambda s: _volunteer(mobile="12ab"), "mobile", "phone number"),
    (
        "latitude of 123",
        lambda s: _organisation(home_base=Point(10.75, 123.0)),
        "home_base",
        "not a coordinate",
    ),
    (
        "swapped lat/lon",
        lambda s: Site(
            organisation_id=s.organisation_id, name="X", kind="storage", location=Point(59.9, 10.7)
        ),
        "location",
        "swapped",
    ),
    (
        "quantity of -1",
        lambda s: Equipment(
            organisation_id=s.organisation_id, site_id=s.id, resource_type_id=1, quantity=-1
        ),
        "quantity",
        "between 1 and",
    ),
    (
        "unknown status",
        lambda s: Equipment(
            organisation_id=s.organisation_id, site_id=s.id, resource_type_id=1, status="lost"
        ),
        "status",
        "not one of",
    ),
    ("unknown category", lambda s: _organisation(category="pirates"), "category", "not one of"),
    ("empty name", lambda s: _organisation(name="   "), "name", "required"),
    ("100k-character name", lambda s: _organisation(name="x" * 100_000), "name", "at most 200"),
    ("bad e-mail", lambda s: _volunteer(email="kari(at)example.org"), "email", "@"),
]


@pytest.mark.parametrize(
    "build, field, message", [case[1:] for case in BAD_INPUT], ids=[c[0] for c in BAD_INPUT]
)
def test_refused_with_field_and_message_and_nothing_written(
    session: Session, site: Site, build: Callable[[Site], object], field: str, message: str
) -> None:
    before = _counts(session)
    with pytest.raises(DomainValidationError) as refused:
        session.add(build(site))
        session.flush()
    session.rollback()
    assert refused.value.field == field
    assert message in refused.value.message
    assert _counts(session) == before


def test_the_database_refuses_what_bypasses_the_models(session: Session, site: Site) -> None:
    """CHECK constraints back the validators up, on both backends."""
    resource_type_id = session.scalar(select(ResourceType.id).where(ResourceType.code == "atv"))
    before = _counts(session)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            insert(Equipment.__table__).values(
                organisation_id=site.organisation_id,
                site_id=site.id,
                resource_type_id=resource_type_id,
                quantity=-1,
                status="ready",
                version=1,
                created_at=func.now(),
                updated_at=func.now(),
            )
        )
    assert _counts(session) == before


def test_duplicate_organisation_number_is_refused(session: Session) -> None:
    session.add(_organisation(organisation_number="974760673"))
    session.commit()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(_organisation(name="Kopi", organisation_number="974 760 673"))
    assert session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_identified_item_has_quantity_one(session: Session, site: Site) -> None:
    with pytest.raises(DomainValidationError, match="identified item"):
        Equipment(
            organisation_id=site.organisation_id,
            site_id=site.id,
            resource_type_id=1,
            identifier="EL 12345",
            quantity=3,
            status=EquipmentStatus.READY,
        )
