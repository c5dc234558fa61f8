"""Mail at the edge: the SMTP server from ZS_SMTP (smtp://host:port) and the sender from ZS_MAIL_FROM."""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from urllib.parse import urlsplit

from cli.context import InputError
from domain.errors import InvalidValue


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender: str

    @classmethod
    def from_env(cls) -> Mailer:
        url = os.environ.get("ZS_SMTP", "").strip()
        if not url:
            raise InputError("set ZS_SMTP to the mail server, e.g. smtp://127.0.0.1:1025")
        parts = urlsplit(url)
        try:
            port = parts.port or 25
        except ValueError:
            port = -1
        if parts.scheme != "smtp" or not parts.hostname or port <= 0 or parts.path not in ("", "/"):
            raise InputError(f"ZS_SMTP {url!r} is not smtp://host[:port]")
        try:
            from domain.person import check_email  # a rule of the Person aggregate, loaded when mail is sent

            sender = check_email(os.environ.get("ZS_MAIL_FROM", "").strip() or None)
        except InvalidValue as error:
            raise InputError(f"ZS_MAIL_FROM: {error}") from None
        if sender is None:
            raise InputError("set ZS_MAIL_FROM to the sender's address, e.g. zsb@example.gov.cn")
        return cls(parts.hostname, port, sender)

    def send(self, name: str, to: str, subject: str, body: str) -> None:
        """One message, UTF-8; raises OSError or smtplib.SMTPException when it did not go."""
        message = EmailMessage()
        message["From"] = Address("招商引资台账", addr_spec=self.sender)
        message["To"] = Address(name, addr_spec=to)
        message["Subject"] = subject
        message.set_content(body, charset="utf-8")
        with smtplib.SMTP(self.host, self.port, timeout=20) as server:
            server.send_message(message)
