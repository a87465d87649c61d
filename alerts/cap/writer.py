"""A CAP message as an XML document (the standard library's ElementTree: what it writes is
escaped and well-formed; the element order is the CAP 1.2 schema's, which is a sequence)."""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, indent, tostring

from alerts.cap.messages import CapArea, CapInfo, CapMessage

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
# IANA's media type for CAP documents.
CAP_MEDIA_TYPE = "application/cap+xml"


def _add(parent: Element, tag: str, text: str | None) -> None:
    if text is not None:
        SubElement(parent, tag).text = text


def _add_pairs(parent: Element, tag: str, pairs: tuple[tuple[str, str], ...]) -> None:
    for name, value in pairs:
        pair = SubElement(parent, tag)
        _add(pair, "valueName", name)
        _add(pair, "value", value)


def _area(parent: Element, area: CapArea) -> None:
    element = SubElement(parent, "area")
    _add(element, "areaDesc", area.description)
    for polygon in area.polygons:
        _add(element, "polygon", polygon)
    for circle in area.circles:
        _add(element, "circle", circle)
    _add_pairs(element, "geocode", area.geocodes)


def _info(parent: Element, info: CapInfo) -> None:
    element = SubElement(parent, "info")
    _add(element, "language", info.language)
    _add(element, "category", info.category)
    _add(element, "event", info.event)
    _add(element, "responseType", info.response_type)
    _add(element, "urgency", info.urgency)
    _add(element, "severity", info.severity)
    _add(element, "certainty", info.certainty)
    _add(element, "senderName", info.sender_name)
    _add(element, "headline", info.headline)
    _add(element, "description", info.description)
    _add(element, "instruction", info.instruction)
    _add_pairs(element, "parameter", info.parameters)
    _area(element, info.area)


def cap_xml(message: CapMessage) -> bytes:
    """The message as a UTF-8 CAP 1.2 document with its XML declaration."""
    alert = Element("alert", {"xmlns": CAP_NAMESPACE})
    _add(alert, "identifier", message.identifier)
    _add(alert, "sender", message.sender)
    _add(alert, "sent", message.sent)
    _add(alert, "status", message.status)
    _add(alert, "msgType", message.msg_type.value)
    _add(alert, "scope", "Private")
    # Whitespace separates addresses; none of ours holds any, so none needs quotes.
    _add(alert, "addresses", " ".join(message.addresses))
    _add(alert, "note", message.note)
    _add(alert, "references", " ".join(message.references) or None)
    _add(alert, "incidents", message.incidents)
    _info(alert, message.info)
    indent(alert)
    return tostring(alert, encoding="utf-8", xml_declaration=True)
