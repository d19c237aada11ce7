"""Practitioners' own accounts, and the one-time links that start them and answer clinics.

An account for a practitioner starts from an **invitation** (an admin or their regulator), a
**claim** (the practitioner, from the public page) or the command line. Invitations and claims
send a one-time link to the private email on file; following it sets a password. A clinic that
adds someone by registration key makes a **request**, which the practitioner accepts or
declines on their page or through the link the request emails them; they may end a link at
any time. Links are single use, expire, and are stored as the SHA-256 of their secret.
A practitioner whose registration is revoked gets no invitation or claim link.
"""

from __future__ import annotations

import secrets as random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    Clinic,
    ClinicStaff,
    LinkStatus,
    OneTimeLink,
    Practitioner,
    RegistrationStatus,
    Role,
    User,
)
from ..models.base import as_utc, utcnow
from . import InvalidInput, NotFound, ServiceError, audit
from .secrets import digest
from .users import create_user

INVITATION, CLAIM, CLINIC_REQUEST = "invitation", "claim", "clinic_request"
LIFETIME = {INVITATION: timedelta(days=14), CLAIM: timedelta(hours=24)}
LIFETIME[CLINIC_REQUEST] = timedelta(days=30)
LINK_PREFIX = "lnk_"
REASK_AFTER = timedelta(days=30)  # a clinic told no may ask again only after this
RESEND_AFTER = timedelta(minutes=10)  # one invitation or claim mail per record per this
REQUEST_MAIL_EVERY = timedelta(hours=24)  # one clinic-request mail per clinic and record


class LinkUnusable(ServiceError):
    """The link is unknown, used already or expired: one message for all three."""

    def __init__(self) -> None:
        super().__init__("This link has expired or was already used. Ask for a new one.")


@dataclass(frozen=True)
class Sent:
    """A link to send: where, and the secret to put in its URL (never stored)."""

    link: OneTimeLink
    secret: str


def account_of(session: Session, practitioner: Practitioner) -> User | None:
    return session.scalar(select(User).where(User.practitioner_id == practitioner.id))


def live_invitation(session: Session, practitioner: Practitioner) -> OneTimeLink | None:
    """The latest invitation or claim link of ``practitioner`` that still works."""
    link = session.scalar(
        select(OneTimeLink)
        .where(
            OneTimeLink.practitioner_id == practitioner.id,
            OneTimeLink.purpose.in_([INVITATION, CLAIM]),
            OneTimeLink.used_at.is_(None),
        )
        .order_by(OneTimeLink.id.desc())
        .limit(1)
    )
    return link if link is not None and as_utc(link.expires_at) > utcnow() else None


def _issue(
    session: Session,
    actor: str,
    purpose: str,
    practitioner: Practitioner,
    email: str,
    clinic: Clinic | None = None,
) -> Sent:
    secret = LINK_PREFIX + random.token_urlsafe(32)
    link = OneTimeLink(
        purpose=purpose,
        token_hash=digest(secret),
        practitioner_id=practitioner.id,
        clinic_id=clinic.id if clinic else None,
        email=email,
        created_by=actor,
        expires_at=utcnow() + LIFETIME[purpose],
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor,
        f"link.{purpose}",
        "practitioner",
        practitioner.id,
        after={"sent_to": "the email on file", "clinic": clinic.name if clinic else None},
    )
    return Sent(link, secret)


def revoked(practitioner: Practitioner) -> bool:
    return practitioner.registration_status == RegistrationStatus.REVOKED


def invite(session: Session, actor: str, practitioner: Practitioner) -> Sent:
    """An invitation to set up the practitioner's own account, to the email on file."""
    if revoked(practitioner):
        raise InvalidInput(
            {"registration": f"{practitioner.name}'s registration is revoked, so they may not "
             "have an account"}
        )  # fmt: skip
    if not (practitioner.email or "").strip():
        raise InvalidInput({"email": "no email is on file for this practitioner"})
    if account_of(session, practitioner) is not None:
        raise InvalidInput({"account": f"{practitioner.name} already has an account"})
    if _sent_just_now(session, practitioner):
        raise InvalidInput(
            {"invitation": "one was sent less than ten minutes ago; give it time to arrive"}
        )
    return _issue(session, actor, INVITATION, practitioner, practitioner.email.strip())


def _sent_just_now(session: Session, practitioner: Practitioner) -> bool:
    """Whether an invitation or claim link went to ``practitioner`` within RESEND_AFTER (so
    nobody can flood their inbox, whatever addresses they ask from)."""
    link = live_invitation(session, practitioner)
    return link is not None and utcnow() - as_utc(link.created_at) < RESEND_AFTER


