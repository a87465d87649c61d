"""A volunteer's qualification expiring within 60, then 14, days: an SMS to the volunteer
(active and consenting) and an e-mail to the contact of each active organisation they are a
member of. An expired qualification gets none; a renewed one (a new expiry) is a new due
day, reminded again."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from alerts.gateway.port import E164
from alerts.models import MessageChannel
from alerts.reminders.items import Kind, Message, Reminder
from alerts.reminders.windows import threshold
from alerts.reminders.wording import Wording, one_sms, subject_line
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers.models import (
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)

WINDOWS_DAYS = (60, 14)


def due(session: Session, today: date, wording: Wording) -> Iterator[Reminder]:
    """The qualification reminders due today, in the qualifications' id order."""
    held = VolunteerQualification
    expiring = (
        held.expires_on.between(today, today + timedelta(days=max(WINDOWS_DAYS))),
        Volunteer.active.is_(True),
    )
    rows = session.execute(
        select(
            held.id,
            held.expires_on,
            Volunteer.id,
            Volunteer.full_name,
            Volunteer.mobile,
            Volunteer.sms_consent,
            QualificationType.name_nb,
            QualificationType.name_en,
        )
        .join(Volunteer, Volunteer.id == held.volunteer_id)
        .join(QualificationType, QualificationType.id == held.qualification_type_id)
        .where(*expiring)
        .order_by(held.id)
    ).all()
    contacts = _contacts(session, select(held.volunteer_id).join(Volunteer).where(*expiring))
    for held_id, expires_on, volunteer_id, name, mobile, consent, name_nb, name_en in rows:
        reached = threshold(expires_on, today, WINDOWS_DAYS)
        if reached is None:
            continue
        qualification = wording.name(name_nb, name_en)
        messages: list[Message] = []
        if consent and E164.fullmatch(mobile or ""):
            messages.append(
                Message(
                    MessageChannel.SMS,
                    mobile,
                    sms_text(wording, qualification, expires_on),
                    None,
                    "volunteer",
                )
            )
        told: set[str] = set()
        for organisation_id, organisation, email in contacts.get(volunteer_id, []):
            if email.lower() in told:
                continue  # two organisations with one contact: one e-mail
            told.add(email.lower())
            subject, body = _email(wording, name, qualification, expires_on, organisation)
            messages.append(
                Message(
                    MessageChannel.EMAIL, email, body, subject, f"organisation:{organisation_id}"
                )
            )
        yield Reminder(Kind.QUALIFICATION, held_id, reached, expires_on, tuple(messages))


def _contacts(
    session: Session, volunteers: Select[tuple[int]]
) -> dict[int, list[tuple[int, str, str]]]:
    """volunteer id -> (organisation id, name, 24/7 e-mail) of each active organisation with
    an e-mail that the volunteer is a member of."""
    rows = session.execute(
        select(
            Membership.volunteer_id,
            Organisation.id,
            Organisation.name,
            Organisation.contact_24_7_email,
        )
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            Membership.volunteer_id.in_(volunteers),
            Organisation.active.is_(True),
            Organisation.contact_24_7_email.is_not(None),
        )
        .order_by(Membership.volunteer_id, Organisation.id)
    ).all()
    found: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for volunteer_id, organisation_id, name, email in rows:
        found[volunteer_id].append((organisation_id, name, email))
    return found


def sms_text(wording: Wording, qualification: str, expires_on: date) -> str:
    """One SMS, never starting with the exercise marker: it starts with the sender's name."""
    template = wording.t.gettext(
        "Preparedness register: your qualification %(qualification)s expires on %(date)s. "
        "Remember to renew it in time, and tell your organisation."
    )
    day = wording.day(expires_on)
    return one_sms(lambda name: template % {"qualification": name, "date": day}, qualification)


def _email(
    wording: Wording, volunteer: str, qualification: str, expires_on: date, organisation: str
) -> tuple[str, str]:
    t = wording.t
    values = {
        "volunteer": volunteer,
        "qualification": qualification,
        "date": wording.day(expires_on),
        "organisation": organisation,
    }
    subject = t.gettext("%(volunteer)s: %(qualification)s expires on %(date)s") % values
    body = wording.email_body(
        t.gettext(
            "%(volunteer)s, a member of %(organisation)s, holds the qualification "
            "%(qualification)s, which expires on %(date)s."
        )
        % values,
        t.gettext(
            "After that day the qualification no longer counts in the municipality's "
            "agreements and callouts. Help the volunteer renew it, and register the new "
            "expiry date in the preparedness register."
        ),
    )
    return subject_line(subject), body
