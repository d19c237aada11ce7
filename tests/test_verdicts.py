"""CONTRACT v2 §5: a credential's state on day D is its latest decision dated on or before D;
rejected or revoked on D means absent for D; ``unverified`` is an error; the verdict is one
of authorized, pending_verification, not_authorized and no_rule. Every boundary date."""

from __future__ import annotations

from datetime import date

import pytest

from registry.rules import authorization, evaluate
from registry.rules.explain import describe_basis, verdict

from .engine_helpers import book, cred, person, rule

AUTH = {"credential": "needling_authorization", "verified": True}
COURSE = {"credential": ["dry_needling_course", "ims_certification"], "min_hours": 16}
RULE = rule(AUTH, COURSE, effective_from="2020-01-01", effective_to="2030-12-31")


def day(text: str) -> date:
    return date.fromisoformat(text)


def verdict_on(on: str, *decisions, course_decisions=()) -> str:
    """The dry-needling verdict on ``on`` for someone with a needling authorization (issued
    2025-01-01) whose history is ``decisions``, and a 16 h course."""
    p = person(
        cred(issued="2025-01-01", decisions=decisions),
        cred("dry_needling_course", "2024-06-01", hours=16, decisions=course_decisions),
    )
    return authorization(p, book(RULE), day(on), "dry_needling").verdict


@pytest.mark.parametrize(
    ("on", "decisions", "expected"),
    [
        # never decided: pending from the day it is issued; missing before that
        ("2024-12-31", (), "not_authorized"),
        ("2025-01-01", (), "pending_verification"),
        # verified on 2025-03-01: pending the day before, authorized that day and after
        ("2025-02-28", (("verified", "2025-03-01"),), "pending_verification"),
        ("2025-03-01", (("verified", "2025-03-01"),), "authorized"),
        ("2026-11-21", (("verified", "2025-03-01"),), "authorized"),
        # rejected on 2025-03-01: pending the day before, absent that day and after
        ("2025-02-28", (("rejected", "2025-03-01"),), "pending_verification"),
        ("2025-03-01", (("rejected", "2025-03-01"),), "not_authorized"),
        # verified, then revoked on 2026-06-01: still counts on 2026-05-31, not on 06-01
        ("2026-05-31", (("verified", "2025-03-01"), ("revoked", "2026-06-01")), "authorized"),
        ("2026-06-01", (("verified", "2025-03-01"), ("revoked", "2026-06-01")), "not_authorized"),
        # rejected, then verified on appeal: absent between, authorized from the appeal
        ("2025-04-30", (("rejected", "2025-03-01"), ("verified", "2025-05-01")), "not_authorized"),
        ("2025-05-01", (("rejected", "2025-03-01"), ("verified", "2025-05-01")), "authorized"),
        # verified, then sent back to pending for a new check
        (
            "2025-09-01",
            (("verified", "2025-03-01"), ("pending", "2025-09-01")),
            "pending_verification",
        ),
        # two decisions on the same day: the one recorded last holds
        ("2025-03-01", (("verified", "2025-03-01"), ("rejected", "2025-03-01")), "not_authorized"),
        # outside the rule's dates nothing applies
        ("2019-12-31", (("verified", "2019-06-01"),), "no_rule"),
        ("2031-01-01", (("verified", "2025-03-01"),), "no_rule"),
    ],
)
def test_the_verdict_reads_the_decisions_of_the_day(on, decisions, expected):
    assert verdict_on(on, *decisions) == expected


@pytest.mark.parametrize(
    ("on", "course_decisions", "expected"),
    [
        # the course need not be verified (the rule does not say so): a claim counts...
        ("2025-03-01", (), "authorized"),
        # ...until it is rejected or revoked, from that day on
        ("2025-03-01", (("rejected", "2025-03-01"),), "not_authorized"),
        ("2025-02-28", (("revoked", "2025-03-01"),), "authorized"),
    ],
)
def test_a_withdrawn_credential_counts_for_nothing_even_where_verification_is_not_required(
    on, course_decisions, expected
):
    assert verdict_on(on, ("verified", "2025-01-15"), course_decisions=course_decisions) == expected


