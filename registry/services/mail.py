"""Sending mail over SMTP with the standard library, configured from the app's settings.

``Mailer`` opens one connection on the first message and keeps it for the run. Failures are
``MailError`` (the server cannot be used: stop) or ``RecipientRefused`` (the server refused
this one message's recipient: the others can still be sent), each with a one-line message.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from . import ServiceError

SECURITY_MODES = ("none", "starttls", "ssl")
TIMEOUT_SECONDS = 30


class MailError(ServiceError):
    """The SMTP server could not be used; nothing more can be sent this run."""


class RecipientRefused(ServiceError):
    """The server (or the address itself) refused one message's recipient."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    security: str
    sender: str

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        """The SMTP_* and MAIL_FROM settings, checked; MailError names the first bad one."""
        port = str(config.get("SMTP_PORT", 25)).strip()
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise MailError(f"SMTP_PORT must be a port number, not {port!r}")
        security = str(config.get("SMTP_SECURITY") or "none").strip().lower()
        if security not in SECURITY_MODES:
            raise MailError(
                f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, not {security!r}"
            )
        sender = str(config.get("MAIL_FROM") or "").strip()
        if "@" not in parseaddr(sender)[1]:
            raise MailError(f"MAIL_FROM must be an email address, not {sender!r}")
        return cls(
            host=str(config.get("SMTP_HOST") or "localhost").strip(),
            port=int(port),
            username=config.get("SMTP_USERNAME") or None,
            password=config.get("SMTP_PASSWORD") or None,
            security=security,
            sender=sender,
        )


def compose(sender: str, recipient: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message with the headers automated mail should carry (RFC 3834)."""
    message = EmailMessage()
    try:
        message["From"] = sender
        message["To"] = recipient
    except (ValueError, TypeError) as exc:  # a malformed address stored in the registry
        raise RecipientRefused(f"{recipient!r} is not a usable address ({exc})") from None
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].partition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def _text(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


class Mailer:
    """One SMTP session, used as a context manager: ``with Mailer(settings) as m: m.send(...)``."""

    def __init__(self, settings: SmtpSettings, timeout: float = TIMEOUT_SECONDS) -> None:
        self.settings, self.timeout = settings, timeout
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _failure(self, exc: BaseException) -> MailError:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return MailError(f"could not send to SMTP server {self.settings.server}: {reason}")

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        if s.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=self.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        try:
            if s.security == "starttls":
                smtp.starttls(context=context)
            if s.username:
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the server; returns once the server has accepted it."""
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except (smtplib.SMTPException, OSError) as exc:  # incl. no STARTTLS or AUTH there
                raise self._failure(exc) from None
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            reasons = "; ".join(f"{a}: {_text(c, t)}" for a, (c, t) in exc.recipients.items())
            raise RecipientRefused(f"the server refused {reasons}") from None
        except smtplib.SMTPNotSupportedError as exc:  # e.g. a non-ASCII address, no SMTPUTF8
            raise RecipientRefused(f"{message['To']}: {exc}") from None
        except ValueError as exc:  # the message cannot be encoded for this recipient
            raise RecipientRefused(f"{message['To']}: {exc}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise self._failure(exc) from None

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
