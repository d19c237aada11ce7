"""Clinics and their staff."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..models import Clinic, ClinicStaff, LinkStatus, Practitioner
from ..models.base import utcnow
from . import InvalidInput, NotFound, audit
from .bulk import allocate_ids


class ClinicCache:
    """Clinic names to ids for one import; a clinic named for the first time is created."""

    def __init__(self, session: Session, actor: str) -> None:
        self.session, self.actor = session, actor
        self.by_name: dict[str, int] = dict(session.execute(select(Clinic.name, Clinic.id)).all())
        self.by_id = {i: n for n, i in self.by_name.items()}

    def create_missing(self, wanted: list[tuple[list[str], str | None]]) -> None:
        """Create, in one statement, every clinic named here for the first time (its city is
        that of the first practitioner naming it)."""
        new: dict[str, str | None] = {}
        for names, city in wanted:
            for name in names:
                if name not in self.by_name:
                    new.setdefault(name, city)
        if not new:
            return
        now = utcnow()
        ids = allocate_ids(self.session, Clinic.__table__, len(new))
        rows = [
            {"id": i, "name": n, "city": c, "created_at": now, "updated_at": now}
            for i, (n, c) in zip(ids, new.items(), strict=True)
        ]
        self.session.execute(insert(Clinic.__table__), rows)
        events = [
            {
                "action": "clinic.create",
                "target_type": "clinic",
                "target_id": r["id"],
                "after": {"name": r["name"], "city": r["city"]},
            }
            for r in rows
        ]
        audit.record_many(self.session, self.actor, events)
        for r in rows:
            self.by_name[r["name"]], self.by_id[r["id"]] = r["id"], r["name"]

    def ids_for(self, names: list[str]) -> list[int]:
        return [self.by_name[n] for n in names]

    def names_for(self, ids) -> list[str]:
        return sorted(self.by_id[i] for i in ids)


def create_clinic(session: Session, actor: str, name: str, city: str | None = None) -> Clinic:
    """A new clinic (an admin's form): a name of its own, an optional city; audited as
    ``clinic.create``."""
    name, city = (name or "").strip(), (city or "").strip() or None
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "a clinic needs a name"
    elif len(name) > 200:
        errors["name"] = "at most 200 characters"
    elif session.scalar(select(Clinic.id).where(Clinic.name == name)):
        errors["name"] = f"a clinic named '{name}' exists"
    if city is not None and len(city) > 100:
        errors["city"] = "at most 100 characters"
    if errors:
        raise InvalidInput(errors)
    return get_or_create_clinic(session, actor, name, city)


def get_or_create_clinic(
    session: Session, actor: str, name: str, city: str | None = None
) -> Clinic:
    clinic = session.scalar(select(Clinic).where(Clinic.name == name))
    if clinic is None:
        clinic = Clinic(name=name, city=city)
        session.add(clinic)
        session.flush()
        audit.record(
            session, actor, "clinic.create", "clinic", clinic.id, after={"name": name, "city": city}
        )
    return clinic


def assign_staff(session: Session, actor: str, clinic: Clinic, practitioner: Practitioner) -> bool:
    """Add a practitioner to a clinic's staff; False when they already were."""
    link = session.get(ClinicStaff, (clinic.id, practitioner.id))
    if link is not None:
        return False
    session.add(ClinicStaff(clinic_id=clinic.id, practitioner_id=practitioner.id))
    session.flush()
    audit.record(
        session,
        actor,
        "clinic.assign_staff",
        "practitioner",
        practitioner.id,
        after={"clinic": clinic.name},
    )
    return True


def remove_staff(session: Session, actor: str, clinic: Clinic, practitioner: Practitioner) -> None:
    """End an accepted link. A request (waiting or declined) is not staff: it is withdrawn
    or answered elsewhere, and a declined one keeps the clinic from asking again too soon."""
    link = session.get(ClinicStaff, (clinic.id, practitioner.id))
    if link is None or link.status != LinkStatus.ACCEPTED:
        raise NotFound(f"{practitioner.name} is not on the staff of {clinic.name}")
    session.delete(link)
    session.flush()
    audit.record(
        session,
        actor,
        "clinic.remove_staff",
        "practitioner",
        practitioner.id,
        before={"clinic": clinic.name},
    )


def set_staff_notes(
    session: Session, actor: str, clinic: Clinic, practitioner: Practitioner, notes: str | None
) -> None:
    """The clinic's own private notes about a staff member (seen by that clinic alone)."""
    link = session.get(ClinicStaff, (clinic.id, practitioner.id))
    if link is None or link.status != LinkStatus.ACCEPTED:
        raise NotFound(f"{practitioner.name} is not on the staff of {clinic.name}")
    notes = (notes or "").strip() or None
    if notes is not None and len(notes) > 2000:
        raise InvalidInput({"notes": "at most 2000 characters"})
    if link.notes == notes:
        return
    before = link.notes
    link.notes = notes
    session.flush()
    audit.record(
        session, actor, "clinic.staff_notes", "practitioner", practitioner.id,
        before={"clinic": clinic.name, "notes": before},
        after={"clinic": clinic.name, "notes": notes},
    )  # fmt: skip
