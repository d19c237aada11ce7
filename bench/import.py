"""Benchmark: the CSV imports against plain executemany inserts of the same rows.

    .venv/bin/python bench/import.py [--practitioners 100k|1M] [--sqlite | --postgres URL]

Per database, each in a fresh process of its own (so each peak is its own VmHWM):

- the import: into a fresh, migrated database holding the default rules (so that refreshing
  the verdict store, once at the end of each import, does the work it does in production),
  ``import-practitioners`` then ``import-credentials``, each phase's peak memory read from
  VmHWM (reset between them); the time spent refreshing the verdict store is summed apart
  (``verdict_store.refresh`` wrapped in a timer); with BENCH_CHECK=1 the store is then
  compared with a full evaluation (``registry check-verdicts``; untimed, must be exact);
  then, unless BENCH_REIMPORT=0, the same files again (no-op);
- the baseline: into another fresh database (``<name>_base`` on PostgreSQL), parse the same
  CSVs and insert the same rows into the same tables (practitioners with their folded name
  keys, clinics, clinic staff, modalities; credentials) with plain executemany in batches
  of 5,000.

The import database is left loaded: ``--reuse`` in the other benchmarks then takes it as is.
Targets (issue 12): import of 1M rows <= 3x plain executemany, memory that does not grow with
the file (compare the peaks at 100k, 300k and 1M).
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from datetime import date

from common import (
    app_for,
    arguments,
    child,
    fresh_database,
    label,
    peak_rss_mb,
    reset_peak,
    run_each,
    sqlite_url,
    timed,
)
from sqlalchemy import insert, select

from registry import db
from registry.models import Clinic, ClinicStaff, Credential, Practitioner, PractitionerModality
from registry.models.folding import fold_text
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
                    "given_key": fold_text(r["given_name"]),
                    "family_key": fold_text(r["family_name"]),
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


class RefreshTimer:
    """Wraps ``verdict_store.refresh`` (as the importers call it) and sums its time."""

    def __init__(self) -> None:
        from registry.services import verdict_store

        self.module, self.original, self.seconds = verdict_store, verdict_store.refresh, 0.0
        verdict_store.refresh = self

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.original(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start


def measure_import(url: str, folder) -> dict:
    """The registry's imports into ``url`` (fresh, migrated), in this process."""
    from registry.demo import DEFAULT_RULES, default_rules_bytes
    from registry.services.rulesets import load_rules

    app = app_for(url)
    timer = RefreshTimer()
    results: dict = {}
    with app.app_context():
        session = db.session()
        load_rules(session, "bench", default_rules_bytes(), DEFAULT_RULES)
        session.commit()
        for kind, importer in (
            ("practitioners", import_practitioners),
            ("credentials", import_credentials),
        ):
            reset_peak()
            timer.seconds = 0.0
            path = folder / f"{kind}.csv"
            with open(path, encoding="utf-8", newline="") as f, timed(results, f"import_{kind}"):
                report = importer(session, "bench", f)
                session.commit()
            results[f"{kind}_rows"] = report.created
            results[f"peak_{kind}_mb"] = peak_rss_mb()
            results[f"refresh_{kind}"] = timer.seconds
        results["peak_mb"] = peak_rss_mb()
        if os.environ.get("BENCH_CHECK") == "1":
            from registry.services.verdict_check import differences

            found = list(differences(session))
            assert not found, found[:5]
            results["checked"] = True
        if os.environ.get("BENCH_REIMPORT", "1") != "0":
            for kind, importer in (
                ("practitioners", import_practitioners),
                ("credentials", import_credentials),
            ):
                path = folder / f"{kind}.csv"
                with (
                    open(path, encoding="utf-8", newline="") as f,
                    timed(results, f"reimport_{kind}"),
                ):
                    again = importer(session, "bench", f)
                    session.commit()
                assert again.created == again.updated == 0, again.summary
    return results


def measure_baseline(url: str, folder) -> dict:
    """Plain executemany of the same rows into ``url`` (fresh, migrated), in this process."""
    app = app_for(url)
    engine = app.extensions[db.EXTENSION_KEY].kw["bind"]
    results: dict = {}
    with engine.begin() as conn, timed(results, "baseline_practitioners"):
        baseline_practitioners(conn, folder / "practitioners.csv")
    with engine.begin() as conn, timed(results, "baseline_credentials"):
        baseline_credentials(conn, folder / "credentials.csv")
    results["baseline_peak_mb"] = peak_rss_mb()
    return results


def run_target(target: str, folder, args) -> dict:
    """The import, then the baseline, each in a fresh process and a fresh database."""
    if target == "sqlite":
        url, base = sqlite_url(args.practitioners), sqlite_url(args.practitioners) + "-base"
    else:
        url, base = target, target + "_base"
    results: dict = {"database": label(target), "practitioners": args.practitioners}
    script = os.path.abspath(__file__)
    for phase, where in (("import", url), ("baseline", base)):
        fresh_database(where)
        results |= child([script, "--phase", phase, where, str(folder)])
    return results


def report(r: dict) -> str:
    lines = [
        f"{r['database']}: {r['practitioners_rows']} practitioners, "
        f"{r['credentials_rows']} credentials (load {r.get('load', 0):.1f})"
    ]
    for kind in ("practitioners", "credentials"):
        base, real = r[f"baseline_{kind}"], r[f"import_{kind}"]
        again = r.get(f"reimport_{kind}")
        lines.append(
            f"  {kind:13} baseline {base:6.1f} s   import {real:6.1f} s   "
            f"ratio {real / base:4.2f}x   of which verdict store {r[f'refresh_{kind}']:5.1f} s   "
            f"peak {r[f'peak_{kind}_mb']:.0f} MB"
            + (f"   re-import (no-op) {again:6.1f} s" if again is not None else "")
        )
    lines.append(f"  baseline peak {r['baseline_peak_mb']:.0f} MB")
    if r.get("checked"):
        lines.append("  verdict store checked: equal to a full evaluation")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--phase":
        from pathlib import Path

        measure = {"import": measure_import, "baseline": measure_baseline}[sys.argv[2]]
        print(json.dumps(measure(sys.argv[3], Path(sys.argv[4]))))
        return
    run_each(__file__, arguments(__doc__.splitlines()[0]), run_target, report)


if __name__ == "__main__":
    main()
