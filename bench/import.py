"""Benchmark: the CSV imports against plain executemany inserts of the same rows.

    .venv/bin/python bench/import.py [--practitioners 100000] [--sqlite | --postgres URL]

Each database target runs in its own process: baseline (parse the CSV, bulk-insert the same
rows into the same tables with executemany) then the registry's import, then the same import
again (which must change nothing). Targets: import <= 3x baseline, < 60 s, peak RSS < 300 MB.
"""

from __future__ import annotations

import csv
from datetime import date

from common import app_for, arguments, fresh_database, label, peak_rss_mb, run_each, timed
from sqlalchemy import insert, select, text

from registry import db
from registry.models import Clinic, ClinicStaff, Credential, Practitioner, PractitionerModality
from registry.services.imports import import_credentials, import_practitioners

BATCH = 5000


def _d(value: str):
    return date.fromisoformat(value) if value else None


def baseline_practitioners(conn, path) -> None:
    """Plain inserts: practitioners (ids assigned here), clinics, staff and modalities."""
    clinics: dict[str, int] = {}
    rows, mods, staff = [], [], []
    with open(path, encoding="utf-8", newline="") as f:
        for pid, r in enumerate(csv.DictReader(f), start=1):
            rows.append(
                {
                    "id": pid,
                    "jurisdiction_code": r["jurisdiction"],
                    "profession_code": r["profession"],
                    "registration_number": r["registration_number"],
                    "given_name": r["given_name"],
                    "family_name": r["family_name"],
                    "registration_status": r["registration_status"],
                    "status_since": _d(r["status_since"]) or _d(r["registered_since"]),
                    "registered_since": _d(r["registered_since"]),
                    "registration_class": r["registration_class"] or None,
                    "registration_expires_on": _d(r["registration_expires_on"]),
                    "city": r["city"] or None,
                    "email": r["email"] or None,
                    "phone": r["phone"] or None,
                    "version": 1,
                    "created_at": date.today(),
                    "updated_at": date.today(),
                }
            )
            mods += [
                {"practitioner_id": pid, "modality_code": m}
                for m in r["modalities"].split(";")
                if m
            ]
            for name in filter(None, r["clinics"].split(";")):
                clinics.setdefault(name, len(clinics) + 1)
                staff.append({"practitioner_id": pid, "clinic_id": clinics[name]})
            if len(rows) >= BATCH:
                conn.execute(insert(Practitioner.__table__), rows)
                rows = []
        if rows:
            conn.execute(insert(Practitioner.__table__), rows)
    conn.execute(
        insert(Clinic.__table__),
        [
            {"id": i, "name": n, "created_at": date.today(), "updated_at": date.today()}
            for n, i in clinics.items()
        ],
    )
    conn.execute(insert(PractitionerModality.__table__), mods)
    conn.execute(insert(ClinicStaff.__table__), staff)


def baseline_credentials(conn, path) -> None:
    """Plain inserts of the credential rows, practitioner ids looked up once."""
    P = Practitioner.__table__
    ids = {
        (j, p, n): i
        for i, j, p, n in conn.execute(
            select(P.c.id, P.c.jurisdiction_code, P.c.profession_code, P.c.registration_number)
        )
    }
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            rows.append(
                {
                    "practitioner_id": ids[
                        (r["jurisdiction"], r["profession"], r["registration_number"])
                    ],
                    "credential_type_code": r["credential_type"],
                    "issuer": r["issuer"],
                    "credential_number": r["credential_number"],
                    "issued_on": _d(r["issued_on"]),
                    "expires_on": _d(r["expires_on"]),
                    "hours": float(r["hours"] or 0) or None,
                    "in_person_hours": float(r["in_person_hours"] or 0) or None,
                    "sessions": int(r["sessions"]) if r["sessions"] else None,
                    "verified": r["verified"] == "true",
                    "revoked": False,
                    "version": 1,
                    "created_at": date.today(),
                    "updated_at": date.today(),
                }
            )
            if len(rows) >= BATCH:
                conn.execute(insert(Credential.__table__), rows)
                rows = []
    if rows:
        conn.execute(insert(Credential.__table__), rows)


def run_target(target: str, folder) -> dict:
    """Imports first (so the peak memory figure is theirs), then the baselines, each into a
    fresh database."""
    url = fresh_database(target)
    app = app_for(url)
    engine = app.extensions[db.EXTENSION_KEY].kw["bind"]
    results: dict = {"database": label(target)}
    with app.app_context():
        session = db.session()
        for kind, importer in (
            ("practitioners", import_practitioners),
            ("credentials", import_credentials),
        ):
            path = folder / f"{kind}.csv"
            with open(path, encoding="utf-8", newline="") as f, timed(results, f"import_{kind}"):
                report = importer(session, "bench", f)
                session.commit()
            results[f"{kind}_rows"] = report.created
            with open(path, encoding="utf-8", newline="") as f, timed(results, f"reimport_{kind}"):
                again = importer(session, "bench", f)
                session.commit()
            assert again.created == again.updated == 0, again.summary
    results["peak_rss_mb"] = round(peak_rss_mb())
    with engine.begin() as conn:
        for table in (
            "credentials",
            "clinic_staff",
            "practitioner_modalities",
            "practitioners",
            "clinics",
            "audit_events",
        ):
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (fixed table names)
    with engine.begin() as conn, timed(results, "baseline_practitioners"):
        baseline_practitioners(conn, folder / "practitioners.csv")
    with engine.begin() as conn, timed(results, "baseline_credentials"):
        baseline_credentials(conn, folder / "credentials.csv")
    return results


def report(r: dict) -> str:
    lines = [
        f"{r['database']}: {r['practitioners_rows']} practitioners, "
        f"{r['credentials_rows']} credentials; peak RSS of the imports {r['peak_rss_mb']} MB"
    ]
    for kind in ("practitioners", "credentials"):
        base, real, again = r[f"baseline_{kind}"], r[f"import_{kind}"], r[f"reimport_{kind}"]
        lines.append(
            f"  {kind:13} baseline {base:6.1f} s   import {real:6.1f} s   "
            f"ratio {real / base:4.2f}x   re-import (no-op) {again:6.1f} s"
        )
    return "\n".join(lines)


def main() -> None:
    run_each(__file__, arguments(__doc__.splitlines()[0]), run_target, report)


if __name__ == "__main__":
    main()
