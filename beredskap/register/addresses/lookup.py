"""A typed address to the municipality's address: "Storgata 12B", "storgate 12 b, 2000
Lillestrøm". Case, spaces, full stops and the spellings gata/gaten/gate and vegen/veien/veg/vei
are forgiven; street, number and letter must then be exactly one address (a postal code, when
typed, narrows it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.register.addresses.models import Address

_TYPED = re.compile(
    r"^(?P<street>.*?\D)\s*(?P<number>\d{1,5})\s*(?P<letter>[^\W\d_])?"
    r"\s*(?:,\s*(?P<postal>\d{4})?\s*(?P<town>[^,\d]*))?$"
)
_SPACES = re.compile(r"[\s.]+")
# Word endings written both ways in Norway: compare one spelling.
_ENDINGS = ((re.compile(r"(gata|gaten)\b"), "gate"), (re.compile(r"(vegen|veien|veg)\b"), "vei"))


def normalise_street(street: str) -> str:
    text = _SPACES.sub(" ", street.casefold()).strip(" ,")
    for pattern, replacement in _ENDINGS:
        text = pattern.sub(replacement, text)
    return text


def search_key(street: str, number: int, letter: str | None) -> str:
    return f"{normalise_street(street)} {number}{(letter or '').casefold()}"


@dataclass(frozen=True)
class TypedAddress:
    key: str
    postal_code: str | None


def parse(text: str) -> TypedAddress | None:
    """The search key and postal code of a typed address, or None if it has no number."""
    match = _TYPED.match(text.strip())
    if match is None or not match["street"].strip(" ,"):
        return None
    key = search_key(match["street"], int(match["number"]), match["letter"])
    return TypedAddress(key, match["postal"])


def find(session: Session, text: str) -> list[Address]:
    """Every address the text names (none, one, or several when it is ambiguous)."""
    typed = parse(text)
    if typed is None:
        return []
    query = select(Address).where(Address.search_key == typed.key)
    if typed.postal_code:
        query = query.where(Address.postal_code == typed.postal_code)
    return list(session.scalars(query.order_by(Address.id).limit(10)))
