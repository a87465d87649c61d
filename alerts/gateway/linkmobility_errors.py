"""LINK Mobility's result codes, sorted by what the callout worker must do about them.

The codes of LINK's SMS REST API ("Common"), as its MT and delivery report documentation
lists them (LINK Mobility SMS REST API, MT and Delivery Reports; the same platform that
Sergel Connect documents). The same `resultCode` comes in a refused submission's answer and
in delivery reports; in a report it says how far the message got.
"""

from __future__ import annotations

from alerts.gateway.port import FailureKind, MessageStatus

# The recipient cannot be reached this way; retrying changes nothing.
RECIPIENT_ERRORS: dict[int, str] = {
    2100: "destination short number not supported",
    2101: "destination alphanumeric not supported",
    2102: "destination MSISDN not supported",
    2103: "operation blocked",
    2104: "unknown subscriber",
    2105: "destination blocked (subscriber permanently barred)",
    2106: "number error",
    2107: "destination temporarily blocked (subscriber temporarily barred)",
    2200: "charging error",
    2201: "subscriber has low balance",
    2204: "prepaid subscriber not allowed",
    2205: "service rejected by subscriber",
    2206: "subscriber not registered in payment system",
    3000: "GSM encoding is not supported",
    3001: "UCS2 encoding is not supported",
    4001: "invalid message content",
    4003: "invalid user data",
    4005: "invalid data coding",
    4007: "unsupported content for destination",
}

# Our account or settings are wrong: every message would fail the same way.
CONFIGURATION_ERRORS: dict[int, str] = {
    104: "configuration error (platform, partner or gate)",
    2000: "invalid source (the sender is not allowed for this account)",
    2001: "source short number not supported",
    2002: "source alphanumeric not supported",
    2003: "source MSISDN not supported",
    4000: "delivery report is not supported (check the gate id)",
}

# Worth another try after a pause.
TRANSIENT_ERRORS: dict[int, str] = {
    1: "temporary routing error",
    3: "maximum throttling exceeded",
    105: "internal error at LINK Mobility",
}

# Delivery report codes: what became of an accepted message.
DELIVERY_CODES: dict[int, tuple[MessageStatus, str]] = {
    0: (MessageStatus.FAILED, "unknown error"),
    1: (MessageStatus.FAILED, "temporary routing error"),
    2: (MessageStatus.FAILED, "permanent routing error"),
    3: (MessageStatus.FAILED, "maximum throttling exceeded"),
    4: (MessageStatus.UNDELIVERED, "timeout"),
    5: (MessageStatus.FAILED, "operator unknown error"),
    6: (MessageStatus.FAILED, "operator error"),
    104: (MessageStatus.FAILED, "configuration error"),
    105: (MessageStatus.FAILED, "internal error at LINK Mobility"),
    1000: (MessageStatus.SENT, "sent to the operator"),
    1001: (MessageStatus.DELIVERED, "billed and delivered"),
    1002: (MessageStatus.UNDELIVERED, "expired: not delivered within its validity period"),
    1003: (MessageStatus.CANCELED, "deleted"),
    1004: (MessageStatus.UNDELIVERED, "mobile full"),
    1005: (MessageStatus.QUEUED, "queued"),
    1006: (MessageStatus.UNDELIVERED, "not delivered"),
    1007: (MessageStatus.DELIVERED, "delivered, billing delayed"),
    1008: (MessageStatus.SENT, "billed OK"),
    1009: (MessageStatus.UNDELIVERED, "billed OK and not delivered"),
    1010: (MessageStatus.UNDELIVERED, "expired, no delivery report from the operator"),
    1011: (MessageStatus.SENT, "billed OK and sent to the operator"),
    1012: (MessageStatus.SENT, "delayed (LINK will try again)"),
    1013: (MessageStatus.SENT, "sent to the operator, billing delayed"),
}
QUEUED = 1005  # what an accepted submission answers
# Codes that say the number reaches no subscriber at all (not "phone off" or "mobile
# full"): its volunteer is flagged as a send-time refusal flags it.
NUMBER_GONE: frozenset[int] = frozenset({2102, 2104, 2105, 2106})


def classify(code: int | None, http_status: int | None) -> FailureKind:
    """What to do about a refused submission.

    A known result code decides; otherwise the HTTP status: 429 and 503 are refusals before
    anything was done (transient); 500, 502 and 504 may come after LINK took the message
    (unknown: there is no message list to ask); 401 and 403 mean our credentials or
    platform; any other 4xx means this request cannot succeed as it is.
    """
    if code is not None:
        if code in RECIPIENT_ERRORS:
            return FailureKind.PERMANENT
        if code in CONFIGURATION_ERRORS:
            return FailureKind.CONFIGURATION
        if code in TRANSIENT_ERRORS:
            return FailureKind.TRANSIENT
    if http_status is None:
        return FailureKind.UNKNOWN
    if http_status in (408, 429, 503):
        return FailureKind.TRANSIENT
    if http_status >= 500:
        return FailureKind.UNKNOWN
    if http_status in (401, 403):
        return FailureKind.CONFIGURATION
    return FailureKind.PERMANENT


def describe(code: int | None) -> str | None:
    """A short English description of a LINK result code, if we know it."""
    if code is None:
        return None
    for table in (RECIPIENT_ERRORS, CONFIGURATION_ERRORS, TRANSIENT_ERRORS):
        if code in table:
            return table[code]
    found = DELIVERY_CODES.get(code)
    return found[1] if found else None


def delivery_status(code: int | None) -> MessageStatus:
    """The message status a delivery report's result code means (OTHER if unknown)."""
    found = DELIVERY_CODES.get(code) if code is not None else None
    if found is not None:
        return found[0]
    if code is not None and 2000 <= code < 5000:
        return MessageStatus.FAILED
    return MessageStatus.OTHER
