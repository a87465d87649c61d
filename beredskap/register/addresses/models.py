"""The `addresses` table: the municipality's street addresses from Kartverket's Matrikkelen
(`beredskap import addresses FILE`), each with its point in WGS84; and `place_names`, its
place names from Sentralt stedsnavnregister (`beredskap import places FILE`). Reference data
brought to exactly the file's set on each import; not audited row by row (one summary
entry)."""

from __future__ import annotations

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from beredskap.platform.db import Base

WGS84 = 4326
# The entity id of each import's summary entry in the audit log (the search's cache reads it).
IMPORT_KIND = "addresses"
PLACES_IMPORT_KIND = "place_names"


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The matrikkel's own identity of the address (`adresseId`, else `lokalid`).
    address_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    municipality_number: Mapped[str] = mapped_column(String(4), index=True)
    street: Mapped[str] = mapped_column(String(200))
    number: Mapped[int] = mapped_column(Integer)
    letter: Mapped[str] = mapped_column(String(4), default="")
    postal_code: Mapped[str | None] = mapped_column(String(4))
    postal_town: Mapped[str | None] = mapped_column(String(100))
    # lookup.search_key(street, number, letter): what a typed address is matched on.
    search_key: Mapped[str] = mapped_column(String(220), index=True)
    # folding.fold(street): what the place search (`search.py`) matches typed streets on; its
    # addresses are then read by (street_key, number).
    street_key: Mapped[str] = mapped_column(String(200), server_default="")
    point: Mapped[WKBElement] = mapped_column(
        Geometry(geometry_type="POINT", srid=WGS84, spatial_index=False), nullable=False
    )

    __table_args__ = (Index("ix_addresses_street_key_number", "street_key", "number"),)

    def label(self) -> str:
        text = f"{self.street} {self.number}{self.letter}"
        if self.postal_code:
            text += f", {self.postal_code} {self.postal_town or ''}".rstrip()
        return text


class PlaceName(Base):
    """One spelling of a place's name (SSR: a `Sted` with its names in each language and
    their other spellings): what the place search matches on, shown as `name`."""

    __tablename__ = "place_names"
    __table_args__ = (UniqueConstraint("place_id", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # SSR's own number of the place (`stedsnummer`, else `lokalId`).
    place_id: Mapped[int] = mapped_column(BigInteger)
    municipality_number: Mapped[str] = mapped_column(String(4), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # What kind of place (`navneobjekttype`: "tettsted", "gard", "vann" ...), as SSR says.
    kind: Mapped[str] = mapped_column(String(60))
    # SSR's `sortering`: viktighetA (most important) is 1, then 2 ...; 99 when not given.
    importance: Mapped[int] = mapped_column(Integer)
    # folding.fold of this spelling.
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    point: Mapped[WKBElement] = mapped_column(
        Geometry(geometry_type="POINT", srid=WGS84, spatial_index=False), nullable=False
    )

    def label(self) -> str:
        return f"{self.name} ({self.kind})" if self.kind else self.name
