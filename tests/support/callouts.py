"""Volunteers around Lillestrøm and callouts to them, for the callout tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from pyproj import Geod
from shapely.geometry import Point
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts.models import Answer, CalloutRecipient, RecipientState
from beredskap.platform.auth.models import Role
from beredskap.platform.columns import utcnow
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)

if TYPE_CHECKING:
    from tests.support.api import ApiHarness

URL = "/api/v1/callouts"
GEOD = Geod(ellps="WGS84")
LILLESTROM = (11.0494, 59.9560)
TODAY = date.today()
LATER = TODAY + timedelta(days=300)


def at(azimuth: float, metres: float) -> Point:
    lon, lat, _ = GEOD.fwd(*LILLESTROM, azimuth, metres)
    return Point(lon, lat)


def qualification(session: Session, code: str) -> QualificationType:
    return session.scalars(select(QualificationType).where(QualificationType.code == code)).one()


def volunteer(
    session: Session,
    number: int,
    place: Point,
    codes: list[str],
    organisation: Organisation,
) -> Volunteer:
    person = Volunteer(
        full_name=f"Frivillig {number}",
        mobile=f"+4477009004{number:02d}",
        home_area=place,
        sms_consent=True,
    )
    person.memberships.append(Membership(organisation=organisation))
    for code in codes:
        person.qualifications.append(
            VolunteerQualification(
                qualification_type=qualification(session, code),
                obtained_on=TODAY - timedelta(days=100),
                expires_on=LATER,
            )
        )
    session.add(person)
    return person


def body(**fields: Any) -> dict[str, Any]:
    return {
        "title": "Savnet person ved Nitelva",
        "message": "Leteaksjon. Oppmøte Lillestrøm stasjon.",
        "lat": LILLESTROM[1],
        "lon": LILLESTROM[0],
        "radius_m": 5_000,
        "needs": [{"qualification": "first_aid", "count": 2}],
    } | fields


def deliver_all(session: Session, callout_id: int) -> None:
    """What the worker and the receipts would do: every queued message delivered."""
    session.execute(
        update(CalloutRecipient)
        .where(
            CalloutRecipient.callout_id == callout_id,
            CalloutRecipient.state == RecipientState.QUEUED,
        )
        .values(state=RecipientState.DELIVERED)
    )


def answer(session: Session, recipient_id: int, value: Answer, minutes: int | None = None) -> None:
    """What an inbound reply would record."""
    session.execute(
        update(CalloutRecipient)
        .where(CalloutRecipient.id == recipient_id)
        .values(answer=value, answered_at=utcnow(), minutes_to_arrival=minutes)
    )


def sent_and_delivered(api: ApiHarness, **fields: Any) -> int:
    """A callout drafted and sent by the duty officer, every message delivered; its id."""
    created = api.post(Role.DUTY_OFFICER, URL, json=body(**fields))
    assert created.status_code == 201, created.text
    callout_id = int(created.json()["id"])
    sent = api.post(Role.DUTY_OFFICER, f"{URL}/{callout_id}/send")
    assert sent.status_code == 202, sent.text
    deliver_all(api.session, callout_id)
    api.session.commit()
    return callout_id
