"""Benchmark: public search throughput and latency under gunicorn, driven by wrk.

    .venv/bin/python bench/lookup.py [--practitioners 100k|1M] [--sqlite|--postgres URL] [--reuse]

Per database: load the default rules and the dataset (or keep a loaded one with ``--reuse``),
start gunicorn (2 sync workers, the public answer cache on as in production) and run
`wrk -t2 -c20 -d10s --latency` against:

- ``/healthz``, the baseline (no database, no template);
- the public search for the common surname "Smith", as the JSON API and as the HTML page: the
  same query every time, so the answer cache serves it (the popular-search case);
- **varied searches** (``bench/varied.lua``): every request a different query from a
  fixed, shuffled list of about 40,000 (``varied_queries``): name prefixes, "given family"
  prefixes, registration-number prefixes, and filters by jurisdiction, profession, city and
  *authorized modality* (alone and combined, pages 1 and 2). wrk's threads walk disjoint
  parts of the list and each run starts where the last one stopped, so no query repeats
  within a server's life and the cache (512 answers per worker) never serves one.

Then /healthz and the varied searches again with 2 connections (one per worker): there p99 is
a request's own latency, not its wait behind others. Each figure is also given as a share of
the first /healthz run's req/s. Targets (issue 12):
varied (uncached) searches >= 50% of /healthz with p99 < 25 ms.
Needs Debian's wrk (apt-get install wrk).
"""

from __future__ import annotations

import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from common import ROOT, arguments, label, prepared, run_each

DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = "20"
THREADS = 2
FIXED = {
    "healthz": "/healthz",
    "api search": "/api/v1/practitioners?q=smith",
    "html search": "/?q=smith",
}
VARIED = {"api varied": "/api/v1/practitioners", "html varied": "/"}
LUA = Path(__file__).with_name("varied.lua")


def varied_queries(practitioners: int, seed: int = 12) -> list[str]:
    """Distinct query strings (without the path) a member of the public might send, from the
    dataset's own names, numbers and cities; shuffled with a fixed seed."""
    sys.path.insert(0, str(Path(__file__).parent))
    import generate as g

    families = sorted({*g.FAMILY_NAMES, "Smith"})
    givens = sorted(set(g.GIVEN_NAMES))
    jurisdictions = sorted(g.JURISDICTIONS)
    professions = sorted(g.PROFESSIONS)
    modalities = ("dry_needling", "ims", "acupuncture")
    rng = random.Random(seed)
    found: set[tuple] = set()
    for name in families + givens:  # prefixes of 3 letters up to the whole name
        for n in range(3, len(name) + 1):
            found.add((("q", name[:n]),))
            found.add((("q", name[:n]), ("jurisdiction", rng.choice(jurisdictions))))
    for _ in range(25_000):  # "given family" as typed: a given name and a family prefix
        family = rng.choice(families)
        found.add((("q", f"{rng.choice(givens)} {family[: rng.randint(1, len(family))]}"),))
    share = sum(spec[0] for spec in g.PROFESSIONS.values())
    for spec in g.PROFESSIONS.values():  # number prefixes (PT0012, AC00031) of numbers in use
        highest = max(9, round(practitioners * spec[0] / share * 0.15))
        for digits in range(4, 7):
            for _ in range(400):
                found.add((("q", spec[1] + f"{rng.randint(1, highest):06d}"[:digits]),))
    for j in jurisdictions:  # filters: jurisdiction x profession x modality x city, pages
        for p in ("", *professions):
            for m in ("", *modalities):
                for page in ("1", "2"):
                    pairs = (("jurisdiction", j), ("profession", p), ("modality", m))
                    found.add((*(kv for kv in pairs if kv[1]), ("page", page)))
        for city in g.CITIES[j]:
            for m in ("", *modalities):
                found.add(tuple(kv for kv in (("city", city), ("modality", m)) if kv[1]))
                found.add((("q", rng.choice(families)[:3]), ("modality", m or "dry_needling"),
                           ("city", city)))  # fmt: skip
    queries = sorted(urllib.parse.urlencode(q) for q in found)
    rng.shuffle(queries)
    return queries


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int) -> subprocess.Popen:
    env = os.environ | {
        # Production's code paths, but production refuses two workers counting rate limits
        # in memory (each its own), and this needs no Redis: the limiter is out of the way.
        "REGISTRY_CONFIG": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PUBLIC_RATE_LIMIT": "100000000 per minute",  # measure the search, not the limiter
    }
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "wsgi:app"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def wrk(
    url: str, duration: str = DURATION, script: list[str] | None = None, connections=CONNECTIONS
) -> dict:
    command = ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{duration}", "--latency"]
    if script:
        command += ["-s", str(LUA), url, "--", *script]
    else:
        command.append(url)
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "requests": total,
        "p50_ms": _ms(p50),
        "p99_ms": _ms(p99),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def _ms(match) -> float:
    return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]


