"""Property test: within_metres agrees with the geodesic distance anywhere in Norway.

The SpatiaLite search frame is computed in SQL from degree lengths; a frame that is too small
would silently drop places near the edge of the circle. Hypothesis looks for such a case.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.register.organisations.models import Organisation, Site, SiteKind
from geo.sql import point, within_metres

GEOD = Geod(ellps="WGS84")
BORDER_BAND = 0.001  # the backends' ellipsoid algorithms may differ this much at the edge

centres = st.tuples(st.floats(4.8, 30.5), st.floats(58.0, 71.0))
radii = st.floats(50.0, 300_000.0)
# Each place: an azimuth and a distance as a fraction of the radius (up to 1.5 radii away).
places = st.lists(st.tuples(st.floats(0, 360), st.floats(0.0, 1.5)), min_size=1, max_size=12)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(centre=centres, radius=radii, offsets=places)
def test_within_metres_matches_geodesic_distance(
    session: Session,
    centre: tuple[float, float],
    radius: float,
    offsets: list[tuple[float, float]],
) -> None:
    nested = session.begin_nested()
    organisation = Organisation(name="Eiendom", category="other")
    expected_inside: set[str] = set()
    ambiguous: set[str] = set()
    for index, (azimuth, fraction) in enumerate(offsets):
        lon, lat, _ = GEOD.fwd(centre[0], centre[1], azimuth, fraction * radius)
        if not (-9.5 <= lon <= 35.0 and 57.0 <= lat <= 81.5):
            continue
        name = f"p{index}"
        _, _, distance = GEOD.inv(centre[0], centre[1], lon, lat)
        if abs(distance - radius) <= radius * BORDER_BAND:
            ambiguous.add(name)
        elif distance < radius:
            expected_inside.add(name)
        session.add(
            Site(
                organisation=organisation,
                name=name,
                kind=SiteKind.STORAGE,
                location=Point(lon, lat),
            )
        )
    session.flush()
    found = set(
        session.scalars(
            select(Site.name).where(within_metres(Site.location, point(*centre), radius))
        )
    )
    nested.rollback()
    assert found - ambiguous == expected_inside
