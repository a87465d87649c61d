"""Latency of GET /api/v1/places (issue 18, item 1) with 100,000 addresses: what the search
combobox asks as an officer types, through the API of a server in its own process.

Target: p95 under 50 ms on both backends.

    .venv/bin/python bench/places.py --url postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python bench/places.py                          # SpatiaLite

The addresses are bench/address_data.py's synthetic ones (about 2,000 street names x 1-200
numbers, now and then a letter), written by the importer's own key functions in bulk. The
queries mix what people type: whole addresses, the number typed so far, a street alone, a
typo, diacritics left out or spelt "oe"/"aa", the other spelling of gata/vegen, postal code
and town, and the beginning of a place name (5,000 of them beside the addresses).
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections.abc import Callable

from address_data import FIRST, Row, synthetic_rows
from geoalchemy2 import WKTElement
from harness import measure, seeded_server, summary
from sqlalchemy import delete, insert

from beredskap.platform.db import transaction
from beredskap.platform.runtime import Database
from beredskap.register.addresses.folding import fold
from beredskap.register.addresses.lookup import search_key
from beredskap.register.addresses.models import (
    IMPORT_KIND,
    PLACES_IMPORT_KIND,
    Address,
    PlaceName,
)
from beredskap.register.imports.summary import record_import

BATCH = 5_000


def load(database: Database, rows: list[Row]) -> None:
    with transaction(database.sessions, actor="bench") as session:
        session.execute(delete(Address))
        for start in range(0, len(rows), BATCH):
            session.execute(
                insert(Address),
                [
                    {
                        "address_id": row.address_id,
                        "municipality_number": "3205",
                        "street": row.street,
                        "number": row.number,
                        "letter": row.letter,
                        "postal_code": row.postcode,
                        "postal_town": row.town.upper(),
                        "search_key": search_key(row.street, row.number, row.letter),
                        "street_key": fold(row.street),
                        "point": WKTElement(f"POINT({row.lon} {row.lat})", srid=4326),
                    }
                    for row in rows[start : start + BATCH]
                ],
            )
        # As the importer does: its summary entry tells the search's cache to read again.
        record_import(session, IMPORT_KIND, "bench", {"created": len(rows)})


PLACE_KINDS = ("gard", "bruk", "haug", "ås", "vann", "myr", "bekk", "skog", "tettsted", "bakke")
PLACE_ENDINGS = ("gården", "haugen", "åsen", "vannet", "myra", "bekken", "skogen", "lia", "berget")


def load_places(database: Database, count: int) -> list[str]:
    """`count` place names (FIRST x PLACE_ENDINGS, then again with "Nordre"/"Søndre"), as an
    SSR download of a municipality holds a few thousand."""
    rng = random.Random(20)
    base = [first + ending for first in FIRST for ending in PLACE_ENDINGS]
    names = (base + [f"Nordre {n}" for n in base] + [f"Søndre {n}" for n in base])[:count]
    with transaction(database.sessions, actor="bench") as session:
        session.execute(delete(PlaceName))
        session.execute(
            insert(PlaceName),
            [
                {
                    "place_id": 500_000 + index,
                    "municipality_number": "3205",
                    "name": name,
                    "kind": rng.choice(PLACE_KINDS),
                    "importance": rng.randint(5, 12),
                    "name_key": fold(name),
                    "point": WKTElement(
                        f"POINT({rng.uniform(10.95, 11.3)} {rng.uniform(59.85, 60.05)})",
                        srid=4326,
                    ),
                }
                for index, name in enumerate(names)
            ],
        )
        record_import(session, PLACES_IMPORT_KIND, "bench", {"created": len(names)})
    return names


def _typo(rng: random.Random, word: str) -> str:
    """One letter left out, doubled, or two swapped (not the first)."""
    if len(word) < 5:
        return word
    at = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:at] + word[at + 1 :]
    if kind == 1:
        return word[:at] + word[at] + word[at:]
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def _ascii(word: str) -> str:
    return word.replace("ø", "o").replace("å", "aa").replace("æ", "ae").replace("Ø", "O")


def _other_spelling(word: str) -> str:
    for old, new in (("vegen", "veien"), ("veien", "vegen"), ("gata", "gate"), ("gate", "gata")):
        if word.endswith(old):
            return word[: -len(old)] + new
    return word


KINDS: dict[str, Callable[[random.Random, Row], str]] = {
    "exact": lambda rng, row: f"{row.street} {row.number}{row.letter}",
    "typing": lambda rng, row: f"{row.street} {str(row.number)[:1]}",
    "street": lambda rng, row: row.street[: rng.randint(4, len(row.street))],
    "typo": lambda rng, row: f"{_typo(rng, row.street)} {row.number}",
    "ascii": lambda rng, row: f"{_ascii(row.street)} {row.number}",
    "spelling": lambda rng, row: f"{_other_spelling(row.street)} {row.number}",
    "town": lambda rng, row: f"{row.street} {row.number}, {row.postcode} {_ascii(row.town)}",
    "place": lambda rng, row: "",  # a place name as typed so far, without diacritics (ask)
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="database URL (default: a new SpatiaLite file)")
    parser.add_argument("--addresses", type=int, default=100_000)
    parser.add_argument("--places", type=int, default=5_000, help="place names beside them")
    parser.add_argument("--requests", type=int, default=1_400)
    args = parser.parse_args()

    rows = list(synthetic_rows(args.addresses))
    with seeded_server(args.url, organisations=1, equipment=0, volunteers=0) as served:
        load(served.database, rows)
        place_names = load_places(served.database, args.places)
        backend = served.database.backend
        streets = len({row.street for row in rows})
        rng = random.Random(18)
        kinds = list(KINDS)
        timings: dict[str, list[float]] = {kind: [] for kind in kinds}
        hits: list[bool] = []

        def ask(kind: str) -> None:
            row = rng.choice(rows)
            if kind == "place":
                typed = _ascii(rng.choice(place_names))[: rng.randint(5, 30)]
            else:
                typed = KINDS[kind](rng, row)
            response = served.client.get("/api/v1/places", params={"q": typed, "limit": 10})
            response.raise_for_status()
            labels = [place["label"] for place in response.json()["results"]]
            if kind in ("exact", "typo", "ascii", "spelling", "town"):
                hits.append(any(label.startswith(f"{row.street} {row.number}") for label in labels))

        every: list[float] = []
        per_kind = args.requests // len(kinds)
        for kind in kinds:
            timings[kind] = measure(lambda kind=kind: ask(kind), requests=per_kind)
            every.extend(timings[kind])
        print(f"{backend}: {len(rows)} addresses on {streets} streets, {len(place_names)} places")
        for kind in kinds:
            print(f"  {kind:<9} {summary(timings[kind])}")
        print(f"  all       {summary(every)}")
        found = statistics.mean(hits) * 100 if hits else 0.0
        print(f"  the address asked for among the 10 answers: {found:.1f}% of {len(hits)}")


if __name__ == "__main__":
    main()
