"""The varslingsliste as sections of tables in the reader's language (`reports/documents`):
the crisis roles, one section per task, agreements that name no task, and the other owners'
24/7 contacts. The page, the PDF and the spreadsheet read the same cells."""

from __future__ import annotations

from babel.support import Translations

from beredskap.platform.contact_details import readable_phone
from beredskap.platform.web.i18n import N_
from beredskap.register.web.labels import task_label
from reports.documents.tables import Cell, Column, Section, Texts
from reports.varslingsliste.data import AgreementEntry, AlertList, Person

TITLE = N_("Alert list")


def texts_of(translations: Translations) -> Texts:
    _ = translations.gettext
    return Texts(
        title=_(TITLE),
        withheld="",
        municipality=_("The municipality"),
        introduction=(
            _(
                "Whom to alert, in order: the municipality's crisis management, then for each "
                "task the organisations with an agreement in force (forskrift om kommunal "
                "beredskapsplikt § 4)."
            ),
            _(
                "For each agreement the first contact is the primary, the others deputies in "
                "order; where the agreement names no contact, the organisation's 24/7 contact."
            ),
        ),
    )


def rank_label(translations: Translations, person: Person) -> str:
    _ = translations.gettext
    if person.organisation_contact:
        return _("24/7 contact")
    if person.rank == 0:
        return _("Primary")
    return _("Deputy %(number)s") % {"number": person.rank}


def agreement_heading(translations: Translations, place: int, entry: AgreementEntry) -> str:
    """ "2. Røde Kors Hjelpekorps · 2024/17 · 30 min" """
    _ = translations.gettext
    parts = [f"{place}. {entry.organisation_name}", entry.reference]
    if entry.mobilisation_minutes is not None:
        parts.append(_("ready in %(minutes)s min") % {"minutes": entry.mobilisation_minutes})
    return " · ".join(parts)


def sections(alert_list: AlertList, translations: Translations) -> list[Section]:
    _ = translations.gettext
    yes, no = _("Yes"), _("No")
    person_columns = [
        Column(_("Name"), 50),
        Column(_("Role"), 28),
        Column(_("Primary or deputy"), 24),
        Column(_("Phone"), 32),
        Column(_("E-mail"), 40),
    ]

    def person_cells(person: Person) -> list[Cell]:
        return [
            person.name,
            person.role or "",
            rank_label(translations, person),
            readable_phone(person.phone),
            person.email or "",
        ]

    roles_rows: list[list[Cell]] = []
    role_notes: dict[str, str] = {}
    for role in alert_list.roles:
        group = f"{role.position}. {role.title}"
        if role.duties:
            role_notes[group] = role.duties
        if not role.holders:
            roles_rows.append([group, _("No one registered"), "", "", "", ""])
        for holder in role.holders:
            roles_rows.append([group, *person_cells(holder)])
    parts = [
        Section(
            key="crisis-roles",
            title=_("The municipality's crisis management"),
            sheet=_("Crisis management"),
            caption=_("The roles of the municipality's crisis management in order of alerting."),
            columns=[Column(_("Role"), 0), *person_columns],
            rows=roles_rows,
            grouped=True,
            empty=_("No crisis roles are registered."),
            group_notes=role_notes,
        )
    ]

    def agreement_section(
        key: str, title: str, sheet: str, entries: tuple[AgreementEntry, ...], empty: str
    ) -> Section:
        rows: list[list[Cell]] = []
        notes: dict[str, str] = {}
        for place, entry in enumerate(entries, start=1):
            group = agreement_heading(translations, place, entry)
            if entry.callout_route:
                notes[group] = _("Alerting route: %(route)s") % {"route": entry.callout_route}
            tail: list[Cell] = [
                entry.callout_route or "",
                entry.mobilisation_minutes if entry.mobilisation_minutes is not None else "",
                yes if entry.municipal else no,
            ]
            if not entry.contacts:
                rows.append([group, _("No contact registered"), "", "", "", "", *tail])
            for person in entry.contacts:
                rows.append([group, *person_cells(person), *tail])
        return Section(
            key=key,
            title=title,
            sheet=sheet,
            caption=_("Agreements in force, in order of alerting, with their contacts."),
            columns=[
                Column(_("Agreement"), 0),
                *person_columns,
                Column(_("Alerting route"), 0, in_pdf=False),
                Column(_("Mobilisation (minutes)"), 0, number=True, in_pdf=False),
                Column(_("The municipality's own"), 0, in_pdf=False),
            ],
            rows=rows,
            grouped=True,
            empty=empty,
            group_notes=notes,
        )

    for group in alert_list.tasks:
        label = task_label(translations, group.task)
        parts.append(
            agreement_section(
                f"task-{group.task}",
                label,
                label,
                group.agreements,
                _("No agreement in force covers this task."),
            )
        )
    if alert_list.untasked:
        parts.append(
            agreement_section(
                "no-task",
                _("Agreements naming no task"),
                _("No task"),
                alert_list.untasked,
                "",
            )
        )
    parts.append(
        Section(
            key="others",
            title=_("Other organisations and services"),
            sheet=_("Other contacts"),
            caption=_(
                "Active organisations and municipal services without an agreement in force, "
                "with their 24/7 contact."
            ),
            columns=[
                Column(_("Organisation"), 56),
                Column(_("The municipality's own"), 22),
                Column(_("24/7 contact"), 40),
                Column(_("Phone"), 32),
                Column(_("E-mail"), 24, in_pdf=False),
            ],
            rows=[
                [
                    other.name,
                    yes if other.municipal else no,
                    other.contact.name if other.contact else _("None registered"),
                    readable_phone(other.contact.phone) if other.contact else "",
                    (other.contact.email or "") if other.contact else "",
                ]
                for other in alert_list.others
            ],
            empty=_("Every active organisation has an agreement in force."),
        )
    )
    return parts
