"""Which gateway this process sends through: Twilio only when fully configured."""

from __future__ import annotations

import logging

from alerts.gateway.email_gateway import (
    EmailGateway,
    LocalEmailGateway,
    SmtpConfig,
    SmtpEmailGateway,
    SmtpSecurity,
)
from alerts.gateway.local_gateway import LocalGateway, LocalMessageStore
from alerts.gateway.port import SmsGateway
from alerts.gateway.twilio_gateway import TwilioGateway
from alerts.settings import AlertSettings

_logger = logging.getLogger("alerts")


def gateway_from_settings(settings: AlertSettings, local_store: LocalMessageStore) -> SmsGateway:
    """Twilio when the account SID, auth token and a sender are all set; else the local one.

    `local_store` is required so that a process without Twilio never keeps its messages
    only in memory by oversight: the application passes its table-backed store.
    AlertSettings refuse half a Twilio configuration, so "not configured" means none of it.
    """
    if settings.twilio_configured:
        gateway = TwilioGateway.from_settings(settings)
        _logger.info("SMS through Twilio at %s", settings.twilio_api_base)
        return gateway
    _logger.warning("SMS go to the local gateway: Twilio is not configured, nothing is sent")
    return LocalGateway(local_store)


def email_gateway_from_settings(settings: AlertSettings) -> EmailGateway:
    """SMTP when `BEREDSKAP_SMTP_HOST` and a from address are set; else the local one."""
    if settings.smtp_configured:
        _logger.info("e-mail through SMTP at %s:%d", settings.smtp_host, settings.smtp_port)
        return SmtpEmailGateway(
            SmtpConfig(
                host=str(settings.smtp_host),
                port=settings.smtp_port,
                from_address=str(settings.smtp_from),
                security=SmtpSecurity(settings.smtp_security),
                username=settings.smtp_username,
                password=settings.smtp_password,
                timeout_s=settings.smtp_timeout_s,
            )
        )
    _logger.warning("e-mail is recorded locally: SMTP is not configured, nothing is sent")
    return LocalEmailGateway()
