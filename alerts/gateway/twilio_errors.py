"""Twilio's error codes, sorted by what the callout worker must do about them.

Codes from https://www.twilio.com/docs/api/errors. An API error answers with JSON
`{"code", "message", "more_info", "status"}`; delivery receipts carry `ErrorCode` (30xxx)
for messages that were accepted and then failed or went undelivered.
"""

from __future__ import annotations

from alerts.gateway.port import FailureKind

# The recipient cannot be reached this way; retrying changes nothing.
RECIPIENT_ERRORS: dict[int, str] = {
    21211: "invalid 'To' phone number",
    21214: "'To' phone number cannot be reached",
    21217: "phone number does not appear to be valid",
    21401: "invalid phone number",
    21407: "this phone number type does not support SMS",
    21608: "unverified number (a trial account sends only to verified numbers)",
    21610: "the recipient has replied STOP to this sender (unsubscribed)",
    21612: "cannot route a message from this sender to this number",
    21614: "'To' number is not a valid mobile number",
    21635: "'To' number cannot receive SMS",
    # The message itself is unacceptable (our bug, but specific to this message).
    21602: "message body is required",
    21617: "message body exceeds the 1600 character limit",
    21619: "a text body or media URL is required",
}

# Our account or settings are wrong: every message would fail the same way.
CONFIGURATION_ERRORS: dict[int, str] = {
    20003: "authentication failed: check the account SID and auth token",
    20005: "the account is not active",
    20008: "this resource is not available with test credentials",
    20404: "not found: check the account SID and the API base",
    21212: "invalid 'From' number",
    21408: "sending SMS to this region is not enabled on the account",
    21603: "a 'From' number or Messaging Service is required",
    21606: "the 'From' number is not an SMS-capable number of this account",
    21659: "the 'From' number is not a Twilio number of this account",
    21660: "the 'From' number does not belong to this account",
    21701: "the Messaging Service does not exist",
    21703: "the Messaging Service has no phone numbers to send from",
    21704: "the Messaging Service sender pool is invalid",
}

# Worth another try after a pause.
TRANSIENT_ERRORS: dict[int, str] = {
    20429: "too many requests",
    20500: "Twilio internal error",
    20503: "Twilio service unavailable",
    30001: "queue overflow at Twilio",
}

# Delivery receipt codes: the message was accepted, then not delivered.
DELIVERY_ERRORS: dict[int, str] = {
    30002: "account suspended",
    30003: "unreachable handset (off or out of coverage)",
    30004: "message blocked (the recipient or the carrier blocks this sender)",
    30005: "unknown destination handset",
    30006: "landline or unreachable carrier",
    30007: "filtered by the carrier as spam",
    30008: "unknown error at the carrier",
    30009: "missing segment",
    30010: "message price exceeds the maximum price",
    30034: "sender not registered for this traffic",
    30044: "message expired: not delivered within its validity period",
}

# Delivery receipts whose code says the number reaches no mobile at all (not "switched off"):
# its volunteer is flagged like a send-time refusal (`alerts.verification.failures`).
NUMBER_GONE: frozenset[int] = frozenset({30005, 30006})


def classify(code: int | None, http_status: int | None) -> FailureKind:
    """What to do about an error answer from the REST API.

    A known code decides; otherwise the HTTP status does: 429 and 5xx are transient, 401 and
    403 mean our credentials, any other 4xx means this request cannot succeed as it is.
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
    if http_status in (408, 429) or http_status >= 500:
        return FailureKind.TRANSIENT
    if http_status in (401, 403):
        return FailureKind.CONFIGURATION
    return FailureKind.PERMANENT


def describe(code: int | None) -> str | None:
    """A short English description of a Twilio error code, if we know it."""
    if code is None:
        return None
    for table in (RECIPIENT_ERRORS, CONFIGURATION_ERRORS, TRANSIENT_ERRORS, DELIVERY_ERRORS):
        if code in table:
            return table[code]
    return None
