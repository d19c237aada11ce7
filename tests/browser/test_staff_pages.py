"""Every page of the regulator, admin, public and evidence-bundle faces at a phone's width
(390 px) and a desktop's (1280 px): nothing scrolls sideways, and a screenshot of each is
saved for a person to look at (tests/browser/screenshots/)."""

from __future__ import annotations

import pytest

from .conftest import WIDTHS, log_in, shoot

REGULATOR = ("regulator@registry.example", "maple-harbour-1717")  # CA-AB and CA-BC
ADMIN = ("admin@registry.example", "ridge-lantern-4242")
RECORD = "CA-AB/physiotherapist/AB-1010"  # Chloé Sharma

PAGES = {
    REGULATOR: [
        ("regulator-dashboard", "/regulator/"),
        ("regulator-audit", "/regulator/audit"),
        ("regulator-audit-out-of-scope", "/regulator/audit?jurisdiction=CA-ON"),
        ("regulator-practitioner", f"/regulator/practitioners/{RECORD}"),
        ("regulator-verification", "/regulator/verification"),
        ("regulator-rules", "/regulator/rules"),
        ("regulator-rules-upload", "/regulator/rules/upload"),
        ("evidence-bundle", f"/evidence-bundles/{RECORD}"),
        ("tokens", "/account/tokens"),
    ],
    ADMIN: [
        ("admin-users", "/admin/users"),
        ("admin-user", "/admin/users/2"),
        ("admin-user-manager", "/admin/users/3"),
        ("admin-clinics", "/admin/clinics"),
    ],
    None: [
        ("public-index", "/"),
        ("public-search", "/?q=sharma"),
        ("public-search-no-hits", "/?q=Mei+Smyth&city=Calgary&jurisdiction=CA-AB"),
        ("public-search-bad-field", "/?q=sharma&modality=cupping"),
        ("public-practitioner", f"/practitioners/{RECORD}"),
        ("public-about", "/about"),
    ],
}


def _fits(page, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{name} is {scroll} px wide at {width} px"
        if width < 600:  # tables reflow to stacked rows: none wider than the screen
            widest = page.evaluate(
                "Math.max(0, ...[...document.querySelectorAll('table')]"
                ".map(t => t.getBoundingClientRect().right))"
            )
            assert widest <= width, f"a table of {name} reaches {widest} px at {width} px"


@pytest.mark.parametrize("who", list(PAGES), ids=["regulator", "admin", "public"])
def test_every_page_fits_a_phone_and_a_desktop(page, who):
    if who is not None:
        log_in(page, *who)
        page.wait_for_load_state()
    for name, url in PAGES[who]:
        page.goto(url)
        _fits(page, name)
        shoot(page, name)


def test_revoking_a_token_and_deactivating_ask_first(page):
    log_in(page, *ADMIN)
    page.wait_for_url("**/admin/users")
    page.goto("/admin/users/2")
    page.get_by_role("button", name="Deactivate account…").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Deactivate ")
    _fits(page, "admin-confirm-deactivate")
    shoot(page, "admin-confirm-deactivate")
    page.get_by_role("link", name="Cancel").click()
    assert "Deactivate account…" in page.content()
