"""GET /api/v1/places?q=...: the municipality's addresses as typed, best match first (the
search comboboxes of the incident map and the callout form ask it as the officer types)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.types import SearchText
from beredskap.platform.auth.permissions import READERS, Rule
from beredskap.platform.deps import CurrentPrincipal, SessionDep
from beredskap.platform.errors import N_, DomainValidationError
from beredskap.register.addresses.search import DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY, search

router = APIRouter(tags=["places"], responses=PROBLEM_RESPONSES)
# Addresses are public data, but the API answers only those logged in; every role has a map
# (the council's too) on which a place is looked up.
RULES: dict[str, Rule] = {"places.search": READERS}


class PlaceOut(BaseModel):
    label: str
    kind: str
    lat: float
    lon: float
    east: float
    north: float
    epsg: int


class PlacesOut(BaseModel):
    q: str
    count: int
    results: list[PlaceOut]


@router.get("/places", name="places.search", response_model=PlacesOut)
def find_places(
    session: SessionDep,
    principal: CurrentPrincipal,
    q: Annotated[
        SearchText,
        Query(
            min_length=1,
            max_length=MAX_QUERY,
            description='An address as typed: "Storgata 12", "storgta 12b, 2000", "Lillestrom"',
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> PlacesOut:
    """Addresses best matching `q`, forgiving typos, missing diacritics (ø, å, æ typed as
    o/oe, a/aa, ae) and the spellings gata/gate and vegen/veien/vei; each with its point in
    WGS84 and in EUREF89 UTM 33 (`epsg`)."""
    if not q.strip():
        raise DomainValidationError("q", N_("type part of an address to search for"))
    found = search(session, q, limit)
    return PlacesOut(
        q=q, count=len(found), results=[PlaceOut(**place.as_json()) for place in found]
    )
