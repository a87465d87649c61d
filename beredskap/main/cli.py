"""The `beredskap` command: database, seed data, serving and the SMS worker."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from sqlalchemy import select

from beredskap.main.import_cli import IMPORT_HELP, import_command
from beredskap.main.reminders_cli import reminders_app
from beredskap.main.settings import get_settings
from beredskap.main.snapshot_cli import SNAPSHOT_HELP, snapshot_command
from beredskap.main.verify_cli import VERIFY_HELP, verify_contacts_command
from beredskap.platform import migrate
from beredskap.platform.auth import service as auth_service
from beredskap.platform.auth.models import Role, User
from beredskap.platform.db import transaction
from beredskap.platform.errors import DomainValidationError
from beredskap.platform.runtime import Database, open_database
from beredskap.register.organisations import service as organisation_service

if TYPE_CHECKING:
    from alerts.voice.caller import VoiceCaller
    from beredskap.main.settings import Settings
    from beredskap.platform.scheduling.leadership import LeaderLoop

app = typer.Typer(
    help="beredskap: the municipal register of volunteer preparedness resources.",
    no_args_is_help=True,
    # Locals in a traceback could include the database URL and its password.
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
seed_app = typer.Typer(help="Demo and benchmark data.", no_args_is_help=True)
user_app = typer.Typer(help="Users who log in.", no_args_is_help=True)
token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(seed_app, name="seed")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.command("import", help=IMPORT_HELP)(import_command)  # spreadsheets: import_cli.py
app.command("verify-contacts", help=VERIFY_HELP)(verify_contacts_command)  # verify_cli.py
app.add_typer(reminders_app, name="reminders")  # readiness reminders: reminders_cli.py
app.command("snapshot", help=SNAPSHOT_HELP)(snapshot_command)  # offline binder: snapshot_cli.py

Count = Annotated[int, typer.Option(min=0, max=100_000_000)]
DEMO_CREDENTIALS = Path("var/demo-logins.txt")


def _database() -> Database:
    return open_database(get_settings())


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Option("head", help="Target revision.")) -> None:
    """Create or update the schema."""
    database = _database()
    migrate.upgrade(database.engine, revision)
    typer.echo(f"{database.backend}: schema at {migrate.current_revision(database.engine)}")


@db_app.command("downgrade")
def db_downgrade(
    revision: str = typer.Option("base", help="Target revision; base empties the database."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Take the schema back (base drops every table of the register)."""
    if not yes:
        typer.confirm(f"Downgrade to {revision}? Data in dropped tables is lost.", abort=True)
    database = _database()
    migrate.downgrade(database.engine, revision)
    typer.echo(f"{database.backend}: schema at {migrate.current_revision(database.engine)}")


@db_app.command("current")
def db_current() -> None:
    """Print the backend and the schema revision."""
    database = _database()
    typer.echo(f"{database.backend}: {migrate.current_revision(database.engine)}")


@seed_app.command("demo")
def seed_demo_command() -> None:
    """Fill an empty database with the demo municipality and one login per role."""
    database = _database()
    if not _seed_demo_if_empty(database):
        typer.echo("The database already holds organisations; demo data not added.", err=True)
        raise typer.Exit(code=1)


def _seed_demo_if_empty(database: Database) -> bool:
    """Add the demo and its logins to an empty register; False if it holds data already."""
    from beredskap.register.seed.demo import is_empty, seed_demo
    from beredskap.register.seed.demo_users import seed_demo_users, write_credentials
    from exercises.demo import seed_exercises

    with transaction(database.sessions, actor="seed demo") as session:
        if not is_empty(session):
            return False
        summary = seed_demo(session)
        logins = seed_demo_users(session)
        exercises = seed_exercises(session)
    write_credentials(DEMO_CREDENTIALS, logins)
    typer.echo(f"Demo data added: {summary}; {exercises}")
    typer.echo(f"Demo logins (also in {DEMO_CREDENTIALS}, readable only by you):")
    for login in logins:
        typer.echo(f"  {login.role.value:<13} {login.email:<34} {login.password}")
    return True


@seed_app.command("scale")
def seed_scale_command(
    organisations: Count = 1_000, equipment: Count = 100_000, volunteers: Count = 10_000
) -> None:
    """Bulk-generate benchmark data across Norway (appends to what is there)."""
    from beredskap.register.seed.scale import seed_scale

    database = _database()
    summary = seed_scale(
        database.engine, organisations=organisations, equipment=equipment, volunteers=volunteers
    )
    typer.echo(f"Scale data added: {summary}")


def _refuse(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=2)


