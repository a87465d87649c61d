"""What each recipient held when asked: the callout's needed qualifications (with their dates)
and the organisations they were a member of.

Copied from the register when the recipient rows are written, in two INSERT ... SELECT
statements per batch, so the figures of a callout or drill (yes per need, when a need was met,
answers per organisation) never change when a volunteer is later purged, leaves an
organisation or gets a new course.
"""

from __future__ import annotations

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.orm import Session

from alerts.models import (
    CalloutNeed,
    CalloutRecipient,
    RecipientOrganisation,
    RecipientQualification,
)
from beredskap.register.volunteers.models import Membership, VolunteerQualification


def record_what_recipients_held(
    session: Session, callout_id: int, ask_round: int | None = None
) -> None:
    """Copy the qualifications and memberships of the callout's recipients asked in
    `ask_round` (or every round); what is already recorded is left as it is."""
    asked = CalloutRecipient.callout_id == callout_id
    if ask_round is not None:
        asked = and_(asked, CalloutRecipient.ask_round == ask_round)
    session.execute(
        insert(RecipientQualification).from_select(
            ["recipient_id", "qualification_type_id", "obtained_on", "expires_on"],
            select(
                CalloutRecipient.id,
                VolunteerQualification.qualification_type_id,
                VolunteerQualification.obtained_on,
                VolunteerQualification.expires_on,
            )
            .join(
                VolunteerQualification,
                VolunteerQualification.volunteer_id == CalloutRecipient.volunteer_id,
            )
            .join(
                CalloutNeed,
                and_(
                    CalloutNeed.callout_id == CalloutRecipient.callout_id,
                    CalloutNeed.qualification_type_id
                    == VolunteerQualification.qualification_type_id,
                ),
            )
            .where(
                asked,
                ~exists().where(
                    RecipientQualification.recipient_id == CalloutRecipient.id,
                    RecipientQualification.qualification_type_id
                    == VolunteerQualification.qualification_type_id,
                ),
            ),
        )
    )
    session.execute(
        insert(RecipientOrganisation).from_select(
            ["recipient_id", "organisation_id"],
            select(CalloutRecipient.id, Membership.organisation_id)
            .join(Membership, Membership.volunteer_id == CalloutRecipient.volunteer_id)
            .where(
                asked,
                ~exists().where(
                    RecipientOrganisation.recipient_id == CalloutRecipient.id,
                    RecipientOrganisation.organisation_id == Membership.organisation_id,
                ),
            ),
        )
    )
