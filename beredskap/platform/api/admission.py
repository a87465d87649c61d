"""Admission to the database: never more requests at it than there are connections for them.

A request that uses the database hops between the event loop and the thread pool (its
identity, its route, its commit) and holds a pooled connection across those hops. When more
requests took connections than the thread pool could serve, or more threads wanted
connections than the pool held, each waited for the other: under a burst of delivery
receipts every thread waited for a connection while the requests holding connections waited
for a thread, and the server answered nothing for as long as the burst lasted.

So a request first takes one of `slots` places here, on the event loop, holding nothing; the
app sets `slots` below the pool's capacity, and the thread pool has more threads than that,
so an admitted request always finds both. One that cannot get a place within `wait_s`, or
finds `max_waiting` already queued, is answered 503 with Retry-After at once: load is shed
in seconds, never by a 30-second pool time-out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from beredskap.platform.api.problems import ProblemError

RETRY_AFTER_S = 2


def busy() -> ProblemError:
    return ProblemError(
        503,
        "Service busy",
        "Too many requests at once; nothing was changed. Try again in a moment.",
        headers={"Retry-After": str(RETRY_AFTER_S)},
        reason="busy",
    )


class DatabaseAdmission:
    """At most `slots` holders at once; see the module docstring."""

    def __init__(self, slots: int, *, wait_s: float, max_waiting: int) -> None:
        if slots < 1:
            raise ValueError("at least one request must be admitted")
        self.slots = slots
        self.wait_s = wait_s
        self.max_waiting = max_waiting
        self._limiter = anyio.CapacityLimiter(slots)

    @property
    def in_use(self) -> int:
        return int(self._limiter.borrowed_tokens)

    async def enter(self) -> object:
        """Take a place (the returned token gives it back), or raise 503 `busy`."""
        token = object()  # the borrower: a request may be admitted and left from any task
        if self._limiter.statistics().tasks_waiting >= self.max_waiting:
            raise busy()
        try:
            with anyio.fail_after(self.wait_s):
                await self._limiter.acquire_on_behalf_of(token)
        except TimeoutError:
            raise busy() from None
        return token

    def leave(self, token: object) -> None:
        self._limiter.release_on_behalf_of(token)

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        token = await self.enter()
        try:
            yield
        finally:
            self.leave(token)
