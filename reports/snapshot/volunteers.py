"""The offline binder's list of volunteers: per organisation, the active members who consent to
be contacted, with their mobile numbers written for reading aloud, their role, the
qualifications valid on the day and their availability, as a marked PDF.

Consent decides who is listed: callout planning asks only volunteers who consent
(`readiness.ready.volunteer_callable`), so a member who withdrew it is not in the binder,
only counted, so the reader knows the list is not everyone. Unavailable members who consent
are listed and marked: the binder is read when the system is down, perhaps a day after it was
written, and availability changes faster than that."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from babel.support import Translations
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from beredskap.platform.contact_details import readable_phone
from beredskap.platform.web.i18n import N_
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers.models import (
    Availability,
    Membership,
    QualificationType,
    Volunteer,
    VolunteerQualification,
)
from beredskap.register.web.labels import enum_label
from reports.documents.pdf import report_pdf
from reports.documents.tables import Cell, Column, Section, Texts
from reports.extraction import Extraction

TITLE = N_("Volunteers with phone numbers")
# Æ, Ø and Å after Z, as the Norwegian alphabet has them (a byte order puts Å first).
_NORWEGIAN_ORDER = str.maketrans({"æ": "z\u0001", "ø": "z\u0002", "å": "z\u0003"})


def name_key(name: str) -> str:
    return name.casefold().translate(_NORWEGIAN_ORDER)


@dataclass(frozen=True)
class Member:
    volunteer_id: int
    name: str
    mobile: str
    role: str | None
    availability: Availability


@dataclass
class Roster:
    organisation_id: int
    organisation: str
    members: list[Member]
    without_consent: int  # active members left out: no consent to be contacted


@dataclass(frozen=True)
class Volunteers:
    rosters: list[Roster]
    qualifications: dict[int, list[str]]  # volunteer id -> names valid on the day, sorted

    @property
    def people(self) -> int:
        """How many people the list shows (a member of two organisations once)."""
        return len({m.volunteer_id for roster in self.rosters for m in roster.members})


def read_volunteers(session: Session, extraction: Extraction) -> Volunteers:
    """The active organisations' active members, in three statements whatever the size."""
    active = (Organisation.active.is_(True), Volunteer.active.is_(True))
    rosters: dict[int, Roster] = {}
    rows = session.execute(
        select(
            Organisation.id,
            Organisation.name,
            Volunteer.id,
            Volunteer.full_name,
            Volunteer.mobile,
            Membership.role,
            Volunteer.availability,
        )
        .select_from(Membership)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .join(Volunteer, Volunteer.id == Membership.volunteer_id)
        .where(*active, Volunteer.sms_consent.is_(True))
    )
    for org_id, org_name, volunteer_id, name, mobile, role, availability in rows:
        roster = rosters.get(org_id)
        if roster is None:
            roster = rosters[org_id] = Roster(org_id, org_name, [], 0)
        roster.members.append(Member(volunteer_id, name, mobile, role, availability))
    # Counted, not listed: active members who gave no consent or withdrew it.
    unlisted = session.execute(
        select(Organisation.id, Organisation.name, func.count(Volunteer.id))
        .select_from(Membership)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .join(Volunteer, Volunteer.id == Membership.volunteer_id)
        .where(*active, Volunteer.sms_consent.is_not(True))
        .group_by(Organisation.id, Organisation.name)
    )
    for org_id, org_name, count in unlisted:
        roster = rosters.get(org_id)
        if roster is None:
            roster = rosters[org_id] = Roster(org_id, org_name, [], 0)
        roster.without_consent = int(count)
    language = extraction.language
    qualification_name = (
        QualificationType.name_nb if language == "nb" else QualificationType.name_en
    )
    held: dict[int, list[str]] = defaultdict(list)
    for volunteer_id, name in session.execute(
        select(VolunteerQualification.volunteer_id, qualification_name)
        .join(
            QualificationType, QualificationType.id == VolunteerQualification.qualification_type_id
        )
        .join(Volunteer, Volunteer.id == VolunteerQualification.volunteer_id)
        .where(
            Volunteer.active.is_(True),
            Volunteer.sms_consent.is_(True),
            VolunteerQualification.valid_on(extraction.on),
        )
    ):
        held[volunteer_id].append(name)
    for names in held.values():
        names.sort(key=name_key)
    ordered = sorted(rosters.values(), key=lambda r: (name_key(r.organisation), r.organisation_id))
    for roster in ordered:
        roster.members.sort(key=lambda m: (name_key(m.name), m.volunteer_id))
    return Volunteers(ordered, dict(held))


