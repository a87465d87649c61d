"""Kartverket's place names in (issue 18, item 1, the optional part): `beredskap import places
FILE`.

The file is Geonorge's download of Sentralt stedsnavnregister, "Stedsnavn for vanlig bruk" in
GML 3.2 (`Basisdata_<area>_<EPSG>_Stedsnavn_GML`, possibly zipped): one `app:Sted` per place
with `stedsnummer` (or `identifikasjon/lokalId`), `navneobjekttype`, `sortering`
(viktighetA..), one `kommune/Kommune/kommunenummer` per municipality it lies in, one
`stedsnavn/Stedsnavn` per language with its `skrivemåte/Skrivemåte/komplettskrivemåte` (and
other spellings under `annenSkrivemåte`), and its geometry: `posisjon` (a point),
`multipunkt`, `senterlinje` or `område`, in the EPSG code its `srsName` gives (25832, 25833,
25835, or 4258 whose axes are latitude first). Read as a stream (`iterparse`), a place at a time.

- Only the places of `Settings.municipality_number` are kept; each spelling of each name
  becomes a row (found by any of them, shown by its language's name). A place's point is its
  `posisjon`, else the mean of its geometry's positions (a line's or an area's middle,
  roughly), turned into WGS84 and checked to lie in Norway.
- The table is brought to exactly the file's set for the municipality, keyed by (place,
  spelling): the same file twice changes nothing. A place that is not what the format says is
  counted and reported (the first 100), never fatal; a file that is not XML, not the download
  or a broken zip is a `PlaceFileError` and nothing is written; a dry run writes nothing; a
  real one adds one summary audit entry (entity `import`, id `place_names`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from math import isfinite
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError, iterparse

from geoalchemy2 import WKTElement
from geoalchemy2.shape import to_shape
from pyproj import Transformer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from beredskap.register.addresses.folding import fold
from beredskap.register.addresses.models import PLACES_IMPORT_KIND, WGS84, PlaceName
from beredskap.register.imports.addresses import ZIP_MAGIC
from beredskap.register.imports.summary import record_import
from geo.errors import GeoError
from geo.extent import check_lon_lat

MAX_REPORTED = 100
# EUREF89 (geographic, UTM 31-36) and WGS84; the geographic ones give latitude first in GML.
KNOWN_EPSG = frozenset({4258, 4326, *range(25831, 25837)})
LATITUDE_FIRST = frozenset({4258, 4326})
UNKNOWN_IMPORTANCE = 99
CLOSE_DEGREES = 1e-7
_EPSG = re.compile(r"(?:EPSG(?::\d*)?:+|/EPSG/\d+/)(\d{4,5})$")
_IMPORTANCE = re.compile(r"viktighet([A-Z])")


class PlaceFileError(Exception):
    """The file is not SSR's GML download: nothing was written."""


class MalformedPlaceError(ValueError):
    """One place is not what the format says; it is counted and skipped."""


@dataclass(frozen=True)
class PlaceRow:
    place_id: int
    municipality_number: str
    name: str
    kind: str
    importance: int
    name_key: str
    lon: float
    lat: float

    def values(self) -> dict[str, Any]:
        return {
            "municipality_number": self.municipality_number,
            "name": self.name,
            "kind": self.kind,
            "importance": self.importance,
        }


@dataclass
class PlaceReport:
    municipality_number: str
    dry_run: bool = False
    read: int = 0
    in_municipality: int = 0
    names: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    malformed: int = 0
    problems: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int | str]:
        return {
            "municipality": self.municipality_number,
            "read": self.read,
            "in_municipality": self.in_municipality,
            "names": self.names,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "malformed": self.malformed,
        }


