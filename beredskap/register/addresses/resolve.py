"""An address or place typed into a form without a script (no combobox to choose from), turned
into one point by the same search the combobox asks (`search.py`), or the message for the
field.

An address is one when the best answer is alone in its score and has the number typed (and
its letter, or none when none was typed): "Storgta 12" is Storgata 12. Several equally good
(the same street and number in two postal codes, or 15A and 15B for "15") ask for the postal
code or the letter; a street without a number, or a number the street lacks, is no point. A
place name (no number typed) is one place when no other is as good."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from beredskap.platform.errors import N_, Param
from beredskap.register.addresses.search import MAX_QUERY, PLACE, Found, parse, search

NOT_FOUND = N_(
    "no such address in the municipality's address list; check it, or give the coordinates"
)
DID_YOU_MEAN = N_("no such address in the municipality's address list; did you mean %(example)s?")
SEVERAL = N_("%(count)s addresses match; add the postal code, e.g. %(example)s")
SEVERAL_LETTERS = N_("%(count)s addresses match; add the letter, e.g. %(example)s")
SEVERAL_PLACES = N_(
    "%(count)s places match, e.g. %(example)s; type more of the name, or give the coordinates"
)
NO_NUMBER = N_("add the house number, e.g. %(example)s")
TOO_LONG = N_("at most %(count)s characters")  # the form toolkit's own message
CANDIDATES = 10


@dataclass(frozen=True)
class Located:
    """The one address typed, or why not (a message code and its parameters)."""

    found: Found | None = None
    code: str | None = None
    params: dict[str, Param] = field(default_factory=dict)


def locate(session: Session, text: str) -> Located:
    if len(text) > MAX_QUERY:
        return Located(code=TOO_LONG, params={"count": MAX_QUERY})
    typed = parse(text)
    results = search(session, text, CANDIDATES) if typed is not None else []
    if typed is None or not results:
        return Located(code=NOT_FOUND)
    best = results[0]
    if typed.number is None:
        if best.kind != PLACE:
            return Located(code=NO_NUMBER, params={"example": best.label})
        places = [place for place in results if place.kind == PLACE]
        if len(places) > 1 and places[1].score == best.score:
            tied = sum(1 for place in places if place.score == best.score)
            return Located(code=SEVERAL_PLACES, params={"count": tied, "example": best.label})
        return Located(found=best)
    if best.number != typed.number:
        return Located(code=DID_YOU_MEAN, params={"example": best.label})
    tied = [place for place in results if place.score == best.score]
    if len(tied) > 1:
        several = SEVERAL_LETTERS if len({place.letter for place in tied}) > 1 else SEVERAL
        return Located(code=several, params={"count": len(tied), "example": best.label})
    if best.letter.casefold() != typed.letter:
        return Located(code=DID_YOU_MEAN, params={"example": best.label})
    return Located(found=best)
