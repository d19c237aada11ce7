"""Test fixtures: the schema is built by the real migrations; each test runs in a
transaction that is rolled back. TEST_DATABASE_URL selects PostgreSQL, else SQLite.

Two databases per session: an empty one, and one where the demo registry is seeded once (as
of ``DEMO_TODAY``). A test that asks for the ``demo`` fixture (directly or through another
fixture) runs on the second; every other test on the first. Either way its changes are rolled
back, so tests never see each other's writes."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from config import TestConfig
from registry import create_app, migrate
from registry.db import EXTENSION_KEY, make_engine

from .mail_helpers import outbox  # noqa: F401 (a fixture every test may ask for)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
FIXTURES = Path(__file__).parent / "fixtures"
DEMO_TODAY = date.today()  # the day the shared demo registry is seeded as of


def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        reset_postgres(TEST_DATABASE_URL)
        url = TEST_DATABASE_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'registry.sqlite3'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_database_url(tmp_path_factory):
    """A database of its own with the demo registry seeded (and committed) once."""
    from .scratch import scratch_database

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    with scratch_database(path, "registry_demo") as url:
        migrate.upgrade(url)
        seeding = create_app(TestConfig, {"DATABASE_URL": url})
        result = seeding.test_cli_runner().invoke(
            args=["registry", "seed-demo", "--today", DEMO_TODAY.isoformat()]
        )
        assert result.exit_code == 0, result.output
        seeding.extensions[EXTENSION_KEY].kw["bind"].dispose()
        yield url


@pytest.fixture(scope="session")
def demo_engine(demo_database_url):
    engine = make_engine(demo_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def demo():
    """Ask for this to run on the seeded demo registry; its value is the day it was seeded
    as of (the rolled-back transaction comes from ``app``)."""
    return DEMO_TODAY


@pytest.fixture
def app(request, database_url):
    """The app, its session bound to one connection whose transaction is rolled back; on the
    demo database when the test asks for ``demo``."""
    if "demo" in request.fixturenames:
        engine = request.getfixturevalue("demo_engine")
        database_url = request.getfixturevalue("demo_database_url")
    else:
        engine = request.getfixturevalue("engine")
    app = create_app(TestConfig, {"DATABASE_URL": database_url})
    connection = engine.connect()
    transaction = connection.begin()
    app.extensions[EXTENSION_KEY] = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    # Requests share the test's app context (and so ``g``); forget the user Flask-Login
    # cached on the last request, as a fresh production request would.
    app.before_request(lambda: g.pop("_login_user", None) and None)
    with app.app_context():
        yield app
    transaction.rollback()
    connection.close()


@pytest.fixture
def session(app):
    from registry import db

    return db.session()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def cli(runner):
    """Run a ``flask`` command: cli("registry", "audit", ...) -> click Result."""

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(args=list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def write_csv(tmp_path):
    """Write CSV text to a file and return its path."""
    counter = iter(range(1_000_000))

    def write(content: str, name: str | None = None) -> str:
        path = tmp_path / (name or f"file{next(counter)}.csv")
        path.write_text(content.lstrip("\n"), encoding="utf-8")
        return str(path)

    return write


PASSWORD = "a long test password"


@pytest.fixture
def make_user(session):
    """Create an account: make_user("regulator", jurisdictions=["CA-AB"]) -> User."""
    from registry.services.users import create_user

    counter = iter(range(1_000_000))

    def make(role: str, email: str | None = None, jurisdictions=(), clinics=()):
        email = email or f"{role}{next(counter)}@example.org"
        user = create_user(
            session, "test", email, PASSWORD, role, list(jurisdictions), list(clinics)
        )
        session.flush()
        return user

    return make


@pytest.fixture
def login(client):
    """Log the test client in as ``user``."""

    def do(user, password: str = PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do
