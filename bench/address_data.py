"""Addresses in Kartverket's CSV format ("Matrikkelen - Adresse", the columns of
tests/data/addresses_sample.csv), made up: streets x numbers x letters laid along lines
around real localities, with EUREF89 UTM 33 points.

- `python bench/address_data.py --demo > beredskap/register/seed/data/adresser-3205-demo.csv`
  wrote the demo's few hundred addresses of Lillestrøm (3205), seeded by `beredskap demo`.
- `python bench/address_data.py --demo-places > <the same folder>/stedsnavn-3205-demo.gml`
  wrote the demo's place names (its localities, waters and rivers) in the form of Sentralt
  stedsnavnregister's GML download ("Stedsnavn for vanlig bruk").
- `bench/places.py` uses `synthetic_rows` for its 100,000.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from pyproj import Transformer

from beredskap.register.seed import lillestrom

HEADINGS = [
    "lokalid", "kommunenummer", "kommunenavn", "adressetype", "adressetilleggsnavn",
    "adressekode", "adressenavn", "nummer", "bokstav", "gardsnummer", "bruksnummer",
    "festenummer", "undernummer", "adresseTekst", "EPSG-kode", "Nord", "Øst", "postnummer",
    "poststed", "grunnkretsnummer", "grunnkretsnavn", "oppdateringsdato", "adresseId",
]  # fmt: skip
EPSG = 25833
UPDATED = "2026-11-01T00:00:00"
TO_UTM = Transformer.from_crs(4326, EPSG, always_xy=True)

# The demo's streets by locality: names as Lillestrøm's streets are made (several real).
DEMO_STREETS = {
    "Lillestrøm": ("Storgata", "Torvet", "Nittedalsgata", "Jernbanegata", "Solheimvegen",
                   "Romerikesgata", "Kirkegata", "Voldgata"),
    "Strømmen": ("Strømsvegen", "Stasjonsvegen", "Bjørnsons gate"),
    "Skjetten": ("Skjettenvegen", "Løkenåsvegen"),
    "Kjeller": ("Kjellervegen", "Gamle Kjellerveg"),
    "Leirsund": ("Leirsundvegen",),
    "Frogner": ("Frognervegen", "Åsvegen"),
    "Lindeberg": ("Lindebergvegen",),
    "Sørumsand": ("Sørumsandvegen", "Fjellvegen", "Blåkollvegen"),
    "Blaker": ("Blakervegen",),
    "Fetsund": ("Fetvegen", "Ærfuglvegen", "Glommavegen"),
    "Enebakkneset": ("Nessetvegen",),
    "Lørenfallet": ("Lørenfallvegen",),
}  # fmt: skip

# Synthetic streets for the benchmark: first parts x endings, as Norwegian streets are named.
FIRST = (
    "Bjørke", "Eike", "Furu", "Gran", "Lønne", "Skole", "Kirke", "Stasjons", "Sagdals",
    "Åse", "Møllers", "Smie", "Kvern", "Bekke", "Elve", "Fjell", "Skog", "Myr", "Lien",
    "Haug", "Tors", "Olavs", "Kongs", "Dronning", "Prests", "Lensmanns", "Hage", "Blåbær",
    "Tyttebær", "Rogn", "Hassel", "Selje", "Vier", "Ospe", "Alm", "Ask", "Hegg", "Linde",
    "Solbær", "Rips", "Ekorn", "Rev", "Elg", "Hjorte", "Gaupe", "Ørne", "Falke", "Hauke",
    "Svane", "Due", "Trost", "Meise", "Spurve", "Lerke", "Sol", "Måne", "Stjerne", "Nord",
    "Sør", "Øst", "Vest", "Øvre", "Nedre", "Midt", "Gamle", "Nye", "Store", "Lille",
    "Brå", "Dal", "Enge", "Fosse", "Gårds", "Hol", "Jorde", "Kolle", "Lunde", "Mo",
    "Nes", "Odde", "Rud", "Sand", "Tveit", "Vik", "Berg", "Bråten", "Haugen", "Løken",
    "Nygård", "Solberg", "Strand", "Tangen", "Vollen", "Åsen", "Bakke", "Hagen", "Jordet",
    "Kroken", "Lia", "Moen", "Myra", "Nordby", "Rustad", "Sletta", "Tomter", "Øvergård",
    "Ringe", "Sjø", "Bru", "Mølle", "Sag", "Torg", "Post", "Tele", "Rådhus",
    "Idretts", "Park", "Kafé", "Verksted", "Fabrikk", "Hamar", "Trondheims", "Kongsvinger",
    "Oslo", "Bergens", "Nittedals", "Rælings", "Fetsunds", "Leira", "Glomma", "Nitelva",
    "Sørums", "Blaker", "Frogner", "Kjeller", "Strømmen", "Skjettens", "Lindeberg",
)  # fmt: skip
ENDINGS = (
    "vegen", "veien", "gata", "gate", "bakken", "stien", "lia", "tunet", "haugen",
    "jordet", "grenda", "svingen", "kroken", "plassen", "allé",
)  # fmt: skip
TOWNS = tuple((place.name, place.postcode, place.lon, place.lat) for place in lillestrom.LOCALITIES)


@dataclass(frozen=True)
class Row:
    address_id: int
    street: str
    number: int
    letter: str
    postcode: str
    town: str
    lon: float
    lat: float

    def cells(self) -> list[str]:
        east, north = TO_UTM.transform(self.lon, self.lat)
        text = f"{self.street} {self.number}{self.letter}"
        return [
            str(self.address_id), lillestrom.MUNICIPALITY_NUMBER, "LILLESTRØM", "vegadresse",
            "", str(1000 + zlib.crc32(self.street.encode()) % 9000), self.street, str(self.number),
            self.letter, "", "", "0", "0", text, str(EPSG), f"{north:.2f}", f"{east:.2f}",
            self.postcode, self.town.upper(), "", "", UPDATED, str(self.address_id),
        ]  # fmt: skip


def _street_rows(
    rng: random.Random,
    street: str,
    town: tuple[str, str, float, float],
    numbers: int,
    first_id: int,
    spread: float,
) -> Iterator[Row]:
    """Odd numbers on one side, even on the other, 12 m apart; now and then a letter."""
    name, postcode, lon, lat = town
    start_lon = lon + rng.uniform(-spread, spread) * 2
    start_lat = lat + rng.uniform(-spread, spread)
    angle = rng.uniform(0, math.pi)
    step_lon = 12 * math.cos(angle) / 55_600  # metres to degrees at 60° north
    step_lat = 12 * math.sin(angle) / 111_200
    address_id = first_id
    for number in range(1, numbers + 1):
        along = (number - 1) // 2
        side = 1 if number % 2 else -1
        letters = [""]
        if rng.random() < 0.08:
            letters = ["A", "B"] if rng.random() < 0.7 else ["A", "B", "C"]
        for index, letter in enumerate(letters):
            yield Row(
                address_id, street, number, letter, postcode, name,
                round(start_lon + along * step_lon + side * step_lat * 0.5 + index * 1e-5, 7),
                round(start_lat + along * step_lat - side * step_lon * 0.2, 7),
            )  # fmt: skip
            address_id += 1


def demo_rows() -> Iterator[Row]:
    rng = random.Random(3205)
    towns = {town[0]: town for town in TOWNS}
    address_id = 900_000_001
    for town_name, streets in DEMO_STREETS.items():
        for street in streets:
            for row in _street_rows(
                rng, street, towns[town_name], rng.randint(6, 24), address_id, 0.006
            ):
                yield row
                address_id = row.address_id + 1


def synthetic_rows(count: int, *, seed: int = 18) -> Iterator[Row]:
    """`count` addresses: the FIRST x ENDINGS street names (about 2,000) in towns picked at
    random, 1-200 numbers each; past the last name, the names again in other towns (as one
    name serves several localities in a real municipality)."""
    rng = random.Random(seed)
    names = [first + ending for first in FIRST for ending in ENDINGS]
    rng.shuffle(names)
    per_street = max(1, count // len(names))
    made, address_id = 0, 100_000_001
    while made < count:
        for street in names:
            numbers = max(1, min(200, int(rng.expovariate(1 / per_street)) + 1))
            for row in _street_rows(rng, street, rng.choice(TOWNS), numbers, address_id, 0.02):
                if made >= count:
                    return
                yield row
                made += 1
                address_id = row.address_id + 1


# The demo's place names besides its localities (tettsteder): name, kind, importance, lon, lat.
DEMO_PLACES = (
    ("Øyeren", "innsjø", "D", 11.2300, 59.8700),
    ("Nitelva", "elv", "E", 11.0350, 59.9530),
    ("Glomma", "elv", "C", 11.1600, 59.9450),
    ("Leira", "elv", "F", 11.0900, 59.9750),
    ("Kjeller flyplass", "flyplass", "F", 11.0360, 59.9700),
    ("Fetsund lenser", "museum", "G", 11.1580, 59.9290),
    ("Lillestrøm stasjon", "stasjon", "G", 11.0490, 59.9530),
)
GML_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!-- The demo's place names, made in the form of Geonorge's "Stedsnavn for vanlig bruk" GML
     download, written by bench/address_data.py; approximate points, made-up numbers. -->
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:app="https://skjema.geonorge.no/SOSI/produktspesifikasjon/StedsnavnForVanligBruk/20231001"
    gml:id="demo-3205">
"""
GML_PLACE = """  <gml:featureMember>
    <app:Sted gml:id="demo-{number}">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>{number}</app:lokalId>\
<app:navnerom>https://data.geonorge.no/sosi/stedsnavn</app:navnerom></app:Identifikasjon>\
</app:identifikasjon>
      <app:posisjon><gml:Point gml:id="demo-{number}-p" srsName="urn:ogc:def:crs:EPSG::{epsg}">\
<gml:pos>{east:.2f} {north:.2f}</gml:pos></gml:Point></app:posisjon>
      <app:stedsnavn><app:Stedsnavn><app:språk>norsk</app:språk><app:skrivemåte><app:Skrivemåte>\
<app:komplettskrivemåte>{name}</app:komplettskrivemåte><app:skrivemåtestatus>vedtatt\
</app:skrivemåtestatus></app:Skrivemåte></app:skrivemåte></app:Stedsnavn></app:stedsnavn>
      <app:land>Norge</app:land>
      <app:navneobjekttype>{kind}</app:navneobjekttype>
      <app:sortering>viktighet{importance}</app:sortering>
      <app:kommune><app:Kommune><app:kommunenummer>{municipality}</app:kommunenummer>\
<app:kommunenavn>Lillestrøm</app:kommunenavn></app:Kommune></app:kommune>
      <app:stedsnummer>{number}</app:stedsnummer>
    </app:Sted>
  </gml:featureMember>
"""


