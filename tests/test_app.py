"""The app factory, configurations and error handling."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ProductionConfig
from registry import create_app


def test_factory_finds_the_top_level_templates(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Needling Registry" in response.get_data(as_text=True)


def test_healthz_answers_ok(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404, response.status_code
    assert "error" in response.get_json()


def test_unknown_page_is_an_html_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404, response.status_code
    assert "<h1>404</h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("database_url", "secret", "reason"),
    [
        (None, "x" * 40, "production needs DATABASE_URL"),
        ("sqlite:///x.db", "development-only-secret", "production needs a real SECRET_KEY"),
        ("sqlite:///x.db", "short", "production needs a real SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_with_a_one_line_reason(
    monkeypatch, database_url, secret, reason
):
    monkeypatch.setattr(ProductionConfig, "DATABASE_URL", database_url)
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", secret)
    with pytest.raises(SystemExit) as exc:
        create_app(ProductionConfig)
    message = str(exc.value)
    assert reason in message and "\n" not in message


def test_production_starts_with_url_and_real_secret(monkeypatch, tmp_path):
    monkeypatch.setattr(ProductionConfig, "DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "k" * 48)
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.fixture
def production(monkeypatch, tmp_path):
    monkeypatch.setattr(ProductionConfig, "DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "k" * 48)
    return monkeypatch


@pytest.mark.parametrize(
    ("workers", "storage", "starts"),
    [
        ("2", "memory://", False),
        ("4", "memory://", False),
        ("", "memory://", True),
        ("1", "memory://", True),
        ("2", "redis://127.0.0.1:6379/0", True),
    ],
)
def test_production_refuses_per_worker_rate_limits_with_several_workers(
    production, workers, storage, starts
):
    """In memory, each worker counted logins on its own: two workers, twice the attempts."""
    production.setenv("WEB_CONCURRENCY", workers)
    production.setattr(ProductionConfig, "RATELIMIT_STORAGE_URI", storage)
    if starts:
        assert create_app(ProductionConfig).config["RATELIMIT_STORAGE_URI"] == storage
        return
    with pytest.raises(SystemExit) as exc:
        create_app(ProductionConfig)
    message = str(exc.value)
    assert f"production with {workers} workers needs RATELIMIT_STORAGE_URI" in message
    assert "\n" not in message


def test_production_refuses_a_worker_count_that_is_not_a_number(production):
    production.setenv("WEB_CONCURRENCY", "lots")
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY must be a whole number"):
        create_app(ProductionConfig)


def test_gunicorn_with_several_workers_and_memory_limits_stops_with_one_line(tmp_path):
    """gunicorn reads gunicorn.conf.py from the project folder and checks its real worker
    count (``--workers``), before any worker starts."""
    root = Path(__file__).resolve().parent.parent
    env = os.environ | {
        "REGISTRY_CONFIG": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}",
        "SECRET_KEY": "k" * 48,
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    env.pop("WEB_CONCURRENCY", None)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "--workers", "3", "--bind", "127.0.0.1:0", "wsgi:app"]
    server = subprocess.Popen(command, cwd=root, env=env, stderr=subprocess.PIPE, text=True)
    try:
        _out, stderr = server.communicate(timeout=30)
    finally:
        if server.poll() is None:  # it started after all: stop it and its workers
            server.terminate()
            server.wait(timeout=30)
    assert server.returncode != 0
    assert "registry: production with 3 workers needs RATELIMIT_STORAGE_URI" in stderr


def test_unknown_config_name_is_refused(monkeypatch):
    monkeypatch.setenv("REGISTRY_CONFIG", "staging")
    with pytest.raises(SystemExit, match="REGISTRY_CONFIG must be one of"):
        create_app()


def test_a_nul_character_is_400_and_never_a_500(demo, client, make_user, login):
    """PostgreSQL refuses NUL in text deep inside a query: a NUL in a path is 404 and in a form
    400 before any view runs; query parameters are refused by each view."""
    login(make_user("admin"))
    key = "CA-AB/physiotherapist/AB%00"
    for face in ("", "/api/v1", "/clinic", "/regulator"):
        assert client.get(f"{face}/practitioners/{key}").status_code == 404, face
    assert client.get(f"/evidence-bundles/{key}").status_code == 404
    response = client.post("/clinic/staff", data={"registration_number": "AB\x00"})
    assert response.status_code == 400
    assert "NUL characters are not allowed in a form" in response.get_data(as_text=True)
    for url in [
        "/?q=a%00b",
        "/api/v1/practitioners?q=a%00",
        "/fhir/Practitioner?name=a%00",
        "/api/v1/audit?jurisdiction=C%00",
        "/regulator/audit?jurisdiction=C%00",
        "/regulator/?jurisdiction=C%00",
        "/?city=a%00",
        "/fhir/Practitioner?identifier=a%00",
        "/clinic/?clinic=1%00",
        "/clinic/expiries?days=3%00",
        "/clinic/book?modality=ims%00",
        "/regulator/practitioners/CA-AB/physiotherapist/AB-1002?on=2026%00",
        "/api/v1/export.csv?jurisdiction=%00",
        "/api/v1/changes?since=2026%00",
    ]:
        status = client.get(url).status_code
        assert status in (400, 404), (url, status)


OMAR = "/clinic/practitioners/CA-AB/physiotherapist/AB-1002"  # on Bow River's staff
ID_URLS = [
    ("clinic_manager", "get", "/clinic/evidence/{id}"),
    (
        "clinic_manager",
        "post",
        "/clinic/practitioners/CA-AB/physiotherapist/AB-1002/credentials/{id}/renew",
    ),
    ("regulator", "post", "/regulator/verification/{id}"),
    ("regulator", "post", "/regulator/credentials/{id}/decision"),
    ("regulator", "post", "/account/tokens/{id}/revoke"),
    ("admin", "get", "/admin/users/{id}"),
    ("admin", "post", "/admin/users/{id}"),
    ("admin", "post", "/admin/users/{id}/active"),
    ("admin", "post", "/admin/users/{id}/tokens"),
    ("admin", "get", "/clinic/evidence/{id}"),
]
SCOPES = {
    "clinic_manager": {"clinics": ["Bow River Physio"]},
    "regulator": {"jurisdictions": ["CA-AB"]},
}


@pytest.mark.parametrize(("role", "method", "template"), ID_URLS)
def test_an_id_no_row_can_have_is_404_and_what_is_no_id_names_no_page(
    demo, client, make_user, login, role, method, template
):
    """Beyond a 32-bit INTEGER (PostgreSQL refused them inside the query: a 500), zero, or
    more digits than Python reads as an int by default: 404. Not a plain ASCII number (an
    Arabic-Indic three was read as user 3): no such page, 404, or 405 where the path reads
    as a GET-only page's path."""
    login(make_user(role, **SCOPES.get(role, {})))
    visit = getattr(client, method)
    for bad_id in (99_999_999_999, 2**31, 0, "9" * 5000):
        assert visit(template.format(id=bad_id)).status_code == 404, bad_id
    for not_an_id in ("-1", "1e3", "0x10", "\u0663"):
        assert visit(template.format(id=not_an_id)).status_code in (404, 405), not_an_id


def test_every_id_in_a_url_goes_through_the_id_converter(app):
    """One mechanism for ids in paths: ``<id:...>`` matches only what an INTEGER id column
    can hold, so no view needs its own range check."""
    assert [r.rule for r in app.url_map.iter_rules() if "<int:" in r.rule] == []
