"""Active agreements: the annual review date within 30 days, and passed; and the notice
period begun (valid_until - notice_period_days <= today < valid_until). An e-mail to each
coordinator. A moved review date or a new end date is a new due day, reminded again."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import MessageChannel
from alerts.reminders.items import Kind, Message, Reminder
from alerts.reminders.windows import threshold
from alerts.reminders.wording import Wording, subject_line
from beredskap.register.agreements.models import Agreement, AgreementStatus
from beredskap.register.organisations.models import Organisation

REVIEW_WINDOWS_DAYS = (30,)
PASSED = "passed"
NOTICE = "notice"


def _emails(
    coordinators: Sequence[tuple[str, str]], subject: str, body: str
) -> tuple[Message, ...]:
    return tuple(
        Message(MessageChannel.EMAIL, email, body, subject_line(subject), key)
        for key, email in coordinators
    )


def reviews(
    session: Session, today: date, wording: Wording, coordinators: Sequence[tuple[str, str]]
) -> Iterator[Reminder]:
    """The review reminders due today, in the agreements' id order."""
    rows = session.execute(
        select(
            Agreement.id,
            Agreement.reference,
            Agreement.title,
            Agreement.annual_review_on,
            Organisation.name,
        )
        .join(Organisation, Organisation.id == Agreement.organisation_id)
        .where(
            Agreement.status == AgreementStatus.ACTIVE,
            Agreement.annual_review_on <= today + timedelta(days=max(REVIEW_WINDOWS_DAYS)),
        )
        .order_by(Agreement.id)
    ).all()
    t = wording.t
    for agreement_id, reference, title, review_on, organisation in rows:
        reached = threshold(review_on, today, REVIEW_WINDOWS_DAYS, past=PASSED)
        if reached is None:
            continue
        values = {
            "reference": reference,
            "title": title,
            "organisation": organisation,
            "date": wording.day(review_on),
        }
        if reached == PASSED:
            subject = t.gettext('Annual review overdue: agreement %(reference)s "%(title)s"')
            first = t.gettext(
                'The agreement %(reference)s "%(title)s" with %(organisation)s was due for its '
                "annual review on %(date)s, and the review is not registered."
            )
        else:
            subject = t.gettext('Annual review on %(date)s: agreement %(reference)s "%(title)s"')
            first = t.gettext(
                'The agreement %(reference)s "%(title)s" with %(organisation)s is due for its '
                "annual review on %(date)s."
            )
        body = wording.email_body(
            first % values,
            t.gettext(
                "Go through the agreement with the organisation, and register the next "
                "review date in the preparedness register."
            ),
        )
        messages = _emails(coordinators, subject % values, body)
        yield Reminder(Kind.AGREEMENT_REVIEW, agreement_id, reached, review_on, messages)


def notices(
    session: Session, today: date, wording: Wording, coordinators: Sequence[tuple[str, str]]
) -> Iterator[Reminder]:
    """The reminders of agreements whose notice period has begun, in id order."""
    rows = session.execute(
        select(
            Agreement.id,
            Agreement.reference,
            Agreement.title,
            Agreement.valid_until,
            Agreement.notice_period_days,
            Organisation.name,
        )
        .join(Organisation, Organisation.id == Agreement.organisation_id)
        .where(
            Agreement.status == AgreementStatus.ACTIVE,
            Agreement.valid_until > today,
            Agreement.notice_period_days.is_not(None),
        )
        .order_by(Agreement.id)
    ).all()
    t = wording.t
    for agreement_id, reference, title, valid_until, notice_days, organisation in rows:
        if valid_until - timedelta(days=notice_days) > today:
            continue
        values = {
            "reference": reference,
            "title": title,
            "organisation": organisation,
            "date": wording.day(valid_until),
        }
        subject = t.gettext('Agreement %(reference)s "%(title)s" ends on %(date)s') % values
        body = wording.email_body(
            t.ngettext(
                'The agreement %(reference)s "%(title)s" with %(organisation)s ends on '
                "%(date)s, and its notice period of %(num)d day has begun.",
                'The agreement %(reference)s "%(title)s" with %(organisation)s ends on '
                "%(date)s, and its notice period of %(num)d days has begun.",
                notice_days,
            )
            % (values | {"num": notice_days}),
            t.gettext(
                "Decide with the organisation whether to renew it, and register the new end "
                "date or the agreement's end in the preparedness register."
            ),
        )
        messages = _emails(coordinators, subject, body)
        yield Reminder(Kind.AGREEMENT_NOTICE, agreement_id, NOTICE, valid_until, messages)
