"""The scheduler as real processes on both backends: of two `beredskap scheduler` processes
exactly one schedules, each job fires once, and when the leader is killed (SIGKILL) the other
takes over and fires the next job; an alert drill run by `beredskap worker` starts its
exercise callout on time against the fake Twilio and stops it at its end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.models import Callout, CalloutRecipient, CalloutStatus
from alerts.sms_texts import EXERCISE_MARKER
from beredskap.platform.columns import utcnow
from beredskap.platform.runtime import Database
from exercises.models import Exercise, ExerciseStatus, ExerciseType
from tests.support import scheduling as make
from tests.support.fake_twilio import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM, FakeTwilio


def _environment(database: Database, **more: str) -> dict[str, str]:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("BEREDSKAP_")
    }
    environment.update(
        {
            "BEREDSKAP_DATABASE_URL": database.engine.url.render_as_string(hide_password=False),
            "BEREDSKAP_SCHEDULER_SYNC_S": "0.5",
            "BEREDSKAP_SCHEDULER_LEADER_CHECK_S": "0.5",
            **more,
        }
    )
    return environment


@pytest.fixture
def start() -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def run(command: str, environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "beredskap.main.cli", command],
                env=environment,
                cwd=log.parent,  # no .env of the working copy
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        return process

    yield run
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _status(database: Database, exercise_id: int) -> ExerciseStatus:
    with database.sessions() as session:
        return session.scalars(select(Exercise.status).where(Exercise.id == exercise_id)).one()


def _fired(logs: list[Path], job_id: str) -> int:
    """How many times any process ran the job (APScheduler logs each run)."""
    return sum(log.read_text().count(f'Running job "{job_id} ') for log in logs)


def test_two_schedulers_fire_each_job_once_and_the_other_takes_over(
    fresh_database: Database,
    start: Callable[..., subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    now = utcnow()
    with fresh_database.sessions() as session:
        session.info["actor"] = "test"
        first = [
            make.exercise(session, starts_at=now + timedelta(seconds=seconds), minutes=30)
            for seconds in (4, 4.5, 5)
        ]
        session.commit()
    environment = _environment(fresh_database)
    logs = [tmp_path / "scheduler-a.log", tmp_path / "scheduler-b.log"]
    processes = [start("scheduler", environment, log) for log in logs]

    for exercise in first:
        _wait_for(
            lambda e=exercise: _status(fresh_database, e.id) is ExerciseStatus.RUNNING,
            20,
            f"exercise {exercise.id} to start",
        )
    time.sleep(1.0)  # room for a second scheduler to misbehave
    leaders = [i for i, log in enumerate(logs) if "this process is the leader" in log.read_text()]
    assert len(leaders) == 1, [log.read_text()[-1500:] for log in logs]
    for exercise in first:
        assert _fired(logs, f"exercise:{exercise.id}:start") == 1
    # The next job is due a few seconds after the kill (made only now: on a loaded machine the
    # processes' start-up alone can take longer than a fixed lead time).
    with fresh_database.sessions() as session:
        session.info["actor"] = "test"
        after_failover = make.exercise(
            session, starts_at=utcnow() + timedelta(seconds=4), minutes=30
        )
        session.commit()
    assert _status(fresh_database, after_failover.id) is ExerciseStatus.PLANNED

    leader, follower = processes[leaders[0]], processes[1 - leaders[0]]
    leader.send_signal(signal.SIGKILL)
    leader.wait(timeout=10)
    _wait_for(
        lambda: _status(fresh_database, after_failover.id) is ExerciseStatus.RUNNING,
        30,
        "the other scheduler to take over and start the next exercise",
    )
    follower_log = logs[1 - leaders[0]].read_text()
    assert "this process is the leader" in follower_log
    assert _fired(logs, f"exercise:{after_failover.id}:start") == 1
    assert f'Running job "exercise:{after_failover.id}:start ' in follower_log

    follower.send_signal(signal.SIGTERM)
    assert follower.wait(timeout=30) == 0
    assert "Traceback" not in follower_log


def test_an_alert_drill_starts_and_ends_itself_on_time(
    fresh_database: Database,
    start: Callable[..., subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    log = tmp_path / "worker.log"
    with FakeTwilio(auto_progress=False) as fake:
        environment = _environment(
            fresh_database,
            BEREDSKAP_TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID,
            BEREDSKAP_TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN,
            BEREDSKAP_TWILIO_FROM=TEST_FROM,
            BEREDSKAP_TWILIO_API_BASE=fake.base_url,
            BEREDSKAP_PUBLIC_URL="http://127.0.0.1:9",
        )
        worker = start("worker", environment, log)
        # A running scheduler: the drill is planned once it is up (not timing the start-up).
        _wait_for(lambda: "scheduler started" in log.read_text(), 30, "the scheduler")
        # The worker writes meanwhile: this writer queues for SQLite's lock as ours do.
        with fresh_database.writing_session() as session:
            session.info["actor"] = "test"
            group = make.organisation(session)
            people = make.members(session, group, 3)
            starts_at = utcnow() + timedelta(seconds=3)
            drill = make.exercise(
                session, type=ExerciseType.ALERT_DRILL, starts_at=starts_at, minutes=5 / 60
            )
            drill.organisations.append(group)
            session.commit()
            drill_id, ends_at = drill.id, drill.ends_at
            numbers = sorted(person.mobile for person in people)

        def callout() -> Callout | None:
            with fresh_database.sessions() as session:
                return session.scalars(
                    select(Callout)
                    .join(Exercise, Exercise.callout_id == Callout.id)
                    .where(Exercise.id == drill_id)
                ).first()

        _wait_for(lambda: callout() is not None, 15, "the drill's callout")
        made = callout()
        assert made is not None and made.exercise
        assert made.created_at <= starts_at + timedelta(seconds=2)  # on time
        assert made.created_at >= starts_at - timedelta(milliseconds=50)  # not early
        _wait_for(lambda: len(fake.accepted()) == len(numbers), 15, "the messages")
        assert sorted(message.to for message in fake.accepted()) == numbers
        assert all(message.body.startswith(EXERCISE_MARKER) for message in fake.accepted())

        _wait_for(
            lambda: _status(fresh_database, drill_id) is ExerciseStatus.COMPLETED,
            15,
            "the drill to end",
        )
        stopped = callout()
        assert stopped is not None and stopped.status is CalloutStatus.STOPPED
        assert stopped.stopped_at is not None
        assert stopped.stopped_at >= ends_at - timedelta(milliseconds=50)
        with fresh_database.sessions() as session:
            asked = session.scalars(
                select(CalloutRecipient.mobile).where(CalloutRecipient.callout_id == stopped.id)
            ).all()
        assert sorted(asked) == numbers
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    text = log.read_text()
    assert "this process is the leader" in text
    assert "Traceback" not in text
