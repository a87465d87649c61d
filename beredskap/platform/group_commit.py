"""Many small units of work that arrive together share one transaction and one commit.

Delivery receipts and SMS replies come in bursts (a callout to 2,000 people brings back
4,000-6,000 receipts within a minute), each a few indexed statements. A transaction and a
commit (a WAL flush) each, with a pooled connection held across thread-pool hops, is what
made the server stop answering under its own callout's receipts. Here a request puts its
item in a lane and awaits the result; the lane runs whatever has gathered meanwhile in ONE
thread-pool hop, on ONE connection, in ONE transaction, and answers every request only after
that transaction has committed: as durable as a commit per request, at a fraction of the
cost. While one batch runs the next gathers, so at low load each item is its own batch and
waits for nothing.

If a batch fails, it is rolled back and its items are run again one by one, so one bad item
answers only its own request with its error; if the database itself is away (a transient
fault), every item of the batch gets that error at once, without retrying each.

Each lane runs one batch at a time and holds at most one connection; the app counts its
lanes when it sizes the admission of other requests (`api.admission`). A lane is bound to
the event loop it is used from (tests make one loop per request), so its state is kept per
loop.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from beredskap.platform.api.admission import busy
from beredskap.platform.database_errors import describe, is_transient
from beredskap.platform.db import transaction

Item = TypeVar("Item")
Result = TypeVar("Result")
_logger = logging.getLogger("beredskap.platform.group_commit")


@dataclass
class _Pending(Generic[Item, Result]):
    item: Item
    future: asyncio.Future[Result]


@dataclass
class _LoopState(Generic[Item, Result]):
    pending: list[_Pending[Item, Result]] = field(default_factory=list)
    drain: asyncio.Task[None] | None = None


class GroupCommitLane(Generic[Item, Result]):
    """`await lane.submit(item)`: `work(session, item)` run in a shared, committed
    transaction; its result, or its exception raised here."""

    def __init__(
        self,
        name: str,
        sessions: sessionmaker[Session],
        work: Callable[[Session, Item], Result],
        *,
        actor: str,
        max_batch: int = 200,
        max_pending: int = 20_000,
    ) -> None:
        self.name = name
        self._sessions = sessions
        self._work = work
        self._actor = actor
        self.max_batch = max_batch
        self.max_pending = max_pending
        self._states: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, _LoopState[Item, Result]
        ] = weakref.WeakKeyDictionary()
        self.batches = 0  # for benchmarks and tests: how many transactions were used
        self.items = 0

    def _state(self) -> _LoopState[Item, Result]:
        loop = asyncio.get_running_loop()
        state = self._states.get(loop)
        if state is None:
            state = self._states[loop] = _LoopState()
        return state

    @property
    def waiting(self) -> int:
        return sum(len(state.pending) for state in list(self._states.values()))

    async def submit(self, item: Item) -> Result:
        state = self._state()
        if len(state.pending) >= self.max_pending:
            raise busy()
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        state.pending.append(_Pending(item, future))
        if state.drain is None or state.drain.done():
            state.drain = asyncio.create_task(self._drain(state), name=f"lane {self.name}")
        return await future

    async def _drain(self, state: _LoopState[Item, Result]) -> None:
        while state.pending:
            batch = state.pending[: self.max_batch]
            del state.pending[: self.max_batch]
            try:
                outcomes = await run_in_threadpool(self._run, [entry.item for entry in batch])
            except BaseException as error:  # cancelled at shutdown: nobody waits any more
                for entry in batch:
                    if not entry.future.done():
                        entry.future.cancel()
                if isinstance(error, Exception):
                    _logger.exception("lane %s: a batch failed outside its work", self.name)
                    continue
                raise
            for entry, outcome in zip(batch, outcomes, strict=True):
                if entry.future.done():  # the request went away (client gone, cancelled)
                    continue
                if isinstance(outcome, _Failure):
                    entry.future.set_exception(outcome.error)
                else:
                    entry.future.set_result(outcome)

    def _run(self, items: list[Item]) -> list[Result | _Failure]:
        """In the thread pool: all items in one transaction; one by one if that fails."""
        self.batches += 1
        self.items += len(items)
        try:
            with transaction(self._sessions, actor=self._actor) as session:
                return [self._work(session, item) for item in items]
        except Exception as error:
            if len(items) == 1:
                return [_Failure(error)]
            if is_transient(error):
                _logger.error(
                    "lane %s: %d items not recorded: %s", self.name, len(items), describe(error)
                )
                return [_Failure(error) for _ in items]
            _logger.warning(
                "lane %s: a batch of %d failed (%s); running each alone",
                self.name,
                len(items),
                describe(error),
            )
        return [self._run_one(item) for item in items]

    def _run_one(self, item: Item) -> Result | _Failure:
        self.batches += 1
        try:
            with transaction(self._sessions, actor=self._actor) as session:
                return self._work(session, item)
        except Exception as error:
            return _Failure(error)


@dataclass(frozen=True)
class _Failure:
    error: Exception
