"""Two gunicorn instances on one PostgreSQL database and one Redis, as in a deployment on more
than one machine (docs/DEPLOYMENT.md, "Several instances"): nothing a user sees may depend on
which instance answers.

Only on PostgreSQL (TEST_DATABASE_URL): two servers on one SQLite file is not the deployment
under test. The module migrates and seeds a database of its own, flushes a Redis database of
its own, and serves them with the production configuration: instance A with two workers
(production refuses that with ``memory://`` rate limits), instance B with one, so that B's
per-worker answer cache is the one that answered before a change. Everything is torn down,
servers, database and Redis keys, whatever happens.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from limits import parse as parse_limit
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import Config, TestConfig
from registry import PROJECT_ROOT, create_app, migrate
from registry.db import make_engine
from registry.models import Credential, Practitioner
from registry.models.credential import VerificationStatus

from .scratch import scratch_database

pytestmark = pytest.mark.slow

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 11  # db 11: this module's alone
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
MANAGER = ("manager@registry.example", "cedar-orbit-9393")
REGULATOR = ("regulator@registry.example", "maple-harbour-1717")
ADMIN_EMAIL = "admin@registry.example"
START_TIMEOUT = 30.0


def _postgres_or_skip() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip(
            "two instances share PostgreSQL (set TEST_DATABASE_URL): two servers on one "
            "SQLite file is not the deployment being tested"
        )
    return url


def _redis():
    """This module's Redis database, flushed; a missing Redis fails (CI starts one)."""
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=5)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        pytest.fail(
            f"two instances need Redis at {REDIS_HOST}:{REDIS_PORT} for their rate limits "
            f"({exc}); start it with `redis-server --daemonize yes` (apt-get install redis-server)"
        )
    return client


# -- a browser of our own: cookies kept by hand, sent to either instance --------------------
# Production cookies are Secure; a client library would not send them over plain HTTP to
# 127.0.0.1, and sending the same jar to two servers is the point here anyway.


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def json(self):
        return json.loads(self.body)