def listed_count(session: Session) -> int:
    """How many people `read_volunteers` lists: for the audit of an extraction."""
    return int(
        session.scalar(
            select(func.count(func.distinct(Volunteer.id)))
            .select_from(Membership)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .join(Volunteer, Volunteer.id == Membership.volunteer_id)
            .where(
                Organisation.active.is_(True),
                Volunteer.active.is_(True),
                Volunteer.sms_consent.is_(True),
            )
        )
        or 0
    )


def texts_of(translations: Translations) -> Texts:
    _ = translations.gettext
    return Texts(
        title=_(TITLE),
        withheld="",
        municipality=_("The municipality"),
        introduction=(
            _(
                "The active members of each organisation who consent to be contacted, for "
                "calling out by phone when the system or the network is down."
            ),
            _(
                "Members who have not consented, or withdrew their consent, are not listed: "
                "only counted per organisation. Availability is as registered when the list "
                "was extracted."
            ),
        ),
    )


def sections(
    volunteers: Volunteers, translations: Translations, *, with_numbers: bool = True
) -> list[Section]:
    """A summary per organisation, then the members grouped by organisation (their numbers
    only for a reader who may see contact details)."""
    _ = translations.gettext
    label = {value: enum_label(translations, value) for value in Availability}
    summary = Section(
        key="organisations",
        sheet=_("Organisations"),
        title=_("Organisations"),
        caption=_(
            "Members listed, of them available (not marked unavailable), and members left "
            "out because they have not consented to be contacted."
        ),
        columns=[
            Column(_("Organisation"), 99),
            Column(_("Listed"), 25, number=True),
            Column(_("Available"), 25, number=True),
            Column(_("No consent"), 25, number=True),
        ],
        rows=[
            [
                roster.organisation,
                len(roster.members),
                sum(m.availability != Availability.UNAVAILABLE for m in roster.members),
                roster.without_consent,
            ]
            for roster in volunteers.rosters
        ],
        empty=_("No organisation has active members."),
    )
    members: list[list[Cell]] = [
        [
            roster.organisation,
            member.name,
            readable_phone(member.mobile) if with_numbers else "",
            member.role or "",
            ", ".join(volunteers.qualifications.get(member.volunteer_id, ())),
            label[member.availability],
        ]
        for roster in volunteers.rosters
        for member in roster.members
    ]
    listed = Section(
        key="members",
        sheet=_("Members"),
        title=_("Members per organisation"),
        caption=_("Qualifications are those valid on the day of extraction."),
        columns=[
            Column(_("Organisation"), 0),
            Column(_("Name"), 48),
            Column(_("Mobile"), 29),
            Column(_("Role"), 22),
            Column(_("Qualifications"), 46),
            Column(_("Availability"), 29),
        ],
        rows=members,
        grouped=True,
        empty=_("No member has consented to be contacted."),
    )
    return [summary, listed]


def volunteers_pdf(session: Session, extraction: Extraction) -> bytes:
    return report_pdf(
        sections(
            read_volunteers(session, extraction),
            extraction.translations,
            with_numbers=extraction.sees_contacts,
        ),
        texts_of(extraction.translations),
        extraction,
    )
