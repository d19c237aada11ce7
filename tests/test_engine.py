"""The rules engine against CONTRACT §5, case by case and at every boundary."""

from __future__ import annotations

from datetime import date

import pytest

from registry.rules import authorization, evaluate
from registry.rules.engine import months_before, whole_years

from .engine_helpers import D, book, cred, person, rule

AUTH = {"credential": "needling_authorization"}


def kinds(p, b, as_of=D, window=60) -> list[tuple[str | None, str]]:
    return [(g.modality, g.kind) for g in evaluate(p, b, as_of, window)]


# -- registration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, []),
        ({"registered_since": "2026-11-22"}, [(None, "registration_inactive")]),
        ({"registered_since": "2026-11-21"}, []),
        ({"registration_expires_on": "2026-11-20"}, [(None, "registration_inactive")]),
        ({"registration_expires_on": "2026-11-21"}, [(None, "expiring_soon")]),
        ({"registration_expires_on": "2027-01-20"}, [(None, "expiring_soon")]),  # D + 60
        ({"registration_expires_on": "2027-01-21"}, []),  # D + 61
        (
            {"registration_status": "lapsed", "status_since": "2026-11-21"},
            [(None, "registration_inactive")],
        ),
        ({"registration_status": "suspended", "status_since": "2026-11-22"}, []),
        (
            {"registration_status": "retired", "status_since": "2015-01-01"},
            [(None, "registration_inactive")],
        ),
    ],
)
def test_registration(overrides, expected):
    p = person(cred(), modalities=(), **overrides)
    assert kinds(p, book()) == expected


def test_registration_expiring_soon_names_its_type():
    p = person(modalities=(), registration_expires_on="2026-12-01")
    (gap,) = evaluate(p, book(), D)
    assert (gap.severity, gap.credential_type) == ("warning", "registration")
    assert gap.detail == "registration expires 2026-12-01"


# -- choosing the rule --------------------------------------------------------------------------


def test_no_rule_is_a_warning_and_nothing_more():
    (gap,) = evaluate(person(), book(rule(AUTH, jurisdiction="CA-BC")), D)
    assert (gap.kind, gap.severity, gap.rule_id) == ("no_rule", "warning", None)


def test_not_permitted_is_outside_scope_and_nothing_more():
    b = book(rule(AUTH, permitted=False, registration_classes=("courtesy",)))
    (gap,) = evaluate(person(), b, D)
    assert (gap.kind, gap.severity, gap.rule_id, gap.source) == (
        "outside_scope",
        "error",
        "r1",
        "https://example.org/r",
    )


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2024-06-21", [("dry_needling", "outside_scope")]),
        ("2024-06-22", [("dry_needling", "missing_credential")]),
        ("2030-01-01", [("dry_needling", "missing_credential")]),
        ("1999-12-31", [(None, "registration_inactive"), ("dry_needling", "no_rule")]),
    ],
)
def test_the_rule_in_force_on_the_audit_date_applies(as_of, expected):
    b = book(
        rule(id="old", permitted=False, effective_from="2000-01-01", effective_to="2024-06-21"),
        rule(AUTH, id="new", effective_from="2024-06-22"),
    )
    assert kinds(person(), b, date.fromisoformat(as_of)) == expected


@pytest.mark.parametrize(
    ("held", "expected"),
    [
        ("general", []),
        ("General", []),
        ("provisional", ["wrong_registration_class"]),
        (None, ["wrong_registration_class"]),
    ],
)
def test_registration_class(held, expected):
    b = book(rule(registration_classes=("general", "courtesy")))
    assert [k for _, k in kinds(person(registration_class=held), b)] == expected


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("2024-11-21", []),
        ("2024-11-22", ["insufficient_experience"]),
        ("2026-01-01", ["insufficient_experience"]),
    ],
)
def test_whole_years_registered(since, expected):
    b = book(rule(min_years_registered=2))
    assert [k for _, k in kinds(person(registered_since=since, status_since=since), b)] == expected


def test_class_and_experience_gaps_do_not_stop_the_requirements():
    b = book(rule(AUTH, registration_classes=("general",), min_years_registered=5))
    p = person(registration_class="provisional", registered_since="2025-01-01")
    assert [k for _, k in kinds(p, b)] == [
        "wrong_registration_class",
        "insufficient_experience",
        "missing_credential",
    ]


