"""Reminders by mail, as `zs remind --send` and the web office's 逾期与提醒 send them: the SMTP server
from ZS_SMTP (smtp://host:port) and the sender from ZS_MAIL_FROM; each person gets one message with
the items not yet mailed to them that Shanghai day, and each mailing is recorded once it went."""

from __future__ import annotations

import os
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from domain.errors import InvalidValue
from domain.person import check_email
from domain.values import shanghai_date
from projections.reminders import body, person_messages, subject_line


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Mailer:
        """The mail server and sender; InvalidValue names what is missing or malformed."""
        env = os.environ if env is None else env
        url = env.get("ZS_SMTP", "").strip()
        if not url:
            raise InvalidValue("set ZS_SMTP to the mail server, e.g. smtp://127.0.0.1:1025")
        parts = urlsplit(url)
        try:
            port = parts.port or 25
        except ValueError:
            port = -1
        if parts.scheme != "smtp" or not parts.hostname or port <= 0 or parts.path not in ("", "/"):
            raise InvalidValue(f"ZS_SMTP {url!r} is not smtp://host[:port]")
        try:
            sender = check_email(env.get("ZS_MAIL_FROM", "").strip() or None)
        except InvalidValue as error:
            raise InvalidValue(f"ZS_MAIL_FROM: {error}") from None
        if sender is None:
            raise InvalidValue("set ZS_MAIL_FROM to the sender's address, e.g. zsb@example.gov.cn")
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


def mail_reminders(ledger: Any, views: Any, entries: list[dict[str, Any]], mailer: Mailer | None,
                   actor: str | None) -> list[dict[str, Any]]:
    """One outcome per person told anything: sent, would_send (no mailer: a dry run), already_reminded,
    no_email or failed. With a mailer, `actor` must be the office (checked before any mail goes)."""
    if mailer is not None:
        ledger.check_may_remind(actor)
    calendar = ledger.calendar()
    messages = person_messages(entries, {kind: calendar.rule(kind).title for kind in calendar.kinds()})
    people = {p["name"]: p for p in views.people()}
    day = shanghai_date(ledger.clock())
    results = []
    for name in sorted(messages):
        person = people.get(name, {})
        already = set(ledger.reminded(name, day))
        lines = [line for line in messages[name] if line.key not in already]
        to = person.get("email")
        outcome: dict[str, Any] = {"person": name, "to": to, "items": [line.key for line in lines],
                                   "already_reminded": sorted(already & {line.key for line in messages[name]})}
        if not lines:
            outcome["status"] = "already_reminded"
        elif not to:
            outcome["status"] = "no_email"
        elif mailer is None:
            outcome |= {"status": "would_send", "subject": subject_line(day), "body": body(name, day, lines)}
        else:
            try:
                mailer.send(name, to, subject_line(day), body(name, day, lines))
            except (OSError, smtplib.SMTPException) as error:
                outcome |= {"status": "failed", "error": str(error) or type(error).__name__}
            else:
                ledger.record_reminder(actor or "", name, person.get("unit"), to, subject_line(day),
                                       tuple(line.key for line in lines))
                outcome["status"] = "sent"
        results.append(outcome)
    return results
