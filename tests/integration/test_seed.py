"""The demo municipality and the benchmark generator, on both backends."""

from __future__ import annotations

from datetime import date

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.contact_details import is_fictional_mobile
from beredskap.platform.runtime import Database
from beredskap.register.agreements.models import Agreement, Commitment
from beredskap.register.inventory.models import Equipment
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.seed.demo import is_empty, seed_demo
from beredskap.register.seed.lillestrom import LOCALITIES, MUNICIPALITY_NUMBER
from beredskap.register.seed.scale import seed_scale
from beredskap.register.volunteers.models import (
    HOME_AREA_GRID_DEGREES,
    Membership,
    Volunteer,
    VolunteerQualification,
)
from geo.extent import NORWAY_WITH_MARGIN


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_demo_municipality_is_complete_plausible_and_audited(session: Session) -> None:
    session.info["actor"] = "seed demo"
    assert is_empty(session)
    summary = seed_demo(session)
    assert not is_empty(session)

    assert _count(session, Organisation) == summary.organisations >= 25
    assert _count(session, Site) == summary.sites >= 40
    assert _count(session, Equipment) == summary.equipment >= 600
    assert _count(session, Volunteer) == summary.volunteers >= 300
    assert _count(session, Agreement) == summary.agreements >= 8
    assert session.scalar(select(func.count(distinct(Organisation.category)))) >= 10
    assert _count(session, Commitment) >= 16

    # Every volunteer belongs somewhere and holds at least one qualification.
    assert session.scalar(select(func.count(distinct(Membership.volunteer_id)))) == 300
    assert session.scalar(select(func.count(distinct(VolunteerQualification.volunteer_id)))) == 300
    # Some qualifications have lapsed and some are valid: the register must show both.
    today = date.today()
    expired = select(func.count()).where(VolunteerQualification.expires_on < today)
    assert 0 < session.scalar(expired) < _count(session, VolunteerQualification)

    # Nobody real can be reached: every number is in a range reserved for fiction.
    mobiles = session.scalars(select(Volunteer.mobile)).all()
    assert all(is_fictional_mobile(mobile) for mobile in mobiles)
    lines = session.scalars(select(Organisation.contact_24_7_phone)).all()
    assert all(is_fictional_mobile(line) for line in lines if line)

    # Every place lies in and around Lillestrøm.
    lons = [loc.lon for loc in LOCALITIES]
    lats = [loc.lat for loc in LOCALITIES]
    for location in session.scalars(select(Site.location)):
        point = to_shape(location)
        assert min(lons) - 0.05 <= point.x <= max(lons) + 0.05
        assert min(lats) - 0.03 <= point.y <= max(lats) + 0.03
    # Every agreement has a service area that holds the localities it is drawn around.
    areas = [to_shape(area) for area in session.scalars(select(Agreement.service_area))]
    assert len(areas) == summary.agreements and all(area.is_valid for area in areas)
    assert all(area.geom_type == "MultiPolygon" and area.area > 0 for area in areas)
    served = session.scalars(select(Organisation.municipality_numbers)).all()
    assert all(MUNICIPALITY_NUMBER in numbers for numbers in served)

    actors = set(session.scalars(select(AuditEntry.actor).distinct()))
    assert actors == {"seed demo"}
    assert session.scalar(select(func.count()).where(AuditEntry.entity == "volunteers")) == _count(
        session, Volunteer
    )


def test_scale_generator_appends_valid_rows_and_one_audit_entry(
    fresh_database: Database,
) -> None:
    first = seed_scale(fresh_database.engine, organisations=20, equipment=500, volunteers=200)
    second = seed_scale(fresh_database.engine, organisations=5, equipment=50, volunteers=30)
    assert (first.organisations, first.equipment, first.volunteers) == (20, 500, 200)
    assert first.sites >= 20

    with fresh_database.sessions() as session:
        assert _count(session, Organisation) == 25
        assert _count(session, Equipment) == 550
        mobiles = session.scalars(select(Volunteer.mobile)).all()
        assert len(mobiles) == len(set(mobiles)) == 230  # the second run did not collide
        assert all(is_fictional_mobile(mobile) for mobile in mobiles)
        for home_area in session.scalars(select(Volunteer.home_area)):
            point = to_shape(home_area)
            assert NORWAY_WITH_MARGIN.contains(point.x, point.y)
            for value in (point.x, point.y):
                steps = value / HOME_AREA_GRID_DEGREES
                assert abs(steps - round(steps)) < 1e-6  # only a coarse home area
        # Equipment stands at a site of its own organisation.
        mismatched = session.scalar(
            select(func.count())
            .select_from(Equipment)
            .join(Site, Site.id == Equipment.site_id)
            .where(Site.organisation_id != Equipment.organisation_id)
        )
        assert mismatched == 0
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.actor == "seed scale").order_by(AuditEntry.id)
        )
        assert [entry.after for entry in entries] == [
            {
                "organisations": 20,
                "sites": first.sites,
                "equipment": 500,
                "volunteers": 200,
                "qualifications": first.qualifications,
            },
            {
                "organisations": 5,
                "sites": second.sites,
                "equipment": 50,
                "volunteers": 30,
                "qualifications": second.qualifications,
            },
        ]


def test_scale_generator_refuses_equipment_without_organisations(
    fresh_database: Database,
) -> None:
    with pytest.raises(ValueError, match="at least one organisation"):
        seed_scale(fresh_database.engine, organisations=0, equipment=10, volunteers=0)
    with fresh_database.sessions() as session:
        assert _count(session, Equipment) == 0
