"""Purging a volunteer (GDPR art. 17): the record goes, and every trace of the person in any
table the models declare personal (callout recipients, SMS and e-mail sent and received,
notices, the audit trail's copies) is overwritten through the platform's erasure, so the
person becomes `volunteer#<id>` while callout and exercise figures stay true."""

from __future__ import annotations

from sqlalchemy.orm import Session

from beredskap.platform.db import Base
from beredskap.platform.privacy.declaration import EMAIL, MOBILE, SUBJECT_ID
from beredskap.platform.privacy.erasure import Subject, erase_rows
from beredskap.register.volunteers.models import Volunteer


def subject_of(volunteer: Volunteer) -> Subject:
    return Subject(
        id=volunteer.id,
        keys={SUBJECT_ID: volunteer.id, MOBILE: volunteer.mobile, EMAIL: volunteer.email},
    )


def purge_volunteer(session: Session, volunteer: Volunteer) -> dict[str, int]:
    """Erase the volunteer's traces, then remove the record with its memberships,
    qualifications and consent history; rows changed per table."""
    session.flush()
    erased = erase_rows(session, Base.metadata, subject_of(volunteer))
    # The record now holds the pseudonym: reload it, so the audit entry of its removal keeps
    # no personal value either.
    session.expire(volunteer)
    session.delete(volunteer)
    session.flush()
    return erased
