"""Only Twilio may call our Twilio webhooks: `X-Twilio-Signature`, checked against our public URL.

Twilio signs each webhook request with the account's auth token over the URL it called plus
the form parameters (https://www.twilio.com/docs/usage/webhooks/webhooks-security). That URL
is the public one (`BEREDSKAP_PUBLIC_URL` + path + query); behind a reverse proxy the request
we see has another host, scheme or port, and the Host header is whatever the caller chose. So
the URL is always rebuilt from the configured public URL, never from the request, and
`twilio.request_validator.RequestValidator` does the checking.

`TwilioWebhookGuard` is a FastAPI dependency: it answers 403 to a request that is unsigned,
forged, signed for another URL or with altered parameters (and 413 to an oversized body), and
hands the route the verified form fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from fastapi import HTTPException, Request
from pydantic import SecretStr
from starlette.datastructures import FormData
from twilio.request_validator import RequestValidator

from beredskap.platform.digits import parse_digits

SIGNATURE_HEADER = "X-Twilio-Signature"
# A Twilio SMS webhook is a few kilobytes (1600 characters of body at most, percent-encoded).
MAX_WEBHOOK_BODY_BYTES = 64 * 1024
REFERENCE_PARAMETER = "ref"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class TwilioSignatureVerifier:
    """Checks Twilio signatures for requests to our public URL."""

    def __init__(self, auth_token: SecretStr | str, public_url: str) -> None:
        token = auth_token.get_secret_value() if isinstance(auth_token, SecretStr) else auth_token
        if not token:
            raise ValueError("an auth token is needed to check Twilio signatures")
        self._validator = RequestValidator(token)
        self.public_url = public_url.rstrip("/")

    def __repr__(self) -> str:  # never the token
        return f"TwilioSignatureVerifier(public_url={self.public_url!r})"

    def signed_url(self, path: str, query: str = "") -> str:
        """The URL Twilio called (and signed) for a request to `path` with `query`."""
        url = self.public_url + "/" + path.lstrip("/")
        return f"{url}?{query}" if query else url

    def is_valid(
        self,
        path: str,
        query: str,
        params: Mapping[str, str] | FormData,
        signature: str | None,
    ) -> bool:
        if not signature:
            return False
        return bool(self._validator.validate(self.signed_url(path, query), params, signature))


def route_path(request: Request) -> str:
    """The request's path below the app's root: what follows the public URL."""
    path: str = request.scope["path"]
    root_path: str = request.scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        return path[len(root_path) :] or "/"
    return path


async def verified_twilio_form(request: Request, verifier: TwilioSignatureVerifier) -> FormData:
    """The form fields of a request Twilio signed; 403 for anything else.

    The body is read once, bounded, and parsed here (the route must use the returned form,
    not `request.form()`).
    """
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        raise HTTPException(status_code=403, detail="missing Twilio signature")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_CONTENT_TYPE:
        raise HTTPException(status_code=403, detail="not a signed Twilio form request")
    body = await _bounded_body(request)
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=200
        )
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(status_code=403, detail="invalid Twilio signature") from None
    form = FormData(pairs)
    query = request.scope.get("query_string", b"").decode("latin-1")
    if not verifier.is_valid(route_path(request), query, form, signature):
        raise HTTPException(status_code=403, detail="invalid Twilio signature")
    return form


async def _bounded_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    length = parse_digits(declared, max_digits=12)
    if declared is not None and (length is None or length > MAX_WEBHOOK_BODY_BYTES):
        raise HTTPException(status_code=413, detail="webhook body too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_WEBHOOK_BODY_BYTES:
            raise HTTPException(status_code=413, detail="webhook body too large")
        chunks.append(chunk)
    return b"".join(chunks)


class TwilioWebhookGuard:
    """FastAPI dependency: `form: FormData = Depends(guard)` on a Twilio webhook route."""

    def __init__(self, verifier: TwilioSignatureVerifier) -> None:
        self.verifier = verifier

    async def __call__(self, request: Request) -> FormData:
        return await verified_twilio_form(request, self.verifier)


def status_callback_url(public_url: str, path: str, reference: str | None = None) -> str:
    """The `StatusCallback` for a message: our receipt webhook, carrying our reference.

    With the reference in the URL a delivery receipt finds its outbox row even when the
    worker died before storing Twilio's message SID. Twilio signs the URL with its query,
    so the reference cannot be altered on the way.
    """
    url = public_url.rstrip("/") + "/" + path.lstrip("/")
    if reference is None:
        return url
    return f"{url}?{urlencode({REFERENCE_PARAMETER: reference})}"
