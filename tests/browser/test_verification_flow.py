"""A claim waits for the regulator: a manager's upload reads "Pending verification" on the
public page, "Authorized" once the regulator verifies it, "Not authorized" once they reject it."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import log_in, shoot

MANAGER = ("manager@registry.example", "cedar-orbit-9393")  # Bow River Physio, Calgary
REGULATOR = ("regulator@registry.example", "maple-harbour-1717")  # CA-AB and CA-BC
# Chloé Sharma: an Alberta physiotherapist of Bow River Physio with a course and no
# needling authorization on file.
PUBLIC = "/practitioners/CA-AB/physiotherapist/AB-1010"
CLINIC = "/clinic/practitioners/CA-AB/physiotherapist/AB-1010"
REGULATOR_PAGE = "/regulator/practitioners/CA-AB/physiotherapist/AB-1010"


def public_verdict(browser, live_server) -> str:
    """The dry-needling answer an anonymous visitor sees, in a context of its own."""
    context = browser.new_context(base_url=live_server)
    try:
        page = context.new_page()
        page.goto(PUBLIC)
        return page.locator("#modality-dry_needling + p .badge").inner_text()
    finally:
        context.close()


def test_a_managers_upload_waits_for_the_regulator(page, browser, live_server, tmp_path):
    assert public_verdict(browser, live_server) == "Not authorized"

    evidence = tmp_path / "roster-entry.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    log_in(page, *MANAGER)
    page.wait_for_url("**/clinic/")
    page.goto(CLINIC)
    form = page.locator("form", has=page.get_by_role("button", name="Add credential"))
    form.get_by_label("Credential").select_option("needling_authorization")
    form.get_by_label("Issuer").fill("College of Physiotherapists of Alberta")
    form.get_by_label("Certificate number").fill("RA-20931")
    form.get_by_label("Issued on").fill("2026-09-01")
    form.get_by_label("Evidence file").set_input_files(str(evidence))
    form.get_by_role("button", name="Add credential").click()
    expect(page.locator("main")).to_contain_text("RA-20931")
    expect(page.locator("main")).to_contain_text("Pending verification")
    shoot(page, "clinic-practitioner-pending")
    page.get_by_role("button", name="Log out").click()

    # the public sees a claim, never an authorization
    assert public_verdict(browser, live_server) == "Pending verification"

    log_in(page, *REGULATOR)
    page.wait_for_url("**/regulator/")
    page.goto("/regulator/verification")
    row = page.locator("tr", has_text="RA-20931")
    expect(row).to_contain_text("from Bow River Physio")
    shoot(page, "regulator-verification-queue")
    row.get_by_label("Note").fill("On the College's public register")
    row.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_contain_text("verified")
    assert public_verdict(browser, live_server) == "Authorized"

    page.goto(REGULATOR_PAGE)
    row = page.locator("tr[id^=credential-]", has_text="RA-20931")
    row.locator("summary", has_text="Record a decision").click()
    row.get_by_label("Note").fill("The register entry belongs to another physiotherapist")
    row.get_by_role("button", name="Reject…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reject this credential?")
    shoot(page, "regulator-confirm-rejection")
    page.get_by_role("button", name="Reject the credential").click()
    expect(page.get_by_role("status")).to_contain_text("rejected")
    expect(page.locator("tr[id^=credential-]", has_text="RA-20931")).to_contain_text("Rejected")
    shoot(page, "regulator-practitioner-history")
    assert public_verdict(browser, live_server) == "Not authorized"

    page.goto(PUBLIC)
    expect(page.locator("main")).to_contain_text("was rejected on")
    shoot(page, "public-practitioner-rejected")
