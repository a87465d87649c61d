"""How long it takes to get somewhere: the stated assumption, never a road network.

The straight-line distance (on the ellipsoid) times a detour factor, at a stated speed. Both
are settings (`BEREDSKAP_TRAVEL_SPEED_KMH`, `BEREDSKAP_TRAVEL_DETOUR_FACTOR`), and every
page that uses them says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyproj import Geod

_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class TravelAssumption:
    speed_kmh: float = 50.0
    detour_factor: float = 1.3

    def minutes_for(self, metres: float) -> float:
        return metres * self.detour_factor / (self.speed_kmh * 1000.0) * 60.0


def metres_between(start: tuple[float, float], end: tuple[float, float]) -> float:
    """Straight-line distance between two (longitude, latitude) points."""
    _forward, _back, metres = _GEOD.inv(start[0], start[1], end[0], end[1])
    return float(metres)


def minutes_to_reach(
    start: tuple[float, float], end: tuple[float, float], travel: TravelAssumption
) -> float:
    return travel.minutes_for(metres_between(start, end))
