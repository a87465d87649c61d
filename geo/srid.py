"""Coordinate reference systems the register speaks."""

WGS84 = 4326
"""Storage SRID of every geometry column (lon/lat, as in GeoJSON)."""

EUREF89_UTM32 = 25832
EUREF89_UTM33 = 25833

SUPPORTED_SRIDS = frozenset({WGS84, EUREF89_UTM32, EUREF89_UTM33})
