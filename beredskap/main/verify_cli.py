"""`beredskap verify-contacts [--organisation ORGNR] [--older-than-days N]`: ask volunteers by
SMS to confirm that their number still reaches them (`alerts.verification`).

Queues one contact check to each consenting, active volunteer (of the organisation, when
given; not confirmed within N days, when given) through the outbox; the worker sends them.
Run again the same day, nobody is asked twice. Exit 2 for an unknown organisation.
"""

from __future__ import annotations

from typing import NoReturn

import typer

from alerts.verification.service import MAX_OLDER_THAN_DAYS, ask_volunteers
from beredskap.main.settings import get_settings
from beredskap.platform.columns import today_in_norway, utcnow
from beredskap.platform.db import transaction
from beredskap.platform.runtime import open_database
from beredskap.register.organisations import service as organisation_service

ACTOR = "cli verify-contacts"
VERIFY_HELP = (
    "Ask volunteers by SMS to confirm that their number reaches them: each consenting, "
    "active volunteer (of --organisation, by organisation number or id; not confirmed within "
    "--older-than-days) gets one contact check, at most once a day. A YES records the day on "
    "the volunteer."
)


def _refuse(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=2)


def verify_contacts_command(
    organisation: str | None = typer.Option(
        None, "--organisation", help="Organisation number (or id); default: every organisation."
    ),
    older_than_days: int | None = typer.Option(
        None,
        "--older-than-days",
        min=1,
        max=MAX_OLDER_THAN_DAYS,
        help="Only volunteers not confirmed within this many days.",
    ),
) -> None:
    settings = get_settings()
    database = open_database(settings)
    try:
        with transaction(database.sessions, actor=ACTOR) as session:
            organisation_id = None
            name = "every organisation"
            if organisation is not None:
                found = organisation_service.find_organisation(session, organisation.strip())
                if found is None:
                    _refuse(f"no organisation with number or id {organisation!r}")
                organisation_id, name = found.id, found.name
            run = ask_volunteers(
                session,
                organisation_id=organisation_id,
                older_than_days=older_than_days,
                today=today_in_norway(),
                now=utcnow(),
            )
    finally:
        database.engine.dispose()
    typer.echo(
        f"Contact checks queued for {name}: {run.asked} volunteer(s) asked, "
        f"{run.already_asked} asked already today."
    )
