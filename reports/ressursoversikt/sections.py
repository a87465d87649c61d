"""The ressursoversikt as sections of tables in the reader's language: the one text of the
page, the PDF and the spreadsheet, which only lay the same cells out differently.

A cell is text, a whole number, or None for a count of people withheld ("fewer than 3").
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from babel.support import Translations

from beredskap.platform.web.i18n import N_
from beredskap.register.inventory.models import EquipmentStatus
from beredskap.register.readiness.coverage import Reason
from beredskap.register.small_counts import SUPPRESS_BELOW
from beredskap.register.web.labels import enum_label, task_label, unit_label
from reports.documents.tables import Cell, Column, Section, Texts
from reports.ressursoversikt.data import (
    AgreementRow,
    OrganisationHolding,
    Overview,
    Quantities,
    Standing,
)

TITLE = N_("Resource overview")


def texts_of(translations: Translations) -> Texts:
    _ = translations.gettext
    return Texts(
        title=_(TITLE),
        withheld=_("fewer than %(count)s") % {"count": SUPPRESS_BELOW},
        municipality=_("The municipality"),
        introduction=(
            _(
                "The municipality's and the voluntary organisations' resources (forskrift om "
                "kommunal beredskapsplikt § 4)."
            ),
            _("Ready means status ready and not past its inspection date."),
        ),
    )


def sections(overview: Overview, translations: Translations, language: str) -> list[Section]:
    """The overview's five sections in the reader's language."""
    _ = translations.gettext
    texts = texts_of(translations)
    yes, no = _("Yes"), _("No")
    own = _("the municipality's own")
    label: Callable[..., str] = lambda value: enum_label(translations, value)  # noqa: E731

    def heading(value: enum.Enum) -> str:
        # A reason's label is written for a sentence ("inspeksjon forfalt"); a heading starts
        # with a capital.
        text = enum_label(translations, value)
        return text[:1].upper() + text[1:]

    standings = [
        Column(heading(EquipmentStatus.READY), 13, number=True),
        Column(heading(EquipmentStatus.IN_USE), 13, number=True),
        Column(heading(EquipmentStatus.MAINTENANCE), 19, number=True),
        Column(heading(EquipmentStatus.OUT_OF_SERVICE), 15, number=True),
        Column(heading(Reason.INSPECTION_OVERDUE), 17, number=True),
        Column(_("Total"), 12, number=True),
    ]

    def figures(quantities: Quantities) -> list[Cell]:
        return [
            quantities.ready,
            *(quantities.of(standing) for standing in Standing if standing != Standing.READY),
            quantities.total,
        ]

    def site_name(name: str, municipal: bool) -> str:
        return f"{name} ({texts.municipality})" if municipal else name

    def owner_name(holding: OrganisationHolding) -> str:
        return f"{holding.name} ({own})" if holding.municipal else holding.name

    by_type = Section(
        key="types",
        sheet=_("Types"),
        title=_("Resources by capability and type"),
        caption=_(
            "Quantities in the whole municipality: ready today, and not ready by reason; the "
            "last column says how many of the ready the municipality's own services hold."
        ),
        columns=[
            Column(_("Capability"), 20),
            Column(_("Resource type"), 32),
            Column(_("Unit"), 18),
            *standings,
            Column(_("Ready, the municipality's own"), 15, number=True),
        ],
        rows=[
            [
                label(row.type.capability),
                row.type.name(language),
                unit_label(translations, row.type.unit),
                *figures(row.quantities),
                row.municipal_ready,
            ]
            for row in overview.by_type
        ],
        empty=_("No equipment is registered."),
    )
    by_site = Section(
        key="organisations",
        sheet=_("Per organisation"),
        title=_("Resources per organisation and site"),
        caption=_(
            "The equipment of the municipality's own services, then of each organisation, at "
            "each site, by capability and type."
        ),
        columns=[
            Column(_("Organisation"), 0),
            Column(_("Site"), 30),
            Column(_("Resource type"), 34),
            Column(_("Unit"), 21),
            *standings,
        ],
        rows=[
            [
                owner_name(holding),
                site_name(site.site_name, site.municipal_site),
                row.type.name(language),
                unit_label(translations, row.type.unit),
                *figures(row.quantities),
            ]
            for holding in overview.organisations
            for site in holding.sites
            for row in site.rows
        ],
        grouped=True,
        empty=_("No equipment is registered."),
    )
    sites = Section(
        key="sites",
        sheet=_("Sites"),
        title=_("Sites"),
        caption=_("The municipality's own sites first, then the organisations' sites."),
        columns=[
            Column(_("Owned by"), 40),
            Column(_("Site"), 40),
            Column(_("Kind"), 25),
            Column(_("Address"), 39),
            Column(_("Ready"), 15, number=True),
            Column(_("Total"), 15, number=True),
        ],
        rows=[
            [
                row.owner or texts.municipality,
                row.name,
                label(row.kind),
                row.address or "",
                row.ready,
                row.total,
            ]
            for row in overview.sites
        ],
        empty=_("No site is registered."),
    )
    agreements = Section(
        key="agreements",
        sheet=_("Agreements"),
        title=_("Agreements and their coverage"),
        caption=_("Each commitment of each agreement: what was committed and what counts today."),
        columns=[
            Column(_("Organisation"), 0),
            Column(_("Agreement"), 36),
            Column(_("Tasks"), 24),
            Column(_("Valid until"), 18),
            Column(_("Agreement met"), 17),
            Column(_("Commitment"), 30),
            Column(_("Committed"), 17, number=True),
            Column(_("Counted"), 17, number=True),
            Column(_("Met"), 15),
        ],
        rows=[
            row
            for agreement in overview.agreements
            for row in _agreement_rows(agreement, translations, language, yes, no)
        ],
        grouped=True,
        empty=_("No agreement is registered."),
    )
    # Names only where the reader may see some organisation's members.
    with_names = any(row.names is not None for row in overview.people)
    people = Section(
        key="people",
        sheet=_("People"),
        title=_("People by qualification"),
        caption=_(
            "Active members holding a qualification valid today, and of them those who can be "
            "called out. Counts of one or two people are shown as \u201c%(fewer)s\u201d to "
            "readers who may not see those people."
        )
        % {"fewer": texts.withheld}
        + (
            " " + _("The spreadsheet and the page name the members the reader may see.")
            if with_names
            else ""
        ),
        columns=[
            Column(_("Organisation"), 0),
            Column(_("Qualification"), 104),
            Column(_("Valid today"), 35, number=True),
            Column(_("Can be called out"), 35, number=True),
            # The spreadsheet's and the page's: a PDF row has no room for a list of names.
            *([Column(_("Names"), 0, in_pdf=False)] if with_names else []),
        ],
        rows=[
            [
                row.organisation,
                row.qualification(language),
                row.holders,
                row.callable,
                *([", ".join(row.names or ())] if with_names else []),
            ]
            for row in overview.people
        ],
        grouped=True,
        empty=_("No member holds a qualification valid today."),
    )
    return [by_type, by_site, sites, agreements, people]


def _agreement_rows(
    agreement: AgreementRow, translations: Translations, language: str, yes: str, no: str
) -> list[list[Cell]]:
    _ = translations.gettext
    name = f"{agreement.reference} {agreement.title}"
    if not agreement.in_force:
        not_in_force = _("Not in force")
        name = f"{name} ({not_in_force})"
    tasks = ", ".join(task_label(translations, task) for task in agreement.tasks)
    until = agreement.valid_until.strftime("%d.%m.%Y") if agreement.valid_until else ""
    met = yes if agreement.met else no
    head: list[Cell] = [agreement.organisation, name, tasks, until, met]
    if not agreement.commitments:
        return [[*head, "", "", "", ""]]
    return [
        [
            *head,
            line.name(language),
            line.committed,
            line.counted,
            yes if line.met else no,
        ]
        for line in agreement.commitments
    ]
