"""/api/v1/aggregates/grid: counts per grid cell for the council's map. No personal data."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.spatial_params import (
    OUTPUT_SRIDS,
    BoxText,
    OutputCrs,
    bbox_from_text,
    supported_srid,
)
from beredskap.platform.api.types import SearchText
from beredskap.platform.columns import today_in_norway
from beredskap.platform.deps import SessionDep
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.register.inventory.models import Capability
from beredskap.register.search import aggregates, service
from beredskap.register.search.schemas import (
    CellCollection,
    CellCounts,
    CellFeature,
    PolygonGeometry,
)
from geo.crs import transform
from geo.srid import EUREF89_UTM33, WGS84

router = APIRouter(prefix="/aggregates", tags=["aggregates"], responses=PROBLEM_RESPONSES)


def _ring(cell: aggregates.GridCell, cell_m: int, crs: int) -> list[list[float]]:
    if crs == WGS84:
        return [[lon, lat] for lon, lat in cell.ring]
    if crs == EUREF89_UTM33:  # the grid's own system: the exact square
        east, north = (int(part) for part in cell.cell_id.split("/")[2:4])
        corners = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
        return [[east + dx * cell_m, north + dy * cell_m] for dx, dy in corners]
    return [[round(v, 2) for v in transform(lon, lat, WGS84, crs)] for lon, lat in cell.ring]


@router.get("/grid", name="aggregates.grid", response_model=CellCollection)
def grid(
    session: SessionDep,
    cell_m: int = Query(
        1000,
        description="Cell size in metres (SSB's grid)",
        json_schema_extra={"enum": list(aggregates.CELL_SIZES_M)},
    ),
    bbox: BoxText | None = None,
    capability: Capability | None = Query(None),
    qualification: SearchText | None = Query(None, description="Code (e.g. first_aid) or id"),
    on: date | None = Query(None, description="Qualifications valid on this day (default today)"),
    crs: OutputCrs = 4326,
) -> CellCollection:
    """Ready equipment per capability group and qualified volunteers per qualification, per
    square of Statistics Norway's grid. Small volunteer counts are suppressed."""
    supported_srid("crs", crs, OUTPUT_SRIDS)
    if cell_m not in aggregates.CELL_SIZES_M:
        sizes = ", ".join(str(size) for size in aggregates.CELL_SIZES_M)
        raise DomainValidationError("cell_m", N_("cell size must be one of %(sizes)s"), sizes=sizes)
    box = bbox_from_text(bbox)
    qualification_type_id = service.qualification_type_id(session, qualification)
    day = on or today_in_norway()
    try:
        cells = aggregates.grid_cells(
            session,
            cell_m=cell_m,
            on=day,
            bbox=box,
            capability=capability,
            qualification_type_id=qualification_type_id,
        )
    except aggregates.TooManyCellsError:
        raise DomainValidationError(
            "cell_m",
            N_("too many cells for one map: choose a larger cell size or a smaller bbox"),
        ) from None
    return CellCollection(
        epsg=crs,
        cell_m=cell_m,
        on=day,
        suppressed_below=aggregates.DEFAULT_SUPPRESS_BELOW,
        features=[
            CellFeature(
                id=cell.cell_id,
                geometry=PolygonGeometry(coordinates=[_ring(cell, cell_m, crs)]),
                properties=CellCounts(
                    cell_id=cell.cell_id,
                    cell_m=cell_m,
                    equipment=cell.equipment,
                    volunteers=cell.volunteers,
                    volunteer_total=cell.volunteer_total,
                ),
            )
            for cell in cells
        ],
    )
