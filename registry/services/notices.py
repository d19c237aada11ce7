"""Emails that carry a one-time link: an invitation, a claim, a clinic's request.

They go through the registry's SMTP settings (``services.mail``). With ``MAIL_IN_BACKGROUND``
(the default) a message is handed to a thread after the request's commit, so that answering a
public "claim your record" takes the same time whether or not a message is sent; the tests
send at once. A failure is logged for the operators, never shown: the person can ask again.
"""

from __future__ import annotations

import threading

from flask import current_app, url_for

from ..models import Clinic, Practitioner
from .accounts import CLAIM, CLINIC_REQUEST, INVITATION, LIFETIME, Sent
from .mail import Mailer, MailError, RecipientRefused, SmtpSettings, compose

SUBJECTS = {
    INVITATION: "Your account in the Needling Registry",
    CLAIM: "Claim your record in the Needling Registry",
    CLINIC_REQUEST: "{clinic} asks to add you to its staff",
}


def _days(purpose: str) -> str:
    lifetime = LIFETIME[purpose]
    return f"{lifetime.days} days" if lifetime.days > 1 else f"{int(lifetime.seconds / 3600)} hours"


def body(purpose: str, practitioner: Practitioner, url: str, clinic: Clinic | None) -> str:
    who = f"{practitioner.name} ({'/'.join(practitioner.key)})"
    if purpose == CLINIC_REQUEST:
        lines = [
            f"{clinic.name} asks to add you, {who}, to its staff in the Needling Registry.",
            "If you accept, the clinic sees your email and phone, may add credentials for you",
            "to verify, and is listed on your public page. You can end the link at any time.",
            "",
            f"Accept or decline: {url}",
        ]
    else:
        lines = [
            f"This link sets up your own account in the Needling Registry for {who}.",
            "With it you can see your record, what each rule still asks of you, submit",
            "credentials for verification and decide which clinics may link to you.",
            "",
            f"Choose a password: {url}",
        ]
    return (
        "\n".join(
            [
                *lines,
                "",
                f"The link works once and for {_days(purpose)}. If you did not expect this",
                "message, ignore it: nothing changes.",
            ]
        )
        + "\n"
    )


def send_link(sent: Sent, practitioner: Practitioner, clinic: Clinic | None = None) -> None:
    """Mail ``sent``'s link to the address it was issued for (call after the commit)."""
    purpose = sent.link.purpose
    endpoint = "me.answer_request" if purpose == CLINIC_REQUEST else "me.welcome"
    url = url_for(endpoint, secret=sent.secret, _external=True)
    subject = SUBJECTS[purpose].format(clinic=clinic.name if clinic else "")
    text = body(purpose, practitioner, url, clinic)  # read the records here, not in a thread
    recipient, config = sent.link.email, dict(current_app.config)
    logger = current_app.logger

    def deliver() -> None:
        try:
            settings = SmtpSettings.from_config(config)
            with Mailer(settings) as mailer:
                mailer.send(compose(settings.sender, recipient, subject, text))
        except (MailError, RecipientRefused) as exc:
            logger.warning("could not send the %s link: %s", purpose, exc)

    if config.get("MAIL_IN_BACKGROUND", True):
        threading.Thread(target=deliver, daemon=True).start()
    else:
        deliver()
