"""A repeat rule (RFC 5545 RRULE) in words in the page's language: "Every 3 months, the first
Tuesday" for FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU, never the raw rule alone (WCAG 3.1, 1.3.1).

Only the parts the form and its presets write are put in words (FREQ, INTERVAL, BYDAY with
or without an ordinal, BYMONTHDAY, BYMONTH, COUNT, UNTIL); a rule with any other part gives
None, and the page shows the rule as written.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from babel.dates import format_date, get_day_names, get_month_names
from babel.lists import format_list
from babel.support import Translations

from beredskap.platform.columns import NORWAY
from beredskap.platform.errors import N_

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY = re.compile(r"^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$")
_KNOWN = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "COUNT", "UNTIL", "WKST"}

# "every <unit>" and "every <n> <units>" (n is 2 or more, so no plural forms are needed).
_EVERY = {
    "DAILY": (N_("every day"), N_("every %(count)s days")),
    "WEEKLY": (N_("every week"), N_("every %(count)s weeks")),
    "MONTHLY": (N_("every month"), N_("every %(count)s months")),
    "YEARLY": (N_("every year"), N_("every %(count)s years")),
}
_ORDINALS = {
    1: N_("the first %(weekday)s"),
    2: N_("the second %(weekday)s"),
    3: N_("the third %(weekday)s"),
    4: N_("the fourth %(weekday)s"),
    -1: N_("the last %(weekday)s"),
}


def _parts(text: str) -> dict[str, str] | None:
    parts: dict[str, str] = {}
    for item in text.strip().upper().removeprefix("RRULE:").split(";"):
        name, sep, value = item.partition("=")
        if not sep or name not in _KNOWN or name in parts or not value:
            return None
        parts[name] = value
    return parts if parts.get("FREQ") in _EVERY else None


def _until(value: str, locale: str) -> str | None:
    for pattern in ("%Y%m%dT%H%M%SZ", "%Y%m%dT%H%M%S", "%Y%m%d"):
        try:
            moment = datetime.strptime(value, pattern)
        except ValueError:
            continue
        if value.endswith("Z"):
            moment = moment.replace(tzinfo=UTC).astimezone(NORWAY)
        return format_date(moment.date(), "long", locale=locale)
    return None


def rule_in_words(text: str | None, translations: Translations, locale: str) -> str | None:
    """The rule in words ("Every 3 months, the first Tuesday"), or None when it has parts
    this does not put in words (the page then shows the rule itself)."""
    parts = _parts(text or "")
    if parts is None:
        return None
    _ = translations.gettext
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or int(interval) < 1:
        return None
    one, many = _EVERY[parts["FREQ"]]
    words = [_(one) if int(interval) == 1 else _(many) % {"count": int(interval)}]
    days = get_day_names("wide", locale=locale)
    if "BYMONTH" in parts:
        months = get_month_names("wide", locale=locale)
        numbers = parts["BYMONTH"].split(",")
        if not all(n.isdigit() and 1 <= int(n) <= 12 for n in numbers):
            return None
        words.append(
            _("in %(months)s")
            % {"months": format_list([months[int(n)] for n in numbers], locale=locale)}
        )
    if "BYDAY" in parts:
        named = []
        for item in parts["BYDAY"].split(","):
            match = _BYDAY.match(item)
            if match is None:
                return None
            weekday = days[_WEEKDAYS.index(match.group(2))]
            if match.group(1) is None:
                named.append(weekday)
            elif int(match.group(1)) in _ORDINALS:
                named.append(_(_ORDINALS[int(match.group(1))]) % {"weekday": weekday})
            else:
                return None
        words.append(_("on %(days)s") % {"days": format_list(named, locale=locale)})
    if "BYMONTHDAY" in parts:
        numbers = parts["BYMONTHDAY"].split(",")
        if not all(n.isdigit() and 1 <= int(n) <= 31 for n in numbers):
            return None
        words.append(
            _("on day %(days)s of the month") % {"days": format_list(numbers, locale=locale)}
        )
    if "COUNT" in parts:
        if not parts["COUNT"].isdigit():
            return None
        count = int(parts["COUNT"])
        words.append(
            translations.ngettext("%(count)s time in all", "%(count)s times in all", count)
            % {"count": count}
        )
    if "UNTIL" in parts:
        until = _until(parts["UNTIL"], locale)
        if until is None:
            return None
        words.append(_("until %(day)s") % {"day": until})
    sentence = ", ".join(words)
    return sentence[:1].upper() + sentence[1:]
