"""Properties of the engine that must hold for any practitioner and any rule."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from registry.rules import (
    CredentialSnap,
    Decision,
    PractitionerSnap,
    Requirement,
    RuleBook,
    RuleSnap,
    authorization,
    evaluate,
)

TYPES = ["needling_authorization", "dry_needling_course", "ims_certification", "cpr_certification"]
ISSUERS = ["CPTA", "Acupuncture Canada", "Red Cross"]
MODALITIES = ["dry_needling", "ims", "acupuncture"]
AS_OF = date(2026, 11, 21)

dates = st.dates(min_value=date(2010, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def credentials(draw, kind=None):
    issued = draw(dates)
    expires = draw(st.none() | st.integers(0, 3000).map(lambda d: issued + timedelta(days=d)))
    hours = draw(st.none() | st.floats(0, 120, allow_nan=False))
    return CredentialSnap(
        credential_type=kind or draw(st.sampled_from(TYPES)),
        issued_on=issued,
        issuer=draw(st.sampled_from(ISSUERS)),
        expires_on=expires,
        hours=hours,
        in_person_hours=None if hours is None else draw(st.floats(0, hours)),
        sessions=draw(st.none() | st.integers(0, 300)),
        decisions=draw(histories(issued)),
    )


@st.composite
def histories(draw, issued: date):
    """A verification history: decisions on or after the issue date, in effect order."""
    made = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["verified", "rejected", "revoked", "pending"]),
                st.integers(0, 3000).map(lambda d: issued + timedelta(days=d)),
            ),
            max_size=3,
        )
    )
    return tuple(Decision(status, on) for status, on in sorted(made, key=lambda d: d[1]))


@st.composite
def requirements(draw):
    return Requirement(
        credentials=tuple(
            draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=2, unique=True))
        ),
        min_hours=draw(st.none() | st.sampled_from([8, 40, 102])),
        min_in_person_hours=draw(st.none() | st.sampled_from([4, 20])),
        min_sessions=draw(st.none() | st.sampled_from([25, 250])),
        within_months=draw(st.none() | st.sampled_from([12, 36])),
        issuers=draw(
            st.none() | st.lists(st.sampled_from(ISSUERS), min_size=1, unique=True).map(tuple)
        ),
        verified=draw(st.booleans()),
    )


@st.composite
def rules(draw):
    return RuleSnap(
        id="r",
        jurisdiction="CA-AB",
        profession="physiotherapist",
        modalities=tuple(MODALITIES),
        effective_from=date(2000, 1, 1),
        permitted=True,
        source="https://example.org",
        registration_classes=draw(st.none() | st.just(("general",))),
        min_years_registered=draw(st.none() | st.integers(0, 5)),
        requires=tuple(draw(st.lists(requirements(), max_size=3))),
    )


@st.composite
def practitioners(draw):
    since = draw(dates)
    return PractitionerSnap(
        jurisdiction="CA-AB",
        profession="physiotherapist",
        registration_number="A1",
        name="Jane Roe",
        registration_status=draw(st.sampled_from(["active", "lapsed"])),
        status_since=since + timedelta(days=draw(st.integers(0, 3000))),
        registered_since=since,
        registration_class=draw(st.sampled_from(["general", "provisional", None])),
        registration_expires_on=draw(st.none() | dates),
        modalities=tuple(draw(st.lists(st.sampled_from(MODALITIES), unique=True))),
        credentials=tuple(draw(st.lists(credentials(), max_size=5))),
    )


def errors(p, book, on) -> Counter:
    """Errors per (modality, requirement): a new credential may turn one requirement's error
    into another kind (missing -> too few hours) but never add one."""
    return Counter(
        (g.modality, g.credential_type) for g in evaluate(p, book, on) if g.severity == "error"
    )


@settings(max_examples=300, deadline=None)
@given(
    practitioners(),
    rules(),
    st.sampled_from(TYPES),
    st.sampled_from(ISSUERS),
    st.floats(0, 200),
    st.integers(0, 400),
    dates,
)
def test_adding_a_current_verified_credential_never_adds_an_error(
    p, rule, kind, issuer, hours, sessions, on
):
    book = RuleBook([rule])
    extra = CredentialSnap(
        credential_type=kind,
        issued_on=on,
        issuer=issuer,
        expires_on=None,
        hours=hours,
        in_person_hours=hours,
        sessions=sessions,
        decisions=(Decision("verified", on),),
    )
    richer = PractitionerSnap(
        **{**{f: getattr(p, f) for f in p.__slots__}, "credentials": (*p.credentials, extra)}
    )
    before, after = errors(p, book, on), errors(richer, book, on)
    assert all(after[k] <= before[k] for k in after)


@settings(max_examples=200, deadline=None)
@given(practitioners(), rules(), dates)
def test_every_gap_is_explained_and_has_the_right_severity(p, rule, on):
    for gap in evaluate(p, RuleBook([rule]), on):
        assert gap.detail
        assert gap.severity == ("warning" if gap.kind in {"no_rule", "expiring_soon"} else "error")
        if gap.modality is not None:
            assert gap.rule_id == "r" and gap.source == "https://example.org"


RANK = {"not_authorized": 0, "pending_verification": 1, "authorized": 2}


def _with(p: PractitionerSnap, index: int, decision: Decision) -> PractitionerSnap:
    """``p`` with one more decision on its ``index``-th credential."""
    creds = list(p.credentials)
    c = creds[index]
    history = sorted([*c.decisions, decision], key=lambda d: d.on)
    creds[index] = CredentialSnap(
        **{**{f: getattr(c, f) for f in c.__slots__}, "decisions": tuple(history)}
    )
    return PractitionerSnap(
        **{**{f: getattr(p, f) for f in p.__slots__}, "credentials": tuple(creds)}
    )


def _verdict(p, rule, on, modality="dry_needling") -> str:
    return authorization(p, RuleBook([rule]), on, modality).verdict


@settings(max_examples=300, deadline=None)
@given(
    practitioners(),
    rules(),
    dates,
    st.integers(0, 4),
    st.sampled_from(["verified", "rejected", "revoked", "pending"]),
    st.integers(1, 2000),
)
def test_a_decision_dated_after_the_day_never_changes_its_verdict(
    p, rule, on, index, status, days_later
):
    if not p.credentials:
        return
    later = _with(p, index % len(p.credentials), Decision(status, on + timedelta(days=days_later)))
    for modality in MODALITIES:
        assert _verdict(later, rule, on, modality) == _verdict(p, rule, on, modality)


@settings(max_examples=300, deadline=None)
@given(practitioners(), rules(), dates, st.integers(0, 4), st.sampled_from(["rejected", "revoked"]))
def test_rejecting_or_revoking_never_improves_a_verdict(p, rule, on, index, status):
    if not p.credentials:
        return
    c = p.credentials[index % len(p.credentials)]
    withdrawn = _with(p, index % len(p.credentials), Decision(status, max(on, c.issued_on)))
    assert RANK[_verdict(withdrawn, rule, on)] <= RANK[_verdict(p, rule, on)]


@settings(max_examples=300, deadline=None)
@given(practitioners(), rules(), dates, st.integers(0, 4))
def test_verifying_never_worsens_a_verdict(p, rule, on, index):
    if not p.credentials:
        return
    c = p.credentials[index % len(p.credentials)]
    if c.issued_on > on:
        return
    verified = _with(p, index % len(p.credentials), Decision("verified", on))
    assert RANK[_verdict(verified, rule, on)] >= RANK[_verdict(p, rule, on)]


@settings(max_examples=300, deadline=None)
@given(practitioners(), st.none() | rules(), dates)
def test_the_verdict_follows_from_the_gaps(p, rule, on):
    """no_rule exactly when no rule applies; authorized exactly without errors; pending
    exactly when every error is unverified; and unverified only under ``verified: true``."""
    auth = authorization(p, RuleBook([rule] if rule else []), on, "dry_needling")
    kinds = [g.kind for g in auth.gaps if g.severity == "error"]
    if rule is None:
        assert auth.verdict == "no_rule" and not auth.authorized
    elif not kinds:
        assert auth.verdict == "authorized"
    elif set(kinds) == {"unverified"}:
        assert auth.verdict == "pending_verification"
        assert any(item.verified for item in rule.requires)
    else:
        assert auth.verdict == "not_authorized"
