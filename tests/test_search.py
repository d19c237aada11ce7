"""Search as people type it: accents and case ignored on both databases, registration numbers
by their first characters, exact matches first."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest
from sqlalchemy import func, select, text

from registry.models import Practitioner, StoredVerdict
from registry.models.folding import fold_text
from registry.read.stored import may_today
from registry.rules.model import MODALITY_ORDER as MODALITIES
from registry.services.practitioners import update_practitioner

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


def total(client, **params) -> int:
    response = client.get("/api/v1/practitioners", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["total"]


def test_may_perform_totals_equal_counting_each_practitioner(client, demo, session):
    """A "may perform" search without a name counts the authorized stored rows (which say
    where their practitioner is); that total is the number of practitioners its filters and
    ``may_today`` select, for every jurisdiction, profession and city on file."""
    P, today = Practitioner, date.today()
    places = session.execute(select(P.jurisdiction_code, P.profession_code, P.city).distinct())
    filters: set[tuple] = set()
    for jurisdiction, profession, city in places:
        filters |= {(jurisdiction, None, None), (jurisdiction, profession, None)}
        filters |= {(None, profession, None), (None, None, city), (None, None, None)}
    seen_someone = False
    for (jurisdiction, profession, city), modality in product(sorted(filters, key=str), MODALITIES):
        where = [may_today(modality, today)]
        where += [P.jurisdiction_code == jurisdiction] if jurisdiction else []
        where += [P.profession_code == profession] if profession else []
        where += [func.lower(P.city) == city.lower()] if city else []
        expected = session.scalar(select(func.count()).select_from(P).where(*where))
        params = {"jurisdiction": jurisdiction, "profession": profession, "city": city}
        params = {k: v for k, v in params.items() if v} | {"modality": modality}
        assert total(client, **params) == expected, params
        seen_someone = seen_someone or expected > 0
    assert seen_someone


def test_someone_who_moves_is_counted_in_their_new_city(client, demo, session):
    row = session.execute(
        select(StoredVerdict.practitioner_id, StoredVerdict.modality).where(
            StoredVerdict.verdict == "authorized", StoredVerdict.city.is_not(None)
        )
    ).first()
    p = session.get(Practitioner, row.practitioner_id)
    old = p.city
    before = total(client, city=old, modality=row.modality)
    update_practitioner(session, "test", p, {"city": "Elsewhere Falls"}, p.version)
    session.commit()
    assert total(client, city="elsewhere falls", modality=row.modality) == 1
    assert total(client, city=old, modality=row.modality) == before - 1


def test_postgresql_plans_every_search_for_its_own_prefix(session):
    """A generic plan of ``LIKE $1`` cannot use the prefix's index range: after five runs of
    a search's statement PostgreSQL could switch to one and read the whole table."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL plans only")
    assert session.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"


def test_postgresql_keeps_finer_statistics_of_folded_names(session):
    """Enough histogram buckets that a name prefix is estimated right (migration 0017), so
    "Charlotte Mart" is looked up in the given-and-family index, not the family one."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL statistics only")
    targets = session.execute(
        text(
            "SELECT c.relname, a.attnum, a.attstattarget FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname IN "
            "('ix_practitioners_family_key_folded', 'ix_practitioners_given_family_folded')"
        )
    )
    assert {(name, number): target for name, number, target in targets} == {
        ("ix_practitioners_family_key_folded", 1): 500,
        ("ix_practitioners_given_family_folded", 1): 500,
        ("ix_practitioners_given_family_folded", 2): 500,
    }
