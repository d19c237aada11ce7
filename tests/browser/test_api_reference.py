"""The API reference, as someone who just made a token reads it."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

from .conftest import log_in, shoot

MANAGER = ("manager@registry.example", "cedar-orbit-9393")


def test_the_tokens_page_leads_to_a_readable_reference(page, live_server):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    log_in(page, *MANAGER)
    page.goto("/account/tokens")
    page.get_by_role("link", name="the API reference").click()
    page.wait_for_url("**/api/reference")
    expect(page.get_by_role("heading", level=1)).to_have_text("API reference")
    page.get_by_role("link", name="GET /api/v1/practitioners", exact=True).click()
    expect(page.locator("#op-searchPractitioners")).to_contain_text("Family or given name")
    page.locator("#op-getPractitioner").get_by_role("link", name="Practitioner").click()
    expect(page.locator("#shape-Practitioner")).to_contain_text("registered_since")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, "api-reference")
    own = urlsplit(live_server).netloc
    assert {urlsplit(u).netloc for u in requests} == {own}  # nothing from elsewhere
