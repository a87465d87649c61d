"""Find a place as it is typed: "Storgata 12", "storgta 12b", "Solheimveien 3, Lillestrom".

The search is made for speed with 100,000 addresses (figures in BENCHMARKS.md):
- The municipality's streets, a few thousand at most, are held in memory per database
  (`_Streets`), folded (`folding.fold`) and sorted. The typed street is matched against them
  by prefix (bisect) and by edit distance (rapidfuzz, in C), so a typo or a missing "ø" still
  finds the street; the cache is rebuilt after every import and every address added, and
  after five minutes in any case (`_signature`).
- Only the addresses of the best few streets are then read, by the index on
  (street_key, number): never a scan of the table, in the database or in Python.
- Ranking: the street's score first, then the number typed exactly (its letter, or none,
  before the others), then numbers that begin with it, then postal code and town when typed.
"""

from __future__ import annotations

import re
import threading
import time
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.orm import Session

from beredskap.platform.audit.models import AuditEntry
from beredskap.register.addresses.folding import fold
from beredskap.register.addresses.models import (
    IMPORT_KIND,
    PLACES_IMPORT_KIND,
    Address,
    PlaceName,
)
from geo.crs import transform
from geo.srid import EUREF89_UTM33, WGS84

MAX_QUERY = 100
MAX_LIMIT = 50
DEFAULT_LIMIT = 10
ADDRESS = "address"
PLACE = "place"
# Street scores (0-100): at least this to count at all, and within this of the best.
CUTOFF = 70.0
SPREAD = 15.0
MAX_STREETS = 8
MAX_PREFIX_STREETS = 40
MAX_NUMBER = 99_999
STREETS_TTL = 300.0  # seconds


@dataclass(frozen=True)
class Found:
    """One answer: what to show, where it is (WGS84 and EUREF89 UTM 33), and its score."""

    label: str
    kind: str
    lat: float
    lon: float
    east: float
    north: float
    epsg: int
    score: float
    id: int
    street_score: float
    number: int
    letter: str

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "kind": self.kind,
            "lat": round(self.lat, 7),
            "lon": round(self.lon, 7),
            "east": round(self.east, 2),
            "north": round(self.north, 2),
            "epsg": self.epsg,
        }


# The typed text ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Typed:
    """The folded street, and what followed it: number, letter, postal code, town."""

    street: str
    number: int | None = None
    letter: str = ""
    postal_code: str | None = None
    town: str = ""


_NUMBER = re.compile(r"(\d{1,5})([a-z]?)")


def parse(text: str) -> Typed | None:
    """The parts of a typed place, or None if it names no street (only digits, or nothing)."""
    tokens = fold(text).split()
    for index, token in enumerate(tokens):
        match = _NUMBER.fullmatch(token)
        if index == 0 or match is None:
            continue
        rest = tokens[index + 1 :]
        letter = match[2]
        if not letter and rest and len(rest[0]) == 1 and rest[0].isalpha():
            letter, rest = rest[0], rest[1:]
        postal = next((t for t in rest if len(t) == 4 and t.isdigit()), None)
        town = " ".join(t for t in rest if t != postal)
        return Typed(" ".join(tokens[:index]), int(match[1]), letter, postal, town)
    street = " ".join(tokens)
    if not any(ch.isalpha() for ch in street):
        return None
    return Typed(street)


# The names in memory -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Names:
    signature: tuple[Any, ...]
    keys: list[str]  # sorted, distinct
    expires: float


@dataclass(frozen=True)
class _Source:
    """A table whose folded names are held in memory: addresses by street, place names."""

    model: type[Any]
    key: Any  # the folded name's column
    import_kind: str  # its importer's summary entry in the audit log


STREETS = _Source(Address, Address.street_key, IMPORT_KIND)
PLACE_NAMES = _Source(PlaceName, PlaceName.name_key, PLACES_IMPORT_KIND)

_cache: dict[tuple[int, str], _Names] = {}
_lock = threading.Lock()