def run_target(target: str, folder, args) -> dict:
    if not shutil.which("wrk"):
        raise SystemExit("bench/lookup.py needs wrk: apt-get install wrk")
    url = prepared(target, folder, args.practitioners, args.reuse)
    queries = varied_queries(args.practitioners)
    paths = Path(tempfile.mkdtemp(prefix="registry-lookup-")) / "queries.txt"
    results: dict = {"database": label(target), "queries": len(queries)}
    port = free_port()
    server = start_gunicorn(url, port)
    used = dict.fromkeys(VARIED.values(), 0)  # per path (cache keys differ): runs start after

    def varied(path: str, duration: str, connections: str = CONNECTIONS) -> dict:
        paths.write_text("".join(f"{path}?{q}\n" for q in queries), encoding="utf-8")
        script = [str(paths), str(used[path]), str(THREADS)]
        m = wrk(f"http://127.0.0.1:{port}", duration, script, connections)
        used[path] += m["requests"] + 2 * int(connections)  # wrk counts completed requests only
        if used[path] >= len(queries):
            raise RuntimeError(f"{len(queries)} distinct queries are too few for this run")
        return m

    try:
        for name, path in FIXED.items():
            wrk(f"http://127.0.0.1:{port}{path}", "2s")  # warm-up
            results[name] = wrk(f"http://127.0.0.1:{port}{path}")
        for name, path in VARIED.items():
            varied(path, "2s")  # warm-up, with queries of its own
            results[name] = varied(path, DURATION)
        results["healthz again"] = wrk(f"http://127.0.0.1:{port}/healthz")
        # Latency without queueing: one connection per worker, so p99 is a request's own time
        # (with 20 connections on 2 workers a request waits behind about 9 others).
        results["healthz, 2 conn"] = wrk(f"http://127.0.0.1:{port}/healthz", connections="2")
        for name, path in VARIED.items():
            results[f"{name}, 2 conn"] = varied(path, DURATION, "2")
    finally:
        server.terminate()
        server.wait()
    results["queries used"] = max(used.values())
    return results


def report(r: dict) -> str:
    base = r["healthz"]["rps"]
    lines = [
        f"{r['database']} (gunicorn 2 sync workers, wrk -t{THREADS} -c{CONNECTIONS} "
        f"-d{DURATION}; load {r.get('load', 0):.1f}; {r['queries used']} of {r['queries']} "
        "varied queries used per path):"
    ]
    two = ("healthz, 2 conn", *(f"{n}, 2 conn" for n in VARIED))
    for name in (*FIXED, *VARIED, "healthz again", *two):
        m = r[name]
        lines.append(
            f"  {name:19} {m['rps']:8.0f} req/s  {m['rps'] / base:5.0%} of healthz  "
            f"p50 {m['p50_ms']:6.1f} ms  p99 {m['p99_ms']:6.1f} ms  non-2xx {m['non_2xx']}"
        )
    return "\n".join(lines)


def main() -> None:
    run_each(__file__, arguments(__doc__.splitlines()[0]), run_target, report)


if __name__ == "__main__":
    sys.exit(main())