def demo_places_gml(out: IO[str]) -> None:
    places = [(town, "tettsted", "E", lon, lat) for town, _code, lon, lat in TOWNS]
    places[0] = (TOWNS[0][0], "by", "C", TOWNS[0][2], TOWNS[0][3])  # Lillestrøm is a town
    out.write(GML_HEAD)
    for index, (name, kind, importance, lon, lat) in enumerate([*places, *DEMO_PLACES]):
        east, north = TO_UTM.transform(lon, lat)
        values = {"number": 990_001 + index, "epsg": EPSG, "east": east, "north": north}
        values |= {"name": name, "kind": kind, "importance": importance}
        out.write(GML_PLACE.format(**values, municipality=lillestrom.MUNICIPALITY_NUMBER))
    out.write("</gml:FeatureCollection>\n")


def write(rows: Iterator[Row], out: IO[str]) -> None:
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(HEADINGS)
    for row in rows:
        writer.writerow(row.cells())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo", action="store_true", help="the demo's addresses")
    parser.add_argument("--demo-places", action="store_true", help="the demo's place names")
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    if args.demo_places:
        demo_places_gml(sys.stdout)
        return
    write(demo_rows() if args.demo else synthetic_rows(args.count), sys.stdout)


if __name__ == "__main__":
    main()
