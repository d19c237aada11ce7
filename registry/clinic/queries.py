"""Read queries of the clinic workspace. Each page runs a fixed number of queries however many
staff a clinic has: staff in one query (the staff list one page of them), their status through
``read.verdicts.statuses`` (five queries), their credentials in one more; the staff list's
verdict counts come from the verdict store in one grouped query."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort
from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from ..models import (
    Clinic,
    ClinicStaff,
    Credential,
    CredentialType,
    Jurisdiction,
    LinkStatus,
    Practitioner,
    PractitionerModality,
    Profession,
    Role,
    StoredVerdict,
    User,
)
from ..models.folding import folded
from ..read.credentials import credentials_of  # noqa: F401 (the staff page lists them)
from ..read.stored import current
from ..read.verdicts import ModalityStatus, PractitionerStatus, statuses
from ..rules import Gap
from ..rules.engine import label
from ..rules.model import MODALITY_ORDER
from ..scopes import practitioner_filter


def managed_clinics(session: Session, user: User) -> list[Clinic]:
    """The clinics ``user`` manages, by name: every clinic for an admin."""
    query = select(Clinic).order_by(Clinic.name)
    if user.role != Role.ADMIN:
        query = query.where(Clinic.id.in_(sorted(user.clinic_ids)))
    return list(session.scalars(query))


STAFF_PAGE = 50  # staff members per page of the staff list


def on_staff(clinic_id: int) -> list[ColumnElement[bool]]:
    return [
        ClinicStaff.practitioner_id == Practitioner.id,
        ClinicStaff.clinic_id == clinic_id,
        ClinicStaff.status == LinkStatus.ACCEPTED,
    ]


def staff(
    session: Session, clinic_id: int, page: int | None = None, size: int | None = None
) -> list[Practitioner]:
    """The clinic's staff by name: everyone, or one page of ``size`` (STAFF_PAGE)."""
    size = size or STAFF_PAGE
    query = (
        select(Practitioner)
        .join(ClinicStaff, and_(*on_staff(clinic_id)))
        .order_by(folded(Practitioner.family_key), folded(Practitioner.given_key), Practitioner.id)
    )
    if page is not None:
        query = query.limit(size).offset((page - 1) * size)
    return list(session.scalars(query))


def staff_count(session: Session, clinic_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(ClinicStaff)
            .where(ClinicStaff.clinic_id == clinic_id, ClinicStaff.status == LinkStatus.ACCEPTED)
        )
        or 0
    )


def verdict_summary(
    session: Session, clinic_id: int, day: date
) -> list[tuple[str, dict[str, int]]] | None:
    """Per declared modality, how many of the staff have each verdict today, counted in SQL
    from the verdict store; None while some declared modality has no current stored row."""
    M, V = PractitionerModality, StoredVerdict
    declared = session.scalar(
        select(func.count())
        .select_from(M)
        .join(
            ClinicStaff,
            and_(
                ClinicStaff.practitioner_id == M.practitioner_id,
                ClinicStaff.clinic_id == clinic_id,
                ClinicStaff.status == LinkStatus.ACCEPTED,
            ),
        )
    )
    rows = session.execute(
        select(V.modality, V.verdict, func.count())
        .join(
            ClinicStaff,
            and_(
                ClinicStaff.practitioner_id == V.practitioner_id,
                ClinicStaff.clinic_id == clinic_id,
                ClinicStaff.status == LinkStatus.ACCEPTED,
            ),
        )
        .where(current(day))
        .group_by(V.modality, V.verdict)
    ).all()
    if sum(n for *_, n in rows) != declared:
        return None
    found: dict[str, dict[str, int]] = {}
    for modality, verdict, n in rows:
        found.setdefault(modality, {})[verdict] = n
    order = {m: i for i, m in enumerate(MODALITY_ORDER)}
    return sorted(found.items(), key=lambda mc: (order.get(mc[0], 99), mc[0]))


