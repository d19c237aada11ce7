"""The browser can reach the live registry and log in with a demo account."""

from __future__ import annotations

from .conftest import log_in


def test_login_with_the_demo_regulator(page):
    log_in(page, "regulator@registry.example", "maple-harbour-1717")
    page.wait_for_url("**/regulator/")
    assert page.get_by_role("button", name="Log out").is_visible()


def test_wrong_password_shows_the_same_message(page):
    log_in(page, "regulator@registry.example", "not the password")
    assert page.get_by_text("Email or password is incorrect.").is_visible()
