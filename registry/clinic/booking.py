"""The booking guard: who on a clinic's staff may be booked for a modality on a day, who
waits for a verification (never bookable) and who may not, with why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ..models import ClinicStaff, Practitioner, PractitionerModality, StoredVerdict
from ..models.folding import folded
from ..read.stored import current
from ..read.verdicts import ModalityStatus, statuses
from ..rules import AUTHORIZED, PENDING_VERIFICATION
from .queries import StaffRow, on_staff, staff, staff_rows

GROUPS = ("may", "pending", "may_not", "undeclared")
BOOKING_SHOWN = 100  # staff members listed per booking group; the rest are counted


def _group_of(ms: ModalityStatus) -> str:
    if not ms.declared:
        return "undeclared"
    return "may" if ms.authorized else "pending" if ms.pending else "may_not"


def booking_groups(rows: list[StaffRow], modality: str) -> dict[str, list[StaffRow]]:
    """The booking guard's answer. Only those who declare ``modality`` can be booked for it:
    ``may`` (they declare it and are authorized), ``pending`` (they declare it and would be
    authorized once a credential is verified: not bookable), ``may_not`` (they declare it and
    are not authorized, or no rule is on file) and ``undeclared`` (they do not offer it,
    whatever the rules would say)."""
    groups: dict[str, list[StaffRow]] = {g: [] for g in GROUPS}
    for row in rows:
        groups[_group_of(row.status.modalities[modality])].append(row)
    return groups


@dataclass
class Booking:
    groups: dict[str, list[StaffRow]]  # at most BOOKING_SHOWN rows each, by name
    counts: dict[str, int]  # everyone in each group


def booking(session: Session, clinic_id: int, modality: str, day: date) -> Booking:
    """``booking_groups`` for the whole staff on ``day``. Today, who is in which group is
    read from the verdict store in one query (the engine only for anyone whose stored row is
    not current) and the engine explains the rows listed; another day, the engine decides."""
    if day != date.today():
        groups = booking_groups(staff_rows(session, clinic_id, day), modality)
        return Booking({g: r[:BOOKING_SHOWN] for g, r in groups.items()}, _sizes(groups))
    ids: dict[str, list[int]] = {g: [] for g in GROUPS}
    unknown = []
    for pid, declared, verdict in session.execute(_stored_groups(clinic_id, modality, day)):
        if not declared:
            ids["undeclared"].append(pid)
        elif verdict is None:
            unknown.append(pid)
        else:
            group = {AUTHORIZED: "may", PENDING_VERIFICATION: "pending"}.get(verdict, "may_not")
            ids[group].append(pid)
    if unknown:  # stale rows: the engine decides, in name order with the rest
        order = {pid: i for i, pid in enumerate(p.id for p in staff(session, clinic_id))}
        for pid, status in statuses(session, unknown, day).items():
            ids[_group_of(status.modalities[modality])].append(pid)
        ids = {g: sorted(v, key=order.__getitem__) for g, v in ids.items()}
    shown = [pid for g in GROUPS for pid in ids[g][:BOOKING_SHOWN]]
    people = {
        p.id: p for p in session.scalars(select(Practitioner).where(Practitioner.id.in_(shown)))
    }
    found = statuses(session, shown, day)
    groups = {
        g: [StaffRow(people[pid], found[pid]) for pid in ids[g][:BOOKING_SHOWN] if pid in found]
        for g in GROUPS
    }
    return Booking(groups, _sizes(ids))


def _sizes(groups: dict[str, list]) -> dict[str, int]:
    return {g: len(v) for g, v in groups.items()}


def _stored_groups(clinic_id: int, modality: str, day: date):
    """(practitioner id, declares it, today's stored verdict or None) for the staff by name."""
    M, V = PractitionerModality, StoredVerdict
    declares = (
        select(M.practitioner_id)
        .where(M.practitioner_id == Practitioner.id, M.modality_code == modality)
        .exists()
    )
    stored = (
        select(V.verdict)
        .where(V.practitioner_id == Practitioner.id, V.modality == modality, current(day))
        .scalar_subquery()
    )
    return (
        select(Practitioner.id, declares, stored)
        .join(ClinicStaff, and_(*on_staff(clinic_id)))
        .order_by(folded(Practitioner.family_key), folded(Practitioner.given_key), Practitioner.id)
    )
