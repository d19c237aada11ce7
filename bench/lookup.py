"""Benchmark: public search throughput and latency under gunicorn, driven by wrk.

    .venv/bin/python bench/lookup.py [--practitioners 100000] [--sqlite | --postgres URL]

Per database: load the default rules and the dataset, start gunicorn (2 sync workers, the
development configuration) and run `wrk -t2 -c20 -d10s --latency` against a trivial /healthz
(the baseline) and against the public search for a common surname, as the JSON API and as the
HTML page; then again with the public answer cache turned off (PUBLIC_CACHE_SECONDS=0), to
show the cost of an uncached search. Targets: search throughput >= 50% of /healthz,
p99 latency < 50 ms.
Needs Debian's wrk (apt-get install wrk).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from common import ROOT, arguments, fresh_database, label, load_in_subprocess, run_each

DURATION = "10s"
CONNECTIONS = "20"
TARGETS = {
    "healthz": "/healthz",
    "api search": "/api/v1/practitioners?q=smith",
    "html search": "/?q=smith",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int, cache: bool = True) -> subprocess.Popen:
    env = os.environ | {
        "PUBLIC_CACHE_SECONDS": "30" if cache else "0",
        # Production's code paths, but production refuses two workers counting rate limits
        # in memory (each its own), and this needs no Redis: the limiter is out of the way.
        "REGISTRY_CONFIG": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PUBLIC_RATE_LIMIT": "100000000 per minute",  # measure the search, not the limiter
    }
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    server = subprocess.Popen(
        [
            gunicorn,
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def wrk(url: str, duration: str = DURATION) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p99_ms": float(p99.group(1)) * scale,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def run_target(target: str, folder) -> dict:
    if not shutil.which("wrk"):
        raise SystemExit("bench/lookup.py needs wrk: apt-get install wrk")
    url = fresh_database(target)
    load_in_subprocess(url, folder)
    results: dict = {"database": label(target)}
    for cache in (True, False):
        port = free_port()
        server = start_gunicorn(url, port, cache)
        try:
            for name, path in TARGETS.items():
                if not cache and name == "healthz":
                    continue
                wrk(f"http://127.0.0.1:{port}{path}", "2s")  # warm-up
                key = name if cache else f"{name} (no cache)"
                results[key] = wrk(f"http://127.0.0.1:{port}{path}")
        finally:
            server.terminate()
            server.wait()
    return results


def report(r: dict) -> str:
    base = r["healthz"]["rps"]
    lines = [f"{r['database']} (gunicorn 2 sync workers, wrk -t2 -c{CONNECTIONS} -d{DURATION}):"]
    names = [*TARGETS, *(f"{n} (no cache)" for n in TARGETS if n != "healthz")]
    for name in names:
        m = r[name]
        lines.append(
            f"  {name:23} {m['rps']:8.0f} req/s  {m['rps'] / base:5.0%} of healthz  "
            f"p99 {m['p99_ms']:6.1f} ms  non-2xx {m['non_2xx']}"
        )
    return "\n".join(lines)


def main() -> None:
    run_each(__file__, arguments(__doc__.splitlines()[0]), run_target, report)


if __name__ == "__main__":
    sys.exit(main())
