"""A practitioner's own account, end to end in Chromium: their regulator invites them, the
emailed link sets a password, they submit a renewal that reads "Pending verification"; a
clinic's request waits for them, they accept it, then end it (after a confirmation)."""

from __future__ import annotations

import re

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from ..mail_helpers import Outbox, free_port
from .conftest import log_in, shoot

REGULATOR = ("regulator@registry.example", "maple-harbour-1717")  # CA-AB and CA-BC
HARBOUR_MANAGER = ("harbour.manager@registry.example", "tidal-basin-lantern-8080")
OMAR = "/regulator/practitioners/CA-AB/physiotherapist/AB-1002"  # Omar Sato, Bow River Physio
PASSWORD = "my own quiet password 2026"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def outbox(live_app):
    handler = Outbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    live_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_SECURITY="none")
    yield handler
    controller.stop()


@pytest.fixture
def harbour_manager(live_app):
    result = live_app.test_cli_runner().invoke(
        args=["registry", "create-user", HARBOUR_MANAGER[0], "--role", "clinic_manager",
              "--clinic", "Harbour Physiotherapy", "--password-stdin"],
        input=HARBOUR_MANAGER[1] + "\n",
    )  # fmt: skip
    assert result.exit_code == 0 or "exists" in result.output, result.output
    return HARBOUR_MANAGER


def link_in(outbox: Outbox, to: str) -> str:
    mails = outbox.take()
    assert [m.to for m in mails] == [to]
    return re.search(r"https?://[^/\s]+(/\S+)", mails[0].body).group(1)


def test_invited_practitioner_renews_and_answers_a_clinic(
    page, browser, live_server, outbox, harbour_manager, tmp_path
):
    # the regulator invites Omar from his record
    log_in(page, *REGULATOR)
    page.wait_for_url("**/regulator/")
    page.goto(OMAR)
    page.get_by_role("button", name="Invite them to set up an account").click()
    expect(page.locator(".flash")).to_contain_text("invitation is on its way")
    shoot(page, "regulator-invited")
    welcome = link_in(outbox, "omar.sato.1@example.org")
    page.get_by_role("button", name="Log out").click()

    # Omar follows the emailed link and chooses a password
    page.goto(welcome)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your account")
    shoot(page, "practitioner-welcome")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Open my account").click()
    page.wait_for_url("**/me")
    expect(page.locator(".flash")).to_contain_text("Your account is open")
    expect(page.locator("h1")).to_have_text("Omar Sato")
    shoot(page, "practitioner-home")

    # he submits the renewal of a credential, with its certificate
    renewal = page.locator("details", has_text="Submit a renewal of").first
    renewal.locator("summary").click()
    evidence = tmp_path / "renewal.pdf"
    evidence.write_bytes(PDF)
    renewal.get_by_label("Issued on").fill("2026-11-01")
    renewal.get_by_label("Expires on").fill("2028-11-01")
    renewal.get_by_label("Evidence file").set_input_files(str(evidence))
    renewal.get_by_role("button", name="Submit renewal").click()
    expect(page.locator(".flash")).to_contain_text("Renewal submitted")
    row = page.locator("section[aria-labelledby=credentials] tr", has_text="2026-11-01").first
    expect(row).to_contain_text("Pending verification")
    shoot(page, "practitioner-renewal-pending")

    # Harbour Physiotherapy asks to add him to its staff: it sees nothing private meanwhile
    clinic = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    desk = clinic.new_page()
    log_in(desk, *harbour_manager)
    desk.wait_for_url("**/clinic/")
    form = desk.locator("form", has=desk.get_by_role("button", name="Ask them to join the staff"))
    form.get_by_label("Jurisdiction").select_option("CA-AB")
    form.get_by_label("Profession").select_option("physiotherapist")
    form.get_by_label("Registration number").fill("AB-1002")
    form.get_by_role("button", name="Ask them to join the staff").click()
    expect(desk.locator(".flash")).to_contain_text("is asked to join the staff")
    expect(desk.locator("#requests + p + ul")).to_contain_text("waiting for their answer")
    expect(desk.locator("main")).not_to_contain_text("omar.sato.1@example.org")
    shoot(desk, "clinic-request-waiting")
    outbox.take()  # the request's email; he answers on his page instead

    page.reload()
    request = page.locator("#clinics ~ ul li", has_text="Harbour Physiotherapy")
    expect(request).to_contain_text("asks to add you to its staff")
    shoot(page, "practitioner-clinic-request")
    request.get_by_role("button", name="Accept").click()
    expect(page.locator(".flash")).to_contain_text("can now see your contact details")

    desk.reload()
    expect(desk.locator("table.staff")).to_contain_text("AB-1002")  # (another Omar works there)

    # and ends it: a confirmation first
    page.locator("#clinics ~ ul li", has_text="Harbour Physiotherapy").get_by_role(
        "button", name="End this link"
    ).click()
    expect(page.locator("h1")).to_have_text("End the link with Harbour Physiotherapy?")
    shoot(page, "practitioner-confirm-end")
    page.get_by_role("button", name="End the link").click()
    expect(page.locator(".flash")).to_contain_text("is no longer linked to you")

    desk.reload()
    expect(desk.locator("main")).not_to_contain_text("AB-1002")
    clinic.close()
