"""`beredskap reminders run [--dry-run]`: today's readiness reminders once, by hand.

The worker's scheduler runs them daily (`alerts.reminders.jobs`); this runs the same
(`alerts.reminders.run`) for today's Oslo date at once, whatever the hour, and prints per
kind how many reminders were given and messages queued. A reminder is given once: run
again the same day, every count is 0. A dry run counts and writes nothing.
"""

from __future__ import annotations

import typer

from alerts.reminders.run import run_reminders
from beredskap.main.settings import get_settings
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.db import transaction
from beredskap.platform.runtime import open_database

ACTOR = "cli reminders"

reminders_app = typer.Typer(
    help="Readiness reminders: qualifications, inspections, agreements, confirmations.",
    no_args_is_help=True,
)


@reminders_app.command("run")
def reminders_run(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count only; queue nothing."),
) -> None:
    """Queue today's reminders that were not given before, and print per kind how many
    were (or would be) sent."""
    settings = get_settings()
    database = open_database(settings)
    today = today_in_norway()
    with transaction(database.sessions, actor=ACTOR) as session:
        tallies = run_reminders(session, settings, today=today, now=utcnow())
        if dry_run:
            session.rollback()
    verb = "would send" if dry_run else "sent"
    typer.echo(
        f"Reminders of {today.isoformat()}" + (" (dry run: nothing written)" if dry_run else "")
    )
    for kind, tally in tallies.items():
        typer.echo(
            f"{kind.value:<26} {verb} {tally.reminders} reminder(s), {tally.messages} message(s)"
        )
