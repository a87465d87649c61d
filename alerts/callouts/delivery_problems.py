"""Why a message is not (yet) with its recipient, as a code the pages say in words.

The stored `error_reason` is the provider's own English, kept for the API and the log; a
duty officer reads this instead: a few kinds that say what to do (check the number, the
person has opted out, the phone is off), from the provider's error code and the row's
state. The API gives the code with each recipient so the live page can label it too.
"""

from __future__ import annotations

from enum import StrEnum

from alerts.models import RecipientState
from alerts.outbox.claims import CONSENT_WITHDRAWN
from beredskap.platform.digits import parse_digits


class SmsProblem(StrEnum):
    NOT_MOBILE = "not_mobile"  # invalid, a landline or not reachable by SMS
    UNSUBSCRIBED = "unsubscribed"  # replied STOP to the sender at the provider
    OPTED_OUT = "opted_out"  # has withdrawn consent with us (STOP, or staff on their word)
    UNREACHABLE = "unreachable"  # the phone is off or out of coverage
    BLOCKED = "blocked"  # blocked by the recipient or filtered by the carrier
    EXPIRED = "expired"  # not delivered within its validity period
    RETRYING = "retrying"  # the provider said "not now": tried again shortly
    IN_DOUBT = "in_doubt"  # may have gone out; checked with the provider before any resend
    OTHER = "other"  # refused or failed for another reason (the code is shown)


_BY_CODE: dict[SmsProblem, frozenset[int]] = {
    SmsProblem.NOT_MOBILE: frozenset(
        {21211, 21214, 21217, 21401, 21407, 21612, 21614, 21635, 30005, 30006}
    ),
    SmsProblem.UNSUBSCRIBED: frozenset({21610}),
    SmsProblem.UNREACHABLE: frozenset({30003}),
    SmsProblem.BLOCKED: frozenset({30004, 30007}),
    SmsProblem.EXPIRED: frozenset({30044}),
}


def problem_of(
    state: RecipientState,
    error_code: str | None,
    *,
    in_doubt: bool = False,
    opted_out: bool = False,
) -> SmsProblem | None:
    """The problem to show for a message in `state` with the provider's `error_code`;
    `opted_out`: the person has withdrawn consent since (no answer is coming, and none is
    expected: not "no answer")."""
    if opted_out or (state is RecipientState.CANCELLED and error_code == CONSENT_WITHDRAWN):
        return SmsProblem.OPTED_OUT
    if state is RecipientState.SENDING:
        return SmsProblem.IN_DOUBT if in_doubt else None
    code = parse_digits(error_code, max_digits=6)
    if state is RecipientState.QUEUED:
        return SmsProblem.RETRYING if error_code else None
    if state is not RecipientState.FAILED:
        return None
    for problem, codes in _BY_CODE.items():
        if code in codes:
            return problem
    return SmsProblem.OTHER
