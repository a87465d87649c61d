"""/api/v1/callouts/{id}/cap: a callout as CAP 1.2 messages for other systems.

- `GET .../cap`: the callout's messages, oldest first (JSON: number, identifier, type, sent,
  references and where to fetch each);
- `GET .../cap.xml`: the latest message, the callout as it stands now;
- `GET .../cap.xml?message=n`: message n, which never changes once made (see `messages.py`).

404 for an unknown callout or message number, 409 for a draft (nothing sent, no message).
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from alerts.callouts.service import get_callout
from alerts.cap.messages import CapMessage, MsgType, Origin, messages_of
from alerts.cap.writer import CAP_MEDIA_TYPE, cap_xml
from alerts.models import Callout
from alerts.roles import CALLOUT_ROLES
from beredskap.platform.api.problems import PROBLEM_RESPONSES
from beredskap.platform.api.types import MAX_ID, PathId
from beredskap.platform.auth.permissions import Rule
from beredskap.platform.capability import API_PREFIX
from beredskap.platform.deps import CurrentPrincipal, SessionDep, SettingsDep
from beredskap.platform.errors import N_, ConflictError, NotFoundError
from beredskap.platform.settings import PlatformSettings
from beredskap.register.settings import MapSettings

router = APIRouter(tags=["callouts"], responses=PROBLEM_RESPONSES)
# Whoever may read the callout may read its CAP: it names organisations, never a person.
RULES: dict[str, Rule] = {
    "callouts.cap_messages": CALLOUT_ROLES,
    "callouts.cap_message": CALLOUT_ROLES,
}

MessageNumber = Annotated[
    int | None,
    Query(ge=1, le=MAX_ID, description="The message's number, from 1; default the latest"),
]
_XML_RESPONSE = {200: {"content": {CAP_MEDIA_TYPE: {}}, "description": "A CAP 1.2 message"}}


class CapMessageOut(BaseModel):
    sequence: int = Field(description="The message's number in the callout, from 1")
    identifier: str
    sender: str
    sent: str = Field(description="CAP's dateTime, Oslo's offset")
    msg_type: MsgType
    references: list[str] = Field(description="Earlier messages, as sender,identifier,sent")
    href: str = Field(description="The message as CAP 1.2 XML")


class CapMessagesOut(BaseModel):
    callout_id: int
    messages: list[CapMessageOut]


def _origin(settings: PlatformSettings) -> Origin:
    # The one settings object holds every section; the municipality is the register's.
    return Origin(cast(MapSettings, settings).municipality_number, settings.public_url)


def _href(callout: Callout, sequence: int) -> str:
    return f"{API_PREFIX}/callouts/{callout.id}/cap.xml?message={sequence}"


def _xml(message: CapMessage) -> Response:
    return Response(cap_xml(message), media_type=CAP_MEDIA_TYPE)


@router.get(
    "/callouts/{callout_id:int}/cap", name="callouts.cap_messages", response_model=CapMessagesOut
)
def list_cap_messages(
    callout_id: PathId, session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal
) -> CapMessagesOut:
    """The callout's CAP messages, oldest first: the Alert, its Updates and any Cancel (none
    for a draft)."""
    callout = get_callout(session, callout_id)
    messages = messages_of(session, callout, _origin(settings))
    return CapMessagesOut(
        callout_id=callout.id,
        messages=[
            CapMessageOut(
                sequence=message.sequence,
                identifier=message.identifier,
                sender=message.sender,
                sent=message.sent,
                msg_type=message.msg_type,
                references=list(message.references),
                href=_href(callout, message.sequence),
            )
            for message in messages
        ],
    )


@router.get(
    "/callouts/{callout_id:int}/cap.xml",
    name="callouts.cap_message",
    response_class=Response,
    responses=_XML_RESPONSE,
)
def cap_message(
    callout_id: PathId,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    message: MessageNumber = None,
) -> Response:
    """The callout's latest CAP 1.2 message, or message number `message` (404 past the last
    one). 409 for a draft, which has none."""
    messages = messages_of(session, get_callout(session, callout_id), _origin(settings))
    if message is None:
        if not messages:
            raise ConflictError(N_("the callout has not been sent"))
        return _xml(messages[-1])
    if message > len(messages):
        raise NotFoundError("CAP message", message)
    return _xml(messages[message - 1])