def claim(session: Session, practitioner: Practitioner | None) -> Sent | None:
    """The public "claim your record": a link to the email on file when there is one, no
    account yet and the registration is not revoked; None otherwise (the caller answers the
    same either way)."""
    if practitioner is None or revoked(practitioner) or not (practitioner.email or "").strip():
        return None
    if account_of(session, practitioner) is not None or _sent_just_now(session, practitioner):
        return None
    return _issue(session, "public claim", CLAIM, practitioner, practitioner.email.strip())


def usable_link(session: Session, secret: str, purposes: tuple[str, ...]) -> OneTimeLink:
    """The live link with this secret and one of ``purposes``; LinkUnusable otherwise."""
    if not secret.startswith(LINK_PREFIX) or len(secret) > 200:
        raise LinkUnusable()
    link = session.scalar(select(OneTimeLink).where(OneTimeLink.token_hash == digest(secret)))
    if (
        link is None
        or link.purpose not in purposes
        or link.used_at is not None
        or as_utc(link.expires_at) <= utcnow()
    ):
        raise LinkUnusable()
    if link.purpose != CLINIC_REQUEST and revoked(session.get(Practitioner, link.practitioner_id)):
        raise LinkUnusable()  # revoked since it was sent: no account opens
    return link


def _use(link: OneTimeLink, when: datetime | None = None) -> None:
    link.used_at = when or utcnow()


def open_account(session: Session, secret: str, password: str) -> User:
    """Follow an invitation or claim: the practitioner's account, with this password."""
    link = usable_link(session, secret, (INVITATION, CLAIM))
    practitioner = session.get(Practitioner, link.practitioner_id)
    if account_of(session, practitioner) is not None:
        _use(link)
        raise InvalidInput({"account": "this record already has an account; log in instead"})
    user = create_user(
        session, f"link:{link.purpose}", link.email, password, Role.PRACTITIONER.value,
        practitioner=practitioner,
    )  # fmt: skip
    _use(link)
    session.flush()
    return user


# --- clinic links -------------------------------------------------------------------------


def link_of(session: Session, clinic: Clinic, practitioner: Practitioner) -> ClinicStaff | None:
    return session.get(ClinicStaff, (clinic.id, practitioner.id))


def request_link(
    session: Session, actor: str, clinic: Clinic, practitioner: Practitioner
) -> tuple[str, Sent | None]:
    """A clinic asks to put ``practitioner`` on its staff. Returns what happened
    ("requested", "already requested", "already on staff", "declined recently": a clinic
    told no asks again only after REASK_AFTER) and, for a new request to someone with an
    email on file, the link to send them.

    At most one request mail goes from a clinic to a practitioner per REQUEST_MAIL_EVERY: a
    request made again within it (after a withdrawal) waits on their page without a new
    mail, and the link in the mail they already have answers it (it answers whichever
    request of that clinic is waiting)."""
    link = link_of(session, clinic, practitioner)
    if link is not None and link.status == LinkStatus.ACCEPTED:
        return "already on staff", None
    if link is not None and link.status == LinkStatus.REQUESTED:
        return "already requested", None
    now = utcnow()
    if link is not None and link.decided_at and now - as_utc(link.decided_at) < REASK_AFTER:
        return "declined recently", None
    if link is None:
        link = ClinicStaff(clinic_id=clinic.id, practitioner_id=practitioner.id)
        session.add(link)
    link.status, link.requested_by, link.requested_at, link.decided_at = (
        LinkStatus.REQUESTED,
        actor,
        now,
        None,
    )
    session.flush()
    audit.record(
        session, actor, "clinic_link.request", "practitioner", practitioner.id,
        after={"clinic": clinic.name, "status": "requested"},
    )  # fmt: skip
    sent = None
    if (practitioner.email or "").strip() and not _request_mailed_recently(
        session, clinic, practitioner
    ):
        sent = _issue(
            session, actor, CLINIC_REQUEST, practitioner, practitioner.email.strip(), clinic
        )
    return "requested", sent


def _request_mailed_recently(session: Session, clinic: Clinic, practitioner: Practitioner) -> bool:
    last = session.scalar(
        select(OneTimeLink.created_at)
        .where(
            OneTimeLink.practitioner_id == practitioner.id,
            OneTimeLink.clinic_id == clinic.id,
            OneTimeLink.purpose == CLINIC_REQUEST,
        )
        .order_by(OneTimeLink.id.desc())
        .limit(1)
    )
    return last is not None and utcnow() - as_utc(last) < REQUEST_MAIL_EVERY


