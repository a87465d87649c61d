"""Query parameters every spatial route shares: the output coordinate system and a bbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from beredskap.platform.errors import N_, DomainValidationError
from beredskap.platform.geo_errors import geo_invalid
from geo.extent import BoundingBox, InvalidBoxError, parse_bbox
from geo.srid import EUREF89_UTM32, EUREF89_UTM33, WGS84

UTM_SRIDS = (EUREF89_UTM32, EUREF89_UTM33)
OUTPUT_SRIDS = (WGS84, *UTM_SRIDS)

OutputCrs = Annotated[
    int,
    Query(description="EPSG of the answer", json_schema_extra={"enum": list(OUTPUT_SRIDS)}),
]
BoxText = Annotated[str, Query(max_length=200, description="min_lon,min_lat,max_lon,max_lat")]


def supported_srid(field: str, value: int | None, allowed: tuple[int, ...]) -> None:
    """Refuse, on `field`, a coordinate system the route does not speak."""
    if value is not None and value not in allowed:
        listed = ", ".join(str(srid) for srid in allowed)
        raise DomainValidationError(
            field,
            N_("EPSG:%(srid)s is not supported; use one of %(supported)s"),
            srid=value,
            supported=listed,
        )


def bbox_from_text(text: str | None) -> BoundingBox | None:
    """A `bbox` query parameter, or a 422 on `bbox` saying what is wrong with it."""
    if text is None:
        return None
    try:
        return parse_bbox(text)
    except InvalidBoxError as error:
        raise geo_invalid("bbox", error) from None
