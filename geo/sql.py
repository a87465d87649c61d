"""Backend-neutral spatial SQL: constructs compiled differently for PostGIS and SpatiaLite.

No query elsewhere needs to know which backend it runs on. Geometries are stored in
EPSG:4326; distances are metres on the WGS84 ellipsoid on both backends.

PostGIS: `geom::geography` with ST_DWithin/ST_Distance (spheroid). A plain geometry GiST index
is not used by a geography cast, so every spatial column also gets a GiST index on the
expression `(column::geography)`; see `geography_index_ddl`.

SpatiaLite 5.0: no ST_DWithin; PtDistWithin/ST_Distance with use_ellipsoid=1 give metres,
but the R-tree is only used through the `SpatialIndex` virtual table, so `within_metres`
prefilters on a search frame that is certain to contain the circle.
"""

from __future__ import annotations

from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, Float, column
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.schema import Column, Table

from geo.srid import WGS84

# Conservative degree lengths: the real ones are always longer, so frames only grow.
_METRES_PER_DEGREE_LAT_MIN = 110_000.0  # 110,574 m at the equator, more elsewhere
_METRES_PER_DEGREE_LON_AT_EQUATOR_MIN = 111_000.0  # 111,319 m x cos(lat) on the ellipsoid


class point(FunctionElement[Any]):  # noqa: N801 - SQL-function style name
    """A WGS84 point from longitude and latitude expressions or values."""

    type = Geometry(geometry_type="POINT", srid=WGS84)
    inherit_cache = True


class distance_metres(FunctionElement[float]):  # noqa: N801
    """Distance in metres on the WGS84 ellipsoid between two 4326 geometries."""

    type = Float()
    inherit_cache = True


class within_metres(FunctionElement[bool]):  # noqa: N801
    """True when the geometry column lies within `metres` of another geometry (index-assisted).

    The first argument must be a spatially indexed geometry column of a table.
    """

    type = Boolean()
    inherit_cache = True


def _args(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses.clauses]


@compiles(point)
def _point_postgis(element: point, compiler: SQLCompiler, **kw: Any) -> str:
    lon, lat = _args(element, compiler, **kw)
    return f"ST_SetSRID(ST_MakePoint({lon}, {lat}), {WGS84})"


@compiles(point, "sqlite")
def _point_spatialite(element: point, compiler: SQLCompiler, **kw: Any) -> str:
    lon, lat = _args(element, compiler, **kw)
    return f"MakePoint({lon}, {lat}, {WGS84})"


@compiles(distance_metres)
def _distance_postgis(element: distance_metres, compiler: SQLCompiler, **kw: Any) -> str:
    a, b = _args(element, compiler, **kw)
    return f"ST_Distance(CAST({a} AS geography), CAST({b} AS geography))"


@compiles(distance_metres, "sqlite")
def _distance_spatialite(element: distance_metres, compiler: SQLCompiler, **kw: Any) -> str:
    a, b = _args(element, compiler, **kw)
    return f"ST_Distance({a}, {b}, 1)"


@compiles(within_metres)
def _within_postgis(element: within_metres, compiler: SQLCompiler, **kw: Any) -> str:
    geom, other, metres = _args(element, compiler, **kw)
    return f"ST_DWithin(CAST({geom} AS geography), CAST({other} AS geography), {metres})"


def _indexed_column(element: FunctionElement[Any]) -> tuple[ColumnElement[Any], Table]:
    geom = next(iter(element.clauses.clauses))
    table = getattr(geom, "table", None)
    base_table = getattr(table, "element", table)  # an alias wraps the real table
    if not isinstance(base_table, Table) or not isinstance(geom, ColumnElement):
        raise TypeError("the first argument must be a spatially indexed column of a table")
    return geom, base_table


def _spatial_index_holds(
    element: FunctionElement[Any], compiler: SQLCompiler, frame: str, **kw: Any
) -> str:
    """SpatiaLite: the row's geometry lies in the R-tree's entries that touch `frame`.

    SQLite uses the R-tree only through the `SpatialIndex` virtual table, so every indexed
    filter starts with this and then decides exactly.
    """
    geom_clause, base_table = _indexed_column(element)
    rowid = compiler.process(column("rowid", _selectable=geom_clause.table), **kw)
    column_name = geom_clause.name if isinstance(geom_clause, Column) else geom_clause.key
    return (
        f"{rowid} IN (SELECT rowid FROM SpatialIndex "
        f"WHERE f_table_name = '{base_table.name}' AND f_geometry_column = '{column_name}' "
        f"AND search_frame = {frame})"
    )


