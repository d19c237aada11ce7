"""Shared setup of the export and evidence bundle tests: the demo registry with one account per
persona and private canaries (each test module wraps these in its own fixtures)."""

from __future__ import annotations

import io
from datetime import date

from registry.models import User
from registry.services import credentials as credential_service
from registry.services.evidence import EvidenceStore
from registry.services.practitioners import find, update_practitioner

from .conftest import PASSWORD

TODAY = date.today()
CLINIC_A, CLINIC_B = "Bow River Physio", "Harbour Physiotherapy"
KEY = ("CA-AB", "physiotherapist", "AB-1002")  # Omar Sato, of clinic A, authorized to needle
CANARIES = ("canary.email@private.example", "+1-555-0199-CANARY", "CANARY-NOTE-7731")


class Upload:
    def __init__(self, name: str, data: bytes) -> None:
        self.filename, self.stream = name, io.BytesIO(data)


def build_world(app, cli, session, make_user, tmp_path) -> dict:
    """The demo registry, an account per persona, private contacts on two practitioners and
    a CPR certificate with an evidence file on Omar Sato."""
    app.config["EVIDENCE_FOLDER"] = str(tmp_path / "evidence")
    users = {
        "manager_a": make_user("clinic_manager", clinics=[CLINIC_A]),
        "manager_b": make_user("clinic_manager", clinics=[CLINIC_B]),
        "regulator_same": make_user("regulator", jurisdictions=["CA-AB"]),
        "regulator_other": make_user("regulator", jurisdictions=["US-CO"]),
        "admin": make_user("admin"),
    }
    p = find(session, *KEY)
    ref = EvidenceStore(tmp_path / "evidence", 10**6).store(Upload("cert.pdf", b"%PDF-1.4 x"))
    cpr = credential_service.add_credential(
        session,
        "test",
        p,
        credential_type="cpr_certification",
        issuer="Red Cross",
        issued_on=date(2025, 1, 1),
        expires_on=date(2099, 1, 1),
        evidence_ref=ref,
    )
    for who in (p, find(session, "CA-BC", "massage_therapist", "BC-1003")):
        update_practitioner(
            session,
            "test",
            who,
            {"email": CANARIES[0], "phone": CANARIES[1], "notes": CANARIES[2]},
            who.version,
        )
    session.commit()
    return {"users": users, "practitioner": p, "cpr": cpr, "evidence_ref": ref}


def log_in_as(client, world: dict, persona: str) -> None:
    """Log the test client in as a persona of ``world`` (logging out whoever was in)."""
    client.post("/logout")
    user: User = world["users"][persona]
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
