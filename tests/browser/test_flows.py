"""The three faces as people use them, in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import log_in

MANAGER = ("manager@registry.example", "cedar-orbit-9393")  # Bow River Physio, Calgary
REGULATOR = ("regulator@registry.example", "maple-harbour-1717")  # CA-AB and CA-BC


def test_public_search_then_practitioner_page(page):
    page.goto("/")
    page.get_by_label("City").fill("Calgary")
    page.get_by_label("Name or registration number").fill("Sato")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Omar Sato").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Omar Sato")
    body = page.locator("main")
    expect(body).to_contain_text("Authorized")
    expect(body).to_contain_text("College of Physiotherapists of Alberta")
    expect(body).to_contain_text("Alberta rule for Physiotherapist")
    expect(body).not_to_contain_text("@example.org")  # private email never shown


def test_manager_adds_a_credential_with_evidence(page, tmp_path):
    evidence = tmp_path / "cpr-card.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    log_in(page, *MANAGER)
    page.wait_for_url("**/clinic/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bow River Physio")
    page.get_by_role("link", name="Omar Sato").first.click()
    form = page.locator("form", has=page.get_by_role("button", name="Add credential"))
    form.get_by_label("Credential").select_option("cpr_certification")
    form.get_by_label("Issuer").fill("Canadian Red Cross")
    form.get_by_label("Certificate number").fill("CRC-77123")
    form.get_by_label("Issued on").fill("2026-10-01")
    form.get_by_label("Expires on").fill("2028-10-01")
    form.get_by_label("Evidence file").set_input_files(str(evidence))
    form.get_by_role("button", name="Add credential").click()
    credentials = page.locator("main")
    expect(credentials).to_contain_text("CRC-77123")
    expect(page.get_by_role("link", name="Evidence").first).to_be_visible()


def test_regulator_audits_a_past_date_then_verifies_a_credential(page):
    log_in(page, *REGULATOR)
    page.wait_for_url("**/regulator/")
    page.goto("/regulator/audit")
    page.get_by_label("Jurisdiction").select_option("CA-BC")
    page.get_by_label("As of").fill("2022-05-31")
    page.get_by_role("button", name="Show").click()
    table = page.locator("main")
    expect(table).to_contain_text("2022-05-31")
    expect(table).not_to_contain_text("liability insurance expired")  # not required yet
    page.get_by_label("As of").fill("2026-11-21")
    page.get_by_role("button", name="Show").click()
    expect(table).to_contain_text("liability insurance expired")

    page.goto("/regulator/verification")
    row = page.locator("tr", has_text="needling authorization").first
    action = row.locator("form").get_attribute("action").split("?")[0]
    row.get_by_label("Note").fill("Confirmed with the College register")
    row.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_contain_text("verified")
    expect(page.locator(f'form[action^="{action}"]')).to_have_count(0)  # left the queue
