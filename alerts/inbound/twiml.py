"""TwiML answers to inbound SMS webhooks (`twilio.twiml.messaging_response`)."""

from __future__ import annotations

from twilio.twiml.messaging_response import MessagingResponse

TWIML_MEDIA_TYPE = "application/xml"


def twiml_reply(text: str | None = None) -> str:
    """A `<Response>` that replies with `text`, or says nothing when `text` is None.

    The library escapes the text, so a reply quoting the sender cannot inject TwiML.
    """
    response = MessagingResponse()
    if text:
        response.message(text)
    return str(response.to_xml(xml_declaration=True))
