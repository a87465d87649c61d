"""The travel-time interface of reach (issue 18, item 2): the straight line is the register's
one travel assumption, and its circle bounds every minute it estimates."""

from __future__ import annotations

import pytest

from beredskap.register.reach.estimate import StraightLine, TravelTimeEstimator
from beredskap.register.readiness.travel import TravelAssumption, minutes_to_reach

LILLESTROM = (11.05, 59.96)


def test_the_straight_line_is_the_readiness_assumption() -> None:
    travel = TravelAssumption(speed_kmh=50, detour_factor=1.3)
    estimator: TravelTimeEstimator = StraightLine(travel)
    origins = [(11.0, 59.9), (10.75, 59.91), LILLESTROM]
    minutes = estimator.minutes(origins, LILLESTROM)
    expected = [minutes_to_reach(origin, LILLESTROM, travel) for origin in origins]
    assert minutes == pytest.approx(expected)
    assert minutes[2] == 0
    assert estimator.minutes([], LILLESTROM) == []


def test_five_km_at_50_kmh_with_detour_is_7_8_minutes() -> None:
    estimator = StraightLine(TravelAssumption(speed_kmh=50, detour_factor=1.3))
    assert estimator.reach_metres(7.8) == pytest.approx(5_000)
    assert estimator.reach_metres(30) == pytest.approx(30 / 60 * 50_000 / 1.3)


def test_the_circle_bounds_the_minutes() -> None:
    estimator = StraightLine(TravelAssumption(speed_kmh=80, detour_factor=1.5))
    radius = estimator.reach_metres(45)
    # A point just inside the circle is within the time, one just outside is not.
    inside = estimator.minutes(
        [(LILLESTROM[0], LILLESTROM[1] + radius * 0.99 / 111_320)], LILLESTROM
    )
    outside = estimator.minutes(
        [(LILLESTROM[0], LILLESTROM[1] + radius * 1.01 / 111_320)], LILLESTROM
    )
    assert inside[0] < 45 < outside[0]