def pending_requests(session: Session, clinic_id: int) -> list[tuple[ClinicStaff, Practitioner]]:
    """The clinic's requests the practitioner has not accepted (waiting or declined): only
    what the public sees of them is shown."""
    return [
        (link, p)
        for link, p in session.execute(
            select(ClinicStaff, Practitioner)
            .join(Practitioner, Practitioner.id == ClinicStaff.practitioner_id)
            .where(
                ClinicStaff.clinic_id == clinic_id,
                ClinicStaff.status != LinkStatus.ACCEPTED,
            )
            .order_by(ClinicStaff.requested_at.desc(), Practitioner.family_name)
        )
    ]


@dataclass
class StaffRow:
    """One staff member with their status on the day asked about."""

    practitioner: Practitioner
    status: PractitionerStatus

    @property
    def registration_gaps(self) -> list[Gap]:
        return [g for g in self.status.gaps if g.modality is None]

    @property
    def declared(self) -> list[ModalityStatus]:
        return [m for m in self.status.modalities.values() if m.declared]


def staff_rows(
    session: Session, clinic_id: int, as_of: date | None = None, page: int | None = None
) -> list[StaffRow]:
    """The clinic's staff by name (everyone, or one page), each with their status on
    ``as_of`` (default today): the rules engine runs for those rows only."""
    people = staff(session, clinic_id, page)
    found = statuses(session, [p.id for p in people], as_of)
    return [StaffRow(p, found[p.id]) for p in people if p.id in found]


def staff_gaps(rows: list[StaffRow]) -> list[tuple[Practitioner, Gap]]:
    """Every gap of every staff member, errors first, then by name."""
    gaps = [(r.practitioner, g) for r in rows for g in r.status.gaps]
    return sorted(gaps, key=lambda pg: pg[1].severity != "error")


@dataclass(frozen=True)
class Expiry:
    on: date
    practitioner: Practitioner
    what: str
    credential: Credential | None = None

    def expired(self, today: date) -> bool:
        return self.on < today


def staff_credentials(session: Session, clinic_id: int) -> list[Credential]:
    """Every credential of the clinic's staff (withdrawn ones too), in practitioner order."""
    return list(
        session.scalars(
            select(Credential)
            .join(ClinicStaff, ClinicStaff.practitioner_id == Credential.practitioner_id)
            .where(ClinicStaff.clinic_id == clinic_id, ClinicStaff.status == LinkStatus.ACCEPTED)
            .order_by(Credential.practitioner_id, Credential.credential_type_code, Credential.id)
        )
    )


def expiries(session: Session, clinic_id: int, today: date, days: int) -> list[Expiry]:
    """Registrations and credentials of the staff that expire from ``today`` to ``days``
    later, and those already expired that still matter: a registration past its expiry, a
    credential not replaced by one of the same type that runs longer. Sorted by date."""
    people = {p.id: p for p in staff(session, clinic_id)}
    horizon = today + timedelta(days=days)
    out = [
        Expiry(p.registration_expires_on, p, "Registration")
        for p in people.values()
        if p.registration_expires_on is not None and p.registration_expires_on <= horizon
    ]
    groups: dict[tuple[int, str], list[Credential]] = defaultdict(list)
    for c in staff_credentials(session, clinic_id):
        if not c.withdrawn:
            groups[(c.practitioner_id, c.credential_type_code)].append(c)
    for group in groups.values():
        for c in group:
            if c.expires_on is None or c.expires_on > horizon or _replaced(c, group):
                continue
            what = label(c.credential_type_code) + (f" ({c.issuer})" if c.issuer else "")
            out.append(Expiry(c.expires_on, people[c.practitioner_id], what, c))
    return sorted(out, key=lambda e: (e.on, e.practitioner.family_name, e.what))


def _replaced(c: Credential, group: list[Credential]) -> bool:
    return any(o is not c and (o.expires_on is None or o.expires_on > c.expires_on) for o in group)


