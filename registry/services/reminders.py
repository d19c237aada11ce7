"""Expiry reminders and new-gap notices by email (docs/REMINDERS.md).

``plan_reminders`` works out, as of a day D, what each recipient is due: every active clinic
manager one digest for the staff of all their clinics, every practitioner with an email address
one message about their own items. An item is a credential or registration reaching 90, 60 or
30 days before its expiry date (only the threshold it is at now: a run skipped for weeks does
not send the earlier ones late), a credential rejected or revoked in the last 30 days, or a new
error gap of CONTRACT §5. ``ReminderSent`` holds what
each recipient was sent, so each reminder goes out once.

Set-based: eleven queries for the whole run, whatever the registry's size (managers, staff,
practitioner emails, credential type names, the rule book, the four snapshot queries and the
reminders already sent).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    Clinic,
    ClinicStaff,
    CredentialType,
    LinkStatus,
    Practitioner,
    ReminderSent,
    Role,
    User,
    UserClinic,
)
from ..read.rulebook import rule_book
from ..read.snapshots import iter_snapshots
from ..rules import CredentialSnap, PractitionerSnap, RuleBook, evaluate
from ..rules.engine import label
from ..rules.explain import advice
from ..rules.model import ERROR, WITHDRAWN
from . import audit
from .mail import Mailer, compose

THRESHOLDS = (90, 60, 30)
KEY_BATCH = 5000  # item keys per query of the reminders already sent (bound-parameter limits)
KINDS = (
    ("credential", "expiring credential"),
    ("registration", "expiring registration"),
    ("gap", "new gap"),
    ("decision", "rejected or revoked credential"),
)
DECISION_NOTICE_DAYS = 30  # a rejection or revocation is told if it took effect this recently


@dataclass(frozen=True)
class Item:
    """One thing to tell a recipient about, and its key in ``ReminderSent``."""

    key: str
    threshold: int  # 90/60/30 days before expiry; 0 for a gap or a decision
    practitioner_id: int
    kind: str  # "credential", "registration", "gap" or "decision"
    what: str
    todo: str
    days_left: int = -1  # gaps come first


@dataclass(frozen=True)
class Person:
    name: str
    profession: str
    jurisdiction: str
    registration_number: str

    def __str__(self) -> str:
        return (
            f"{self.name} ({label(self.profession)}, {self.jurisdiction} registration "
            f"{self.registration_number})"
        )


@dataclass
class Reminder:
    """One email: to a clinic manager about their staff, or to a practitioner about themself."""

    recipient: str
    audience: str  # "manager" or "practitioner"
    as_of: date
    items: list[Item]
    people: dict[int, Person]
    clinics: dict[int, list[str]] = field(default_factory=dict)  # staff -> this manager's clinics

    @property
    def clinic_names(self) -> list[str]:
        return sorted({name for names in self.clinics.values() for name in names})

    @property
    def place(self) -> str:
        if self.audience == "practitioner":
            return f"for {next(iter(self.people.values())).name}"
        names = self.clinic_names
        return f"at {' and '.join(names)}" if len(names) <= 2 else f"at {len(names)} clinics"

    @property
    def counts(self) -> str:
        n = Counter(i.kind for i in self.items)
        parts = [plural(n[kind], words) for kind, words in KINDS if n[kind]]
        return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"

    @property
    def subject(self) -> str:
        return f"Needling Registry: {self.counts} {self.place}"

    def item_lines(self, advice: bool = True) -> list[str]:
        """Grouped by practitioner (by name); gaps first, then the nearest expiry."""
        by_person = defaultdict(list)
        for item in sorted(self.items, key=lambda i: (i.days_left, i.key)):
            by_person[item.practitioner_id].append(item)
        several = len(self.clinic_names) > 1
        lines: list[str] = []
        for pid in sorted(by_person, key=lambda p: (self.people[p].name, p)):
            where = f" at {', '.join(self.clinics[pid])}" if several else ""
            lines += ["", f"{self.people[pid]}{where}"]
            for item in by_person[pid]:
                lines.append(f"  - {item.what}")
                lines += [f"    What to do: {item.todo}."] if advice else []
        return lines

    @property
    def body(self) -> str:
        if self.audience == "manager":
            intro = [f"Needling Registry reminders {self.place}, as of {self.as_of}:"]
            why = f"you manage {', '.join(self.clinic_names)} in the Needling Registry"
            closing = []
        else:
            intro = [f"Hello {next(iter(self.people.values())).name},", ""]
            intro.append(f"Needling Registry reminders for you, as of {self.as_of}:")
            why = "this address is on your record in the Needling Registry"
            closing = [
                "",
                "Submit each renewal from your page in the registry (log in; no account yet? "
                'use "Claim your record" on the registry\'s site): your regulator checks it.',
            ]
        footer = [
            "",
            "--",
            f"You receive this because {why}. Each expiry date is reminded 90, 60 and 30 days "
            "ahead, and each new gap once; nothing is sent when there is nothing new.",
        ]
        lines = [*intro, f"{self.counts}.", *self.item_lines(), *closing, *footer]
        return "\n".join(lines) + "\n"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def threshold_for(days_left: int, thresholds: Iterable[int] = THRESHOLDS) -> int | None:
    """The smallest threshold at or above ``days_left`` (None: expired, or not due yet)."""
    return min((t for t in thresholds if t >= days_left), default=None) if days_left >= 0 else None


def remindable(credentials: Iterable[CredentialSnap], as_of: date) -> list[CredentialSnap]:
    """Credentials whose expiry is worth a reminder: not rejected or revoked on ``as_of``,
    issued by then, with an expiry date, and not renewed. Renewal adds a new credential
    (``renew_credential``), so one is renewed when another credential of its type that counts
    runs longer (or never ends) and starts no later than the day after it ends: cover
    continues, even when the renewal was recorded ahead of its start date."""
    live = [c for c in credentials if c.state_on(as_of) not in WITHDRAWN]
    return [
        c
        for c in live
        if c.expires_on is not None
        and c.issued_on <= as_of
        and not any(
            other is not c
            and other.credential_type == c.credential_type
            and other.issued_on <= c.expires_on + timedelta(days=1)
            and (other.expires_on is None or other.expires_on > c.expires_on)
            for other in live
        )
    ]


def _expiry(pid: int, kind: str, key: str, what: str, todo: str, days: int, t: int) -> Item:
    left = "expires today" if days == 0 else f"{plural(days, 'day')} left"
    return Item(key, t, pid, kind, f"{what}: {left}.", todo, days)


def expiry_items(
    snap: PractitionerSnap, as_of: date, type_names: dict[str, str], thresholds: Iterable[int]
) -> list[Item]:
    """The practitioner's registration and credentials at a reminder threshold on ``as_of``."""
    pid, items = snap.id, []
    expires = snap.registration_expires_on
    if snap.registration_status == "active" and expires is not None:
        days = (expires - as_of).days
        if (t := threshold_for(days, thresholds)) is not None:
            key, what = f"registration:{pid}:{expires}", f"Registration expires {expires}"
            todo = "renew it with the regulator, then update its expiry date in the registry"
            items.append(_expiry(pid, "registration", key, what, todo, days, t))
    for c in remindable(snap.credentials, as_of):
        days = (c.expires_on - as_of).days
        if (t := threshold_for(days, thresholds)) is not None:
            name = type_names.get(c.credential_type, label(c.credential_type))
            what = f"{name}{f' ({c.issuer})' if c.issuer else ''} expires {c.expires_on}"
            todo = "renew it, then record the renewal in the registry"
            key = f"credential:{c.id}:{c.expires_on}"
            items.append(_expiry(pid, "credential", key, what, todo, days, t))
    return items