def test_unverified_is_an_error_and_the_explanation_says_what_it_waits_for():
    p = person(
        cred(issued="2025-01-01", entered_by="Bow River Physio", entered_on=day("2026-11-02")),
        cred("dry_needling_course", "2024-06-01", hours=16),
    )
    auth = authorization(p, book(RULE), day("2026-11-21"), "dry_needling")
    (gap,) = [g for g in auth.gaps if g.severity == "error"]
    assert (gap.kind, gap.severity) == ("unverified", "error")
    assert verdict(auth) == "Pending verification"
    assert describe_basis(auth) == (
        "waiting for verification of the needling authorization submitted 2026-11-02 "
        "by Bow River Physio"
    )


@pytest.mark.parametrize(
    ("on", "told"),
    [
        # on the day it was entered and after, the explanation names who entered it and when
        ("2026-12-05", "submitted 2026-12-05 by an import"),
        ("2027-01-10", "submitted 2026-12-05 by an import"),
        # an audit of an earlier day never cites an entry that had not happened yet
        ("2026-12-04", "issued 2022-01-01"),
        ("2022-01-31", "issued 2022-01-01"),
    ],
)
def test_the_waiting_explanation_never_cites_an_entry_after_the_audit_day(on, told):
    p = person(
        cred(issued="2022-01-01", entered_by="an import", entered_on=day("2026-12-05")),
        cred("dry_needling_course", "2021-06-01", hours=16),
    )
    auth = authorization(p, book(RULE), day(on), "dry_needling")
    assert describe_basis(auth) == f"waiting for verification of the needling authorization {told}"


def test_pending_needs_a_clean_registration_and_no_other_error():
    unverified = cred(issued="2025-01-01")
    lapsed = person(
        unverified,
        cred("dry_needling_course", "2024-06-01", hours=16),
        registration_status="lapsed",
        status_since="2026-01-01",
    )
    assert authorization(lapsed, book(RULE), day("2026-11-21"), "dry_needling").verdict == (
        "not_authorized"
    )
    short = person(unverified, cred("dry_needling_course", "2024-06-01", hours=8))
    assert authorization(short, book(RULE), day("2026-11-21"), "dry_needling").verdict == (
        "not_authorized"
    )


def test_a_rejected_credential_is_named_when_nothing_else_counts():
    p = person(cred(issued="2025-01-01", decisions=[("rejected", "2025-02-01")]))
    gaps = evaluate(p, book(rule(AUTH)), day("2026-11-21"))
    assert [(g.kind, g.detail) for g in gaps] == [
        (
            "missing_credential",
            "no needling authorization on file "
            "(the needling authorization of 2025-01-01 was rejected on 2025-02-01)",
        )
    ]


@pytest.mark.parametrize(
    ("practising_since", "expected"),
    [("2023-11-21", "authorized"), ("2023-11-22", "not_authorized"), (None, "not_authorized")],
)
def test_years_practising_count_experience_earned_elsewhere(practising_since, expected):
    """Registered here in 2026, licensed elsewhere since 2023: three years practising."""
    r = rule({"credential": "needling_authorization"}, min_years_practising=3)
    p = person(
        cred(issued="2026-01-01"),
        registered_since="2026-01-01",
        status_since="2026-01-01",
        practising_since=practising_since,
    )
    result = authorization(p, book(r), day("2026-11-21"), "dry_needling")
    assert result.verdict == expected
    if expected == "not_authorized":
        assert result.gaps[-1].detail.endswith("of 3 required years practising")


def test_no_rule_is_never_authorized():
    result = authorization(person(cred(verified=True)), book(), day("2026-11-21"), "ims")
    assert (result.verdict, result.authorized) == ("no_rule", False)
    assert verdict(result) == "No rule on file"
