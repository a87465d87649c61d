"""The twilio library's HTTP client, pointed at another API base and kept quiet about numbers.

`BEREDSKAP_TWILIO_API_BASE` (default https://api.twilio.com) lets test gateways and private
relays receive exactly the requests Twilio would, without forking the library: the library
builds `https://api.twilio.com/2010-04-01/...` (also for the next page of a list), and
`RelayingHttpClient` swaps that origin for the configured base just before sending.

The library's own request log writes query parameters (the `To` of a message list) at INFO;
this client logs the method and path only, at DEBUG.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from requests.adapters import HTTPAdapter
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

DEFAULT_API_BASE = "https://api.twilio.com"
_TWILIO_API_HOST = "api.twilio.com"
_logger = logging.getLogger("alerts.twilio.http")


def _is_twilio_api_host(host: str) -> bool:
    # The library adds edge and region when configured: api.dublin.ie1.twilio.com.
    return host == _TWILIO_API_HOST or (host.startswith("api.") and host.endswith(".twilio.com"))


class RelayingHttpClient(TwilioHttpClient):
    """A `TwilioHttpClient` that sends Twilio API requests to `api_base` instead.

    `api_base` may carry a path prefix (https://relay.example/twilio); requests keep their
    own path after it. The connection pool holds `pool_size` connections for each scheme,
    so one client can serve that many concurrent requests without reconnecting.
    """

    def __init__(
        self,
        api_base: str = DEFAULT_API_BASE,
        *,
        timeout_s: float = 10.0,
        pool_size: int = 10,
    ) -> None:
        super().__init__(pool_connections=True, timeout=timeout_s, logger=_logger)
        parts = urlsplit(api_base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("the Twilio API base must be an absolute http(s) URL")
        self._scheme = parts.scheme
        self._netloc = parts.netloc
        self._prefix = parts.path.rstrip("/")
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
        assert self.session is not None  # pool_connections=True above
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

    def rewrite(self, url: str) -> str:
        """The URL to send a request for `url` to: same path and query, our API base."""
        parts = urlsplit(url)
        if not _is_twilio_api_host(parts.hostname or ""):
            return url
        return urlunsplit(
            (self._scheme, self._netloc, self._prefix + parts.path, parts.query, parts.fragment)
        )

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        return super().request(
            method,
            self.rewrite(url),
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )

    def log_request(self, kwargs: dict[str, Any]) -> None:
        # Never the query (phone numbers) nor the body (numbers and message text).
        self.logger.debug("%s %s", kwargs["method"], urlsplit(kwargs["url"]).path)

    def log_response(self, status_code: int, response: Any) -> None:
        self.logger.debug("answered %s", status_code)