@user_app.command("add")
def user_add(
    email: str = typer.Argument(..., help="The user's e-mail address (their login)."),
    role: Role = typer.Option(..., "--role", help="What the user does."),
    organisation: list[str] = typer.Option(
        [], "--organisation", help="Id or organisation number (org_editor; repeatable)."
    ),
    name: str | None = typer.Option(None, "--name", help="Display name."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Add a user. Without --password-stdin a password is generated and printed once."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    database = _database()
    try:
        with transaction(database.sessions, actor="cli") as session:
            organisations = []
            for key in organisation:
                found = organisation_service.find_organisation(session, key)
                if found is None:
                    _refuse(f"no organisation with id or number {key}")
                organisations.append(found)
            user, generated = auth_service.add_user(
                session,
                email=email,
                role=role,
                password=password,
                organisations=organisations,
                display_name=name,
            )
            summary = f"Added {user.email} as {user.role.value}"
            if organisations:
                summary += " for " + ", ".join(o.name for o in organisations)
    except DomainValidationError as error:
        _refuse(str(error))
    typer.echo(summary)
    if generated:
        typer.echo("Password (shown once, store it safely):")
        typer.echo(generated)


@user_app.command("disable")
def user_disable(
    email: str = typer.Argument(..., help="The user who has left."),
) -> None:
    """Disable a user who has left: no more logins, and their web sessions, API tokens and
    calendar link stop working at once."""
    database = _database()
    with transaction(database.sessions, actor="cli") as session:
        user = auth_service.find_user(session, email)
        if user is None:
            _refuse(f"no user {email}")
        cut = auth_service.disable_user(session, user)
    typer.echo(
        f"Disabled {user.email}: {cut.sessions} web session(s) ended, {cut.tokens} API "
        "token(s) revoked; the calendar link no longer opens."
    )


@user_app.command("password")
def user_password(
    email: str = typer.Argument(..., help="The user whose password is set."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (scripts)."
    ),
) -> None:
    """Set a user's password (asked twice, not shown) and log them out of every browser."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    database = _database()
    try:
        with transaction(database.sessions, actor="cli") as session:
            user = auth_service.find_user(session, email)
            if user is None:
                _refuse(f"no user {email}")
            ended = auth_service.set_password(session, user, password)
    except DomainValidationError as error:
        _refuse(str(error))
    note = "" if user.active else " (the user is disabled and still cannot log in)"
    typer.echo(f"Password of {user.email} set; {ended} web session(s) ended{note}.")


@token_app.command("create")
def token_create(
    email: str = typer.Argument(..., help="The user the token acts as."),
    days: int | None = typer.Option(None, min=1, max=3650, help="Days until it expires."),
    label: str | None = typer.Option(None, help="What the token is for."),
) -> None:
    """Create an API token; the token itself is the last line of the output."""
    database = _database()
    settings = get_settings()
    with transaction(database.sessions, actor="cli") as session:
        user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
        if user is None or not user.active:
            _refuse(f"no active user {email}")
        row, token = auth_service.create_token(
            session, user, days=days or settings.token_days, label=label
        )
        expires = row.expires_at.date().isoformat()
    typer.echo(f"Token {row.id} for {user.email}, expires {expires}. Shown once:")
    typer.echo(token)


@token_app.command("revoke")
def token_revoke(
    token: str | None = typer.Argument(None, help="The token to revoke."),
    user_email: str | None = typer.Option(None, "--user", help="Revoke all of this user's."),
) -> None:
    """Revoke one token, or every token of a user."""
    if (token is None) == (user_email is None):
        _refuse("give either a token or --user EMAIL")
    database = _database()
    with transaction(database.sessions, actor="cli") as session:
        user = None
        if user_email is not None:
            user = session.scalars(
                select(User).where(User.email == user_email.strip().lower())
            ).first()
            if user is None:
                _refuse(f"no user {user_email}")
        count = auth_service.revoke_tokens(session, token=token, user=user)
    if count == 0:
        _refuse("no live token matched")
    typer.echo(f"Revoked {count} token(s).")


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to listen on (default from settings)."),
    port: int = typer.Option(None, min=1, max=65535, help="Port (default from settings)."),
    workers: int = typer.Option(
        1, min=1, max=32, help="Processes serving requests (one per core is plenty)."
    ),
) -> None:
    """Run the web application."""
    import uvicorn

    settings = get_settings()
    if not settings.public_url:
        typer.echo(
            "BEREDSKAP_PUBLIC_URL is not set: Twilio's webhooks cannot be verified and no "
            "calendar link can be made until it is.",
            err=True,
        )
    uvicorn.run(
        "beredskap.main.app:serving_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        # Forwarded headers only from the configured proxies (BEREDSKAP_TRUSTED_PROXIES):
        # uvicorn's default believes any local peer, and the login slow-down is keyed by it.
        proxy_headers=bool(settings.trusted_proxies.strip()),
        forwarded_allow_ips=settings.trusted_proxies.strip() or None,
        workers=workers,
        # Longer than the idle time of the clients' kept-alive connections (Twilio's, a
        # proxy's, httpx's 5 s): the server closing one just as a client reuses it loses that
        # request, and Twilio does not resend a reply.
        timeout_keep_alive=75,
    )


def _voice_caller(settings: Settings, database: Database) -> VoiceCaller | None:
    """The voice calls' round for the worker when voice is configured, else None."""
    if not settings.voice_configured or not settings.public_url:
        return None
    import socket

    from alerts.voice.caller import VoiceCaller
    from alerts.voice.twilio_calls import TwilioCalls, VoiceConfig

    return VoiceCaller(
        database.sessions,
        TwilioCalls(VoiceConfig.from_settings(settings)),
        public_url=settings.public_url,
        name=f"{socket.gethostname()}:{os.getpid()}:voice",
        concurrency=settings.voice_max_concurrency,
    )


@app.command()
def worker(
    once: bool = typer.Option(False, "--once", help="Send what is due, then exit (cron, tests)."),
    concurrency: int = typer.Option(
        None, min=1, max=500, help="SMS in flight at once (default BEREDSKAP_SMS_MAX_CONCURRENCY)."
    ),
    no_scheduler: bool = typer.Option(
        False, "--no-scheduler", help="Do not run the scheduler beside the sender."
    ),
) -> None:
    """Send callout SMS and e-mail from the outbox, run escalations, and (unless --once or
    --no-scheduler) the scheduler while this process holds its lock; stop with
    SIGTERM or Ctrl-C."""
    import logging
    import signal

    from alerts.gateway.factory import email_gateway_from_settings, providers_from_settings
    from alerts.gateway.local_store import DatabaseLocalMessageStore
    from alerts.outbox.worker import SmsWorker, WorkerConfig

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    database = _database()
    providers = providers_from_settings(settings, DatabaseLocalMessageStore(database.sessions))
    voice = _voice_caller(settings, database)
    sender = SmsWorker(
        database.sessions,
        providers.primary,
        WorkerConfig.from_settings(settings, concurrency=concurrency),
        email_gateway=email_gateway_from_settings(settings),
        providers=providers,
        rounds=(voice.run_once,) if voice is not None else (),
    )
    # The scheduler's own thread, independent of the sending loop; SIGTERM stops both.
    leader = None if once or no_scheduler else _scheduler_loop(database)
    if leader is not None:
        leader.start()

    def _stop(*_: object) -> None:
        sender.stop()
        if leader is not None:
            leader.stop()

    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, _stop)
    try:
        outcomes = sender.run(once=once)
    finally:
        if leader is not None:
            leader.stop()
            leader.join(timeout=60)
    providers.close()
    if voice is not None:
        voice.calls.close()
    database.engine.dispose()
    typer.echo(
        "SMS worker stopped: "
        + (", ".join(f"{k} {v}" for k, v in outcomes.items()) or "nothing sent")
    )


def _scheduler_loop(database: Database) -> LeaderLoop:
    """The platform's scheduler with every capability's jobs, run while this process holds
    the scheduler lock (BEREDSKAP_SCHEDULER_*; the jobs read their own settings)."""
    from beredskap.main.capabilities import CAPABILITIES
    from beredskap.platform.scheduling.runner import leader_loop

    jobs = [job for capability in CAPABILITIES for job in capability.jobs]
    loop, _runner = leader_loop(database, get_settings(), jobs)
    return loop


@app.command()
def scheduler() -> None:
    """Run only the scheduler (exercise drills, reminders) while this process holds its lock;
    others wait to take over. Stop with SIGTERM or Ctrl-C."""
    import logging
    import signal

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    database = _database()
    loop = _scheduler_loop(database)
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: loop.stop())
    loop.run()
    database.engine.dispose()
    typer.echo("Scheduler stopped.")


