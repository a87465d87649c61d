"""Which gateways this process sends through: Twilio or LINK Mobility only when fully
configured, the primary and secondary as `BEREDSKAP_SMS_PRIMARY` and `_SECONDARY` say."""

from __future__ import annotations

import logging
from datetime import timedelta

from alerts.gateway.email_gateway import (
    EmailGateway,
    LocalEmailGateway,
    SmtpConfig,
    SmtpEmailGateway,
    SmtpSecurity,
)
from alerts.gateway.failover import FailoverPolicy, Providers
from alerts.gateway.linkmobility_gateway import LinkMobilityGateway
from alerts.gateway.local_gateway import LocalGateway, LocalMessageStore
from alerts.gateway.port import SmsGateway
from alerts.gateway.twilio_gateway import TwilioGateway
from alerts.settings import AlertSettings

_logger = logging.getLogger("alerts")


def gateway_from_settings(settings: AlertSettings, local_store: LocalMessageStore) -> SmsGateway:
    """The primary provider: `BEREDSKAP_SMS_PRIMARY`, else the one configured (Twilio
    first); the local gateway when none is.

    `local_store` is required so that a process without a provider never keeps its
    messages only in memory by oversight: the application passes its table-backed store.
    AlertSettings refuse half a provider's configuration, so "not configured" means none
    of it.
    """
    primary = settings.sms_primary or next(iter(settings.sms_providers), None)
    if primary is not None:
        return _provider(settings, primary)
    _logger.warning("SMS go to the local gateway: no SMS provider is configured, nothing is sent")
    return LocalGateway(local_store)


def providers_from_settings(settings: AlertSettings, local_store: LocalMessageStore) -> Providers:
    """The primary and, with `BEREDSKAP_SMS_SECONDARY`, the provider to fail over to."""
    primary = gateway_from_settings(settings, local_store)
    secondary = None
    if settings.sms_secondary is not None:
        secondary = _provider(settings, settings.sms_secondary)
        _logger.info(
            "SMS fail over from %s to %s after %d failures in a row (cool-down %d s)",
            primary.name,
            secondary.name,
            settings.sms_failover_after,
            settings.sms_failover_cool_down_s,
        )
    policy = FailoverPolicy(
        failover_after=settings.sms_failover_after,
        cool_down=timedelta(seconds=settings.sms_failover_cool_down_s),
    )
    return Providers(primary, secondary, policy)


def _provider(settings: AlertSettings, name: str) -> SmsGateway:
    if name == "twilio":
        _logger.info("SMS through Twilio at %s", settings.twilio_api_base)
        return TwilioGateway.from_settings(settings)
    if name == "linkmobility":
        _logger.info("SMS through LINK Mobility at %s", settings.linkmobility_api_base)
        return LinkMobilityGateway.from_settings(settings)
    raise ValueError(f"unknown SMS provider {name!r}")


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
