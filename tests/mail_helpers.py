"""A real local SMTP server for tests (aiosmtpd) and the mails it received."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Mail:
    to: str
    subject: str
    body: str


class Outbox:
    """An aiosmtpd handler that keeps every message; optionally refuses some recipients or
    fails the DATA of the n-th message, as a real server can."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.refuse: set[str] = set()
        self.fail_data_at: int | None = None
        self.data_calls = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_calls += 1
        if self.data_calls == self.fail_data_at:
            return "451 4.3.0 local problem, try again later"
        self.envelopes.append(envelope)
        return "250 OK"

    def take(self) -> list[Mail]:
        """The messages received since the last call, in the order they arrived."""
        mails = []
        for envelope in self.envelopes:
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert envelope.rcpt_tos == [message["To"]]
            mails.append(Mail(message["To"], message["Subject"], message.get_content()))
        self.envelopes.clear()
        return mails


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def outbox(app):
    """Point the app at a fresh local SMTP server; yields its Outbox."""
    handler = Outbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_SECURITY="none")
    yield handler
    controller.stop()
