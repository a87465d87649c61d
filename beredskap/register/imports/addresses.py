"""Kartverket's addresses in (issue 15, item 1: a site placed by its address):
`beredskap import addresses FILE`.

The file is Geonorge's "Matrikkelen - Adresse" download in CSV (`Basisdata_<area>_<EPSG>_
MatrikkelenAdresse_CSV`, possibly zipped): UTF-8, `;`-separated, a heading row, one address a
line with among others `kommunenummer`, `adressetype`, `adressenavn`, `nummer`, `bokstav`,
`postnummer`, `poststed`, `adresseId` (or `lokalid`), `EPSG-kode`, `Nord` and `Øst` (the point,
EUREF89 UTM in the zone the row's EPSG code names: 25832, 25833, 25835 ...). Offline: read as a
stream, one line at a time.

- Only the street addresses (`vegadresse`) of `Settings.municipality_number` are kept, turned
  into WGS84 with pyproj and checked to lie in Norway.
- The table `addresses` is brought to exactly the file's set for the municipality (keyed by
  the matrikkel's address id): new ones added, changed ones updated, vanished ones removed,
  unchanged ones untouched, so the same file twice changes nothing.
- A line that is not what the format says is counted and reported (the first 100), never
  fatal; a file without the needed headings, not UTF-8 or a broken zip is an
  `AddressFileError` and nothing is written; a dry run counts and writes nothing (a savepoint
  rolled back); a real one adds ONE summary audit entry (entity `import`, id `addresses`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from math import isfinite
from typing import IO, Any

from geoalchemy2 import WKTElement
from geoalchemy2.shape import to_shape
from pyproj import Transformer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from beredskap.register.addresses.folding import fold
from beredskap.register.addresses.lookup import search_key
from beredskap.register.addresses.models import IMPORT_KIND, WGS84, Address
from beredskap.register.imports.summary import record_import
from geo.errors import GeoError
from geo.extent import check_lon_lat

ZIP_MAGIC = b"PK\x03\x04"
MAX_REPORTED = 100
STREET_ADDRESS = "vegadresse"
REQUIRED = ("kommunenummer", "adressenavn", "nummer", "EPSG-kode", "Nord", "Øst")
# EUREF89 (geographic, UTM 31-36) and WGS84: what Kartverket's files are given in.
KNOWN_EPSG = frozenset({4258, 4326, *range(25831, 25837)})
FIELDS = ("municipality_number", "street", "number", "letter", "postal_code", "postal_town")
CLOSE_DEGREES = 1e-7  # about a centimetre: the same point


class AddressFileError(Exception):
    """The file is not Kartverket's address CSV: nothing was written."""


class MalformedRowError(ValueError):
    """One line is not what the format says; it is counted and skipped."""


@dataclass(frozen=True)
class AddressRow:
    address_id: int
    municipality_number: str
    street: str
    number: int
    letter: str
    postal_code: str | None
    postal_town: str | None
    lon: float
    lat: float

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}


@dataclass
class AddressReport:
    municipality_number: str
    dry_run: bool = False
    read: int = 0
    in_municipality: int = 0
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
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "malformed": self.malformed,
        }


# Reading -------------------------------------------------------------------------------------


def _text_stream(stream: IO[bytes]) -> IO[str]:
    head = stream.read(4)
    stream.seek(0)
    if head == ZIP_MAGIC:
        try:
            archive = zipfile.ZipFile(stream)  # type: ignore[arg-type]
            members = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if not members:
                raise AddressFileError("the zip holds no .csv file")
            stream = archive.open(members[0])
        except (zipfile.BadZipFile, OSError) as error:
            raise AddressFileError(f"not a readable zip: {error}") from None
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")  # type: ignore[arg-type]