def _signature(session: Session, source: _Source) -> tuple[Any, ...]:
    # Two index reads, no count (a count of 100,000 rows costs 10-15 ms). Every import writes
    # one summary entry to the audit log (`record_import`), so the latest one's id changes with
    # every import, and the highest id with every row added; STREETS_TTL bounds what any other
    # writer could leave stale (a name missing is not found, one gone finds no rows).
    last_import = (
        select(func.max(AuditEntry.id))
        .where(AuditEntry.entity == "import", AuditEntry.entity_id == source.import_kind)
        .scalar_subquery()
    )
    row = session.execute(select(func.max(source.model.id), last_import)).one()
    return tuple(row)


def _names(session: Session, source: _Source) -> _Names:
    signature = _signature(session, source)
    bind = session.get_bind()
    # A Connection's engine: one cache per database and table.
    key = (id(getattr(bind, "engine", bind)), source.model.__tablename__)
    cached = _cache.get(key)
    now = time.monotonic()
    if cached is not None and cached.signature == signature and now < cached.expires:
        return cached
    keys = sorted(set(session.scalars(select(source.key).distinct())))
    names = _Names(signature, keys, now + STREETS_TTL)
    with _lock:
        _cache[key] = names
    return names


def forget() -> None:
    """Drop the streets held in memory (tests that write addresses without the importer)."""
    with _lock:
        _cache.clear()


def _street_scores(typed: str, keys: Sequence[str]) -> list[tuple[str, float]]:
    """The streets (or place names) worth reading, best first, with their scores."""
    scores: dict[str, float] = {}

    def keep(key: str, score: float) -> None:
        if score > scores.get(key, 0.0):
            scores[key] = score

    # Typed so far: every street it begins (the shorter the closer), the exact one best.
    start = bisect_left(keys, typed)
    for key in keys[start : start + MAX_PREFIX_STREETS]:
        if not key.startswith(typed):
            break
        keep(key, 100.0 if key == typed else 96.0 - min(len(key) - len(typed), 20) * 0.1)
    # A typo or a letter left out: edit distance to the whole name, and to its beginning.
    for key, score, _ in process.extract(
        typed, keys, scorer=fuzz.ratio, limit=MAX_STREETS, score_cutoff=CUTOFF
    ):
        keep(key, score)
    if len(typed) >= 3:
        beginnings = [key[: len(typed) + 1] for key in keys]
        for _, score, index in process.extract(
            typed, beginnings, scorer=fuzz.ratio, limit=MAX_STREETS, score_cutoff=80.0
        ):
            keep(keys[index], score * 0.9)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    if not ranked:
        return []
    best = ranked[0][1]
    return [(key, score) for key, score in ranked if score >= best - SPREAD][:MAX_STREETS]


# The addresses -----------------------------------------------------------------------------

_COLUMNS = (
    Address.id,
    Address.street,
    Address.number,
    Address.letter,
    Address.postal_code,
    Address.postal_town,
    Address.street_key,
    func.ST_X(Address.point).label("lon"),
    func.ST_Y(Address.point).label("lat"),
)


def _numbers_beginning(number: int) -> Any:
    """The number itself, or one that begins with its digits (12: 120-129, 1200-1299 ...)."""
    clauses = [Address.number == number]
    low, width = number * 10, 10
    while 0 < low <= MAX_NUMBER:  # 0 begins no other number
        clauses.append(and_(Address.number >= low, Address.number < low + width))
        low, width = low * 10, width * 10
    return or_(*clauses)


def _rows(session: Session, typed: Typed, streets: list[str], limit: int) -> list[Row[Any]]:
    if typed.number is not None:
        query = (
            select(*_COLUMNS)
            .where(Address.street_key.in_(streets), _numbers_beginning(typed.number))
            .order_by(Address.street_key, Address.number, Address.letter, Address.id)
            .limit(MAX_STREETS * MAX_LIMIT)
        )
        rows = list(session.execute(query))
        if rows:
            return rows
    # No number typed, or none the streets have: their addresses, the closest numbers first.
    rows = []
    for street in streets:  # best first: the streets after it only while there is room
        order = [Address.number, Address.letter, Address.id]
        if typed.number is not None:
            order.insert(0, func.abs(Address.number - typed.number))
        query = select(*_COLUMNS).where(Address.street_key == street).order_by(*order).limit(limit)
        rows.extend(session.execute(query))
        if len(rows) >= limit:
            break
    return rows


def _label(row: Row[Any]) -> str:
    text = f"{row.street} {row.number}{row.letter}"
    if row.postal_code:
        text += f", {row.postal_code} {_town(row.postal_town)}".rstrip()
    return text