def decision_items(snap: PractitionerSnap, as_of: date, type_names: dict[str, str]) -> list[Item]:
    """Credentials rejected or revoked in the DECISION_NOTICE_DAYS up to ``as_of`` (the
    decision still in force): from that day they count for nothing, which a clinic must hear."""
    items = []
    for c in snap.credentials:
        decision = c.decision_on(as_of)
        if decision is None or decision.status not in WITHDRAWN:
            continue
        if (as_of - decision.on).days > DECISION_NOTICE_DAYS:
            continue
        name = type_names.get(c.credential_type, label(c.credential_type))
        what = (
            f"{name}{f' ({c.issuer})' if c.issuer else ''} was {decision.status} on "
            f"{decision.on}: it no longer counts toward any rule."
        )
        todo = (
            "read the regulator's note on the practitioner's page in the registry, then record "
            "a corrected or new credential with its evidence"
        )
        key = f"decision:{c.id}:{decision.status}:{decision.on}"
        items.append(Item(key, 0, snap.id, "decision", what, todo))
    return items


def gap_items(snap: PractitionerSnap, book: RuleBook, as_of: date) -> list[Item]:
    """The practitioner's error gaps on ``as_of`` (CONTRACT §5). Warnings are left out (an
    upcoming expiry is what the thresholds remind), and so is ``unverified``: it waits for
    the regulator, not for the clinic."""
    items: dict[str, Item] = {}
    for g in evaluate(snap, book, as_of):
        key = f"gap:{snap.id}:{g.modality or '-'}:{g.kind}:{g.credential_type or '-'}"
        if g.severity == ERROR and g.kind != "unverified" and key not in items:
            m = label(g.modality) if g.modality else "needling"
            todo = advice(g.kind, m)
            what = f"Not authorized for {m}: {g.detail}."
            items[key] = Item(key, 0, snap.id, "gap", what, todo)
    return list(items.values())


def _managers(session: Session) -> dict[str, dict[int, str]]:
    """Each active clinic manager's address, with the clinics they manage (id -> name)."""
    rows = session.execute(
        select(User.email, Clinic.id, Clinic.name)
        .join(UserClinic, UserClinic.user_id == User.id)
        .join(Clinic, Clinic.id == UserClinic.clinic_id)
        .where(User.role == Role.CLINIC_MANAGER, User.active.is_(True))
    )
    managers: dict[str, dict[int, str]] = defaultdict(dict)
    for email, clinic_id, name in rows:
        managers[email.strip().lower()][clinic_id] = name
    return managers


