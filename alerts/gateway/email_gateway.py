"""The e-mail port of the outbox: SMTP on the standard library, or local when none is set.

`send` answers with the SMS port's results (`alerts.gateway.port`), never an exception, so the
worker records an e-mail exactly as it records an SMS:

- accepted by the server: `SendAccepted` with the Message-ID as the provider's id;
- 5xx (the server refuses this recipient, sender or message for good): `PERMANENT`;
- 4xx, a refused or dropped connection, a timeout: `TRANSIENT`, tried again later;
- authentication refused, or the server lacks what the settings ask for (STARTTLS):
  `CONFIGURATION`, the message stays queued and the worker raises the alarm.

SMTP keeps no list of what it accepted, so an attempt left in flight by a killed worker
cannot be looked up: it is sent again (with a new Message-ID). E-mail is at least once.
The password is a `SecretStr`; addresses are masked in every log line.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from enum import StrEnum
from typing import Protocol, runtime_checkable

from pydantic import SecretStr

from alerts.gateway.port import FailureKind, MessageStatus, SendAccepted, SendFailed, SendResult

_logger = logging.getLogger("alerts.email")
REASON_CHARS = 200


class SmtpSecurity(StrEnum):
    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (port 587)
    SSL = "ssl"  # TLS from the first byte (port 465)
    NONE = "none"  # a relay on a closed network or loopback only


@runtime_checkable
class EmailGateway(Protocol):
    """Sends e-mail; see the module docstring for what each result means."""

    @property
    def name(self) -> str: ...

    def send(self, to: str, subject: str, body: str, *, reference: str) -> SendResult:
        """Send a plain-text message; `reference` names the outbox row in logs."""
        ...


def mask_address(address: str) -> str:
    """ "o***@example.no": enough to tell messages apart in a log, not to read the address."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


class LocalEmailGateway:
    """No SMTP configured: the outbox row itself is the record. Nothing leaves the system."""

    name = "local"

    def send(self, to: str, subject: str, body: str, *, reference: str) -> SendResult:
        provider_id = f"<local.{secrets.token_hex(12)}@beredskap.invalid>"
        _logger.info("e-mail %s recorded locally (no SMTP configured), not sent", reference)
        return SendAccepted(provider_id, MessageStatus.DELIVERED)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    from_address: str
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    username: str | None = None
    password: SecretStr | None = None
    timeout_s: float = 30.0

    def __repr__(self) -> str:  # the password's SecretStr already hides it; say so plainly
        return f"SmtpConfig(host={self.host!r}, port={self.port}, security={self.security})"


class SmtpEmailGateway:
    """One SMTP session per message (reminders are few; no connection to keep healthy)."""

    name = "smtp"

    def __init__(self, config: SmtpConfig, *, tls_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self._tls = tls_context or ssl.create_default_context()
        self._semaphore = threading.Semaphore(4)  # be kind to the relay

    def _message(self, to: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        domain = self.config.from_address.partition("@")[2] or "beredskap.invalid"
        message["Message-ID"] = make_msgid(domain=domain)
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["From"] = self.config.from_address
        message["To"] = to
        message["Subject"] = " ".join(subject.split())  # no header injection by newline
        message.set_content(body)
        return message

    def _password(self) -> str:
        return self.config.password.get_secret_value() if self.config.password else ""

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        if config.security is SmtpSecurity.SSL:
            return smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout_s, context=self._tls
            )
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout_s)
        if config.security is SmtpSecurity.STARTTLS:
            client.starttls(context=self._tls)
        return client

    def send(self, to: str, subject: str, body: str, *, reference: str) -> SendResult:
        message = self._message(to, subject, body)
        with self._semaphore:
            try:
                with self._connect() as client:
                    if self.config.username:
                        client.login(self.config.username, self._password())
                    client.send_message(message)
            except smtplib.SMTPRecipientsRefused as error:
                code, reply = next(iter(error.recipients.values()), (0, b""))
                return self._refused(reference, to, code, reply)
            except (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError) as error:
                return self._failed(
                    reference,
                    FailureKind.CONFIGURATION,
                    f"the SMTP server refused our login or settings ({_code_of(error)})",
                    _code_of(error),
                )
            except smtplib.SMTPSenderRefused as error:
                kind = (
                    FailureKind.CONFIGURATION if error.smtp_code >= 500 else FailureKind.TRANSIENT
                )
                return self._failed(
                    reference, kind, f"sender refused: {error.smtp_code}", error.smtp_code
                )
            except smtplib.SMTPResponseException as error:  # DATA refused, HELO, ...
                return self._refused(reference, to, error.smtp_code, error.smtp_error)
            except (smtplib.SMTPException, OSError) as error:  # refused, dropped, timed out
                return self._failed(
                    reference, FailureKind.TRANSIENT, f"SMTP unreachable: {type(error).__name__}"
                )
        provider_id = str(message["Message-ID"])
        _logger.info("e-mail %s to %s accepted as %s", reference, mask_address(to), provider_id)
        return SendAccepted(provider_id, MessageStatus.SENT)

    def _refused(self, reference: str, to: str, code: int, reply: bytes | str) -> SendResult:
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        text = " ".join(text.replace(to, mask_address(to)).split())[:REASON_CHARS]
        kind = FailureKind.PERMANENT if code >= 500 else FailureKind.TRANSIENT
        return self._failed(reference, kind, f"SMTP {code}: {text}", code)

    def _failed(
        self, reference: str, kind: FailureKind, reason: str, code: int | None = None
    ) -> SendResult:
        _logger.warning("e-mail %s not sent (%s): %s", reference, kind.value, reason)
        return SendFailed(kind, reason, code=code)


def _code_of(error: Exception) -> int | None:
    code = getattr(error, "smtp_code", None)
    return code if isinstance(code, int) else None
