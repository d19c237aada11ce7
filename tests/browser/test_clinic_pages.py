"""Every page of the clinic workspace in Chromium, at a phone's width (390 px) and a desktop's
(1280 px): nothing is wider than the screen (tables reflow into stacked rows instead of
scrolling sideways), and each page is saved as a screenshot for a person to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, WIDTHS, log_in

MANAGER = ("manager@registry.example", "cedar-orbit-9393")  # Bow River Physio, Calgary
STAFF = "/clinic/practitioners/CA-AB"
PAGES = {
    "clinic-staff": "/clinic/",
    "clinic-book-dry-needling": "/clinic/book",
    "clinic-book-ims": "/clinic/book?modality=ims",
    "clinic-book-acupuncture": "/clinic/book?modality=acupuncture",
    "clinic-expiries-30": "/clinic/expiries?days=30",
    "clinic-expiries-90": "/clinic/expiries?days=90",
    "clinic-gaps": "/clinic/gaps",
    "clinic-roster": "/clinic/roster",
    "clinic-calendar": "/clinic/calendar",
    "clinic-practitioner-authorized": f"{STAFF}/physiotherapist/AB-1002",
    "clinic-practitioner-lapsed": f"{STAFF}/physiotherapist/AB-1001",
    "clinic-practitioner-missing": f"{STAFF}/physiotherapist/AB-1010",
    "clinic-practitioner-massage": f"{STAFF}/massage_therapist/AB-1006",
    "clinic-practitioner-namesake": f"{STAFF}/physiotherapist/AB-1058",
}
ROSTER = "jurisdiction,profession,registration_number\n" + "".join(
    f"CA-AB,physiotherapist,NOT-ON-THE-REGISTER-{n}\n" for n in range(60)
)


@pytest.fixture
def manager(page):
    log_in(page, *MANAGER)
    page.wait_for_url("**/clinic/")
    return page


def fits(page, name: str) -> None:
    """At each width the page is no wider than the screen; saved as ``{name}-{width}.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        assert scroll <= width, f"{name} is {scroll} px wide at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("name", list(PAGES))
def test_every_clinic_page_fits_a_phone_and_a_desktop(manager, name):
    response = manager.goto(PAGES[name])
    assert response.status == 200
    fits(manager, name)


def test_the_forms_and_their_errors_fit(manager):
    manager.goto(PAGES["clinic-practitioner-authorized"])
    form = manager.locator("form", has=manager.get_by_role("button", name="Add credential"))
    expect(form.get_by_label("Credential")).to_have_value("")  # "Choose…"
    form.get_by_role("button", name="Add credential").click()
    expect(manager.get_by_text("Choose the kind of credential.")).to_be_visible()
    fits(manager, "clinic-add-credential-errors")

    manager.goto(PAGES["clinic-practitioner-authorized"])
    renew = manager.locator("details", has_text="Renew").first
    renew.locator("summary").click()
    fits(manager, "clinic-renew-open")

    manager.goto("/clinic/")
    add = manager.locator("#add ~ form")
    expect(add.get_by_label("Jurisdiction")).to_have_value("CA-AB")  # the clinic's own
    add.get_by_role("button", name="Ask them to join the staff").click()
    expect(manager.get_by_text("This field is required.")).to_be_visible()
    fits(manager, "clinic-add-staff-errors")


def test_confirmations_fit(manager):
    manager.goto("/clinic/")
    manager.get_by_role("button", name="Remove Omar Sato from staff…").click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Remove Omar Sato")
    fits(manager, "clinic-confirm-remove")

    manager.goto("/clinic/calendar")
    if manager.get_by_role("button", name="Create a calendar link").count():
        manager.get_by_role("button", name="Create a calendar link").click()
        expect(manager.locator("#calendar-url")).to_be_visible()
        fits(manager, "clinic-calendar-new-link")
    manager.goto("/clinic/calendar")
    manager.get_by_role("button", name="Revoke the link…").click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Revoke the calendar link")
    fits(manager, "clinic-confirm-calendar-revoke")
    manager.get_by_role("link", name="Cancel").click()
    expect(manager.get_by_text("A calendar link is active")).to_be_visible()  # still live


def test_a_roster_report_fits_and_the_upload_says_it_is_busy(manager, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    manager.goto("/clinic/roster")
    expect(manager.locator("main")).to_contain_text("at most 5000 rows")
    manager.get_by_label("Roster (CSV)").set_input_files(str(roster))
    # hold the form back once, to see its busy state before the page is replaced
    manager.evaluate(
        "document.querySelector('form[data-busy]').addEventListener("
        "'submit', e => e.preventDefault(), {once: true})"
    )
    manager.get_by_role("button", name="Upload").click()
    expect(manager.get_by_role("button", name="Upload")).to_be_disabled()
    expect(manager.locator(".busy")).to_contain_text("Uploading and checking")
    manager.evaluate("document.querySelector('form[data-busy]').submit()")
    expect(manager.locator(".alert")).to_contain_text("and 10 more")
    fits(manager, "clinic-roster-refused")
