"""An equipment line's inspection due within 30 days, and overdue: an e-mail to the contact
of the active organisation that owns it. Lines out of service are left out (they count for
nothing until repaired); a moved inspection date is a new due day, reminded again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.models import MessageChannel
from alerts.reminders.items import Kind, Message, Reminder
from alerts.reminders.windows import threshold
from alerts.reminders.wording import Wording, subject_line
from beredskap.register.inventory.models import Equipment, EquipmentStatus, ResourceType
from beredskap.register.organisations.models import Organisation, Site
from beredskap.register.readiness.ready import INSPECTION_SOON

WINDOWS_DAYS = (INSPECTION_SOON.days,)  # the "due soon" of the inspection state, 30 days
OVERDUE = "overdue"


def due(session: Session, today: date, wording: Wording) -> Iterator[Reminder]:
    """The inspection reminders due today, in the lines' id order."""
    rows = session.execute(
        select(
            Equipment.id,
            Equipment.next_inspection_due,
            Equipment.identifier,
            ResourceType.name_nb,
            ResourceType.name_en,
            Site.name,
            Organisation.id,
            Organisation.name,
            Organisation.contact_24_7_email,
        )
        .join(ResourceType, ResourceType.id == Equipment.resource_type_id)
        .join(Site, Site.id == Equipment.site_id)
        .join(Organisation, Organisation.id == Equipment.organisation_id)
        .where(
            Equipment.next_inspection_due <= today + INSPECTION_SOON,
            Equipment.status != EquipmentStatus.OUT_OF_SERVICE,
            Organisation.active.is_(True),
            Organisation.contact_24_7_email.is_not(None),
        )
        .order_by(Equipment.id)
    ).all()
    for line_id, due_on, identifier, name_nb, name_en, site, org_id, org, email in rows:
        reached = threshold(due_on, today, WINDOWS_DAYS, past=OVERDUE)
        if reached is None:
            continue
        kind = wording.name(name_nb, name_en)
        line = f"{kind} ({identifier})" if identifier else kind
        subject, body = _email(wording, line, site, org, due_on, overdue=reached == OVERDUE)
        message = Message(MessageChannel.EMAIL, email, body, subject, f"organisation:{org_id}")
        yield Reminder(Kind.INSPECTION, line_id, reached, due_on, (message,))


def _email(
    wording: Wording, line: str, site: str, organisation: str, due_on: date, *, overdue: bool
) -> tuple[str, str]:
    t = wording.t
    values = {"line": line, "site": site, "organisation": organisation}
    values["date"] = wording.day(due_on)
    if overdue:
        subject = t.gettext("Inspection overdue since %(date)s: %(line)s at %(site)s") % values
        first = t.gettext(
            "%(line)s at %(site)s, registered for %(organisation)s, was due for inspection "
            "on %(date)s. Until it is inspected it does not count as ready in the "
            "municipality's agreements."
        )
    else:
        subject = t.gettext("Inspection due on %(date)s: %(line)s at %(site)s") % values
        first = t.gettext(
            "%(line)s at %(site)s, registered for %(organisation)s, is due for inspection on "
            "%(date)s. After that day it no longer counts as ready in the municipality's "
            "agreements."
        )
    body = wording.email_body(
        first % values,
        t.gettext(
            "When it has been inspected, register the inspection and the next due date in "
            "the preparedness register."
        ),
    )
    return subject_line(subject), body
