"""One spelling for comparing names as people type them: "Lillestrøm", "Lillestrom" and
"Lillestroem" fold alike, as do "Storgata"/"Storgate" and "Solheimvegen"/"Solheimveien".

Both the stored key (`addresses.street_key`) and the typed text go through `fold`, so only
the folded forms are ever compared; what folds together is merely a wider match, never a wrong
one. Typos are the fuzzy ranking's business (`search.py`), not this module's."""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not take apart (Norwegian, Sami, German), spelt as a keyboard without them.
_LETTERS = str.maketrans(
    {"æ": "ae", "ø": "o", "å": "a", "ä": "ae", "ö": "o", "đ": "d", "ŋ": "n", "ŧ": "t", "ß": "ss"}
)
# ASCII stand-ins for ø and å ("oe", "aa") read as the letter; "ae" is æ already.
_DIGRAPHS = ((re.compile("aa"), "a"), (re.compile("oe"), "o"))
# Word endings written both ways in Norway (as lookup.py forgives them) and their abbreviations.
_ENDINGS = (
    (re.compile(r"(gata|gaten|gate|gt)\b"), "gate"),
    (re.compile(r"(vegen|veien|vegan|veg|vei|vn)\b"), "vei"),
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII words separated by one space, with the spellings above made one."""
    text = text.casefold().translate(_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NOT_WORD.sub(" ", text).strip()
    for pattern, replacement in (*_DIGRAPHS, *_ENDINGS):
        text = pattern.sub(replacement, text)
    return text
