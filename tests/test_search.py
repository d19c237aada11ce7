"""Search as people type it: accents and case ignored on both databases, registration numbers
by their first characters, exact matches first."""

from __future__ import annotations

import pytest

from registry.models import Practitioner
from registry.models.folding import fold_text

HEADER = (
    "jurisdiction,profession,registration_number,given_name,family_name,registration_status,"
    "registered_since\n"
)
PEOPLE = [
    "CA-QC,physiotherapist,QC-501,Chloé,Lévesque,active,2015-01-01",
    "CA-QC,physiotherapist,QC-502,Zoë,Ångström,active,2015-01-01",
    "CA-AB,physiotherapist,AB-7015,Ana,Smithers,active,2015-01-01",
    "CA-AB,physiotherapist,AB-7016,Bea,Smith,active,2015-01-01",
    "CA-AB,physiotherapist,AB-10150,Cy,Smith,active,2015-01-01",
]


@pytest.fixture
def people(cli, write_csv):
    result = cli("registry", "import-practitioners", write_csv(HEADER + "\n".join(PEOPLE) + "\n"))
    assert result.exit_code == 0, result.output


def found(client, q: str) -> list[str]:
    body = client.get("/api/v1/practitioners", query_string={"q": q}).get_json()
    return [r["registration_number"] for r in body["results"]]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Levesque", ["QC-501"]),
        ("levesque", ["QC-501"]),
        ("LÉVESQUE", ["QC-501"]),
        ("Chloe", ["QC-501"]),
        ("chloe lev", ["QC-501"]),
        ("angstrom", ["QC-502"]),
        ("Zoe", ["QC-502"]),
    ],
)
def test_accents_and_case_do_not_matter(client, people, typed, expected):
    assert found(client, typed) == expected


def test_a_registration_number_is_found_by_its_first_characters(client, people):
    assert found(client, "AB-701") == ["AB-7016", "AB-7015"]  # by name: Smith, Smithers
    assert found(client, "ab-1015") == ["AB-10150"]


def test_exact_matches_come_first(client, people):
    assert found(client, "smith") == ["AB-7016", "AB-10150", "AB-7015"]
    assert found(client, "AB-7015")[0] == "AB-7015"


def test_the_html_search_agrees(client, people):
    html = client.get("/", query_string={"q": "levesque"}).get_data(as_text=True)
    assert "Chloé Lévesque" in html and "1 practitioner found" in html


def test_names_changed_through_the_orm_are_refolded(session, people):
    p = session.query(Practitioner).filter_by(registration_number="QC-501").one()
    p.family_name = "Déry"
    session.flush()
    assert (p.family_key, p.given_key) == ("dery", "chloe")


@pytest.mark.parametrize(
    ("name", "key"),
    [("Lévesque", "levesque"), ("Øster", "oster"), ("Łukasz", "lukasz"), ("STRAẞE", "strasse")],
)
def test_fold_text(name, key):
    assert fold_text(name) == key
