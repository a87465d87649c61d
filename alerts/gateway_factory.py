"""Which gateway this process sends through: Twilio only when fully configured."""

from __future__ import annotations

import logging

from alerts.gateway import SmsGateway
from alerts.local_gateway import LocalGateway, LocalMessageStore
from alerts.twilio_gateway import TwilioGateway
from beredskap.settings import Settings

_logger = logging.getLogger("alerts")


def gateway_from_settings(settings: Settings, local_store: LocalMessageStore) -> SmsGateway:
    """Twilio when the account SID, auth token and a sender are all set; else the local one.

    `local_store` is required so that a process without Twilio never keeps its messages
    only in memory by oversight: the application passes its table-backed store.
    Settings refuse half a Twilio configuration, so "not configured" means none of it.
    """
    if settings.twilio_configured:
        gateway = TwilioGateway.from_settings(settings)
        _logger.info("SMS through Twilio at %s", settings.twilio_api_base)
        return gateway
    _logger.warning("SMS go to the local gateway: Twilio is not configured, nothing is sent")
    return LocalGateway(local_store)
