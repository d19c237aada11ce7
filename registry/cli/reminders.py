"""``registry send-reminders``: expiry reminders and new-gap notices by email, run daily."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import click
from flask import current_app

from .. import db
from ..services.mail import Mailer, RecipientRefused, SmtpSettings
from ..services.reminders import THRESHOLDS, Reminder, deliver, plan_reminders, plural, record_run
from . import registry_cli
from .common import actor, as_of_option, fail, guarded


@dataclass
class Tally:
    """What a run sent, for its summary line and its audit event."""

    managers: int = 0
    practitioners: int = 0
    reminders: int = 0
    refused: list[str] = field(default_factory=list)

    @property
    def emails(self) -> int:
        return self.managers + self.practitioners

    def add(self, reminder: Reminder) -> None:
        if reminder.audience == "manager":
            self.managers += 1
        else:
            self.practitioners += 1
        self.reminders += len(reminder.items)

    def __str__(self) -> str:
        return (
            f"{plural(self.emails, 'email')} ({plural(self.managers, 'manager')}, "
            f"{plural(self.practitioners, 'practitioner')}); {plural(self.reminders, 'reminder')}"
        )

    def counts(self) -> dict[str, int]:
        return {
            "emails": self.emails,
            "managers": self.managers,
            "practitioners": self.practitioners,
            "reminders": self.reminders,
            "refused": len(self.refused),
        }


def _headline(reminder: Reminder) -> str:
    return f"{reminder.recipient} ({reminder.audience}): {reminder.subject}"


def _dry_run(reminders: list[Reminder]) -> None:
    tally = Tally()
    for reminder in reminders:
        tally.add(reminder)
        click.echo(f"would send to {_headline(reminder)}")
        for line in reminder.item_lines(advice=False):
            if line:
                click.echo(f"  {line}")
    click.echo(f"dry run: would send {tally}; nothing sent or recorded")


def _record_run(tally: Tally, as_of: date) -> None:
    if tally.emails:
        record_run(db.session(), actor(), as_of, tally.counts())
        db.session().commit()


def _send(reminders: list[Reminder], as_of: date) -> Tally:
    """Send each email and commit its record as soon as the server has accepted it, so a
    failure later in the run does not resend it."""
    session, tally = db.session(), Tally()
    settings = SmtpSettings.from_config(current_app.config)
    try:
        with Mailer(settings) as mailer:
            for reminder in reminders:
                try:
                    deliver(session, mailer, settings.sender, reminder)
                except RecipientRefused as exc:
                    tally.refused.append(f"{reminder.recipient}: {exc}")
                    continue
                session.commit()
                tally.add(reminder)
                click.echo(f"sent to {_headline(reminder)}")
    except Exception:  # the server or the database failed halfway: audit what was sent
        session.rollback()
        _record_run(tally, as_of)
        raise
    _record_run(tally, as_of)
    return tally


@registry_cli.command("send-reminders")
@click.option("--as-of", "as_of", help="Remind as of this date, YYYY-MM-DD (default today).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@guarded
def send_reminders_command(as_of: str | None, dry_run: bool) -> None:
    """Email clinic managers and practitioners about expiries (90/60/30 days) and new gaps."""
    day = as_of_option(as_of)
    thresholds = current_app.config.get("REMINDER_THRESHOLDS", THRESHOLDS)
    reminders = plan_reminders(db.session(), day, thresholds)
    if dry_run:
        _dry_run(reminders)
        return
    tally = _send(reminders, day)
    click.echo(f"sent {tally} recorded")
    if tally.refused:
        for line in tally.refused:
            click.echo(f"not sent: {line}", err=True)
        raise fail(f"{plural(len(tally.refused), 'email')} refused by the SMTP server")
