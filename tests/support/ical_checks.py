"""RFC 5545 checks beyond what `icalendar`'s parser enforces (no validator package exists on
the registry): content lines, required properties per component, and VTIMEZONEs that define
every TZID used with onsets that agree with tzdata."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone

MAX_LINE_OCTETS = 75  # RFC 5545 3.1, excluding the CRLF
ONCE = {
    "VCALENDAR": ("PRODID", "VERSION"),
    "VEVENT": ("UID", "DTSTAMP", "DTSTART"),
    "VTIMEZONE": ("TZID",),
    "STANDARD": ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"),
    "DAYLIGHT": ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"),
}
AT_MOST_ONCE = {
    "VCALENDAR": ("CALSCALE", "METHOD"),
    "VEVENT": (
        "DTEND",
        "SEQUENCE",
        "STATUS",
        "SUMMARY",
        "DESCRIPTION",
        "LOCATION",
        "GEO",
        "LAST-MODIFIED",
        "CREATED",
        "URL",
        "TRANSP",
    ),
}


def check_content_lines(body: bytes) -> None:
    """CRLF after every line, no bare CR or LF, lines folded at 75 octets (3.1)."""
    assert body.endswith(b"\r\n"), "the object must end with CRLF"
    lines = body[:-2].split(b"\r\n")
    for number, line in enumerate(lines, start=1):
        assert b"\n" not in line and b"\r" not in line, f"line {number}: bare CR or LF"
        assert len(line) <= MAX_LINE_OCTETS, f"line {number} has {len(line)} octets"
        line.decode("utf-8")  # folding must not split a UTF-8 sequence
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"


def _count(component: Calendar, name: str) -> int:
    value = component.get(name)
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else 1


def check_components(calendar: Calendar) -> None:
    """Required properties once, optional singletons at most once, sane DTSTART/DTEND."""
    for component in calendar.walk():
        for name in ONCE.get(component.name, ()):
            assert _count(component, name) == 1, f"{component.name} needs one {name}"
        for name in AT_MOST_ONCE.get(component.name, ()):
            assert _count(component, name) <= 1, f"{component.name} has {name} twice"
        if component.name == "VEVENT":
            assert not ("DTEND" in component and "DURATION" in component)
            assert component.decoded("DTEND") > component.decoded("DTSTART")
            assert component["DTSTAMP"].dt.utcoffset() == timedelta(0), "DTSTAMP is UTC"
        if component.name == "VTIMEZONE":
            assert [sub for sub in component.subcomponents if sub.name in ("STANDARD", "DAYLIGHT")]


def check_timezones(calendar: Calendar) -> None:
    """Every TZID has a VTIMEZONE, each onset (in TZOFFSETFROM) is a real tzdata transition,
    and the VTIMEZONE's range covers every event."""
    assert calendar.get_missing_tzids() == set(), "a TZID without its VTIMEZONE"
    for timezone in calendar.timezones:
        zone = ZoneInfo(timezone["TZID"])
        onsets = _check_onsets(timezone, zone)
        events = [
            component
            for component in calendar.walk("VEVENT")
            if component["DTSTART"].params.get("TZID") == timezone["TZID"]
        ]
        for event in events:
            start = event.decoded("DTSTART").replace(tzinfo=None)
            assert min(onsets) <= start, f"{timezone['TZID']} starts after {start}"
            assert max(onsets) + timedelta(days=366) >= start, f"{start} is past the range"


def _check_onsets(timezone: Timezone, zone: ZoneInfo) -> list[datetime]:
    onsets = []
    for observance in timezone.subcomponents:
        before = observance["TZOFFSETFROM"].td
        after = observance["TZOFFSETTO"].td
        local = [observance.decoded("DTSTART")]
        rdates = observance.get("RDATE")
        for listed in rdates if isinstance(rdates, list) else [rdates] if rdates else []:
            local.extend(period.dt for period in listed.dts)
        for onset in local:
            instant = (onset - before).replace(tzinfo=UTC)
            assert instant.astimezone(zone).utcoffset() == after, f"{onset}: not {after} then"
            if before != after:
                earlier = (instant - timedelta(seconds=1)).astimezone(zone).utcoffset()
                assert earlier == before, f"{onset} is no transition from {before}"
            onsets.append(onset)
    return onsets


def check_rfc5545(body: bytes) -> Calendar:
    """All the checks above; returns the parsed calendar."""
    check_content_lines(body)
    calendar = Calendar.from_ical(body)
    check_components(calendar)
    check_timezones(calendar)
    return calendar
