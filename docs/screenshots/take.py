"""Take the README's screenshots of the faces from a running demo registry.

make run            # in another terminal: serves the demo on http://127.0.0.1:5000
.venv/bin/python docs/screenshots/take.py [BASE_URL]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).parent
BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
MANAGER = ("manager@registry.example", "cedar-orbit-9393")
REGULATOR = ("regulator@registry.example", "maple-harbour-1717")
PRACTITIONER = ("chloe.sharma.9@example.org", "willow-canyon-2626")
SHOTS = [
    (None, "/?city=Calgary&modality=dry_needling", "public-search.png"),
    (None, "/practitioners/CA-AB/physiotherapist/AB-1002", "public-practitioner.png"),
    (("manager@registry.example", "cedar-orbit-9393"), "/clinic/", "clinic-staff.png"),
    (
        ("manager@registry.example", "cedar-orbit-9393"),
        "/clinic/book?modality=ims",
        "clinic-booking.png",
    ),
    (
        ("regulator@registry.example", "maple-harbour-1717"),
        "/regulator/",
        "regulator-dashboard.png",
    ),
    (
        ("regulator@registry.example", "maple-harbour-1717"),
        "/regulator/audit?jurisdiction=CA-BC",
        "regulator-audit.png",
    ),
    (REGULATOR, "/evidence-bundles/CA-AB/physiotherapist/AB-1002", "evidence-bundle.png"),
    (MANAGER, "/account/tokens", "api-tokens.png"),
    (PRACTITIONER, "/me", "practitioner-home.png"),
]


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for login, path, name in SHOTS:
            page = browser.new_page(base_url=BASE, viewport={"width": 1200, "height": 900})
            if login:
                page.goto("/login")
                page.get_by_label("Email").fill(login[0])
                page.get_by_label("Password").fill(login[1])
                page.get_by_role("button", name="Log in").click()
                page.wait_for_load_state()
            page.goto(path)
            if name == "api-tokens.png":  # show a token the moment it is made
                page.get_by_label("Token name").fill("Clinic scheduling sync")
                page.get_by_role("button", name="Create token").click()
                page.wait_for_load_state()
            page.screenshot(path=str(HERE / name), full_page=False)
            page.close()
            print("wrote", HERE / name)
        browser.close()


if __name__ == "__main__":
    main()