# -- requirement items --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("credentials", "item", "expected"),
    [
        ((), AUTH, "missing_credential"),
        ((cred(issued="2026-11-22"),), AUTH, "missing_credential"),
        ((cred(issued="2026-11-21"),), AUTH, None),
        ((cred(revoked=True),), AUTH, "missing_credential"),
        ((cred(expires="2026-11-20"),), AUTH, "expired"),
        ((cred(expires="2026-11-21"),), AUTH, "expiring_soon"),
        ((cred(expires="2027-01-20"),), AUTH, "expiring_soon"),
        ((cred(expires="2027-01-21"),), AUTH, None),
        ((cred(expires="2026-12-01"), cred(issued="2021-01-01")), AUTH, None),
        (
            (cred(expires="2026-12-01"), cred(issued="2021-01-01", expires="2026-12-31")),
            AUTH,
            "expiring_soon",
        ),
        ((cred(expires="2020-06-01"), cred(issued="2021-01-01", expires="2030-01-01")), AUTH, None),
        ((cred(issuer="CPTA"),), {**AUTH, "issuers": ["cpta"]}, None),
        ((cred(issuer="CPTA Inc"),), {**AUTH, "issuers": ["CPTA"]}, "unapproved_issuer"),
        (
            (cred(issuer="Other", expires="2020-01-01"),),
            {**AUTH, "issuers": ["CPTA"]},
            "unapproved_issuer",
        ),
        ((cred(issuer="CPTA", expires="2020-01-01"),), {**AUTH, "issuers": ["CPTA"]}, "expired"),
        ((cred(),), {**AUTH, "verified": True}, "unverified"),
        ((cred(), cred(issued="2019-01-01", verified=True)), {**AUTH, "verified": True}, None),
        (
            (cred(verified=True, expires="2020-01-01"), cred()),
            {**AUTH, "verified": True},
            "unverified",
        ),
    ],
)
def test_requirement_item(credentials, item, expected):
    gaps = evaluate(person(*credentials), book(rule(item)), D)
    assert [g.kind for g in gaps] == ([expected] if expected else [])


COURSE = {"credential": ["dry_needling_course", "ims_certification"], "min_hours": 40}


@pytest.mark.parametrize(
    ("credentials", "item", "expected", "detail"),
    [
        (
            (cred("dry_needling_course", hours=24),),
            COURSE,
            "insufficient_hours",
            "24 of 40 required hours (dry needling course or IMS certification)",
        ),
        (
            (cred("dry_needling_course", hours=20), cred("ims_certification", hours=20)),
            COURSE,
            None,
            None,
        ),
        (
            (cred("dry_needling_course", hours=20), cred("ims_certification", hours=19.5)),
            COURSE,
            "insufficient_hours",
            "39.5 of 40 required hours (dry needling course or IMS certification)",
        ),
        (
            (
                cred("dry_needling_course", hours=50, expires="2020-01-01"),
                cred("ims_certification", hours=10),
            ),
            COURSE,
            "insufficient_hours",
            None,
        ),
        (
            (cred("dry_needling_course", hours=50, in_person_hours=10),),
            {**COURSE, "min_in_person_hours": 20},
            "insufficient_hours",
            "10 of 20 required in-person hours (dry needling course or IMS certification)",
        ),
        (
            (cred("supervised_sessions", sessions=200),),
            {"credential": "supervised_sessions", "min_sessions": 250},
            "insufficient_sessions",
            "200 of 250 required supervised sessions (supervised sessions)",
        ),
        (
            (
                cred("supervised_sessions", sessions=100),
                cred("supervised_sessions", "2021-01-01", sessions=150),
            ),
            {"credential": "supervised_sessions", "min_sessions": 250},
            None,
            None,
        ),
        (
            (cred("dry_needling_course", issued="2023-11-21", hours=40),),
            {**COURSE, "within_months": 36},
            None,
            None,
        ),
        (
            (cred("dry_needling_course", issued="2023-11-20", hours=40),),
            {**COURSE, "within_months": 36},
            "insufficient_hours",
            "0 of 40 required hours in the last 36 months "
            "(dry needling course or IMS certification)",
        ),
        (
            (cred("dry_needling_course", hours=24),),
            {"credential": "dry_needling_course"},
            None,
            None,
        ),
    ],
)
def test_hours_and_sessions(credentials, item, expected, detail):
    gaps = evaluate(person(*credentials), book(rule(item)), D)
    assert [g.kind for g in gaps] == ([expected] if expected else [])
    if detail:
        assert gaps[0].detail == detail
        assert (
            gaps[0].credential_type == item["credential"][0]
            if isinstance(item["credential"], list)
            else item["credential"]
        )


def test_each_item_gives_at_most_one_gap_and_all_items_are_checked():
    b = book(rule(AUTH, {"credential": "cpr_certification"}, COURSE))
    p = person(
        cred("cpr_certification", expires="2026-01-01"), cred("dry_needling_course", hours=10)
    )
    assert [(g.kind, g.credential_type) for g in evaluate(p, b, D)] == [
        ("missing_credential", "needling_authorization"),
        ("expired", "cpr_certification"),
        ("insufficient_hours", "dry_needling_course"),
    ]