@app.command()
def demo(
    host: str = typer.Option(None, help="Interface to listen on."),
    port: int = typer.Option(None, min=1, max=65535, help="Port."),
) -> None:
    """Migrate, add the demo data if the database is empty, and serve, with an SMS sender
    beside the server so a callout runs end to end (through the local gateway unless Twilio
    is configured)."""
    import subprocess

    if not os.environ.get("BEREDSKAP_PUBLIC_URL"):
        # The demo's own address, so links (calendar feeds) name it; the sender inherits it.
        settings = get_settings()
        listen = host or settings.host
        shown = "127.0.0.1" if listen in ("0.0.0.0", "::") else listen
        os.environ["BEREDSKAP_PUBLIC_URL"] = f"http://{shown}:{port or settings.port}"
        get_settings.cache_clear()
    database = _database()
    migrate.upgrade(database.engine)
    if not _seed_demo_if_empty(database):
        typer.echo(f"Demo logins are in {DEMO_CREDENTIALS}.")
    database.engine.dispose()
    # Its own process: the sender's loop (and later its scheduler) must run exactly once.
    sender = subprocess.Popen([sys.executable, "-m", "beredskap.main.cli", "worker"])
    try:
        serve(host=host, port=port, workers=1)
    finally:
        sender.terminate()  # SIGTERM: it finishes what is in flight
        try:
            sender.wait(timeout=30)
        except subprocess.TimeoutExpired:
            sender.kill()


