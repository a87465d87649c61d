"""LINK Mobility's webhooks: `POST /webhooks/linkmobility/dlr` (a delivery report) and
`POST /webhooks/linkmobility/mo` (an SMS to our number), both JSON, both answered 200 once
what they say is committed (LINK repeats a report or message until it gets a 200).

LINK calls the URLs LINK Support configured on our gates (the report gate is the one named
in each message, `BEREDSKAP_LINKMOBILITY_GATE_ID`); it does not sign them, and its gates
authenticate to a customer with HTTP basic auth, so that is what is checked here:
`BEREDSKAP_LINKMOBILITY_WEBHOOK_USERNAME` and `_PASSWORD`, compared in constant time. A
missing or wrong credential (or LINK not configured) is 403 before the body is read:
nothing changes. A body that is not the JSON LINK sends is 400 or 422, and also changes
nothing. Both routes are public in the permission matrix (no login) and kept out of the
OpenAPI document.

A report finds its outbox row by `refId` (our reference, sent with the message), else by
LINK's message id; it goes through the receipts' lane, as Twilio's do. An SMS goes through
the replies' lane (the same log, STOP/START, answers and counts as Twilio's); our answer to
it is queued in the outbox (`answers.py`), since LINK takes none in the HTTP answer.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import SecretStr

from alerts.gateway import linkmobility_errors
from alerts.inbound.routes import _Receipt, _Reply, lanes
from alerts.inbound.signature import _bounded_body
from alerts.settings import AlertSettings
from beredskap.platform.auth.permissions import PUBLIC, Rule
from beredskap.platform.columns import utcnow

DLR_PATH = "/webhooks/linkmobility/dlr"
MO_PATH = "/webhooks/linkmobility/mo"
# Our reply log keeps LINK's ids apart from Twilio's SIDs.
MESSAGE_ID_PREFIX = "link:"
MAX_ID_CHARS = 58  # with the prefix, the reply log's 64

_logger = logging.getLogger("alerts.webhooks")

router = APIRouter(include_in_schema=False)
# No login, but every request must carry the gates' basic-auth credentials (403 otherwise).
RULES: dict[str, Rule] = {"webhooks.linkmobility_dlr": PUBLIC, "webhooks.linkmobility_mo": PUBLIC}


@dataclass(frozen=True)
class GateCredentials:
    """What LINK's gates must present; never shown (repr) nor logged."""

    username: str
    password: SecretStr

    def __repr__(self) -> str:
        return f"GateCredentials(username={self.username!r})"

    def accepts(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        username, separator, password = decoded.partition(":")
        # Both compared, whatever the first says: the time tells nothing.
        user_ok = hmac.compare_digest(username.encode(), self.username.encode())
        password_ok = hmac.compare_digest(
            password.encode(), self.password.get_secret_value().encode()
        )
        return bool(separator) and user_ok and password_ok


def _credentials(request: Request) -> GateCredentials | None:
    """The app's credentials, made once from its settings; None without LINK Mobility."""
    state = request.app.state
    if not hasattr(state, "linkmobility_gate_credentials"):
        settings: AlertSettings = state.settings
        found = None
        if (
            settings.linkmobility_configured
            and settings.linkmobility_webhook_username
            and settings.linkmobility_webhook_password
        ):
            found = GateCredentials(
                settings.linkmobility_webhook_username, settings.linkmobility_webhook_password
            )
        state.linkmobility_gate_credentials = found
    credentials: GateCredentials | None = state.linkmobility_gate_credentials
    return credentials


async def gate_json(request: Request) -> dict[str, Any]:
    """The JSON object of an authenticated gate request: 403 without the credentials, 413
    when too large, 400 when not a JSON object."""
    credentials = _credentials(request)
    if credentials is None:
        raise HTTPException(status_code=403, detail="LINK Mobility is not configured")
    if not credentials.accepts(request.headers.get("authorization")):
        raise HTTPException(status_code=403, detail="invalid LINK Mobility gate credentials")
    body = await _bounded_body(request)
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(status_code=400, detail="the body is not JSON") from None
    if not isinstance(payload, dict):
        raise HTTPException(status_code=400, detail="the body is not a JSON object")
    return payload


GateJson = Annotated[dict[str, Any], Depends(gate_json)]


def _text(payload: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise HTTPException(status_code=422, detail=f"'{name}' must be a non-empty string")
    return value


def _result_code(payload: dict[str, Any]) -> int:
    value = payload.get("resultCode")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 100_000:
        raise HTTPException(status_code=422, detail="'resultCode' must be LINK's result code")
    return value


def _message_id(raw: str) -> str:
    """LINK's message id; a part of a long message reports as "{id}${part}"."""
    return raw.partition("$")[0].strip()[:64]


@router.post(DLR_PATH, name="webhooks.linkmobility_dlr")
async def delivery_report(request: Request, payload: GateJson) -> Response:
    """A delivery report: move the outbox row forward; 200 whatever it names."""
    message_id = _text(payload, "id", required=True)
    reference = _text(payload, "refId")
    code = _result_code(payload)
    assert message_id is not None
    status = linkmobility_errors.delivery_status(code)
    described = linkmobility_errors.describe(code)
    await lanes(request).receipts.submit(
        _Receipt(
            message_sid=_message_id(message_id),
            message_status=status.value,
            error_code=str(code),
            reference=reference,
            error_reason=f"LINK {code}: {described}" if described else f"LINK {code}",
            number_gone=code in linkmobility_errors.NUMBER_GONE,
        )
    )
    return Response(status_code=200)


@router.post(MO_PATH, name="webhooks.linkmobility_mo")
async def inbound_sms(request: Request, payload: GateJson) -> Response:
    """A volunteer's SMS: recorded like Twilio's, our answer queued; 200 once committed."""
    sender = _text(payload, "source", required=True)
    message_id = _text(payload, "messageId", required=True)
    text = payload.get("userData")
    content = payload.get("content")
    if text is None and isinstance(content, dict):
        text = content.get("userData")  # the newer MO format nests it
    if not isinstance(text, str):
        raise HTTPException(status_code=422, detail="'userData' must be a string")
    assert sender is not None and message_id is not None
    await lanes(request).replies.submit(
        _Reply(
            from_number=sender,
            body=text,
            received_at=utcnow(),
            message_sid=MESSAGE_ID_PREFIX + message_id.strip()[:MAX_ID_CHARS],
            queue_answer=True,
        )
    )
    return Response(status_code=200)