def test_window_is_configurable():
    p = person(cred(expires="2026-12-15"))
    assert kinds(p, book(rule(AUTH)), window=10) == []
    assert kinds(p, book(rule(AUTH)), window=24) == [("dry_needling", "expiring_soon")]


def test_only_performed_modalities_are_checked_in_contract_order():
    p = person(modalities=("acupuncture", "ims", "dry_needling"))
    b = book(rule(AUTH), rule(id="acu", modalities=("acupuncture",), permitted=False))
    assert kinds(p, b) == [
        ("dry_needling", "missing_credential"),
        ("ims", "missing_credential"),
        ("acupuncture", "outside_scope"),
    ]


def test_gap_carries_who_and_why():
    (gap,) = evaluate(person(), book(rule(AUTH)), D)
    assert gap.to_dict() == {
        "jurisdiction": "CA-AB",
        "profession": "physiotherapist",
        "registration_number": "A1",
        "name": "Jane Roe",
        "modality": "dry_needling",
        "kind": "missing_credential",
        "severity": "error",
        "credential_type": "needling_authorization",
        "rule_id": "r1",
        "source": "https://example.org/r",
        "detail": "no needling authorization on file",
    }


# -- authorization and its basis ------------------------------------------------------------------


def test_authorization_names_the_credentials_it_rests_on():
    auth_cred = cred(issuer="CPTA", verified=True)
    course = cred("dry_needling_course", "2019-05-01", issuer="Acupuncture Canada", hours=45)
    p = person(
        auth_cred, course, cred("dry_needling_course", "2010-01-01", hours=2, expires="2011-01-01")
    )
    result = authorization(p, book(rule({**AUTH, "verified": True}, COURSE)), D, "dry_needling")
    assert result.authorized and result.rule.id == "r1"
    assert [b.credentials for b in result.basis] == [(auth_cred,), (course,)]


def test_warnings_do_not_withdraw_authorization_but_errors_do():
    b = book(rule({**AUTH, "verified": True}))
    expiring = person(cred(verified=True, expires="2026-12-01"))
    assert authorization(expiring, b, D, "dry_needling").verdict == "authorized"
    assert authorization(person(cred()), b, D, "dry_needling").verdict == "pending_verification"
    lapsed = person(cred(verified=True), registration_status="lapsed")
    result = authorization(lapsed, b, D, "dry_needling")
    assert result.verdict == "not_authorized" and result.gaps[0].kind == "registration_inactive"
    assert authorization(person(), b, D, "dry_needling").verdict == "not_authorized"


def test_authorization_works_for_undeclared_modalities():
    result = authorization(person(cred(), modalities=()), book(rule(AUTH)), D, "ims")
    assert result.authorized


# -- date arithmetic ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-11-21", 36, "2023-11-21"),
        ("2026-03-31", 1, "2026-02-28"),
        ("2024-02-29", 12, "2023-02-28"),
        ("2026-01-15", 1, "2025-12-15"),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(date.fromisoformat(day), months) == date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        ("2020-02-29", "2022-02-28", 1),
        ("2020-02-29", "2022-03-01", 2),
        ("2020-06-01", "2020-05-31", -1),
    ],
)
def test_whole_years(start, end, years):
    assert whole_years(date.fromisoformat(start), date.fromisoformat(end)) == years


# -- plain-language explanations -------------------------------------------------------------------


def test_basis_and_verdict_read_like_a_sentence():
    from registry.rules.explain import describe_basis, verdict

    auth_cred = cred(issuer="CPTA", verified=True, verified_at=date(2022, 1, 10))
    course = cred("dry_needling_course", issuer="Acupuncture Canada", hours=45)
    ok = authorization(person(auth_cred, course), book(rule(AUTH, COURSE)), D, "dry_needling")
    assert verdict(ok) == "Authorized"
    assert describe_basis(ok) == (
        "needling authorization, CPTA, verified 2022-01-10; "
        "45 h dry needling course, Acupuncture Canada, pending verification"
    )
    missing = authorization(person(), book(rule(AUTH)), D, "dry_needling")
    assert (verdict(missing), describe_basis(missing)) == (
        "Not authorized",
        "no needling authorization on file",
    )
    none = authorization(person(), book(), D, "ims")
    assert not none.authorized and verdict(none) == "No rule on file"
    banned = authorization(person(), book(rule(permitted=False)), D, "ims")
    assert verdict(banned) == "Not authorized"
    assert describe_basis(banned) == "outside this profession's scope of practice here"
