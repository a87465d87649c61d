"""Reading a volunteer's SMS reply: JA / NEI, minutes to arrival, a callout code, STOP / START.

The grammar, after normalising the text (Unicode NFKC, so full-width letters and odd spaces
become plain ones; invisible format characters dropped; case folded) and splitting it into
runs of letters and runs of digits (every other character separates):

    reply  := [code] (keyword | answer [arrival] [anything])
    code   := one of the CODE_LETTERS, then 1-99 without a leading zero ("B7", "b 7", "B-7")
    answer := JA J YES Y 1 (yes) | NEI N NO 0 (no); a drawn-out "jaaa" / "neii" counts
    arrival:= the first time after the answer: "20", "20 min", "20min", "1 time", "1,5 t",
              "en halvtime", "et kvarter", "1 t 30 min", "kl 14.30" (needs the receive time)

Decisions:
- Callout codes are one letter and a number from 1 to 99. The letters leave out J, N and Y
  (the answer words) and I, L, O, Q and S (read as 1, 0 and 5), so a code can never be read
  as an answer or as minutes, and an answer or minutes can never be read as a code; the
  tests check this for every code. `callout_code_for` hands them out.
- Keywords follow the carriers' rule that Twilio applies: only a message that is nothing
  but the keyword counts ("STOP", "stop.", "Stop all"), with or without a callout code
  before it. Opt-out: STOP, STOPP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT,
  AVMELD. Opt-in: START, UNSTOP. Help: HJELP, HELP, INFO.
- YES is always an answer, never consent. Twilio's default keyword handling treats YES as
  an opt-in on some senders, but here a callout answer matters most, and consent comes back
  only with an explicit START (recorded with the time). On a Twilio sender that applies its
  default keywords, remove YES from the opt-in list (Advanced Opt-Out) to keep both in step.
- A reply holding both a yes word and a no word ("ja ... nei") is unparseable, never
  guessed; so is a reply whose first word is not an answer. The sender gets the help text.
- Minutes to arrival count only with a yes, from 0 to MAX_MINUTES; beyond that the answer
  stands and the minutes are dropped. Of several times the largest counts ("20-30 min" is
  30), except an hour and minutes given together ("1 t 30 min" is 90). A number followed by
  a unit that is not time ("5 km") is not a time.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from enum import StrEnum
from zoneinfo import ZoneInfo

from alerts.gateway.port import MAX_SMS_CHARS

NORWAY = ZoneInfo("Europe/Oslo")
MAX_MINUTES = 12 * 60

CODE_LETTERS = "ABCDEFGHKMPRTUVWXZ"
MAX_CODE_NUMBER = 99
_CODE = re.compile(rf"[{CODE_LETTERS}][1-9][0-9]?")
_CODE_NUMBER = re.compile(r"[1-9][0-9]?")
_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)?|[^\W\d_]+")
_DRAWN_OUT = re.compile(r"(.)\1+$")
_ASCII_DIGITS = frozenset("0123456789")

# Word -> the language it tells (None: either).
YES_WORDS = {"ja": "nb", "j": "nb", "yes": "en", "y": "en", "1": None}
NO_WORDS = {"nei": "nb", "n": None, "no": "en", "0": None}
# Words in the rest of a reply that contradict its answer.
_CONTRADICTS_YES = {"nei", "no"}
_CONTRADICTS_NO = {"ja", "yes"}
OPT_OUT_WORDS = {
    "stop": None,
    "stopp": "nb",
    "stopall": "en",
    "unsubscribe": "en",
    "cancel": "en",
    "end": "en",
    "quit": "en",
    "revoke": "en",
    "optout": "en",
    "avmeld": "nb",
}
OPT_IN_WORDS = {"start": None, "unstop": "en"}
HELP_WORDS = {"hjelp": "nb", "help": "en", "info": None}

_MINUTE_WORDS = {
    "m": None,
    "min": None,
    "mins": "en",
    "minute": "en",
    "minutes": "en",
    "minutt": "nb",
    "minutter": "nb",
    "minutta": "nb",
    "mnt": "nb",
}
_HOUR_WORDS = {
    "t": "nb",
    "time": "nb",
    "timer": "nb",
    "timar": "nb",
    "h": None,
    "hr": "en",
    "hrs": "en",
    "hour": "en",
    "hours": "en",
}
# Words that make a time of their own: "om en halvtime", "om et kvarter".
_FIXED_SPANS = {"halvtime": (30, "nb"), "kvarter": (15, "nb")}
_ONE = {"en", "ett", "ei", "et", "one", "an", "a"}
_HALF = {"halv", "half"}
# A number followed by one of these is not a time.
_NOT_TIME_UNITS = {
    "km",
    "kilometer",
    "kilometre",
    "mil",
    "meter",
    "metre",
    "stk",
    "pers",
    "personer",
    "people",
    "kr",
    "prosent",
    "percent",
}
_CLOCK_WORDS = {"kl", "klokka", "klokken", "at"}


class ReplyKind(StrEnum):
    YES = "yes"
    NO = "no"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    UNPARSEABLE = "unparseable"


@dataclass(frozen=True)
class ParsedReply:
    """What an SMS reply says.

    `language` is "nb" or "en" when the reply's words tell (JA / YES, HJELP / HELP), so the
    answer to it can be in the same language; None when they do not ("1", "STOP").
    `arrival_clock` is set for "kl 14.30"; `minutes_to_arrival` then needs the receive time.
    """

    kind: ReplyKind
    callout_code: str | None = None
    minutes_to_arrival: int | None = None
    language: str | None = None
    arrival_clock: clock_time | None = None

    @property
    def is_answer(self) -> bool:
        return self.kind in (ReplyKind.YES, ReplyKind.NO)


def parse_reply(text: str, *, received_at: datetime | None = None) -> ParsedReply:
    """Read an SMS reply. Never raises: what cannot be read is `UNPARSEABLE`.

    `received_at` (timezone-aware) turns an arrival clock time ("kl 14.30", Norwegian time)
    into minutes.
    """
    tokens = _tokens(text)
    code, rest = _split_code(tokens)
    if not rest:
        return ParsedReply(ReplyKind.UNPARSEABLE, code)
    keyword = _keyword("".join(rest))
    if keyword is not None:
        kind, language = keyword
        return ParsedReply(kind, code, language=language)
    first = _DRAWN_OUT.sub(r"\1", rest[0]) if rest[0].isalpha() else rest[0]
    tail = rest[1:]
    if first in YES_WORDS:
        if _CONTRADICTS_YES.intersection(tail):
            return ParsedReply(ReplyKind.UNPARSEABLE, code)
        arrival = _arrival(tail, received_at)
        language = YES_WORDS[first] or arrival.language
        return ParsedReply(ReplyKind.YES, code, arrival.minutes, language, arrival.clock)
    if first in NO_WORDS:
        if _CONTRADICTS_NO.intersection(tail):
            return ParsedReply(ReplyKind.UNPARSEABLE, code)
        return ParsedReply(ReplyKind.NO, code, language=NO_WORDS[first])
    return ParsedReply(ReplyKind.UNPARSEABLE, code)


def normalise(text: str) -> str:
    """NFKC, without invisible format characters, case folded: the text the grammar reads."""
    # Nothing longer than a provider's longest message is read (nor can it be an answer).
    text = unicodedata.normalize("NFKC", text[:MAX_SMS_CHARS])
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return text.casefold()


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


def _split_code(tokens: list[str]) -> tuple[str | None, list[str]]:
    """The leading callout code, if any, and the tokens after it (the answer first)."""
    code: str | None = None
    rest = tokens
    if len(tokens) >= 2 and len(tokens[0]) == 1 and tokens[0].upper() in CODE_LETTERS:
        number, *after = _split_decimal(tokens[1])
        if _CODE_NUMBER.fullmatch(number):
            code, rest = tokens[0].upper() + number, after + tokens[2:]
    if rest:
        # "1.20" or "1,20" after a digit answer is the answer and minutes, not a fraction.
        rest = _split_decimal(rest[0]) + rest[1:]
    return code, rest


def _is_number(token: str) -> bool:
    # ASCII digits only: str.isdigit() is also true for "፩" or "²", which float() refuses.
    return token[:1] in _ASCII_DIGITS


def _split_decimal(token: str) -> list[str]:
    return re.split(r"[.,]", token) if _is_number(token) else [token]


def _keyword(compact: str) -> tuple[ReplyKind, str | None] | None:
    for kind, words in (
        (ReplyKind.OPT_OUT, OPT_OUT_WORDS),
        (ReplyKind.OPT_IN, OPT_IN_WORDS),
        (ReplyKind.HELP, HELP_WORDS),
    ):
        if compact in words:
            return kind, words[compact]
    return None


@dataclass(frozen=True)
class _Arrival:
    minutes: int | None = None
    language: str | None = None
    clock: clock_time | None = None


def _arrival(tail: list[str], received_at: datetime | None) -> _Arrival:
    """The time to arrival in the words after a yes."""
    spans: list[tuple[float, str | None]] = []  # (minutes, "h"/"m" when a unit was given)
    language: str | None = None
    index = 0
    while index < len(tail):
        token = tail[index]
        following = tail[index + 1] if index + 1 < len(tail) else None
        after_number = tail[index + 2] if index + 2 < len(tail) else None
        if (
            token in _CLOCK_WORDS
            and following is not None
            and _is_number(following)
            and after_number not in _MINUTE_WORDS
            and after_number not in _HOUR_WORDS
        ):
            clock = _clock(tail[index + 1 :])
            if clock is None:  # "kl 25": a clock time that is none; not minutes either
                return _Arrival(None, language)
            return _Arrival(_minutes_until(clock, received_at), language, clock)
        if _is_number(token):
            value = float(token.replace(",", "."))
            if following in _HOUR_WORDS:
                spans.append((value * 60, "h"))
                language = language or _HOUR_WORDS[following]
                index += 2
                continue
            if following in _MINUTE_WORDS:
                spans.append((value, "m"))
                language = language or _MINUTE_WORDS[following]
                index += 2
                continue
            if following not in _NOT_TIME_UNITS:
                spans.append((value, None))
            index += 1
            continue
        phrase = _spelled_span(tail[index : index + 3])
        if phrase is not None:
            minutes, unit, word_language, length = phrase
            spans.append((minutes, unit))
            language = language or word_language
            index += length
            continue
        index += 1
    return _Arrival(_combine(spans), language)


def _spelled_span(words: list[str]) -> tuple[float, str, str | None, int] | None:
    """A time written in words at the start of `words`: (minutes, unit, language, words used).

    "halvtime", "kvarter", "halv time", "half an hour", "half hour", "en time", "an hour".
    """
    first = words[0]
    second = words[1] if len(words) > 1 else None
    third = words[2] if len(words) > 2 else None
    if first in _FIXED_SPANS:
        minutes, language = _FIXED_SPANS[first]
        return minutes, "m", language, 1
    if first in _HALF and second in _HOUR_WORDS:
        return 30, "m", _HOUR_WORDS[second], 2
    if first in _HALF and second in _ONE and third in _HOUR_WORDS:
        return 30, "m", _HOUR_WORDS[third], 3
    if first in _ONE and second in _HOUR_WORDS:
        return 60, "h", _HOUR_WORDS[second], 2
    return None


def _combine(spans: list[tuple[float, str | None]]) -> int | None:
    if not spans:
        return None
    if len(spans) == 2 and spans[0][1] == "h" and spans[1][1] == "m":
        total = spans[0][0] + spans[1][0]  # "1 t 30 min"
    else:
        total = max(minutes for minutes, _unit in spans)  # "20-30 min": the later one
    if not 0 <= total <= MAX_MINUTES:  # also infinity, from a number of 400 digits
        return None
    return math.floor(total + 0.5)


def _clock(tokens: list[str]) -> clock_time | None:
    """14 / 14.30 / 14,30 / 1430 / 14 30 (from 14:30) as a clock time."""
    first = tokens[0]
    minute_token = tokens[1] if len(tokens) > 1 else None
    if "." in first or "," in first:
        hour_text, minute_text = re.split(r"[.,]", first)
    elif len(first) in (3, 4):
        hour_text, minute_text = first[:-2], first[-2:]
    elif minute_token is not None and len(minute_token) == 2 and _is_number(minute_token):
        hour_text, minute_text = first, minute_token
    else:
        hour_text, minute_text = first, "0"
    hour, minute = int(hour_text), int(minute_text)
    if hour > 24 or minute > 59 or len(minute_text) > 2:
        return None
    return clock_time(hour % 24, minute)


def _minutes_until(clock: clock_time, received_at: datetime | None) -> int | None:
    """Minutes from `received_at` to the next `clock` in Norway, if within MAX_MINUTES."""
    if received_at is None or received_at.tzinfo is None:
        return None
    local = received_at.astimezone(NORWAY)
    arrival = datetime.combine(local.date(), clock, NORWAY)
    if arrival < local - timedelta(minutes=15):  # "kl 02" said at 23:00 means tomorrow
        arrival = datetime.combine(local.date() + timedelta(days=1), clock, NORWAY)
    minutes = math.floor((arrival - local).total_seconds() / 60 + 0.5)
    return max(0, minutes) if minutes <= MAX_MINUTES else None


def is_callout_code(text: str) -> bool:
    return _CODE.fullmatch(text) is not None


def callout_code_for(number: int) -> str:
    """The code for the `number`-th callout (from 0): A1..A99, B1..B99, ..., then again.

    1,782 codes before one repeats; only callouts open at the same time need distinct codes.
    """
    if number < 0:
        raise ValueError("number must not be negative")
    letter = CODE_LETTERS[(number // MAX_CODE_NUMBER) % len(CODE_LETTERS)]
    return f"{letter}{number % MAX_CODE_NUMBER + 1}"
