"""Clinics and their staff."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..models import Clinic, ClinicStaff, Practitioner
from ..models.base import utcnow
from . import NotFound, audit


class ClinicCache:
    """Clinic names to ids for one import; a clinic named for the first time is created."""

    def __init__(self, session: Session, actor: str) -> None:
        self.session, self.actor = session, actor
        self.by_name: dict[str, int] = dict(session.execute(select(Clinic.name, Clinic.id)).all())
        self.by_id = {i: n for n, i in self.by_name.items()}

    def ids_for(self, names: list[str], city: str | None) -> list[int]:
        return [self.by_name.get(n) or self._create(n, city) for n in names]

    def names_for(self, ids) -> list[str]:
        return sorted(self.by_id[i] for i in ids)

    def _create(self, name: str, city: str | None) -> int:
        now = utcnow()
        values = {"name": name, "city": city, "created_at": now, "updated_at": now}
        clinic_id = self.session.execute(
            insert(Clinic).values(values).returning(Clinic.id)
        ).scalar_one()
        audit.record(
            self.session,
            self.actor,
            "clinic.create",
            "clinic",
            clinic_id,
            after={"name": name, "city": city},
        )
        self.by_name[name], self.by_id[clinic_id] = clinic_id, name
        return clinic_id


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
    link = session.get(ClinicStaff, (clinic.id, practitioner.id))
    if link is None:
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
