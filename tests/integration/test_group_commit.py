"""The group-commit lane on both backends: items that arrive together share one committed
transaction, a bad item fails alone, and a database that is away fails the batch at once."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from alerts.models import LocalSms
from beredskap.platform.api.problems import ProblemError
from beredskap.platform.columns import utcnow
from beredskap.platform.group_commit import GroupCommitLane
from beredskap.platform.runtime import Database
from tests.support.asyncio_thread import run_in_new_loop


def _record(session: Session, reference: str) -> str:
    if reference == "bad":
        raise ValueError("a bad item")
    if reference == "down":
        raise OperationalError("INSERT", None, Exception("connection refused"))
    session.add(
        LocalSms(
            provider_id=f"LM{reference}",
            reference=reference,
            to="+4791000000",
            body="x",
            status="delivered",
            created_at=utcnow(),
        )
    )
    session.flush()
    return reference.upper()


async def _submit_all(lane: GroupCommitLane[str, str], items: list[str]) -> list[object]:
    return await asyncio.gather(*(lane.submit(item) for item in items), return_exceptions=True)


def _stored(database: Database) -> int:
    with database.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(LocalSms)) or 0)


def test_items_that_come_together_share_a_commit(fresh_database: Database) -> None:
    lane = GroupCommitLane("test", fresh_database.sessions, _record, actor="test")
    answers = run_in_new_loop(_submit_all(lane, [f"r{index}" for index in range(30)]))
    assert answers == [f"R{index}" for index in range(30)]
    assert _stored(fresh_database) == 30
    assert lane.items == 30 and lane.batches <= 3  # the first alone, then the rest together


def test_a_bad_item_fails_alone(fresh_database: Database) -> None:
    lane = GroupCommitLane("test", fresh_database.sessions, _record, actor="test")
    answers = run_in_new_loop(_submit_all(lane, ["r1", "r2", "bad", "r3", "r4"]))
    assert answers[:2] == ["R1", "R2"] and answers[3:] == ["R3", "R4"]
    assert isinstance(answers[2], ValueError)
    assert _stored(fresh_database) == 4


def test_a_database_that_is_away_fails_the_batch_at_once(fresh_database: Database) -> None:
    lane = GroupCommitLane("test", fresh_database.sessions, _record, actor="test")

    async def run() -> list[object]:
        first = asyncio.ensure_future(lane.submit("r0"))  # a batch of its own
        await asyncio.sleep(0)
        rest = [lane.submit(item) for item in ["r1", "down", "r2"]]
        return await asyncio.gather(first, *rest, return_exceptions=True)

    answers = run_in_new_loop(run())
    assert answers[0] == "R0"
    assert all(isinstance(answer, OperationalError) for answer in answers[1:])
    assert _stored(fresh_database) == 1


def test_a_full_lane_refuses_with_503(fresh_database: Database) -> None:
    lane = GroupCommitLane("test", fresh_database.sessions, _record, actor="test", max_pending=2)
    answers = run_in_new_loop(_submit_all(lane, [f"r{index}" for index in range(6)]))
    refused = [answer for answer in answers if isinstance(answer, ProblemError)]
    assert refused and all(answer.status == 503 for answer in refused)
    assert _stored(fresh_database) == len(answers) - len(refused)