@dataclass
class Browser:
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, base: str, method: str, path: str, form: dict | None = None, timeout: float = 20
    ) -> Response:
        url = urlsplit(base)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
        headers = {"User-Agent": "two-instances-test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read().decode())
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self._store(header)
        return response

    def get(self, base: str, path: str) -> Response:
        return self.request(base, "GET", path)

    def post(self, base: str, path: str, form: dict) -> Response:
        return self.request(base, "POST", path, form)

    def _store(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            gone = morsel["max-age"] == "0" or "1970" in morsel["expires"]
            if gone or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def log_in(self, base: str, email: str, password: str) -> Response:
        token = csrf_token(self.get(base, "/login").body)
        form = {"csrf_token": token, "email": email, "password": password}
        return self.post(base, "/login", form)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


class _Forms(HTMLParser):
    """Every form on a page: its action and hidden fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "form":
            self._current = self.forms.setdefault(a.get("action") or "", {})
        elif tag == "input" and self._current is not None and a.get("type") == "hidden":
            self._current[a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag) -> None:
        if tag == "form":
            self._current = None


def hidden_fields(html: str, action: str) -> dict[str, str]:
    parser = _Forms()
    parser.feed(html)
    assert action in parser.forms, f"no form posting to {action}"
    return parser.forms[action]


# -- the deployment -------------------------------------------------------------------------


@dataclass
class Instance:
    name: str
    process: subprocess.Popen
    log: Path
    url: str = ""


def _start(name: str, workers: int, env: dict[str, str], logs: Path) -> Instance:
    log = logs / f"gunicorn-{name}.log"
    command = [
        sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", "127.0.0.1:0",
        "--access-logfile", "-", "--control-socket", str(logs / f"gunicorn-{name}.ctl"),
        "wsgi:app",
    ]  # gunicorn's control socket defaults to one path per user: one of its own each
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env={**env, "WEB_CONCURRENCY": str(workers)},
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    return Instance(name, process, log)


def _wait_until_serving(instance: Instance, workers: int) -> None:
    """Wait for gunicorn's own port (bound to 0 to be free) and every worker's boot."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        text = instance.log.read_text(errors="replace")
        if instance.process.poll() is not None or "registry: " in text:  # a refused config
            pytest.fail(f"instance {instance.name} did not start:\n{text}")
        port = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
        if port and text.count("Booting worker") >= workers:
            instance.url = f"http://127.0.0.1:{port.group(1)}"
            try:
                # short: a worker that is refusing its configuration never answers
                if Browser().request(instance.url, "GET", "/healthz", timeout=1).status == 200:
                    return
            except OSError:
                pass
        time.sleep(0.1)
    pytest.fail(f"instance {instance.name} did not start:\n{instance.log.read_text()}")


def _stop(instance: Instance) -> None:
    if instance.process.poll() is None:
        instance.process.send_signal(signal.SIGTERM)  # gunicorn: graceful, workers included
        try:
            instance.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(instance.process.pid, signal.SIGKILL)
            instance.process.wait(5)


@dataclass
class Deployment:
    a: str
    b: str
    database_url: str


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    _postgres_or_skip()
    redis_db = _redis()
    tmp = tmp_path_factory.mktemp("two_instances")
    instances: list[Instance] = []
    try:
        with scratch_database(tmp / "unused.sqlite3", "registry_two") as url:
            migrate.upgrade(url)
            seeding = create_app(TestConfig, {"DATABASE_URL": url})
            result = seeding.test_cli_runner().invoke(args=["registry", "seed-demo"])
            assert result.exit_code == 0, result.output
            env = {
                **os.environ,
                "REGISTRY_CONFIG": "production",
                "SECRET_KEY": secrets.token_urlsafe(48),  # one key, both instances
                "DATABASE_URL": url,
                "RATELIMIT_STORAGE_URI": REDIS_URL,
                "LOGIN_LIMIT_PER_ACCOUNT": Config.LOGIN_LIMIT_PER_ACCOUNT,
                "LOGIN_LIMIT_PER_ADDRESS": Config.LOGIN_LIMIT_PER_ADDRESS,
                "EVIDENCE_FOLDER": str(tmp / "evidence"),
                # The version is checked on every request (default: at most once a second),
                # so "at once" below means at once.
                "PUBLIC_CACHE_FRESH_SECONDS": "0",
            }
            env.pop("TEST_DATABASE_URL", None)
            seeding.extensions["registry_db"].kw["bind"].dispose()
            workers = {"A": 2, "B": 1}
            try:
                for name, n in workers.items():
                    instances.append(_start(name, n, env, tmp))
                for instance in instances:
                    _wait_until_serving(instance, workers[instance.name])
                yield Deployment(instances[0].url, instances[1].url, url)
            finally:  # before the database is dropped
                for instance in instances:
                    _stop(instance)
    finally:
        for instance in instances:
            _stop(instance)
        redis_db.flushdb()
        redis_db.close()


# -- what it proves -------------------------------------------------------------------------


def test_a_login_on_one_instance_holds_on_the_other_until_logged_out_on_either(deployment):
    a, b = deployment.a, deployment.b
    manager = Browser()
    assert manager.log_in(a, *MANAGER).status == 302
    copied = dict(manager.cookies)

    page = manager.get(b, "/clinic/")
    assert page.status == 200 and "Bow River Physio" in page.body  # B knows A's session

    # The logout form B rendered (B's CSRF token) is posted to A.
    logout = manager.post(a, "/logout", {"csrf_token": csrf_token(page.body)})
    assert logout.status == 302

    for browser in (manager, Browser(dict(copied))):  # the jar, and a replayed copy of it
        refused = browser.get(b, "/clinic/")
        assert refused.status == 302 and "/login" in refused.location


def _pending_credential(database_url: str) -> tuple[int, str, str]:
    """A pending credential with a number, of an Alberta or BC practitioner (the demo
    regulator's scope): its id, its number and its practitioner's public path."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            c = session.scalars(
                select(Credential)
                .join(Practitioner, Credential.practitioner_id == Practitioner.id)
                .where(
                    Credential.verification_status == VerificationStatus.PENDING,
                    Credential.credential_number != "",
                    Practitioner.jurisdiction_code.in_(["CA-AB", "CA-BC"]),
                )
                .order_by(Credential.id)
                .limit(1)
            ).one()
            p = c.practitioner
            key = f"{p.jurisdiction_code}/{p.profession_code}/{p.registration_number}"
            return c.id, c.credential_number, f"/practitioners/{key}"
    finally:
        engine.dispose()


def _public_state(browser: Browser, base: str, path: str, number: str) -> tuple[str, str]:
    """The credential's verification on the public page (its table row) and in the API."""
    page = browser.get(base, path)
    assert page.status == 200
    row = next(r for r in re.findall(r"<tr.*?</tr>", page.body, re.S) if f">{number}<" in r)
    in_page = re.search(r"Pending verification|Verified|Rejected|Revoked", row).group(0)
    record = browser.get(base, "/api/v1" + path)
    assert record.status == 200
    (credential,) = [c for c in record.json()["credentials"] if c["number"] == number]
    return in_page, credential["verification_status"]


def test_a_change_written_through_one_instance_shows_at_once_on_the_other(deployment):
    a, b = deployment.a, deployment.b
    credential_id, number, path = _pending_credential(deployment.database_url)
    public = Browser()
    # B answers first (and keeps the answer in its one worker's cache); so does A.
    assert _public_state(public, b, path, number) == ("Pending verification", "pending")
    assert _public_state(public, a, path, number) == ("Pending verification", "pending")

    regulator = Browser()
    assert regulator.log_in(a, *REGULATOR).status == 302
    page = regulator.get(a, "/regulator" + path)
    action = f"/regulator/credentials/{credential_id}/decision"
    form = hidden_fields(page.body, action)
    decided = regulator.post(a, action, {**form, f"c{credential_id}-decision": "verified"})
    assert decided.status in (302, 303), decided.body[:500]

    assert _public_state(public, b, path, number) == ("Verified", "verified")


def test_wrong_passwords_split_between_instances_share_one_login_limit(deployment):
    a, b = deployment.a, deployment.b
    limit = parse_limit(Config.LOGIN_LIMIT_PER_ACCOUNT).amount
    stranger = Browser()
    answers = [
        stranger.log_in((a, b)[i % 2], ADMIN_EMAIL, f"wrong-{i}").status for i in range(limit)
    ]
    # Each instance saw at most half of them: counted per process, neither would refuse yet.
    assert answers == [401] * limit
    assert stranger.log_in(a, ADMIN_EMAIL, "wrong-again").status == 429
    assert stranger.log_in(b, ADMIN_EMAIL, "wrong-again").status == 429