# --- SMS (alerts/) ---------------------------------------------------------------------------
sms_app = typer.Typer(help="SMS without Twilio: simulated replies.", no_args_is_help=True)
app.add_typer(sms_app, name="sms")


@sms_app.command("reply")
def sms_reply(
    text: str = typer.Argument(..., help='The reply, as a volunteer would write it: "JA 20".'),
    from_number: str = typer.Option(..., "--from", help="The sender's mobile (+47...)."),
) -> None:
    """Simulate an SMS reply (local gateway only) and print our answer."""
    from alerts.inbound.sms import MAX_SMS_CHARS, handle_inbound
    from beredskap.platform.columns import utcnow

    settings = get_settings()
    if settings.twilio_configured:
        _refuse("Twilio is configured: replies come from Twilio, not from this command")
    if not text.strip() or len(text) > MAX_SMS_CHARS:
        _refuse(f"write a reply of 1 to {MAX_SMS_CHARS} characters")
    database = open_database(settings)
    with transaction(database.sessions, actor="sms-simulated") as session:
        result = handle_inbound(session, from_number=from_number, body=text, received_at=utcnow())
    database.engine.dispose()
    typer.echo(f"[{result.outcome.value}] {result.reply or ''}")


# --- Retention of personal data (beredskap.platform.privacy) --------------------------------
retention_app = typer.Typer(help="Retention of personal data.", no_args_is_help=True)
app.add_typer(retention_app, name="retention")


@retention_app.command("run")
def retention_run(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count only; change nothing."),
) -> None:
    """Erase or delete the personal data that has outlived its retention period, and print
    per period and table how many rows were (or would be) erased or deleted."""
    from beredskap.platform.columns import utcnow
    from beredskap.platform.db import Base
    from beredskap.platform.privacy.retention import Period, apply_retention, schedule
    from beredskap.register.volunteers.retention import purge_inactive

    settings = get_settings()
    days = schedule(settings)
    database = open_database(settings)
    now = utcnow()
    with transaction(database.sessions, actor="retention") as session:
        outcomes = [
            purge_inactive(session, days[Period.INACTIVE_VOLUNTEER], now, dry_run=dry_run),
            *apply_retention(session, Base.metadata, days, now, dry_run=dry_run),
        ]
        if dry_run:
            session.rollback()
    database.engine.dispose()
    verb = "would" if dry_run else "did"
    for outcome in outcomes:
        typer.echo(
            f"{outcome.period.value:<20} {days[outcome.period]:>6} days  {outcome.table:<20} "
            f"{verb} {outcome.action.value} {outcome.rows} rows"
        )


# --- Export of the municipality's data (beredskap.register.export) ---------------------------


@app.command("export")
def export_command(
    out: Path = typer.Option(..., "--out", help="The directory to write into (made if missing)."),
    without_personal_data: bool = typer.Option(
        False, "--without-personal-data", help="Leave out every column of personal data."
    ),
) -> None:
    """Write every table the municipality owns as CSV, the map layers as a GeoPackage
    (layers.gpkg) and a README of the columns into a directory. The operator runs it, so
    personal data is in it unless --without-personal-data; the export is audited."""
    from beredskap.platform.db import Base
    from beredskap.register.export.archive import DirectoryTarget, audit_export, export_all

    personal = not without_personal_data
    database = _database()
    session = database.sessions()
    session.info["actor"] = "cli"
    try:
        exported = export_all(session, Base.metadata, DirectoryTarget(out), personal=personal)
        audit_export(session, Base.metadata, exported, what="cli export", personal=personal)
    finally:
        session.close()
        database.engine.dispose()
    rows = sum(exported.rows.values())
    typer.echo(
        f"Exported {len(exported.rows)} tables ({rows} rows) and "
        f"{len(exported.features)} map layers to {out}"
        + ("" if personal else ", without personal data")
    )


if __name__ == "__main__":
    app()
