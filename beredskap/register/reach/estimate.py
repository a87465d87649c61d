"""How many minutes it takes to travel from many places to one: the interface, and the one
implementation there is now (the register's stated assumption, `readiness/travel.py`).

A routing engine replaces the straight line by implementing `TravelTimeEstimator`:

- OSRM: one request to its table service,
  `GET {host}/table/v1/driving/{lon,lat;lon,lat;...}?sources=0..n-1&destinations=n`
  with the origins first and the point last, reads `durations[i][0]` (seconds; null when no
  road reaches it: return `math.inf`) and divides by 60. Valhalla's `sources_to_targets`
  is the same shape. Chunk the origins (OSRM's `max-table-size`, 100 by default) and keep
  the HTTP client and its time-out in the implementation.
- `reach_metres` must stay an upper bound of the straight-line distance anything could come
  from within the minutes (e.g. minutes at the fastest speed the profile allows): the query
  uses it to read only the sites and homes inside that circle from the database, and asks the
  estimator about those alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pyproj import Geod

from beredskap.register.readiness.travel import TravelAssumption

LonLat = tuple[float, float]

_GEOD = Geod(ellps="WGS84")


class TravelTimeEstimator(Protocol):
    """Minutes of travel from each of `from_points` to `to_point` ((longitude, latitude))."""

    name: str

    def minutes(self, from_points: Sequence[LonLat], to_point: LonLat) -> list[float]: ...

    def reach_metres(self, minutes: float) -> float:
        """The farthest straight-line distance anything can travel in `minutes`."""
        ...


class StraightLine:
    """The straight line on the ellipsoid times a detour factor, at a stated speed: the
    register's `TravelAssumption`, never a road network (and the pages say so)."""

    name = "straight_line"

    def __init__(self, travel: TravelAssumption) -> None:
        self.travel = travel

    def minutes(self, from_points: Sequence[LonLat], to_point: LonLat) -> list[float]:
        if not from_points:
            return []
        count = len(from_points)
        # One call for every origin (pyproj loops in C over the lists), not one per origin.
        _forward, _back, metres = _GEOD.inv(
            [lon for lon, _lat in from_points],
            [lat for _lon, lat in from_points],
            [to_point[0]] * count,
            [to_point[1]] * count,
        )
        return [self.travel.minutes_for(float(value)) for value in metres]

    def reach_metres(self, minutes: float) -> float:
        return minutes / 60.0 * self.travel.speed_kmh * 1000.0 / self.travel.detour_factor