@compiles(within_metres, "sqlite")
def _within_spatialite(element: within_metres, compiler: SQLCompiler, **kw: Any) -> str:
    geom, other, metres = _args(element, compiler, **kw)
    dlat = f"(({metres}) / {_METRES_PER_DEGREE_LAT_MIN})"
    max_abs_lat = f"MAX(ABS(MbrMinY({other})), ABS(MbrMaxY({other})))"
    dlon = (
        f"(({metres}) / ({_METRES_PER_DEGREE_LON_AT_EQUATOR_MIN} * "
        f"cos(radians(MIN({max_abs_lat} + {dlat}, 89.0)))))"
    )
    frame = (
        f"BuildMbr(MbrMinX({other}) - {dlon}, MbrMinY({other}) - {dlat}, "
        f"MbrMaxX({other}) + {dlon}, MbrMaxY({other}) + {dlat}, {WGS84})"
    )
    return (
        f"({_spatial_index_holds(element, compiler, frame, **kw)} "
        f"AND PtDistWithin({geom}, {other}, {metres}, 1) = 1)"
    )


def geography_index_ddl(table: str, geometry_column: str) -> str:
    """PostGIS DDL for the GiST index on `column::geography` that ST_DWithin above uses."""
    return (
        f"CREATE INDEX IF NOT EXISTS ix_{table}_{geometry_column}_geography "
        f"ON {table} USING gist ((CAST({geometry_column} AS geography)))"
    )


class intersects_box(FunctionElement[bool]):  # noqa: N801
    """True when the geometry column intersects a WGS84 box (index-assisted on both backends).

    Arguments: a spatially indexed geometry column of a table, then min_lon, min_lat, max_lon,
    max_lat. For points this is "inside the box"; for areas, "touches the box at all".
    """

    type = Boolean()
    inherit_cache = True


@compiles(intersects_box)
def _box_postgis(element: intersects_box, compiler: SQLCompiler, **kw: Any) -> str:
    geom, min_lon, min_lat, max_lon, max_lat = _args(element, compiler, **kw)
    envelope = f"ST_MakeEnvelope({min_lon}, {min_lat}, {max_lon}, {max_lat}, {WGS84})"
    # && uses the plain GiST index; ST_Intersects then decides exactly for areas.
    return f"({geom} && {envelope} AND ST_Intersects({geom}, {envelope}))"


@compiles(intersects_box, "sqlite")
def _box_spatialite(element: intersects_box, compiler: SQLCompiler, **kw: Any) -> str:
    geom, min_lon, min_lat, max_lon, max_lat = _args(element, compiler, **kw)
    frame = f"BuildMbr({min_lon}, {min_lat}, {max_lon}, {max_lat}, {WGS84})"
    return (
        f"({_spatial_index_holds(element, compiler, frame, **kw)} "
        f"AND ST_Intersects({geom}, {frame}) = 1)"
    )


class knn_distance(FunctionElement[float]):  # noqa: N801
    """PostGIS's index-ordered nearest-neighbour distance (`<->` on geography, on the sphere).

    `ORDER BY knn_distance(column, point) LIMIT n` walks the geography GiST index nearest
    first. The sphere differs from the ellipsoid by up to about 0.5 %, so use it to find how
    far to look (`KNN_SPHERE_MARGIN`), then rank by `distance_metres`. SpatiaLite 5.0 has no
    such operator (`supports_knn`).
    """

    type = Float()
    inherit_cache = True


# Multiply a sphere distance by this to be sure to reach the same place on the ellipsoid.
KNN_SPHERE_MARGIN = 1.01


@compiles(knn_distance)
def _knn_postgis(element: knn_distance, compiler: SQLCompiler, **kw: Any) -> str:
    a, b = _args(element, compiler, **kw)
    return f"(CAST({a} AS geography) <-> CAST({b} AS geography))"


@compiles(knn_distance, "sqlite")
def _knn_spatialite(element: knn_distance, compiler: SQLCompiler, **kw: Any) -> str:
    raise CompileError("SpatiaLite has no index-ordered nearest-neighbour search")


def supports_knn(dialect_name: str) -> bool:
    """Whether `knn_distance` can be used on this database."""
    return dialect_name == "postgresql"


class inside_area(FunctionElement[bool]):  # noqa: N801
    """True when the geometry column lies in (touches) an area given as WKT in EPSG:4326.

    Arguments: a spatially indexed geometry column of a table, then the area's WKT. The index
    narrows to the area's bounding box; `ST_Intersects` then decides exactly.
    """

    type = Boolean()
    inherit_cache = True


@compiles(inside_area)
def _area_postgis(element: inside_area, compiler: SQLCompiler, **kw: Any) -> str:
    geom, wkt = _args(element, compiler, **kw)
    return f"ST_Intersects({geom}, ST_GeomFromText({wkt}, {WGS84}))"


@compiles(inside_area, "sqlite")
def _area_spatialite(element: inside_area, compiler: SQLCompiler, **kw: Any) -> str:
    geom, wkt = _args(element, compiler, **kw)
    area = f"GeomFromText({wkt}, {WGS84})"
    return (
        f"({_spatial_index_holds(element, compiler, area, **kw)} "
        f"AND ST_Intersects({geom}, {area}) = 1)"
    )