def clinics_of(session: Session, user: User, practitioner: Practitioner) -> list[Clinic]:
    """The clinics ``user`` manages that ``practitioner`` works at."""
    ids = [c.id for c in managed_clinics(session, user)]
    return list(
        session.scalars(
            select(Clinic)
            .join(ClinicStaff, ClinicStaff.clinic_id == Clinic.id)
            .where(
                ClinicStaff.practitioner_id == practitioner.id,
                Clinic.id.in_(ids),
                ClinicStaff.status == LinkStatus.ACCEPTED,
            )
            .order_by(Clinic.name)
        )
    )


def staff_practitioner(
    session: Session, user: User, jurisdiction: str, profession: str, number: str
) -> tuple[Practitioner, list[Clinic]]:
    """A practitioner on the staff of a clinic ``user`` manages, with those clinics; 404 for
    anyone else (a practitioner who exists but is not their staff looks missing)."""
    p = session.scalar(
        select(Practitioner).where(
            Practitioner.jurisdiction_code == jurisdiction,
            Practitioner.profession_code == profession,
            Practitioner.registration_number == number,
        )
    )
    clinics = clinics_of(session, user, p) if p is not None else []
    if not clinics:
        abort(404)
    return p, clinics


def find_practitioner(
    session: Session, jurisdiction: str, profession: str, number: str
) -> Practitioner | None:
    return session.scalar(
        select(Practitioner).where(
            Practitioner.jurisdiction_code == jurisdiction,
            Practitioner.profession_code == profession,
            Practitioner.registration_number == number.strip(),
        )
    )


def evidence_credential(session: Session, user: User, credential_id: int) -> Credential:
    """A credential with evidence that ``user`` may download: the practitioner's own, their
    regulators', admins', and a clinic manager's when one of their clinics entered it and the
    practitioner's link with that clinic stands; 404 for anyone else (another clinic too)."""
    where = [
        Credential.id == credential_id,
        Credential.evidence_ref.is_not(None),
        practitioner_filter(user),
    ]
    if user.role == Role.CLINIC_MANAGER:
        where.append(
            exists().where(
                ClinicStaff.clinic_id == Credential.entered_by_clinic_id,
                ClinicStaff.practitioner_id == Credential.practitioner_id,
                ClinicStaff.status == LinkStatus.ACCEPTED,
                ClinicStaff.clinic_id.in_(sorted(user.clinic_ids)),
            )
        )
    c = session.scalar(
        select(Credential)
        .join(Practitioner, Practitioner.id == Credential.practitioner_id)
        .where(*where)
    )
    if c is None:
        abort(404)
    return c


def fill_choices(session: Session, *forms) -> None:
    """Give each form's code fields their choices from the code tables, by name."""
    tables = {
        "jurisdiction": Jurisdiction,
        "profession": Profession,
        "credential_type": CredentialType,
    }
    cache: dict[str, list[SelectChoice]] = {}
    for form in forms:
        for field, model in tables.items():
            if field not in form:
                continue
            if field not in cache:
                rows = session.execute(select(model.code, model.name).order_by(model.name))
                cache[field] = [SelectChoice(code, name) for code, name in rows]
            form[field].choices = cache[field]


def usual_key(session: Session, clinic_id: int) -> dict[str, str]:
    """The jurisdiction and the profession most of the clinic's staff have (the clinic's
    own, for the "add to staff" form); empty for a clinic without staff yet."""
    found = {}
    for name, column in (
        ("jurisdiction", Practitioner.jurisdiction_code),
        ("profession", Practitioner.profession_code),
    ):
        value = session.scalar(
            select(column)
            .join(ClinicStaff, ClinicStaff.practitioner_id == Practitioner.id)
            .where(ClinicStaff.clinic_id == clinic_id, ClinicStaff.status == LinkStatus.ACCEPTED)
            .group_by(column)
            .order_by(func.count().desc(), column)
            .limit(1)
        )
        if value is not None:
            found[name] = value
    return found
