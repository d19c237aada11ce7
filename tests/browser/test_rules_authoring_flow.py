"""A regulator downloads the rules of their jurisdictions, edits one, previews what it would
change and activates it with a note."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import log_in, shoot

REGULATOR = ("regulator@registry.example", "maple-harbour-1717")  # CA-AB and CA-BC
CLASSES = "  registration_classes:\n  - general\n  - courtesy\n"


def test_a_regulator_edits_their_rules_and_activates_them_with_a_note(page):
    log_in(page, *REGULATOR)
    page.wait_for_url("**/regulator/")
    page.goto("/regulator/rules")
    shoot(page, "regulator-rules")
    downloaded = page.request.get("/regulator/rules/download.yaml").text()
    assert "jurisdiction: CA-AB" in downloaded and "jurisdiction: ON" not in downloaded
    edited = downloaded.replace(CLASSES, CLASSES + "  - provisional\n", 1)
    assert edited != downloaded

    page.goto("/regulator/rules/upload")
    page.get_by_label("Rules file (YAML)").set_input_files(
        {"name": "west.yaml", "mimeType": "application/yaml", "buffer": edited.encode()}
    )
    page.get_by_role("button", name="Check and preview").click()
    main = page.locator("main")
    expect(main).to_contain_text(
        "registration classes: general, courtesy → general, courtesy, provisional"
    )
    expect(main).to_contain_text("would become authorized")
    expect(page.locator("#impact-summary")).to_contain_text("3")
    shoot(page, "regulator-rules-preview")

    page.get_by_role("button", name="Activate as a new version").click()
    expect(page.get_by_text("Say what this version changes and why.")).to_be_visible()
    page.get_by_label("What changes, and why").fill("Interns may needle under supervision (test)")
    page.get_by_role("button", name="Activate as a new version").click()
    expect(page.get_by_role("status")).to_contain_text("is active")