def _town(name: str | None) -> str:
    # The matrikkel writes towns in capitals ("LILLESTRØM"): shown as a name.
    if not name:
        return ""
    return name.title() if name.isupper() else name


def _score(row: Row[Any], typed: Typed, street_score: float) -> float:
    score = street_score
    if typed.number is not None:
        if row.number == typed.number:
            score += 10.0
            if typed.letter:
                score += 5.0 if row.letter.casefold() == typed.letter else -3.0
            elif not row.letter:
                score += 2.0
        else:  # a longer number that begins with the digits typed, or one near it
            score -= 1.0 + min(abs(row.number - typed.number), 999) / 1000
    if typed.postal_code:
        score += 8.0 if row.postal_code == typed.postal_code else -20.0
    if typed.town:
        town = fold(row.postal_town or "")
        similarity = fuzz.ratio(typed.town, town[: len(typed.town)]) if town else 0.0
        score += (similarity - 60.0) / 8.0
    return score


def search(session: Session, text: str, limit: int = DEFAULT_LIMIT) -> list[Found]:
    """The places best matching `text`, best first (at most `limit`): addresses, and place
    names when no house number is typed."""
    typed = parse(text)
    if typed is None:
        return []
    found = _addresses(session, typed, limit)
    if typed.number is None:
        found.extend(_place_names(session, typed, limit))
        found.sort(key=lambda place: -place.score)  # stable: each list's own order kept
    return found[:limit]


def _addresses(session: Session, typed: Typed, limit: int) -> list[Found]:
    streets = _street_scores(typed.street, _names(session, STREETS).keys)
    if not streets:
        return []
    street_scores = dict(streets)
    rows = _rows(session, typed, [key for key, _ in streets], limit)
    ranked = sorted(
        ((_score(row, typed, street_scores[row.street_key]), row) for row in rows),
        key=lambda pair: (
            -pair[0],
            pair[1].street_key,
            pair[1].number,
            pair[1].letter,
            pair[1].postal_code or "",
        ),
    )
    return [_found(row, score, street_scores[row.street_key]) for score, row in ranked[:limit]]


_PLACE_COLUMNS = (
    PlaceName.id,
    PlaceName.place_id,
    PlaceName.name,
    PlaceName.kind,
    PlaceName.importance,
    PlaceName.name_key,
    func.ST_X(PlaceName.point).label("lon"),
    func.ST_Y(PlaceName.point).label("lat"),
)


def _place_names(session: Session, typed: Typed, limit: int) -> list[Found]:
    """Place names as typed: a place named exactly so just before the addresses of a street
    of that name, the more important place (SSR's sortering) first among equals."""
    names = _street_scores(typed.street, _names(session, PLACE_NAMES).keys)
    if not names:
        return []
    scores = dict(names)
    query = (
        select(*_PLACE_COLUMNS)
        .where(PlaceName.name_key.in_(scores))
        .order_by(PlaceName.importance, PlaceName.name, PlaceName.id)
        .limit(limit * 4)
    )
    found: list[Found] = []
    seen: set[int] = set()
    for row in session.execute(query):
        if row.place_id in seen:  # one place found by two of its spellings: once
            continue
        seen.add(row.place_id)
        score = scores[row.name_key] + 1.0 - min(row.importance, 20) * 0.01
        east, north = transform(row.lon, row.lat, WGS84, EUREF89_UTM33)
        label = f"{row.name} ({row.kind})" if row.kind else row.name
        found.append(
            Found(
                label=label,
                kind=PLACE,
                lat=row.lat,
                lon=row.lon,
                east=east,
                north=north,
                epsg=EUREF89_UTM33,
                score=score,
                id=row.id,
                street_score=scores[row.name_key],
                number=0,
                letter="",
            )
        )
    found.sort(key=lambda place: -place.score)
    return found


def _found(row: Row[Any], score: float, street_score: float) -> Found:
    east, north = transform(row.lon, row.lat, WGS84, EUREF89_UTM33)
    return Found(
        label=_label(row),
        kind=ADDRESS,
        lat=row.lat,
        lon=row.lon,
        east=east,
        north=north,
        epsg=EUREF89_UTM33,
        score=score,
        id=row.id,
        street_score=street_score,
        number=row.number,
        letter=row.letter,
    )
