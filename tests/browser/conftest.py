"""Browser tests: Playwright drives Debian's Chromium against a live server on a seeded
database of its own (SQLite, or PostgreSQL when TEST_DATABASE_URL is set).

Without /usr/bin/chromium they are skipped with a reason, unless REQUIRE_BROWSER_TESTS=1
(set by .ci/run), which turns the absence into a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from config import TestConfig
from registry import create_app, migrate

from ..scratch import scratch_database

CHROMIUM = "/usr/bin/chromium"
DEMO_TODAY = "2026-11-21"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_or_skip() -> None:
    if os.path.exists(CHROMIUM) and shutil.which("chromium"):
        return
    message = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def live_database(tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "live.sqlite3"
    with scratch_database(path, "registry_browser") as url:
        yield url


@pytest.fixture(scope="session")
def live_app(live_database, tmp_path_factory):
    migrate.upgrade(live_database)
    app = create_app(
        TestConfig,
        {
            "DATABASE_URL": live_database,
            "WTF_CSRF_ENABLED": True,
            "EVIDENCE_FOLDER": str(tmp_path_factory.mktemp("evidence")),
            "LOGIN_LIMIT_PER_ACCOUNT": "100 per minute",
            "LOGIN_LIMIT_PER_ADDRESS": "100 per minute",
        },
    )
    result = app.test_cli_runner().invoke(args=["registry", "seed-demo", "--today", DEMO_TODAY])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    """The base URL of the app served on a free local port for the whole session."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).parent / "screenshots"))
WIDTHS = (390, 1280)


def shoot(page, name: str) -> list[Path]:
    """The page as a phone (390 px) and a desktop (1280 px) show it, full length, saved as
    ``{name}-{width}.png`` for a person to look at (tests/browser/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    saved = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        path = SCREENSHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path)
    page.set_viewport_size({"width": 1280, "height": 900})
    return saved
