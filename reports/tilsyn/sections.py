"""The evidence pack's tables as sections in the reader's language: the one text of the page,
the PDFs and the spreadsheets. Column widths are millimetres of the PDF's 174 (a grouped
first column takes none); dates are written dd.mm.yyyy in both languages, as `stamp`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from babel.support import Translations

from beredskap.platform.web.i18n import N_
from beredskap.platform.web.rendering import stamp
from beredskap.register.small_counts import SUPPRESS_BELOW
from beredskap.register.web.labels import enum_label, task_label
from exercises.labels import exercise_label
from exercises.models import ActionStatus
from reports.documents.tables import Column, Section, Texts
from reports.tilsyn.data import Evidence, ExerciseEvidence, oslo_day
from reports.tilsyn.requirements import MET_LABELS, Requirement

TITLE = N_("Evidence for the County Governor's inspection")
DATE = 18  # mm: "24.11.2026" in the PDF's rows with its cell margins


def day(value: date | None, never: str = "") -> str:
    return value.strftime("%d.%m.%Y") if value is not None else never


def texts(translations: Translations, title: str, *introduction: str) -> Texts:
    _ = translations.gettext
    return Texts(
        title=title,
        withheld=_("fewer than %(count)s") % {"count": SUPPRESS_BELOW},
        municipality=_("The municipality"),
        introduction=introduction,
    )


def finding_lines(requirement: Requirement, translations: Translations) -> list[str]:
    return [
        translations.gettext(finding.message) % finding.params for finding in requirement.findings
    ]


def summary_section(requirements: list[Requirement], translations: Translations) -> Section:
    _ = translations.gettext
    return Section(
        key="summary",
        sheet=_("Summary"),
        title=_("Summary: what the register shows"),
        caption=_(
            "Per requirement of forskrift om kommunal beredskapsplikt: whether the register "
            "shows it met, the date of the evidence, what it found and the rule applied."
        ),
        columns=[
            Column(_("Requirement"), 40),
            Column(_("Regulation"), 14),
            Column(_("Met"), 12),
            Column(_("Evidence dated"), 18),
            Column(_("Found"), 45),
            Column(_("Rule"), 45),
        ],
        rows=[
            [
                _(item.title),
                item.basis,
                _(MET_LABELS[item.met]),
                day(item.evidence_on, _("none")),
                " ".join(finding_lines(item, translations)),
                _(item.rule),
            ]
            for item in requirements
        ],
    )


def agreements_section(evidence: Evidence, translations: Translations) -> Section:
    _ = translations.gettext
    yes, no = _("Yes"), _("No")
    return Section(
        key="agreements",
        sheet=_("Agreements"),
        title=_("Agreements: validity, review and coverage"),
        caption=_(
            "Every agreement with its term, annual review date and whether its commitments are "
            "met today (the ressursoversikt shows each commitment); an agreement not in force "
            "is met by none. An annual review date before %(today)s is past."
        )
        % {"today": day(evidence.on)},
        columns=[
            Column(_("Organisation"), 0),
            Column(_("Reference"), 20),
            Column(_("Title"), 22),
            Column(_("Tasks"), 19),
            Column(_("Status"), 14),
            Column(_("Valid from"), DATE),
            Column(_("Valid until"), DATE),
            Column(_("Annual review"), DATE),
            Column(_("Commitments"), 9, number=True),
            Column(_("Met"), 9, number=True),
            Column(_("Agreement met"), 9),
            Column(_("Last exercised"), DATE),
        ],
        rows=[
            [
                item.organisation,
                item.reference,
                item.title,
                ", ".join(task_label(translations, task) for task in item.tasks),
                enum_label(translations, item.status),
                day(item.valid_from),
                day(item.valid_until, _("open-ended")),
                day(item.annual_review_on),
                item.commitments,
                item.commitments_met,
                yes if item.met else no,
                day(item.last_exercised_on, _("never")),
            ]
            for item in evidence.agreements
        ],
        grouped=True,
        empty=_("No agreement is registered."),
    )


def exercise_sections(evidence: Evidence, translations: Translations) -> list[Section]:
    _ = translations.gettext
    rows = evidence.exercises
    exercises = Section(
        key="exercises",
        sheet=_("Exercises"),
        title=_("Exercises of the last 24 months"),
        caption=_(
            "Exercises that began since %(since)s, newest first: who took part, and the "
            "written evaluation."
        )
        % {"since": day(oslo_day(evidence.since))},
        columns=[
            Column(_("Starts"), 20),
            Column(_("Ends"), 20),
            Column(_("Title"), 30),
            Column(_("Type"), 18),
            Column(_("Status"), 14),
            Column(_("Organisations"), 24),
            Column(_("Agreements"), 24),
            Column(_("Invited volunteers"), 12, number=True),
            Column(_("Evaluated"), 12),
            # The spreadsheet and the page lay this section out; the PDF is the narrative
            # record (`record_pdf`), which prints the evaluation whole.
            Column(_("Written evaluation"), 60),
        ],
        rows=[
            [
                stamp(item.exercise.starts_at),
                stamp(item.exercise.ends_at),
                item.exercise.title,
                exercise_label(translations, item.exercise.type),
                exercise_label(translations, item.exercise.status),
                ", ".join(item.organisations),
                ", ".join(item.agreements),
                item.invited_volunteers,
                day(oslo_day(item.exercise.evaluated_at) if item.exercise.evaluated_at else None),
                item.exercise.evaluation_summary or "",
            ]
            for item in rows
        ],
        empty=_("No exercise in the last 24 months."),
    )
    lessons = Section(
        key="lessons",
        sheet=_("Lessons"),
        title=_("Lessons learned"),
        caption=_("The observations recorded for each exercise."),
        columns=[
            Column(_("Exercise"), 0),
            Column(_("Recorded"), 20),
            Column(_("Observation"), 154),
        ],
        rows=[
            [_exercise_name(item), day(oslo_day(observation.created_at)), observation.text]
            for item in rows
            for observation in item.exercise.observations
        ],
        grouped=True,
        empty=_("No lesson is recorded."),
    )
    actions = Section(
        key="actions",
        sheet=_("Follow-up actions"),
        title=_("Follow-up actions"),
        caption=_("Each exercise's follow-up actions and their state on %(today)s.")
        % {"today": day(evidence.on)},
        columns=[
            Column(_("Exercise"), 0),
            Column(_("Action"), 54),
            Column(_("Owner"), 26),
            Column(_("Due"), DATE),
            Column(_("State"), 24),
            Column(_("Closed"), DATE),
            Column(_("Closing note"), 34),
        ],
        rows=[
            [
                _exercise_name(item),
                action.description,
                action.owner,
                day(action.due_on),
                action_state(action.status, action.due_on, evidence.on, translations),
                day(oslo_day(action.closed_at) if action.closed_at else None),
                action.closing_note or "",
            ]
            for item in rows
            for action in item.exercise.actions
        ],
        grouped=True,
        empty=_("No follow-up action is recorded."),
    )
    return [exercises, lessons, actions]


def _exercise_name(item: ExerciseEvidence) -> str:
    return f"{item.exercise.title} ({day(oslo_day(item.exercise.starts_at))})"


def action_state(
    status: ActionStatus, due_on: date, today: date, translations: Translations
) -> str:
    label = exercise_label(translations, status)
    if status == ActionStatus.OPEN and due_on < today:
        return translations.gettext("%(state)s, %(days)s days overdue") % {
            "state": label,
            "days": (today - due_on).days,
        }
    return label


def not_exercised_sections(evidence: Evidence, translations: Translations) -> list[Section]:
    _ = translations.gettext
    never = _("never")
    organisations = Section(
        key="organisations",
        sheet=_("Organisations"),
        title=_("Organisations not exercised within 24 months"),
        caption=_(
            "Organisations with an agreement in force that have not taken part in a completed "
            "exercise (by name or through an agreement) in the last 24 months."
        ),
        columns=[
            Column(_("Organisation"), 86),
            Column(_("Last exercised"), 30),
            Column(_("Due"), 30),
            Column(_("Days overdue"), 28, number=True),
        ],
        rows=[
            [item.name, day(item.last_exercised_on, never), day(item.due_on), item.days_overdue]
            for item in evidence.organisations_not_exercised
        ],
        empty=_("Every organisation with an agreement in force was exercised."),
    )
    agreements = Section(
        key="agreements",
        sheet=_("Agreements"),
        title=_("Agreements not exercised within 24 months"),
        caption=_(
            "Agreements in force that have not taken part in a completed exercise in the last "
            "24 months, never exercised first."
        ),
        columns=[
            Column(_("Organisation"), 0),
            Column(_("Reference"), 30),
            Column(_("Title"), 80),
            Column(_("Valid from"), 32),
            Column(_("Last exercised"), 32),
        ],
        rows=[
            [
                item.organisation,
                item.reference,
                item.title,
                day(item.valid_from),
                day(item.last_exercised_on, never),
            ]
            for item in evidence.agreements_not_exercised
        ],
        grouped=True,
        empty=_("Every agreement in force was exercised."),
    )
    tasks = Section(
        key="tasks",
        sheet=_("Tasks"),
        title=_("Tasks not exercised within 24 months"),
        caption=_(
            "Tasks of agreements in force none of whose agreements took part in a completed "
            "exercise in the last 24 months."
        ),
        columns=[
            Column(_("Task"), 90),
            Column(_("Agreements in force"), 40, number=True),
            Column(_("Last exercised"), 44),
        ],
        rows=[
            [
                task_label(translations, item.task),
                item.agreements,
                day(item.last_exercised_on, never),
            ]
            for item in evidence.tasks_not_exercised
        ],
        empty=_("Every task of the agreements in force was exercised."),
    )
    evaluations = Section(
        key="evaluations",
        sheet=_("Evaluations missing"),
        title=_("Evaluations missing"),
        caption=_("Completed exercises not evaluated in writing 30 days after they ended."),
        columns=[
            Column(_("Exercise"), 70),
            Column(_("Type"), 34),
            Column(_("Ended"), 24),
            Column(_("Due"), 24),
            Column(_("Days overdue"), 22, number=True),
        ],
        rows=[
            [
                item.title,
                exercise_label(translations, item.type),
                day(item.ended_on),
                day(item.due_on),
                item.days_overdue,
            ]
            for item in evidence.evaluations_missing
        ],
        empty=_("No evaluation is overdue."),
    )
    actions = Section(
        key="actions",
        sheet=_("Actions overdue"),
        title=_("Follow-up actions overdue"),
        caption=_("Open follow-up actions past their due date."),
        columns=[
            Column(_("Exercise"), 0),
            Column(_("Action"), 90),
            Column(_("Owner"), 40),
            Column(_("Due"), 24),
            Column(_("Days overdue"), 20, number=True),
        ],
        rows=[
            [item.exercise_title, item.description, item.owner, day(item.due_on), item.days_overdue]
            for item in evidence.actions_overdue
        ],
        grouped=True,
        empty=_("No follow-up action is overdue."),
    )
    return [organisations, agreements, tasks, evaluations, actions]


def revisions_section(evidence: Evidence, translations: Translations) -> Section:
    _ = translations.gettext
    return Section(
        key="revisions",
        sheet=_("Revisions"),
        title=_("Revisions of the preparedness plan"),
        caption=_("Every recorded revision of the plan, newest first."),
        columns=[
            Column(_("Revised"), 20),
            Column(_("Revised by"), 40),
            Column(_("What was reviewed"), 74),
            Column(_("Note"), 40),
        ],
        rows=[
            [day(item.revised_on), item.revised_by, item.scope, item.note or ""]
            for item in evidence.revisions
        ],
        empty=_("No revision of the plan is recorded."),
    )


def all_sections(
    evidence: Evidence, requirements: list[Requirement], translations: Translations
) -> list[Section]:
    """Every table of the pack, for the page."""
    return [
        summary_section(requirements, translations),
        agreements_section(evidence, translations),
        *exercise_sections(evidence, translations),
        *(_keyed(section, "late-") for section in not_exercised_sections(evidence, translations)),
        revisions_section(evidence, translations),
    ]


def _keyed(section: Section, prefix: str) -> Section:
    """The same section with its anchor prefixed, so that the page's anchors stay unique."""
    return replace(section, key=prefix + section.key)
