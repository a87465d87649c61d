"""Conversion between WGS84 and EUREF89 UTM 32/33 with pyproj."""

from __future__ import annotations

from functools import lru_cache
from math import isfinite

from pyproj import Transformer

from geo.errors import GeoError
from geo.srid import SUPPORTED_SRIDS, WGS84

# The codes of UnsupportedCrsError (English templates; `GeoError` explains).
UNSUPPORTED_CRS = "EPSG:%(srid)s is not supported; use one of %(supported)s"
NOT_CONVERTIBLE = "(%(x)s, %(y)s) cannot be converted from EPSG:%(srid)s"


class UnsupportedCrsError(GeoError):
    """A coordinate reference system the register does not accept."""


@lru_cache(maxsize=16)
def _transformer(source: int, target: int) -> Transformer:
    # always_xy: (lon, lat) and (east, north) order whatever the EPSG axis order says.
    return Transformer.from_crs(source, target, always_xy=True)


def _check_srid(srid: int) -> None:
    if srid not in SUPPORTED_SRIDS:
        supported = ", ".join(f"EPSG:{s}" for s in sorted(SUPPORTED_SRIDS))
        raise UnsupportedCrsError(UNSUPPORTED_CRS, srid=srid, supported=supported)


def transform(x: float, y: float, source: int, target: int) -> tuple[float, float]:
    """Transform one coordinate pair (x = lon or east, y = lat or north)."""
    _check_srid(source)
    _check_srid(target)
    if source == target:
        return x, y
    out_x, out_y = _transformer(source, target).transform(x, y)
    if not (isfinite(out_x) and isfinite(out_y)):
        raise UnsupportedCrsError(NOT_CONVERTIBLE, x=x, y=y, srid=source)
    return out_x, out_y


def to_wgs84(x: float, y: float, source: int) -> tuple[float, float]:
    """(lon, lat) of a coordinate given in any supported CRS."""
    return transform(x, y, source, WGS84)