def raw_rows(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(line number, the line by heading), streamed; `AddressFileError` when the file cannot
    be read as the download."""
    try:
        text = _text_stream(stream)
        reader = csv.DictReader(text, delimiter=";")
        headings = reader.fieldnames or []
        missing = [name for name in REQUIRED if name not in headings]
        if missing:
            raise AddressFileError(f"not Kartverket's address CSV: no {', '.join(missing)} column")
        if "adresseId" not in headings and "lokalid" not in headings:
            raise AddressFileError("not Kartverket's address CSV: no adresseId or lokalid column")
        for row in reader:
            yield reader.line_num, row
    except AddressFileError:
        raise
    except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, EOFError, OSError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise AddressFileError(f"not a readable address file: {first}") from None


def _cell(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if isinstance(value, list):  # more cells than headings
        raise MalformedRowError("more cells than headings")
    return " ".join((value or "").split())


def _whole(row: dict[str, Any], key: str) -> int:
    value = _cell(row, key)
    if not value.isascii() or not value.isdigit():
        raise MalformedRowError(f"{key} {value!r} is not a whole number")
    return int(value)


def _decimal(row: dict[str, Any], key: str) -> float:
    value = _cell(row, key).replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        raise MalformedRowError(f"{key} {value!r} is not a number") from None
    if not isfinite(number):
        raise MalformedRowError(f"{key} {value!r} is not a number")
    return number


@lru_cache(maxsize=8)
def _transformer(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, WGS84, always_xy=True)


def parse_row(row: dict[str, Any]) -> AddressRow:
    if None in row:
        raise MalformedRowError("more cells than headings")
    municipality = _cell(row, "kommunenummer").zfill(4)
    if len(municipality) != 4 or not municipality.isdigit():
        raise MalformedRowError(f"kommunenummer {municipality!r} is not four digits")
    street = _cell(row, "adressenavn")
    if not street or len(street) > 200:
        raise MalformedRowError("no adressenavn" if not street else "adressenavn is too long")
    number = _whole(row, "nummer")
    letter = _cell(row, "bokstav")
    if len(letter) > 4:
        raise MalformedRowError(f"bokstav {letter!r} is too long")
    postal_code = _cell(row, "postnummer") or None
    if postal_code is not None:
        postal_code = postal_code.zfill(4)
        if len(postal_code) != 4 or not postal_code.isdigit():
            raise MalformedRowError(f"postnummer {postal_code!r} is not four digits")
    address_id = _whole(row, "adresseId" if _cell(row, "adresseId") else "lokalid")
    epsg = _whole(row, "EPSG-kode")
    if epsg not in KNOWN_EPSG:
        raise MalformedRowError(f"EPSG-kode {epsg} is not EUREF89 or WGS84")
    north, east = _decimal(row, "Nord"), _decimal(row, "Øst")
    lon, lat = _transformer(epsg).transform(east, north)
    try:
        lon, lat = check_lon_lat(lon, lat)
    except GeoError:
        raise MalformedRowError(
            f"Nord {north}, Øst {east} (EPSG:{epsg}) is not in Norway"
        ) from None
    return AddressRow(
        address_id=address_id,
        municipality_number=municipality,
        street=street,
        number=number,
        letter=letter,
        postal_code=postal_code,
        postal_town=(_cell(row, "poststed") or None),
        lon=lon,
        lat=lat,
    )


# Writing -------------------------------------------------------------------------------------


def _same(address: Address, row: AddressRow) -> bool:
    if any(getattr(address, name) != value for name, value in row.values().items()):
        return False
    # Keys made by an earlier rule are brought to today's by importing the file again.
    if (address.search_key, address.street_key) != _keys(row):
        return False
    shape = to_shape(address.point)
    return abs(shape.x - row.lon) < CLOSE_DEGREES and abs(shape.y - row.lat) < CLOSE_DEGREES


def _keys(row: AddressRow) -> tuple[str, str]:
    return search_key(row.street, row.number, row.letter), fold(row.street)


def _write(address: Address, row: AddressRow) -> None:
    for name, value in row.values().items():
        setattr(address, name, value)
    address.search_key, address.street_key = _keys(row)
    address.point = WKTElement(f"POINT({row.lon!r} {row.lat!r})", srid=WGS84)  # type: ignore[assignment]


def import_addresses(
    session: Session,
    stream: IO[bytes],
    *,
    municipality_number: str,
    dry_run: bool = False,
    source: str = "",
) -> AddressReport:
    """Bring the municipality's addresses to exactly the file's; see the module."""
    report = AddressReport(municipality_number=municipality_number, dry_run=dry_run)
    wanted: dict[int, AddressRow] = {}
    for line, raw in raw_rows(stream):
        report.read += 1
        if (raw.get("kommunenummer") or "").strip().zfill(4) != municipality_number:
            continue
        # The type is `adressetype` ("vegadresse") in the files Entur and others read, and
        # `objtype` ("Vegadresse") in some downloads: either, in any case.
        kind = raw.get("adressetype") or raw.get("objtype") or STREET_ADDRESS
        if kind.strip().lower() != STREET_ADDRESS:
            continue
        try:
            row = parse_row(raw)
        except MalformedRowError as problem:
            report.malformed += 1
            if len(report.problems) < MAX_REPORTED:
                report.problems.append(f"line {line}: {problem}")
            continue
        report.in_municipality += 1
        wanted[row.address_id] = row

    savepoint = session.begin_nested()
    try:
        stored = {
            address.address_id: address
            for address in session.scalars(
                select(Address).where(Address.municipality_number == municipality_number)
            )
        }
        with session.no_autoflush:
            for address_id, row in wanted.items():
                address = stored.pop(address_id, None)
                if address is None:
                    address = Address(address_id=address_id)
                    _write(address, row)
                    session.add(address)
                    report.created += 1
                elif _same(address, row):
                    report.unchanged += 1
                else:
                    _write(address, row)
                    report.updated += 1
        session.flush()
        if stored:
            # Gone from the file (or moved to another municipality's id space).
            report.removed = len(stored)
            ids = [address.id for address in stored.values()]
            for start in range(0, len(ids), 500):
                session.execute(
                    delete(Address).where(Address.id.in_(ids[start : start + 500])),
                    execution_options={"synchronize_session": False},
                )
            for address in stored.values():
                session.expunge(address)
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
        return report
    record_import(session, IMPORT_KIND, source, report.counts())
    session.flush()
    savepoint.commit()
    return report
