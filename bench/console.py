"""Benchmark: the regulator console's audit page for today, first click and the clicks after.

    .venv/bin/python bench/console.py [--practitioners 100k|1M] [--sqlite|--postgres URL] [--reuse]

Per database: the default rules and the dataset (``--reuse`` keeps a loaded database), and two
regulator accounts: one for Ontario (the largest jurisdiction, about 15% of practitioners) and
one for all 24 jurisdictions. Then, per account, in a fresh process of its own (its VmHWM is
the peak), logged in through ``POST /login`` with the Flask test client (the real views and
templates, no HTTP server):

- the first ``GET /regulator/audit`` of the day: it computes and stores the audit run of the
  account's scope (``read.audit_runs``), so it costs one full evaluation of the scope;
- then CLICKS further requests on the stored run, each timed: pages 2, 3, 10 and the last,
  each gap kind, each modality, a profession, and kind x modality combinations.

BENCH_CONSOLE_ACCOUNTS=Ontario measures one account only. Target (issue 12): the audit page
under 100 ms for today (the clicks after the first).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from datetime import date

from common import ROOT, app_for, arguments, child, label, peak_rss_mb, prepared, run_each

PASSWORD = "a long benchmark password"  # noqa: S105 (a scratch database)
ACCOUNTS = {"Ontario": ["CA-ON"], "all 24": None}

MEASURE = """
import sys
sys.path.insert(0, {bench!r})
from console import measure
measure(sys.argv[1], sys.argv[2])
"""


def email(name: str) -> str:
    return f"bench-console-{name.split()[0].lower()}@example.org"


def add_regulators(url: str) -> None:
    """The benchmark's regulator accounts, unless they exist (an account adds an audit event,
    which would make every stored run stale: made before anything is measured)."""
    from sqlalchemy import select

    from registry import db
    from registry.models import Jurisdiction, User
    from registry.services.users import create_user

    app = app_for(url)
    with app.app_context():
        session = db.session()
        every = list(session.scalars(select(Jurisdiction.code)))
        for name, codes in ACCOUNTS.items():
            if session.scalar(select(User).filter_by(email=email(name))) is None:
                create_user(session, "bench", email(name), PASSWORD, "regulator", codes or every)
        session.commit()


def clicks(last_page: int) -> list[str]:
    """The requests after the first: paging, and each filter the page offers."""
    kinds = ("no_rule", "registration_inactive", "expiring_soon", "missing_credential",
             "outside_scope", "unverified", "expired")  # fmt: skip
    modalities = ("dry_needling", "ims", "acupuncture", "registration")
    out = [f"page={p}" for p in sorted({2, 3, 10, 200, last_page})]
    out += [f"kind={k}" for k in kinds]
    out += [f"modality={m}" for m in modalities]
    out += ["profession=physiotherapist", "profession=chiropractor"]
    out += [f"kind={k}&modality=dry_needling" for k in kinds[:4]]
    out += ["kind=missing_credential&modality=acupuncture&page=2", "page=1"]
    return out


def measure(url: str, name: str) -> None:
    """In this process: log in as the account ``name`` and time its audit page (JSON out)."""
    app = app_for(url)
    app.config["WTF_CSRF_ENABLED"] = False  # the login form's token: not what is measured
    client = app.test_client()
    login = client.post("/login", data={"email": email(name), "password": PASSWORD})
    assert login.status_code == 302, login.status_code
    today = date.today().isoformat()
    before = peak_rss_mb()
    start = time.perf_counter()
    first = client.get(f"/regulator/audit?as_of={today}")
    first_seconds = time.perf_counter() - start
    assert first.status_code == 200, first.status_code
    page = first.get_data(as_text=True)
    last = 1
    # the highest page number linked from the first page
    last = max([1, *(int(n) for n in re.findall(r"[?&;]page=(\d+)", page))])
    times: dict[str, float] = {}
    for args in clicks(last):
        start = time.perf_counter()
        response = client.get(f"/regulator/audit?as_of={today}&{args}")
        times[args] = time.perf_counter() - start
        assert response.status_code == 200, (args, response.status_code)
    print(json.dumps({"first": first_seconds, "clicks": times, "last_page": last,
                      "peak_before_mb": before, "peak_mb": peak_rss_mb()}))  # fmt: skip


def run_target(target: str, folder, args) -> dict:
    url = prepared(target, folder, args.practitioners, args.reuse)
    add_regulators(url)
    results: dict = {"database": label(target), "accounts": {}}
    code = MEASURE.format(bench=str(ROOT / "bench"))
    wanted = os.environ.get("BENCH_CONSOLE_ACCOUNTS")  # e.g. "Ontario" (1M: all 24 takes long)
    for name in wanted.split(",") if wanted else ACCOUNTS:
        results["accounts"][name] = child(["-c", code, url, name])
    return results


def report(r: dict) -> str:
    lines = [f"{r['database']} (load {r.get('load', 0):.1f}):"]
    for name, m in r["accounts"].items():
        t = sorted(m["clicks"].values())
        median, p90, top = statistics.median(t) * 1000, t[int(len(t) * 0.9)] * 1000, t[-1] * 1000
        slowest = max(m["clicks"], key=m["clicks"].get)
        lines.append(
            f"  {name:8} first click {m['first']:7.2f} s (computes the run; peak "
            f"{m['peak_mb']:.0f} MB)   then {len(t)} clicks: median {median:6.1f} ms, "
            f"p90 {p90:6.1f} ms, max {top:6.1f} ms ({slowest}; last page {m['last_page']})"
        )
    return "\n".join(lines)


def main() -> None:
    run_each(__file__, arguments(__doc__.splitlines()[0]), run_target, report)


if __name__ == "__main__":
    sys.exit(main())
