"""The migrations build the schema from empty and take it back to empty, on both backends."""

import pickle

from sqlalchemy import Engine, inspect, text

from beredskap.main.model_registry import metadata
from beredskap.platform import migrate
from beredskap.register.seed.scale import seed_scale

REGISTER_TABLES = {
    "organisations",
    "sites",
    "resource_types",
    "equipment",
    "volunteers",
    "memberships",
    "qualification_types",
    "volunteer_qualifications",
    "agreements",
    "agreement_commitments",
    "audit_log",
    "users",
    "user_organisations",
    "api_tokens",
    "web_sessions",
    "login_failures",
    "callouts",
    "callout_needs",
    "callout_recipients",
    "callout_notices",
    "callout_recipient_qualifications",
    "callout_recipient_organisations",
    "local_sms",
    "inbound_sms",
    "worker_heartbeats",
    "sms_provider_states",
    "callout_voice_calls",
    "outgoing_messages",
    "exercise_series",
    "exercises",
    "exercise_organisations",
    "exercise_agreements",
    "exercise_volunteers",
    "exercise_sites",
    "exercise_reminders",
    "exercise_observations",
    "exercise_actions",
    "calendar_feed_tokens",
    "apscheduler_jobs",
    "consent_events",
    "organisation_candidates",
    "addresses",
    "plan_revisions",
    "reminders_sent",
    "contact_checks",
    "crisis_roles",
    "place_names",
}


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_downgrade_to_empty_and_upgrade_again(engine: Engine, fresh_database: object) -> None:
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    assert not (_tables(engine) & REGISTER_TABLES)
    assert not {t for t in _tables(engine) if t.startswith("idx_")}  # no SpatiaLite leftovers

    migrate.upgrade(engine, "head")
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert _tables(engine) >= REGISTER_TABLES
    assert set(metadata.tables) == REGISTER_TABLES


def test_shipped_catalogues(engine: Engine) -> None:
    with engine.connect() as connection:
        resource_types = connection.execute(
            text("SELECT count(*), count(DISTINCT capability) FROM resource_types WHERE shipped")
        ).one()
        qualifications = connection.execute(
            text("SELECT count(*) FROM qualification_types WHERE shipped")
        ).scalar_one()
    assert resource_types[0] >= 30
    assert resource_types[1] == 8  # every capability group has entries
    assert qualifications >= 15


def test_spatial_indexes_exist(engine: Engine, backend: str) -> None:
    with engine.connect() as connection:
        if backend == "spatialite":
            rows = connection.execute(
                text(
                    "SELECT f_table_name, f_geometry_column FROM geometry_columns "
                    "WHERE spatial_index_enabled = 1"
                )
            )
            indexed = {(row[0], row[1]) for row in rows}
        else:
            indexed = {
                (row.tablename, row.indexname)
                for row in connection.execute(
                    text("SELECT tablename, indexname FROM pg_indexes WHERE indexdef LIKE '%gist%'")
                )
            }
    if backend == "spatialite":
        assert {
            ("organisations", "home_base"),
            ("sites", "location"),
            ("volunteers", "home_area"),
        } <= indexed
    else:
        names = {name for _table, name in indexed}
        for table, column in (
            ("organisations", "home_base"),
            ("sites", "location"),
            ("volunteers", "home_area"),
        ):
            assert f"idx_{table}_{column}" in names  # plain geometry GiST
            assert f"ix_{table}_{column}_geography" in names  # for ST_DWithin on geography


def test_a_populated_database_goes_down_to_empty(engine: Engine, fresh_database: object) -> None:
    seed_scale(engine, organisations=3, equipment=20, volunteers=10)
    migrate.downgrade(engine, "0001_register_schema")  # the catalogue stays while it is used
    with engine.connect() as connection:
        used = connection.execute(
            text("SELECT count(DISTINCT resource_type_id) FROM equipment")
        ).scalar_one()
        kept = connection.execute(text("SELECT count(*) FROM resource_types")).scalar_one()
    assert kept == used > 0
    migrate.downgrade(engine, "base")
    assert not (_tables(engine) & REGISTER_TABLES)


def test_the_migrations_build_exactly_the_models(engine: Engine) -> None:
    """Autogenerate against the migrated schema finds nothing: no model change lacks one."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from geoalchemy2 import alembic_helpers

    def ours(
        obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
    ) -> bool:
        # SpatiaLite's own metadata tables and views are not the register's.
        if type_ == "table" and reflected and compare_to is None:
            return False
        # PostGIS-only expression indexes made by migration 0001 (see test_spatial_indexes_exist).
        if type_ == "index" and name is not None and name.endswith("_geography"):
            return False
        return bool(alembic_helpers.include_object(obj, name, type_, reflected, compare_to))

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": ours, "compare_type": True}
        )
        assert compare_metadata(context, metadata) == []


def test_stored_exercise_jobs_are_rewritten_to_where_their_functions_live(
    engine: Engine, fresh_database: object
) -> None:
    """A job APScheduler stored before `exercises/` was split names `exercises.jobs`; after
    0010 it loads, and its function is the one in `exercises.scheduling.jobs`."""
    from datetime import UTC, datetime

    from apscheduler.job import Job
    from apscheduler.triggers.date import DateTrigger

    from exercises.scheduling import jobs

    when = datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    state = {
        "version": 1,
        "id": "exercise:7:start",
        "func": "exercises.jobs:start_exercise",
        "trigger": DateTrigger(when),
        "executor": "default",
        "args": (7,),
        "kwargs": {},
        "name": "start_exercise",
        "misfire_grace_time": 3600,
        "coalesce": True,
        "max_instances": 1,
        "next_run_time": when,
    }
    migrate.downgrade(engine, "0009_outbox_claims")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO apscheduler_jobs (id, next_run_time, job_state) VALUES (:i, :t, :s)"),
            {"i": state["id"], "t": when.timestamp(), "s": pickle.dumps(state)},
        )

    def stored() -> dict[str, object]:
        with engine.connect() as connection:
            blob = connection.execute(text("SELECT job_state FROM apscheduler_jobs")).scalar_one()
        loaded: dict[str, object] = pickle.loads(blob)
        return loaded

    migrate.upgrade(engine, "head")
    upgraded = stored()
    assert upgraded["func"] == "exercises.scheduling.jobs:start_exercise"
    rest = {"func", "trigger"}  # a trigger has no equality of its own: its moment is compared
    assert {k: v for k, v in upgraded.items() if k not in rest} == {
        k: v for k, v in state.items() if k not in rest
    }
    assert upgraded["trigger"].run_date == when  # type: ignore[attr-defined]
    job = Job.__new__(Job)
    job.__setstate__(upgraded)  # resolves the reference, as the job store does
    assert job.func is jobs.start_exercise

    migrate.downgrade(engine, "0009_outbox_claims")
    assert stored()["func"] == "exercises.jobs:start_exercise"
    migrate.upgrade(engine, "head")
