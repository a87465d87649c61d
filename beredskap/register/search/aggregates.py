"""Counts for the preparedness council: ready equipment and qualified volunteers per grid cell.

The grid is Statistics Norway's national grid: squares in EUREF89 UTM 33 (EPSG:25833) whose
corners are multiples of the cell size, so a cell here is the same square as SSB's statistics
of the same size. Only counts leave this module (and, to say where a cell is, a public place
name inside it), never a record or a position; volunteer counts below a threshold are
suppressed (reported as None), since "one person with a boat licence in this square" would
point at a household.

A count never depends on the box asked for: a `bbox` selects whole cells (those whose centre
lies in it), and every cell is counted whole. Before, a box filtered the individual home
points, so four boxes differenced out the count of any small square (a council login
rebuilt 235 home squares of 265 volunteers, 208 holding exactly one person). Cells are 1, 5
or 10 km: coarser cells only made differencing easier.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from beredskap.register.addresses.models import PlaceName
from beredskap.register.inventory.models import Capability, Equipment, ResourceType
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.readiness.ready import equipment_ready, volunteer_callable
from beredskap.register.volunteers.models import (
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from geo.crs import to_wgs84, transform
from geo.extent import BoundingBox
from geo.sql import intersects_box
from geo.srid import EUREF89_UTM33, WGS84

# SSB's grid sizes from 1 km to 10 km; finer cells would come too close to where someone lives.
CELL_SIZES_M = (1_000, 5_000, 10_000)
MAX_BOX_CELLS = 250_000  # candidate cells of one box; more means: coarser cells or a smaller box
BOX_MARGIN_DEG = 0.02  # the index prefilter's margin around the chosen cells (a superset)
DEFAULT_SUPPRESS_BELOW = 3
MAX_CELL_ROWS = 100_000  # grouped rows read for one answer; more means: coarser cells or a box


class TooManyCellsError(ValueError):
    """The answer would hold more cells than one map can show."""


@dataclass(frozen=True)
class GridCell:
    cell_id: str  # "25833/<size>/<east>/<north>" of the south-west corner
    ring: list[tuple[float, float]]  # the square in EPSG:4326 lon/lat, closed
    equipment: dict[str, dict[str, int]]  # capability -> {"lines": n, "quantity": q}
    volunteers: dict[str, int | None]  # qualification code -> count; None: suppressed
    volunteer_total: int | None = field(default=None)  # distinct qualified volunteers

    @property
    def corner(self) -> tuple[int, int]:
        """The south-west corner in EUREF89 UTM 33: (east, north)."""
        _srid, _size, east, north = self.cell_id.split("/")
        return int(east), int(north)


def _cell_columns(location: Any, cell_m: int) -> tuple[Any, Any]:
    projected = func.ST_Transform(location, EUREF89_UTM33)
    east = (func.floor(func.ST_X(projected) / cell_m) * cell_m).label("cell_east")
    north = (func.floor(func.ST_Y(projected) / cell_m) * cell_m).label("cell_north")
    return east, north


def _in_box(location: Any, bbox: BoundingBox | None) -> Any:
    if bbox is None:
        return location.is_not(None)
    return intersects_box(location, bbox.min_lon, bbox.min_lat, bbox.max_lon, bbox.max_lat)


@dataclass(frozen=True)
class CellSelection:
    """The cells a box selects (south-west corners in EPSG:25833), and a WGS84 box around
    them all, through which the index finds every point of those cells."""

    cells: frozenset[tuple[int, int]]
    search_box: BoundingBox


def cells_of_box(bbox: BoundingBox, cell_m: int) -> CellSelection:
    """The whole cells whose centre lies in `bbox`."""
    corners = [
        transform(lon, lat, WGS84, EUREF89_UTM33)
        for lon in (bbox.min_lon, bbox.max_lon)
        for lat in (bbox.min_lat, bbox.max_lat)
    ]
    # One cell more on every side: the box's edges are curved in the grid's projection.
    west = (math.floor(min(x for x, _ in corners) / cell_m) - 1) * cell_m
    east = (math.floor(max(x for x, _ in corners) / cell_m) + 1) * cell_m
    south = (math.floor(min(y for _, y in corners) / cell_m) - 1) * cell_m
    north = (math.floor(max(y for _, y in corners) / cell_m) + 1) * cell_m
    candidates = ((east - west) // cell_m + 1) * ((north - south) // cell_m + 1)
    if candidates > MAX_BOX_CELLS:
        raise TooManyCellsError(
            "too many cells for one map: choose a larger cell size or a smaller bbox"
        )
    chosen = set()
    for cell_east in range(west, east + 1, cell_m):
        for cell_north in range(south, north + 1, cell_m):
            lon, lat = to_wgs84(cell_east + cell_m / 2, cell_north + cell_m / 2, EUREF89_UTM33)
            if bbox.contains(lon, lat):
                chosen.add((cell_east, cell_north))
    outline = [
        to_wgs84(x, y, EUREF89_UTM33)
        for cell_east, cell_north in chosen
        for x in (cell_east, cell_east + cell_m)
        for y in (cell_north, cell_north + cell_m)
    ] or [(bbox.min_lon, bbox.min_lat)]
    search_box = BoundingBox(
        min_lon=min(lon for lon, _ in outline) - BOX_MARGIN_DEG,
        min_lat=min(lat for _, lat in outline) - BOX_MARGIN_DEG,
        max_lon=max(lon for lon, _ in outline) + BOX_MARGIN_DEG,
        max_lat=max(lat for _, lat in outline) + BOX_MARGIN_DEG,
    )
    return CellSelection(frozenset(chosen), search_box)


def _equipment_counts(
    cell_m: int, bbox: BoundingBox | None, capability: Capability | None, on: date
) -> Select[Any]:
    # The cell is computed once per site, not once per equipment line: projecting is the cost.
    east, north = _cell_columns(Site.location, cell_m)
    site_cells = (
        select(Site.id.label("site_id"), east, north)
        .where(_in_box(Site.location, bbox))
        .cte("site_cells")
        .prefix_with("MATERIALIZED")
    )
    inactive = select(Organisation.id).where(Organisation.active.is_(False))
    statement = (
        select(
            site_cells.c.cell_east,
            site_cells.c.cell_north,
            ResourceType.capability,
            func.count(Equipment.id),
            func.sum(Equipment.quantity),
        )
        .join(site_cells, site_cells.c.site_id == Equipment.site_id)
        .join(ResourceType, ResourceType.id == Equipment.resource_type_id)
        .where(equipment_ready(on), Equipment.organisation_id.not_in(inactive))
        .group_by(site_cells.c.cell_east, site_cells.c.cell_north, ResourceType.capability)
    )
    if capability is not None:
        statement = statement.where(ResourceType.capability == capability)
    return statement.limit(MAX_CELL_ROWS + 1)


def _qualified(on: date, qualification_type_id: int | None) -> list[Any]:
    conditions = [VolunteerQualification.valid_on(on)]
    if qualification_type_id is not None:
        conditions.append(VolunteerQualification.qualification_type_id == qualification_type_id)
    return conditions


def _volunteer_counts(
    cell_m: int, bbox: BoundingBox | None, on: date, qualification_type_id: int | None
) -> tuple[Select[Any], Select[Any]]:
    east, north = _cell_columns(Volunteer.home_area, cell_m)
    volunteer_cells = (
        select(Volunteer.id.label("volunteer_id"), east, north)
        .where(_in_box(Volunteer.home_area, bbox), volunteer_callable())
        .cte("volunteer_cells")
        .prefix_with("MATERIALIZED")
    )
    joined = (
        select(volunteer_cells.c.cell_east, volunteer_cells.c.cell_north)
        .join(
            VolunteerQualification,
            VolunteerQualification.volunteer_id == volunteer_cells.c.volunteer_id,
        )
        .join(Volunteer, Volunteer.id == volunteer_cells.c.volunteer_id)
        .where(*_qualified(on, qualification_type_id))
    )
    per_qualification = (
        joined.join(
            QualificationType,
            QualificationType.id == VolunteerQualification.qualification_type_id,
        )
        .add_columns(QualificationType.code, func.count(distinct(volunteer_cells.c.volunteer_id)))
        .group_by(volunteer_cells.c.cell_east, volunteer_cells.c.cell_north, QualificationType.code)
        .limit(MAX_CELL_ROWS + 1)
    )
    totals = (
        joined.add_columns(func.count(distinct(volunteer_cells.c.volunteer_id)))
        .group_by(volunteer_cells.c.cell_east, volunteer_cells.c.cell_north)
        .limit(MAX_CELL_ROWS + 1)
    )
    return per_qualification, totals


def _rows(session: Session, statement: Select[Any]) -> list[Any]:
    rows = list(session.execute(statement))
    if len(rows) > MAX_CELL_ROWS:
        raise TooManyCellsError(
            "too many cells for one map: choose a larger cell size or a smaller bbox"
        )
    return rows


def _ring(east: int, north: int, cell_m: int) -> list[tuple[float, float]]:
    corners = [
        (east, north),
        (east + cell_m, north),
        (east + cell_m, north + cell_m),
        (east, north + cell_m),
        (east, north),
    ]
    return [
        (round(lon, 6), round(lat, 6))
        for lon, lat in (to_wgs84(x, y, EUREF89_UTM33) for x, y in corners)
    ]


def _suppressed(count: int, below: int) -> int | None:
    return None if count < below else count


def grid_cells(
    session: Session,
    *,
    cell_m: int,
    on: date,
    bbox: BoundingBox | None = None,
    capability: Capability | None = None,
    qualification_type_id: int | None = None,
    suppress_below: int = DEFAULT_SUPPRESS_BELOW,
) -> list[GridCell]:
    """Cells holding ready equipment or qualified volunteers, south-west first.

    Equipment: lines of active organisations ready on `on` (the one definition in
    `readiness.ready`), counted at their site. Volunteers: callable (active, consenting, not
    unavailable), holding a qualification valid on `on`, counted at their (already coarse)
    home area.
    """
    if cell_m not in CELL_SIZES_M:
        raise ValueError(f"cell size must be one of {CELL_SIZES_M}")
    selection = cells_of_box(bbox, cell_m) if bbox is not None else None
    if selection is not None:
        if not selection.cells:
            return []
        bbox = selection.search_box  # a superset: the cells are picked below
    equipment: dict[tuple[int, int], dict[str, dict[str, int]]] = defaultdict(dict)
    for east, north, cap, lines, quantity in _rows(
        session, _equipment_counts(cell_m, bbox, capability, on)
    ):
        equipment[(int(east), int(north))][Capability(cap).value] = {
            "lines": int(lines),
            "quantity": int(quantity or 0),
        }
    volunteers: dict[tuple[int, int], dict[str, int | None]] = defaultdict(dict)
    totals: dict[tuple[int, int], int | None] = {}
    per_qualification, per_cell = _volunteer_counts(cell_m, bbox, on, qualification_type_id)
    for east, north, code, count in _rows(session, per_qualification):
        volunteers[(int(east), int(north))][code] = _suppressed(int(count), suppress_below)
    for east, north, count in _rows(session, per_cell):
        totals[(int(east), int(north))] = _suppressed(int(count), suppress_below)
    keys = sorted(set(equipment) | set(volunteers), key=lambda key: (key[1], key[0]))
    if selection is not None:
        keys = [key for key in keys if key in selection.cells]
    return [
        GridCell(
            cell_id=f"{EUREF89_UTM33}/{cell_m}/{east}/{north}",
            ring=_ring(east, north, cell_m),
            equipment=equipment.get((east, north), {}),
            volunteers=volunteers.get((east, north), {}),
            volunteer_total=totals.get((east, north)),
        )
        for east, north in keys
    ]


def cell_places(session: Session, *, cell_m: int) -> dict[tuple[int, int], str]:
    """The most important place name (SSR's `sortering`) inside each cell that holds one, by
    the cell's south-west corner: what a reader can relate a square to. One pass over the
    municipality's place names (they are imported for the municipality only)."""
    if cell_m not in CELL_SIZES_M:
        raise ValueError(f"cell size must be one of {CELL_SIZES_M}")
    east, north = _cell_columns(PlaceName.point, cell_m)
    ranked = select(
        east,
        north,
        PlaceName.name,
        func.row_number()
        .over(partition_by=(east, north), order_by=(PlaceName.importance, PlaceName.id))
        .label("rank"),
    ).subquery()
    first = select(ranked.c.cell_east, ranked.c.cell_north, ranked.c.name).where(ranked.c.rank == 1)
    return {(int(row[0]), int(row[1])): row[2] for row in session.execute(first)}
