"""A callout's CAP 1.2 messages: which messages its history makes, and what each one says.

The design: the messages are derived from what the callout records, never stored.
1. `Alert` when the callout was sent (`sent_at`); a draft has no message.
2. An `Update` for each later event: the escalation (`escalated_at`: a wider radius or more
   organisations asked), each follow-up to those who said yes (one text queued as
   `CalloutNotice` rows at one time is one message), "need covered" (`covered_at`).
3. `Cancel` when it was stopped (`stopped_at`).

Messages are numbered from 1 in the order they happened (ties by the order above). Every
event is stamped when it happens and nothing is stamped in the past, so a number, once given,
always names the same message: `identifier` (`<kommunenummer>-callout-<id>-<n>`) and `sent`
are stable, and the `references` of later messages stay valid. Each Update and the Cancel
reference every earlier message of the callout, the Alert first (`sender,identifier,sent`
triples); `incidents` names the callout, which groups them. A follow-up sent after the stop
is an Update after the Cancel: it was sent, and renumbering would break identifiers.

How the callout's fields map (CAP 1.2 section 3.2):
- `status`: `Exercise` for an exercise callout, with a `note` naming the exercise (an alert
  drill's callout carries its exercise's title); `Actual` otherwise.
- `category` `Rescue`: a callout asks volunteers to turn out for search, rescue and relief.
- `event` and `headline`: the callout's title.
- `urgency` `Immediate` (act now), `Past` on the Cancel (no longer required).
- `severity` `Unknown`: a callout records what is needed, not how severe the incident is;
  any other value would be invented.
- `certainty` `Observed`: an officer called out for an incident at hand (an exercise is told
  by `status`, not by certainty).
- `responseType` `Execute` (turn out as instructed); `None` on the Cancel; left out on "need
  covered", which tells some to come and the rest not to.
- `instruction`: the callout's message (the Alert, the escalation), the follow-up's own
  text, the "need covered" text, or that the callout was stopped; later messages carry the
  callout's message as `description`.
- `area`: a circle of the radius asked at the time (the escalation's wider one after it);
  with an area drawn on the callout, the polygons of that area within the radius instead,
  since CAP takes several shapes as their union and those asked live in both (holes, which
  CAP cannot draw, are left out). A `geocode` `kommunenummer` names the municipality.
- `addresses` (scope `Private`): the organisations of everyone asked by then, as they were
  when asked: `orgnr:<organisasjonsnummer>`, or `organisation:<id>` for one without; those
  asked outside any organisation as `kommune:<kommunenummer>`. Never a person: the message
  goes to other systems, and names, mobiles or recipient ids would be personal data they do
  not need (organisation numbers are public).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from babel.support import Translations
from geoalchemy2.shape import to_shape
from pyproj import Geod
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import sms_texts
from alerts.models import (
    Callout,
    CalloutNotice,
    CalloutRecipient,
    NoticeKind,
    RecipientOrganisation,
)
from beredskap.platform.columns import NORWAY
from beredskap.platform.privacy.retention import ERASED
from beredskap.platform.web.i18n import translations
from beredskap.register.organisations.models import Organisation

CAP_LANGUAGE = "no"  # the and the Norwegian CAP profile's tag for Norwegian
# Notices of one follow-up are written in one flush; the same text queued again later is a
# new message.
FOLLOW_UP_BATCH = timedelta(seconds=60)
_CIRCLE_VERTICES = 72  # a polygon for the radius, to clip a drawn area with (5 degrees apart)
_GEOD = Geod(ellps="WGS84")


class MsgType(enum.StrEnum):
    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"


class EventKind(enum.IntEnum):
    """What happened to a callout, in the order of messages made at the same second."""

    SENT = 0
    ESCALATED = 1
    FOLLOW_UP = 2
    COVERED = 3
    STOPPED = 4


@dataclass(frozen=True)
class Event:
    kind: EventKind
    at: datetime
    text: str | None = None  # a follow-up's own text, if still kept


@dataclass(frozen=True)
class CapArea:
    description: str
    polygons: tuple[str, ...]
    circles: tuple[str, ...]
    geocodes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CapInfo:
    event: str
    response_type: str | None
    urgency: str
    severity: str
    certainty: str
    sender_name: str
    headline: str
    description: str | None
    instruction: str
    parameters: tuple[tuple[str, str], ...]
    area: CapArea
    language: str = CAP_LANGUAGE
    category: str = "Rescue"


@dataclass(frozen=True)
class CapMessage:
    sequence: int
    identifier: str
    sender: str
    sent: str  # CAP's dateTime: Oslo's offset, whole seconds
    status: str
    msg_type: MsgType
    addresses: tuple[str, ...]
    note: str | None
    references: tuple[str, ...]  # "sender,identifier,sent" of earlier messages
    incidents: str
    info: CapInfo

    @property
    def reference(self) -> str:
        """How a later message names this one."""
        return f"{self.sender},{self.identifier},{self.sent}"


@dataclass(frozen=True)
class Origin:
    """Who sends: from the settings (`BEREDSKAP_MUNICIPALITY_NUMBER`, `BEREDSKAP_PUBLIC_URL`)."""

    municipality_number: str
    public_url: str | None

    @property
    def sender(self) -> str:
        """Unique to this municipality's register: its public host names it. Without one,
        a name under `.invalid` (RFC 2606, never a real host) with the kommunenummer."""
        host = urlsplit(self.public_url).hostname if self.public_url else None
        return f"beredskap@{host or f'kommune-{self.municipality_number}.invalid'}"


def cap_time(moment: datetime) -> str:
    """CAP's dateTime: Oslo's time with its offset, no fraction ("2026-12-07T03:00:00+01:00")."""
    return moment.astimezone(NORWAY).replace(microsecond=0).isoformat()


def _nb() -> Translations:
    # The content is Norwegian whoever asks: CAP's `language` says so.
    return translations(sms_texts.DEFAULT_LANGUAGE)


def _follow_up_batches(session: Session, callout_id: int) -> list[tuple[datetime, str]]:
    """Each follow-up once: (when first queued, its SMS body)."""
    batches: list[tuple[datetime, str]] = []
    open_by_body: dict[str, datetime] = {}
    rows = session.execute(
        select(CalloutNotice.created_at, CalloutNotice.body)
        .where(CalloutNotice.callout_id == callout_id, CalloutNotice.kind == NoticeKind.FOLLOW_UP)
        .order_by(CalloutNotice.created_at, CalloutNotice.id)
    )
    for created_at, body in rows:
        started = open_by_body.get(body)
        if started is None or created_at - started > FOLLOW_UP_BATCH:
            open_by_body[body] = created_at
            batches.append((created_at, body))
    return batches


def _follow_up_text(callout: Callout, body: str) -> str | None:
    """The officer's own words of a follow-up SMS (without the marker and the callout's
    label), or None once retention erased it."""
    if body == ERASED:
        return None
    prefix = sms_texts.follow_up_message(
        "", code=callout.code, title=callout.title, exercise=callout.exercise
    )
    return body.removeprefix(prefix).strip() or None


def events_of(session: Session, callout: Callout) -> list[Event]:
    """What happened to the callout that makes a message, in order."""
    if callout.sent_at is None:
        return []
    events = [Event(EventKind.SENT, callout.sent_at)]
    if callout.escalated_at is not None:
        events.append(Event(EventKind.ESCALATED, callout.escalated_at))
    events.extend(
        Event(EventKind.FOLLOW_UP, at, _follow_up_text(callout, body))
        for at, body in _follow_up_batches(session, callout.id)
    )
    if callout.covered_at is not None:
        events.append(Event(EventKind.COVERED, callout.covered_at))
    if callout.stopped_at is not None:
        events.append(Event(EventKind.STOPPED, callout.stopped_at))
    return sorted(events, key=lambda event: (event.at, event.kind))


def _addresses_by_round(
    session: Session, callout_id: int, municipality_number: str
) -> dict[int, set[str]]:
    """The addresses of those asked in each round (see the module's note)."""
    rows = session.execute(
        select(CalloutRecipient.ask_round, Organisation.id, Organisation.organisation_number)
        .distinct()
        .select_from(CalloutRecipient)
        .outerjoin(RecipientOrganisation, RecipientOrganisation.recipient_id == CalloutRecipient.id)
        .outerjoin(Organisation, Organisation.id == RecipientOrganisation.organisation_id)
        .where(CalloutRecipient.callout_id == callout_id)
    )
    found: dict[int, set[str]] = defaultdict(set)
    for ask_round, organisation_id, organisation_number in rows:
        if organisation_id is None:  # asked outside any organisation
            found[ask_round].add(_municipality_address(municipality_number))
        elif organisation_number:
            found[ask_round].add(f"orgnr:{organisation_number}")
        else:
            found[ask_round].add(f"organisation:{organisation_id}")
    return found


def _municipality_address(municipality_number: str) -> str:
    return f"kommune:{municipality_number}"


def _km(metres: float) -> str:
    return f"{metres / 1000:.3f}".rstrip("0").rstrip(".")


def _circle_polygon(centre: Point, radius_m: float) -> Polygon:
    lons, lats, _ = _GEOD.fwd(
        [centre.x] * _CIRCLE_VERTICES,
        [centre.y] * _CIRCLE_VERTICES,
        [360 * i / _CIRCLE_VERTICES for i in range(_CIRCLE_VERTICES)],
        [radius_m] * _CIRCLE_VERTICES,
    )
    return Polygon(zip(lons, lats, strict=True))


def _polygons_of(geometry: BaseGeometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry] if not geometry.is_empty else []
    return [part for g in getattr(geometry, "geoms", ()) for part in _polygons_of(g)]


def _cap_polygon(polygon: Polygon) -> str | None:
    """CAP's polygon: "lat,lon" pairs, the first repeated last, at least four."""
    pairs = [f"{lat:.6f},{lon:.6f}" for lon, lat in polygon.exterior.coords]
    return " ".join(pairs) if len(pairs) >= 4 and pairs[0] == pairs[-1] else None


def _area(callout: Callout, radius_m: float, origin: Origin) -> CapArea:
    t = _nb()
    centre = to_shape(callout.centre)
    km = _km(radius_m)
    geocodes = (("kommunenummer", origin.municipality_number),)
    drawn = to_shape(callout.area) if callout.area is not None else None
    if isinstance(drawn, MultiPolygon):
        clipped = drawn.intersection(_circle_polygon(centre, radius_m))
        polygons = tuple(
            text for text in (_cap_polygon(part) for part in _polygons_of(clipped)) if text
        )
        if polygons:
            return CapArea(
                t.pgettext("cap", "The callout's area within %(km)s km of its place") % {"km": km},
                polygons,
                (),
                geocodes,
            )
    return CapArea(
        t.pgettext("cap", "Within %(km)s km of the callout's place") % {"km": km},
        (),
        (f"{centre.y:.6f},{centre.x:.6f} {km}",),
        geocodes,
    )


def _instruction(callout: Callout, event: Event) -> str:
    if event.kind is EventKind.FOLLOW_UP and event.text:
        return event.text
    if event.kind is EventKind.COVERED:
        # The exercise is told by `status`; the marker is for SMS.
        return sms_texts.covered_message(code=callout.code, title=callout.title, exercise=False)
    if event.kind is EventKind.STOPPED:
        return _nb().pgettext("cap", "The callout has been stopped.")
    return callout.message


def _info(callout: Callout, event: Event, radius_m: float, origin: Origin) -> CapInfo:
    stopped = event.kind is EventKind.STOPPED
    response = {EventKind.STOPPED: "None", EventKind.COVERED: None}.get(event.kind, "Execute")
    return CapInfo(
        event=callout.title,
        response_type=response,
        urgency="Past" if stopped else "Immediate",
        severity="Unknown",
        certainty="Observed",
        sender_name=_nb().pgettext("cap", "Preparedness, municipality %(number)s")
        % {"number": origin.municipality_number},
        headline=callout.title,
        description=None if event.kind is EventKind.SENT else callout.message,
        instruction=_instruction(callout, event),
        # The code people answer with, and how many yes are wanted.
        parameters=(("svarkode", callout.code), ("antall_ønsket", str(callout.wanted_total))),
        area=_area(callout, radius_m, origin),
    )


_MSG_TYPES = {EventKind.SENT: MsgType.ALERT, EventKind.STOPPED: MsgType.CANCEL}


def messages_of(session: Session, callout: Callout, origin: Origin) -> list[CapMessage]:
    """The callout's CAP messages, oldest first (empty for a draft)."""
    events = events_of(session, callout)
    if not events:
        return []
    by_round = _addresses_by_round(session, callout.id, origin.municipality_number)
    messages: list[CapMessage] = []
    escalated = False
    for sequence, event in enumerate(events, start=1):
        escalated = escalated or event.kind is EventKind.ESCALATED
        rounds = (0, 1) if escalated else (0,)
        addresses = sorted(set().union(*(by_round.get(r, set()) for r in rounds)))
        radius_m = (callout.escalate_radius_m if escalated else None) or callout.radius_m
        messages.append(
            CapMessage(
                sequence=sequence,
                identifier=f"{origin.municipality_number}-callout-{callout.id}-{sequence}",
                sender=origin.sender,
                sent=cap_time(event.at),
                status="Exercise" if callout.exercise else "Actual",
                msg_type=_MSG_TYPES.get(event.kind, MsgType.UPDATE),
                # Scope Private needs someone: the municipality if no row says who.
                addresses=tuple(addresses) or (_municipality_address(origin.municipality_number),),
                note=f"{sms_texts.EXERCISE_MARKER}: {callout.title}" if callout.exercise else None,
                references=tuple(earlier.reference for earlier in messages),
                incidents=f"{origin.municipality_number}-callout-{callout.id}",
                info=_info(callout, event, radius_m, origin),
            )
        )
    return messages
