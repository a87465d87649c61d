"""Only a coarse home area is kept, and consent changes are timestamped."""

from __future__ import annotations

from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy.orm import Session

from beredskap.register.volunteers.models import HOME_AREA_GRID_DEGREES, Volunteer


def test_home_point_is_snapped_to_the_coarse_grid(session: Session) -> None:
    volunteer = Volunteer(
        full_name="Per Testvik", mobile="+447700900003", home_area=Point(11.04937, 59.95612)
    )
    session.add(volunteer)
    session.flush()
    session.expire(volunteer)
    stored = to_shape(volunteer.home_area)
    for value in (stored.x, stored.y):
        steps = value / HOME_AREA_GRID_DEGREES
        assert abs(steps - round(steps)) < 1e-6
    assert abs(stored.x - 11.04937) <= HOME_AREA_GRID_DEGREES / 2 + 1e-9


def test_consent_given_and_withdrawn_is_timestamped(session: Session) -> None:
    volunteer = Volunteer(full_name="Anne Testli", mobile="+447700900004")
    assert volunteer.sms_consent_changed_at is None
    volunteer.sms_consent = True
    given = volunteer.sms_consent_changed_at
    assert given is not None
    session.add(volunteer)
    session.flush()
    volunteer.sms_consent = False
    assert volunteer.sms_consent_changed_at is not None
    assert volunteer.sms_consent_changed_at >= given
