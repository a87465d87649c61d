"""The exercise record as an A4 PDF to read: each exercise of the last 24 months with its
facts, who took part, its written evaluation, lessons and follow-up actions printed whole
(a table would cut them), on the generic report's pages (`OverviewPdf`: the marking at the
top and "page N of M" at the foot of every page), with a bookmark per exercise."""

from __future__ import annotations

from babel.support import Translations

from beredskap.platform.web.rendering import stamp
from beredskap.register.small_counts import SUPPRESS_BELOW
from exercises.labels import exercise_label
from reports.documents.pdf import FONT, OverviewPdf
from reports.extraction import Extraction
from reports.tilsyn.data import Evidence, ExerciseEvidence, oslo_day
from reports.tilsyn.sections import action_state, day

LINE = 4.6
LABEL_WIDTH = 42


def record_pdf(evidence: Evidence, extraction: Extraction, title: str) -> bytes:
    _ = extraction.translations.gettext
    pdf = OverviewPdf(
        extraction.marking,
        f"{title} · {stamp(extraction.extracted_at)}",
        _("page %(page)s of %(pages)s"),
    )
    pdf.set_title(title)
    pdf.set_lang(extraction.language)
    pdf.set_creator("beredskap")
    pdf.add_page()
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    for line in (
        _("Extracted %(time)s (Norwegian time) by %(user)s.")
        % {"time": stamp(extraction.extracted_at), "user": extraction.extracted_by},
        _(
            "Exercises that began since %(since)s, newest first: who took part, and the "
            "written evaluation."
        )
        % {"since": day(oslo_day(evidence.since))},
        extraction.marking,
    ):
        pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if not evidence.exercises:
        pdf.multi_cell(0, 5.5, _("No exercise in the last 24 months."))
    for item in evidence.exercises:
        _exercise(pdf, item, evidence, extraction.translations)
    return bytes(pdf.output())


def _exercise(
    pdf: OverviewPdf, item: ExerciseEvidence, evidence: Evidence, translations: Translations
) -> None:
    _ = translations.gettext
    exercise = item.exercise
    if pdf.will_page_break(40):
        pdf.add_page()
    pdf.start_section(f"{exercise.title} ({day(oslo_day(exercise.starts_at))})")
    pdf.set_draw_color(200, 205, 212)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(2)
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(0, 6, exercise.title, new_x="LMARGIN", new_y="NEXT")
    none = "\u2013"
    invited = (
        _("fewer than %(count)s") % {"count": SUPPRESS_BELOW}
        if item.invited_volunteers is None
        else str(item.invited_volunteers)
    )
    facts = [
        (_("Type"), exercise_label(translations, exercise.type)),
        (_("Status"), exercise_label(translations, exercise.status)),
        (_("Time"), f"{stamp(exercise.starts_at)} \u2013 {stamp(exercise.ends_at)}"),
        (_("Organisations"), ", ".join(item.organisations) or none),
        (_("Agreements"), "; ".join(item.agreements) or none),
        (_("Invited volunteers"), invited),
    ]
    if exercise.scenario:
        facts.append((_("Scenario"), exercise.scenario))
    if exercise.objectives:
        facts.append((_("Objectives"), exercise.objectives))
    for label, value in facts:
        _fact(pdf, label, value)
    pdf.ln(1.5)
    _heading(pdf, _("Written evaluation"))
    if exercise.evaluated_at is not None and exercise.evaluation_summary:
        _paragraph(
            pdf,
            _("Recorded %(day)s.") % {"day": day(oslo_day(exercise.evaluated_at))},
            italic=True,
        )
        _paragraph(pdf, exercise.evaluation_summary)
    else:
        _paragraph(pdf, _("No written evaluation is recorded."))
    _heading(pdf, _("Lessons learned"))
    if not exercise.observations:
        _paragraph(pdf, _("No lesson is recorded."))
    for observation in exercise.observations:
        _paragraph(pdf, f"\u2022 {observation.text}")
    _heading(pdf, _("Follow-up actions"))
    if not exercise.actions:
        _paragraph(pdf, _("No follow-up action is recorded."))
    for action in exercise.actions:
        state = action_state(action.status, action.due_on, evidence.on, translations)
        parts = [
            _("owner %(owner)s") % {"owner": action.owner},
            _("due %(day)s") % {"day": day(action.due_on)},
            state,
        ]
        if action.closed_at is not None:
            parts.append(_("closed %(day)s") % {"day": day(oslo_day(action.closed_at))})
        _paragraph(pdf, f"\u2022 {action.description} ({'; '.join(parts)})")
        if action.closing_note:
            _paragraph(pdf, f"   {action.closing_note}", italic=True)
    pdf.ln(4)


def _fact(pdf: OverviewPdf, label: str, value: str) -> None:
    pdf.set_font(FONT, "B", 8.5)
    top = pdf.get_y()
    pdf.multi_cell(LABEL_WIDTH, LINE, label)
    pdf.set_xy(pdf.l_margin + LABEL_WIDTH, top)
    pdf.set_font(FONT, size=8.5)
    pdf.multi_cell(pdf.epw - LABEL_WIDTH, LINE, value, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: OverviewPdf, text: str) -> None:
    if pdf.will_page_break(LINE * 3):
        pdf.add_page()
    pdf.ln(1)
    pdf.set_font(FONT, "B", 9.5)
    pdf.cell(0, LINE + 0.6, text, new_x="LMARGIN", new_y="NEXT")


def _paragraph(pdf: OverviewPdf, text: str, *, italic: bool = False) -> None:
    # DejaVu Sans is embedded in regular and bold only: a note reads smaller, not slanted.
    pdf.set_font(FONT, size=7.5 if italic else 8.5)
    pdf.multi_cell(0, LINE, text, new_x="LMARGIN", new_y="NEXT")