# Reading -------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _binary_stream(stream: IO[bytes]) -> IO[bytes]:
    head = stream.read(4)
    stream.seek(0)
    if head != ZIP_MAGIC:
        return stream
    try:
        archive = zipfile.ZipFile(stream)  # type: ignore[arg-type]
        members = [n for n in archive.namelist() if n.lower().endswith((".gml", ".xml"))]
        if not members:
            raise PlaceFileError("the zip holds no .gml file")
        return archive.open(members[0])
    except (zipfile.BadZipFile, OSError) as error:
        raise PlaceFileError(f"not a readable zip: {error}") from None


def _epsg(name: str | None) -> int | None:
    match = _EPSG.search((name or "").strip())
    return int(match[1]) if match else None


def places(stream: IO[bytes]) -> Iterator[tuple[Element, int | None]]:
    """Each `Sted` of the file with the EPSG code its collection declares, streamed; a
    `PlaceFileError` when the file is not XML or holds no place at all."""
    default: int | None = None
    seen = 0
    root: Element | None = None
    try:
        for event, element in iterparse(_binary_stream(stream), events=("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if root is None:
                    root = element
                elif default is None and element.get("srsName"):
                    default = _epsg(element.get("srsName"))
                continue
            if name == "Sted":
                seen += 1
                yield element, default
                if root is not None:
                    root.clear()  # what was read is not kept: a country's file is 1 GB
    except PlaceFileError:
        raise
    except (ParseError, zipfile.BadZipFile, EOFError, OSError, UnicodeDecodeError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise PlaceFileError(f"not a readable place-name file: {first}") from None
    if not seen:
        raise PlaceFileError("not SSR's place-name GML: no app:Sted in it")


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _texts(element: Element, name: str) -> list[str]:
    nodes = (node for node in element.iter() if _local(node.tag) == name)
    return [" ".join((node.text or "").split()) for node in nodes]


def _first(element: Element, name: str) -> str:
    return next(iter(_texts(element, name)), "")


def _spellings(place: Element) -> list[tuple[str, str]]:
    """(the name shown, one spelling of it) for each language's name and each of its other
    spellings; the name of the first language first."""
    found: list[tuple[str, str]] = []
    for name in _children(place, "stedsnavn"):
        for entry in _children(name, "Stedsnavn") or [name]:
            written = _children(entry, "skrivemåte")
            main = _first(written[0], "komplettskrivemåte") if written else ""
            if not main:
                continue
            found.append((main, main))
            for other in _children(entry, "annenSkrivemåte"):
                spelling = _first(other, "komplettskrivemåte")
                if spelling:
                    found.append((main, spelling))
    return found


@lru_cache(maxsize=8)
def _transformer(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, WGS84, always_xy=True)


def _point(place: Element, default: int | None) -> tuple[float, float]:
    """(lon, lat) of the place: its `posisjon`, else the mean of its geometry's positions."""
    where = next(iter(_children(place, "posisjon")), None)
    geometry = where if where is not None else place
    numbers: list[float] = []
    epsg = default
    for node in geometry.iter():
        name = _local(node.tag)
        if node.get("srsName"):
            epsg = _epsg(node.get("srsName")) or epsg
        if name in ("pos", "posList"):
            try:
                numbers.extend(float(value) for value in (node.text or "").split())
            except ValueError:
                raise MalformedPlaceError("a position is not numbers") from None
    pairs = list(zip(numbers[0::2], numbers[1::2], strict=False))
    if not pairs or not all(isfinite(number) for number in numbers):
        raise MalformedPlaceError("no position")
    if epsg not in KNOWN_EPSG:
        raise MalformedPlaceError(f"coordinates in EPSG:{epsg}, not EUREF89 or WGS84")
    first = sum(pair[0] for pair in pairs) / len(pairs)
    second = sum(pair[1] for pair in pairs) / len(pairs)
    x, y = (second, first) if epsg in LATITUDE_FIRST else (first, second)
    lon, lat = _transformer(epsg).transform(x, y)
    try:
        return check_lon_lat(lon, lat)
    except GeoError:
        raise MalformedPlaceError(f"({first}, {second}) in EPSG:{epsg} is not in Norway") from None


def parse_place(place: Element, default: int | None, municipality: str) -> list[PlaceRow]:
    """The rows of one place in the municipality (none when it lies elsewhere)."""
    if municipality not in {number.zfill(4) for number in _texts(place, "kommunenummer")}:
        return []
    identity = _first(place, "stedsnummer") or _first(place, "lokalId")
    if not identity.isascii() or not identity.isdigit() or len(identity) > 18:
        raise MalformedPlaceError(f"stedsnummer {identity!r} is not a whole number")
    spellings = _spellings(place)
    if not spellings:
        raise MalformedPlaceError(f"place {identity} has no name")
    kind = _first(place, "navneobjekttype")[:60]
    match = _IMPORTANCE.fullmatch(_first(place, "sortering"))
    importance = ord(match[1]) - ord("A") + 1 if match else UNKNOWN_IMPORTANCE
    lon, lat = _point(place, default)
    rows: dict[str, PlaceRow] = {}
    for name, spelling in spellings:
        key = fold(spelling)[:200]
        if key and key not in rows and len(name) <= 200:
            rows[key] = PlaceRow(int(identity), municipality, name, kind, importance, key, lon, lat)
    return list(rows.values())


# Writing -------------------------------------------------------------------------------------


def _same(stored: PlaceName, row: PlaceRow) -> bool:
    if any(getattr(stored, name) != value for name, value in row.values().items()):
        return False
    shape = to_shape(stored.point)
    return abs(shape.x - row.lon) < CLOSE_DEGREES and abs(shape.y - row.lat) < CLOSE_DEGREES


def _write(stored: PlaceName, row: PlaceRow) -> None:
    for name, value in row.values().items():
        setattr(stored, name, value)
    stored.point = WKTElement(f"POINT({row.lon!r} {row.lat!r})", srid=WGS84)  # type: ignore[assignment]


def import_place_names(
    session: Session,
    stream: IO[bytes],
    *,
    municipality_number: str,
    dry_run: bool = False,
    source: str = "",
) -> PlaceReport:
    """Bring the municipality's place names to exactly the file's; see the module."""
    report = PlaceReport(municipality_number=municipality_number, dry_run=dry_run)
    wanted: dict[tuple[int, str], PlaceRow] = {}
    for place, default in places(stream):
        report.read += 1
        try:
            rows = parse_place(place, default, municipality_number)
        except MalformedPlaceError as problem:
            report.malformed += 1
            if len(report.problems) < MAX_REPORTED:
                report.problems.append(f"place {report.read}: {problem}")
            continue
        if rows:
            report.in_municipality += 1
        for row in rows:
            wanted[(row.place_id, row.name_key)] = row
    report.names = len(wanted)

    savepoint = session.begin_nested()
    try:
        stored = {
            (entry.place_id, entry.name_key): entry
            for entry in session.scalars(
                select(PlaceName).where(PlaceName.municipality_number == municipality_number)
            )
        }
        with session.no_autoflush:
            for key, row in wanted.items():
                entry = stored.pop(key, None)
                if entry is None:
                    entry = PlaceName(place_id=row.place_id, name_key=row.name_key)
                    _write(entry, row)
                    session.add(entry)
                    report.created += 1
                elif _same(entry, row):
                    report.unchanged += 1
                else:
                    _write(entry, row)
                    report.updated += 1
        session.flush()
        if stored:
            report.removed = len(stored)
            ids = [entry.id for entry in stored.values()]
            for start in range(0, len(ids), 500):
                session.execute(
                    delete(PlaceName).where(PlaceName.id.in_(ids[start : start + 500])),
                    execution_options={"synchronize_session": False},
                )
            for entry in stored.values():
                session.expunge(entry)
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
        return report
    record_import(session, PLACES_IMPORT_KIND, source, report.counts())
    session.flush()
    savepoint.commit()
    return report