def reask_from(link: ClinicStaff) -> date | None:
    """For a declined request, the day from which the clinic may ask again; else None."""
    if link.status != LinkStatus.DECLINED or link.decided_at is None:
        return None
    return (as_utc(link.decided_at) + REASK_AFTER).date()


def decide_link(session: Session, actor: str, link: ClinicStaff, accept: bool) -> None:
    """The practitioner accepts or declines a clinic's request."""
    if link.status != LinkStatus.REQUESTED:
        raise InvalidInput({"link": "this request was already answered"})
    link.status = LinkStatus.ACCEPTED if accept else LinkStatus.DECLINED
    link.decided_at = utcnow()
    session.flush()
    clinic = session.get(Clinic, link.clinic_id)
    audit.record(
        session, actor, f"clinic_link.{'accept' if accept else 'decline'}", "practitioner",
        link.practitioner_id, after={"clinic": clinic.name, "status": link.status.value},
    )  # fmt: skip


def end_link(session: Session, actor: str, link: ClinicStaff) -> None:
    """The practitioner ends a link. An accepted link goes (the clinic may ask again, which
    they answer); a request they have not answered counts as declined; a declined request is
    forgotten only once the clinic may ask again (REASK_AFTER), so that forgetting it never
    invites a new request at once."""
    clinic = session.get(Clinic, link.clinic_id)
    before, after = link.status.value, None
    until = reask_from(link)
    if until is not None and utcnow() - as_utc(link.decided_at) < REASK_AFTER:
        raise InvalidInput(
            {"link": f"{clinic.name}'s declined request stays on your page until {until}, so "
             "the clinic cannot ask again before then; you may forget it after that."}
        )  # fmt: skip
    if link.status == LinkStatus.REQUESTED:
        link.status, link.decided_at = LinkStatus.DECLINED, utcnow()
        after = {"clinic": clinic.name, "status": link.status.value}
    else:
        session.delete(link)
    session.flush()
    audit.record(
        session, actor, "clinic_link.end", "practitioner", link.practitioner_id,
        before={"clinic": clinic.name, "status": before}, after=after,
    )  # fmt: skip


def withdraw_request(
    session: Session, actor: str, clinic: Clinic, practitioner: Practitioner
) -> None:
    """The clinic takes back a request the practitioner has not accepted (the emailed link
    stops working: it answers only a waiting request). Nothing of a refusal is lost: a
    waiting request carries none, and the mails sent stay on record for the mail limit."""
    link = link_of(session, clinic, practitioner)
    if link is None or link.status != LinkStatus.REQUESTED:
        raise NotFound("no waiting request")
    session.delete(link)
    session.flush()
    audit.record(
        session, actor, "clinic_link.withdraw", "practitioner", practitioner.id,
        before={"clinic": clinic.name, "status": "requested"},
    )  # fmt: skip


def answer_by_link(session: Session, secret: str, accept: bool) -> ClinicStaff:
    """Accept or decline a clinic's request through the link it emailed."""
    token = usable_link(session, secret, (CLINIC_REQUEST,))
    clinic = session.get(Clinic, token.clinic_id)
    practitioner = session.get(Practitioner, token.practitioner_id)
    link = link_of(session, clinic, practitioner) if clinic and practitioner else None
    if link is None or link.status != LinkStatus.REQUESTED:
        _use(token)
        raise LinkUnusable()
    decide_link(session, f"link:{token.id}", link, accept)
    _use(token)
    return link


def requests_for(session: Session, practitioner: Practitioner) -> list[tuple[ClinicStaff, Clinic]]:
    """Every link of the practitioner with its clinic: requests, then accepted, then declined."""
    rows = session.execute(
        select(ClinicStaff, Clinic)
        .join(Clinic, Clinic.id == ClinicStaff.clinic_id)
        .where(ClinicStaff.practitioner_id == practitioner.id)
        .order_by(Clinic.name)
    ).all()
    order = {LinkStatus.REQUESTED: 0, LinkStatus.ACCEPTED: 1, LinkStatus.DECLINED: 2}
    return sorted(((link, clinic) for link, clinic in rows), key=lambda r: order[r[0].status])


def own_link(session: Session, practitioner: Practitioner, clinic_id: int) -> ClinicStaff:
    link = session.get(ClinicStaff, (clinic_id, practitioner.id))
    if link is None:
        raise NotFound("no such link")
    return link
