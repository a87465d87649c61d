"""A limit on the size of every request body, enforced before anything reads it.

Without it a 200 MB JSON body was read and parsed before the login check (the server grew
from 288 to 890 MB, then answered 401). This pure ASGI middleware answers 413 at once when
the declared `Content-Length` is above the limit (or not a number), and when a body sent
without one (chunked) grows past it, stops reading and answers 413 instead of the route:
the route never sees more than the limit. Paths that need more (imports, later) are given
their own limit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from beredskap.platform.digits import parse_digits

PROBLEM_JSON = "application/problem+json"


class BodyTooLargeError(HTTPException):
    """The body grew past the limit while it was being read. An HTTPException, so the
    framework's body parsing passes it on (any other error there becomes a 400) and the
    problem handlers answer it as 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _detail(limit))


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        by_path_prefix: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.by_path_prefix = dict(by_path_prefix or {})

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.by_path_prefix.items():
            if path.startswith(prefix):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = _header(scope, b"content-length")
        if declared is not None:
            length = parse_digits(declared.decode("latin-1"), max_digits=15)
            if length is None or length > limit:
                await _too_large(send, limit)
                return
        received = 0
        response_started = False

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, bounded_receive, watching_send)
        except BodyTooLargeError:
            if not response_started:
                await _too_large(send, limit)


def _detail(limit: int) -> str:
    return f"The request body is larger than this route accepts ({limit} bytes)."


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": _detail(limit),
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
