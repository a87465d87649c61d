"""The evaluation report as a PDF (fpdf2): the page's content, with the chart as a PNG.

Text is set in DejaVu Sans, embedded from matplotlib's own font files (matplotlib is a
dependency and ships it as its default font), so æ, ø, å and every other letter a planner
types come out right, not only Latin-1's. The texts arrive in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib
from babel.support import Translations
from fpdf import FPDF
from fpdf.fonts import FontFace

from beredskap.platform.web.i18n import FORMAT_LOCALES
from beredskap.platform.web.rendering import stamp
from beredskap.register.small_counts import SUPPRESS_BELOW
from exercises.evaluation.figures import AnsweredWithin
from exercises.evaluation.report import NONE, Report, minutes_text, share_text

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVuSans"
HEADING = FontFace(emphasis="BOLD", fill_color=(235, 239, 244))


class ReportPdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(18, 16, 18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")


def _heading(pdf: FPDF, text: str, size: int = 13) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)


def _paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT", align="L")


def _table(pdf: FPDF, header: list[str], rows: list[list[str]], widths: tuple[int, ...]) -> None:
    pdf.set_font(FONT, size=9)
    with pdf.table(
        col_widths=widths, headings_style=HEADING, line_height=5.5, text_align="LEFT"
    ) as table:
        table.row(header)
        for row in rows:
            table.row(row)
    pdf.ln(2)


def report_pdf(
    report: Report,
    translations: Translations,
    label: Callable[[object], str],
    chart_png: bytes | None,
    *,
    language: str,
) -> bytes:
    """The PDF's bytes in the reader's language ("nb" or "en"); `label` translates the
    exercise enums."""
    _ = translations.gettext
    # Figures withheld from the reader (`disclosure`): counts say "fewer than 3", times and
    # shares "not shown".
    fewer = _("fewer than %(count)s") % {"count": SUPPRESS_BELOW}

    def count(value: int | None) -> str:
        return fewer if value is None else str(value)

    def when(value: float | None, hidden: bool) -> str:
        return _("not shown") if hidden else minutes_text(value, FORMAT_LOCALES[language])

    def part(item: AnsweredWithin) -> str:
        return _("not shown") if item.withheld else share_text(item.share, FORMAT_LOCALES[language])

    exercise = report.exercise
    pdf = ReportPdf(_("Evaluation report"))
    pdf.set_title(exercise.title)
    pdf.set_lang(language)
    pdf.set_creator("beredskap")
    pdf.add_page()

    pdf.set_font(FONT, size=9)
    pdf.multi_cell(0, 5, _("Evaluation report"), new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, exercise.title, size=17)
    facts = [
        [_("Type"), label(exercise.type)],
        [_("Status"), label(exercise.status)],
        [_("Starts"), stamp(exercise.starts_at)],
        [_("Ends"), stamp(exercise.ends_at)],
        [_("Organisations"), ", ".join(report.organisations) or NONE],
        [
            _("Agreements"),
            ", ".join(f"{line.reference} ({line.organisation})" for line in report.agreements)
            or NONE,
        ],
        [_("Invited volunteers"), count(report.invited_volunteers)],
        [_("Evaluated"), stamp(exercise.evaluated_at) or _("Not yet")],
    ]
    _table(pdf, [_("Fact"), _("Value")], facts, (45, 125))
    if exercise.scenario:
        _heading(pdf, _("Scenario"))
        _paragraph(pdf, exercise.scenario)
    if exercise.objectives:
        _heading(pdf, _("Objectives"))
        _paragraph(pdf, exercise.objectives)

    drill = report.drill
    if drill is not None:
        counts = drill.counts
        _heading(pdf, _("The alert drill"))
        _paragraph(pdf, _("Sent %(time)s") % {"time": stamp(drill.sent_at)})
        _table(
            pdf,
            [_("Asked"), _("Delivered"), _("Failed"), _("Answered"), _("Yes"), _("No")],
            [
                [
                    count(value)
                    for value in (
                        counts.asked,
                        counts.delivered,
                        counts.failed,
                        counts.answered,
                        counts.yes,
                        counts.no,
                    )
                ]
            ],
            (28, 28, 28, 28, 29, 29),
        )
        timing = [
            [
                _("First answer"),
                when(counts.first_answer_min, "first_answer_min" in counts.withheld),
            ],
            *(
                [
                    _("Need met: %(need)s (%(count)s)")
                    % {
                        "need": need.name_nb if language == "nb" else need.name_en,
                        "count": need.count,
                    },
                    when(need.met_after_min, need.withheld),
                ]
                for need in drill.needs
            ),
            [
                _("All needs met"),
                when(drill.all_needs_met_after_min, "all_needs_met_after_min" in drill.withheld),
            ],
            [
                _("Wanted reached (%(count)s)") % {"count": drill.wanted},
                when(drill.wanted_reached_after_min, "wanted_reached_after_min" in drill.withheld),
            ],
        ]
        _table(pdf, [_("Moment"), _("Minutes after sending")], timing, (120, 50))
        _table(
            pdf,
            [_("Answered within"), _("Answered"), _("Share of those asked")],
            [
                [
                    _("%(minutes)s min") % {"minutes": item.minutes},
                    count(item.answered),
                    part(item),
                ]
                for item in counts.within
            ],
            (60, 50, 60),
        )
        _heading(pdf, _("By organisation"), size=11)
        _table(
            pdf,
            [_("Organisation"), _("Asked"), _("Answered"), _("Yes"), _("First answer (min)")]
            + [_("%(minutes)s min") % {"minutes": minutes} for minutes in (5, 15, 30, 60)],
            [
                [
                    row.name or _("Unknown"),
                    count(row.counts.asked),
                    count(row.counts.answered),
                    count(row.counts.yes),
                    when(row.counts.first_answer_min, "first_answer_min" in row.counts.withheld),
                    *(part(item) for item in row.counts.within),
                ]
                for row in drill.by_organisation
            ],
            (44, 15, 18, 13, 24, 14, 14, 14, 14),
        )
        if chart_png is not None:
            pdf.image(chart_png, w=pdf.epw, alt_text=_("Cumulative answers over time"))

    _heading(pdf, _("Lessons learned"))
    if report.observations:
        for observation in report.observations:
            _paragraph(pdf, f"• {observation.text}")
    else:
        _paragraph(pdf, _("No observations yet."))
    _heading(pdf, _("Follow-up actions"), size=11)
    if report.actions:
        _table(
            pdf,
            [_("Action"), _("Owner"), _("Due"), _("Status")],
            [
                [
                    action.description
                    + (f"\n{action.closing_note}" if action.closing_note else ""),
                    action.owner,
                    action.due_on.strftime("%d.%m.%Y"),
                    label(action.status),
                ]
                for action in report.actions
            ],
            (85, 40, 22, 23),
        )
    else:
        _paragraph(pdf, _("No follow-up actions yet."))
    _heading(pdf, _("Evaluation summary"))
    _paragraph(pdf, exercise.evaluation_summary or _("The evaluation has not been recorded yet."))
    return bytes(pdf.output())
