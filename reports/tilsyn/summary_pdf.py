"""The evidence pack's one-page summary as an A4 PDF: per requirement whether the register
shows it met, the date of the evidence, what was found and the rule applied, on the generic
report's page (`OverviewPdf`: the marking at the top, "page 1 of 1" at the foot). Five rows
of wrapped text: fpdf2's table layout is fine at this size."""

from __future__ import annotations

from fpdf.fonts import FontFace

from beredskap.platform.web.rendering import stamp
from reports.documents.pdf import FONT, SHADE, OverviewPdf
from reports.extraction import Extraction
from reports.tilsyn.requirements import MET_LABELS, Requirement
from reports.tilsyn.sections import day, finding_lines

WIDTHS = (44, 16, 20, 94)  # requirement, met, evidence dated, found and rule: 174 mm


def summary_pdf(requirements: list[Requirement], extraction: Extraction, title: str) -> bytes:
    _ = extraction.translations.gettext
    pdf = OverviewPdf(
        extraction.marking,
        f"{title} · {stamp(extraction.extracted_at)}",
        _("page %(page)s of %(pages)s"),
    )
    pdf.set_title(title)
    pdf.set_lang(extraction.language)
    pdf.set_creator("beredskap")
    pdf.set_auto_page_break(auto=False)  # one page, whatever happens
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    for line in (
        _("Extracted %(time)s (Norwegian time) by %(user)s.")
        % {"time": stamp(extraction.extracted_at), "user": extraction.extracted_by},
        _(
            "What the register shows on %(day)s for each requirement of forskrift om kommunal "
            "beredskapsplikt. The rule under each says what counts as met; the documents of "
            "this pack hold the evidence."
        )
        % {"day": day(extraction.on)},
        extraction.marking,
    ):
        pdf.multi_cell(0, 4.8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, size=8)
    with pdf.table(
        col_widths=WIDTHS,
        line_height=4,
        text_align="LEFT",
        headings_style=FontFace(emphasis="BOLD", fill_color=SHADE),
        padding=1.2,
    ) as table:
        heading = table.row()
        for text in (_("Requirement"), _("Met"), _("Evidence dated"), _("Found and rule")):
            heading.cell(text)
        for item in requirements:
            row = table.row()
            row.cell(f"{_(item.title)}\n{item.basis}")
            row.cell(_(MET_LABELS[item.met]))
            row.cell(day(item.evidence_on, _("none")))
            found = "\n".join(finding_lines(item, extraction.translations))
            row.cell(f"{found}\n{_('Rule')}: {_(item.rule)}")
    return bytes(pdf.output())
