"""Reading what was typed into a form field: text, decimal numbers, chosen option ids.

Shared by the callout and exercise forms; each form turns a None into its own message.
"""

from __future__ import annotations

import re
import unicodedata

WHOLE = re.compile(r"^\d{1,9}$")  # ASCII digits only (`str.isdigit` also takes "²")
# A decimal number as people type it in Norway too: "59,95" or "59.95".
NUMBER = re.compile(r"^[+-]?\d{1,9}(?:[.,]\d{1,12})?$")


def clean(text: str | None) -> str:
    return (text or "").strip()


def has_control_characters(text: str) -> bool:
    """Control characters other than line breaks and tabs: never meant, refused."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in text)


def decimal_number(text: str) -> float | None:
    return float(text.replace(",", ".")) if NUMBER.match(text) else None


def chosen_ids(raw: list[str], allowed: set[int], *, most: int) -> list[int] | None:
    """Chosen option ids (at most `most` read), or None when one is not among the options."""
    chosen = []
    for text in raw[:most]:
        text = text.strip()
        if not text:
            continue
        if not WHOLE.match(text) or int(text) not in allowed:
            return None
        chosen.append(int(text))
    return sorted(set(chosen))
