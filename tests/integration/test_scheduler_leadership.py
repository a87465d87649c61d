"""Leadership in process, on both backends: one leader at a time, and a leader that loses its
lock while it lives (its PostgreSQL session killed; its SQLite lock file deleted under it)
steps down at its next check, after which the other process's loop takes over."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from beredskap.platform.db import backend_of
from beredskap.platform.scheduling.leadership import (
    FileLeadership,
    LeaderLoop,
    Leadership,
    PostgresLeadership,
)

CHECK_S = 0.05


@pytest.fixture
def make_leadership(engine: Engine, tmp_path: Path) -> Callable[[], Leadership]:
    lock_path = tmp_path / "scheduler.lock"

    def make() -> Leadership:
        if backend_of(engine) == "postgis":
            return PostgresLeadership.for_engine(engine)
        return FileLeadership(lock_path)

    return make


class Recorder:
    """Elections and depositions of one loop, in order."""

    def __init__(self, name: str, events: list[str]) -> None:
        self.name, self.events = name, events
        self.elected = threading.Event()
        self.deposed = threading.Event()

    def on_elected(self) -> None:
        self.events.append(f"{self.name} elected")
        self.elected.set()

    def on_deposed(self) -> None:
        self.events.append(f"{self.name} deposed")
        self.deposed.set()


@pytest.fixture
def loops() -> Iterator[list[LeaderLoop]]:
    started: list[LeaderLoop] = []
    yield started
    for loop in started:
        loop.stop()
    for loop in started:
        loop.join(timeout=10)


def _start(leadership: Leadership, recorder: Recorder, loops: list[LeaderLoop]) -> LeaderLoop:
    loop = LeaderLoop(
        leadership,
        on_elected=recorder.on_elected,
        on_deposed=recorder.on_deposed,
        every_s=CHECK_S,
    )
    loops.append(loop)
    loop.start()
    return loop


def _lose_the_lock(engine: Engine, leadership: Leadership) -> None:
    """Take the lock away from a live leader, as a database restart or a cleaner would."""
    if isinstance(leadership, PostgresLeadership):
        with engine.connect() as connection:
            killed = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                    "application_name = 'beredskap scheduler' AND datname = current_database()"
                )
            ).all()
        assert killed, "the leader's session was not found"
    else:
        assert isinstance(leadership, FileLeadership)
        leadership.path.unlink()


def test_one_leader_and_a_leader_that_loses_its_lock_steps_down_for_the_other(
    engine: Engine, make_leadership: Callable[[], Leadership], loops: list[LeaderLoop]
) -> None:
    events: list[str] = []
    first, second = Recorder("first", events), Recorder("second", events)
    first_leadership = make_leadership()
    first_loop = _start(first_leadership, first, loops)
    assert first.elected.wait(10)
    second_loop = _start(make_leadership(), second, loops)
    time.sleep(CHECK_S * 10)  # several attempts: the lock is taken
    assert not second.elected.is_set() and second_loop.is_leader is False
    assert first_loop.is_leader

    _lose_the_lock(engine, first_leadership)
    assert first.deposed.wait(10), "the leader did not notice it lost the lock"
    assert second.elected.wait(10), "the other did not take over"
    assert events[0] == "first elected"
    assert set(events) == {"first elected", "first deposed", "second elected"}
    # The deposed one keeps trying, and does not get in while the other holds the lock.
    time.sleep(CHECK_S * 10)
    assert second_loop.is_leader and not first_loop.is_leader
