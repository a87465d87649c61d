"""Volunteers and sent callouts for the SMS tests (replies, receipts, webhooks, pages)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.callouts import service
from alerts.models import Callout, RecipientState
from beredskap.main.settings import Settings
from beredskap.register.volunteers.models import (
    QualificationType,
    Volunteer,
    VolunteerQualification,
)

LILLESTROM = Point(11.0494, 59.9560)
# Twilio's settings for webhook tests: what the signatures are made for.
PUBLIC_URL = "https://beredskap.example.no"
TWILIO_TOKEN = "0123456789abcdef0123456789abcdef"
TWILIO = Settings(
    twilio_account_sid="AC" + "1" * 32,
    twilio_auth_token=TWILIO_TOKEN,
    twilio_from="+4790000000",
    public_url=PUBLIC_URL,
)
TODAY = date.today()
NOW = datetime.now(UTC).replace(microsecond=0)


def add_volunteer(session: Session, mobile: str, name: str) -> Volunteer:
    first_aid = session.scalars(
        select(QualificationType).where(QualificationType.code == "first_aid")
    ).one()
    volunteer = Volunteer(
        full_name=name, mobile=mobile, home_area=Point(11.05, 59.957), sms_consent=True
    )
    volunteer.qualifications.append(
        VolunteerQualification(
            qualification_type=first_aid,
            obtained_on=TODAY - timedelta(days=30),
            expires_on=TODAY + timedelta(days=300),
        )
    )
    session.add(volunteer)
    session.flush()
    return volunteer


def sent_callout(
    session: Session,
    title: str,
    *,
    sent_minutes_ago: int,
    count: int = 5,
    state: RecipientState = RecipientState.DELIVERED,
) -> Callout:
    """A sent callout to everyone qualified, its messages in `state`."""
    first_aid = session.scalars(
        select(QualificationType.id).where(QualificationType.code == "first_aid")
    ).one()
    callout = service.create_draft(
        session,
        fields={
            "title": title,
            "message": "Oppmøte Lillestrøm stasjon.",
            "centre": LILLESTROM,
            "radius_m": 5_000,
            "organisation_ids": [],
        },
        needs=[service.Need(first_aid, count)],
        on=TODAY,
        actor="test",
    )
    service.send(session, callout, on=TODAY)
    callout.sent_at = NOW - timedelta(minutes=sent_minutes_ago)
    for recipient in callout.recipients:
        recipient.state = state
    session.flush()
    return callout