def _clinics_of(session: Session, clinic_ids: set[int]) -> dict[int, set[int]]:
    """Practitioner id -> the ids of the clinics among ``clinic_ids`` they work at."""
    rows = session.execute(
        select(ClinicStaff.practitioner_id, ClinicStaff.clinic_id).where(
            ClinicStaff.clinic_id.in_(sorted(clinic_ids)),
            ClinicStaff.status == LinkStatus.ACCEPTED,
        )
    )
    clinics: dict[int, set[int]] = defaultdict(set)
    for pid, clinic_id in rows:
        clinics[pid].add(clinic_id)
    return clinics


def _emails(session: Session) -> dict[int, str]:
    rows = session.execute(
        select(Practitioner.id, Practitioner.email).where(
            Practitioner.email.is_not(None), Practitioner.email != ""
        )
    )
    return {pid: email.strip().lower() for pid, email in rows if email.strip()}


def _already_sent(session: Session, keys: set[str]) -> set[tuple[str, int, str]]:
    """(item key, threshold, recipient) of every reminder already sent about ``keys``."""
    ordered, sent = sorted(keys), set()
    for start in range(0, len(ordered), KEY_BATCH):
        query = select(ReminderSent.item_key, ReminderSent.threshold, ReminderSent.recipient)
        query = query.where(ReminderSent.item_key.in_(ordered[start : start + KEY_BATCH]))
        sent.update(tuple(row) for row in session.execute(query))
    return sent


def _take(recipient: str, items: Iterable[Item], claimed: set[tuple[str, int, str]]) -> list[Item]:
    """The items not yet sent to ``recipient``, now claimed: an address that is both a manager's
    and a practitioner's gets each reminder once."""
    due = [i for i in items if (i.key, i.threshold, recipient) not in claimed]
    claimed.update((i.key, i.threshold, recipient) for i in due)
    return due


def plan_reminders(
    session: Session, as_of: date, thresholds: Iterable[int] = THRESHOLDS
) -> list[Reminder]:
    """Every email due on ``as_of``: managers' digests first, then practitioners' own; no
    empty ones. Reads only."""
    thresholds = tuple(thresholds)
    managers = _managers(session)
    clinics_of = _clinics_of(session, {c for clinics in managers.values() for c in clinics})
    emails = _emails(session)
    type_names = dict(session.execute(select(CredentialType.code, CredentialType.name)).all())
    book = rule_book(session)
    items: dict[int, list[Item]] = {}
    people: dict[int, Person] = {}
    for snap in iter_snapshots(session):
        if snap.id not in clinics_of and snap.id not in emails:
            continue  # nobody to tell
        found = (
            expiry_items(snap, as_of, type_names, thresholds)
            + decision_items(snap, as_of, type_names)
            + gap_items(snap, book, as_of)
        )
        if found:
            items[snap.id] = found
            people[snap.id] = Person(
                snap.name, snap.profession, snap.jurisdiction, snap.registration_number
            )
    claimed = _already_sent(session, {i.key for found in items.values() for i in found})
    reminders = []
    staff_of: dict[int, set[int]] = defaultdict(set)
    for pid in items.keys() & clinics_of.keys():
        for clinic_id in clinics_of[pid]:
            staff_of[clinic_id].add(pid)
    for email, clinics in sorted(managers.items()):
        staff = sorted({p for c in clinics for p in staff_of.get(c, ())})
        due = _take(email, (i for p in staff for i in items[p]), claimed)
        if due:
            ids = {i.practitioner_id for i in due}
            where = {p: sorted(clinics[c] for c in clinics_of[p] if c in clinics) for p in ids}
            reminders.append(
                Reminder(email, "manager", as_of, due, {p: people[p] for p in ids}, where)
            )
    for pid, email in sorted(emails.items()):
        due = _take(email, items.get(pid, ()), claimed)
        if due:
            reminders.append(Reminder(email, "practitioner", as_of, due, {pid: people[pid]}))
    return reminders


def deliver(session: Session, mailer: Mailer, sender: str, reminder: Reminder) -> None:
    """Send one reminder; once the server has accepted it, add its ``ReminderSent`` rows.
    The caller commits straight away, so a failure later in the run does not resend it."""
    mailer.send(compose(sender, reminder.recipient, reminder.subject, reminder.body))
    session.add_all(
        ReminderSent(
            item_key=i.key,
            threshold=i.threshold,
            recipient=reminder.recipient,
            practitioner_id=i.practitioner_id,
            as_of=reminder.as_of,
        )
        for i in reminder.items
    )
    session.flush()


def record_run(session: Session, actor: str, as_of: date, counts: dict[str, int]) -> None:
    """The run's one audit event, with what it sent."""
    after = {"as_of": as_of, **counts}
    audit.record(session, actor, "reminders.send", "reminders", as_of.isoformat(), after=after)
