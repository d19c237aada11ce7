"""The verdict store holds exactly what a full evaluation of today says, after every kind of
write, and a stored verdict holds no longer than the facts behind it allow."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from registry.models import Credential, Practitioner, StoredVerdict, VerificationStatus
from registry.rules import RuleBook, authorization
from registry.rules.horizon import holds_until
from registry.services import verdict_check, verdict_store
from registry.services.practitioners import set_modalities, update_practitioner
from registry.services.verification import append

from .test_engine_properties import MODALITIES, dates, practitioners, requirements


def stored(session, p: Practitioner, modality: str = "dry_needling") -> str | None:
    return session.scalar(
        select(StoredVerdict.verdict).where(
            StoredVerdict.practitioner_id == p.id, StoredVerdict.modality == modality
        )
    )


def exact(session) -> list[str]:
    return list(verdict_check.differences(session))


def pending_alberta_physio(session) -> Practitioner:
    """The demo's Alberta physiotherapist whose authorization waits for verification."""
    pid = session.scalar(
        select(StoredVerdict.practitioner_id).where(StoredVerdict.verdict == "pending_verification")
    )
    return session.get(Practitioner, pid)


def test_the_seeded_demo_has_a_store_equal_to_a_full_evaluation(demo, session):
    assert session.scalar(select(StoredVerdict.practitioner_id).limit(1)) is not None
    assert exact(session) == []


def test_a_regulator_decision_changes_the_stored_verdict_at_commit(demo, session):
    p = pending_alberta_physio(session)
    credential = next(
        c for c in p.credentials if c.credential_type_code == "needling_authorization"
    )
    append(session, "test", credential, VerificationStatus.VERIFIED, date.today(), via="review")
    session.commit()
    assert stored(session, p) == "authorized"
    assert exact(session) == []

    append(session, "test", credential, VerificationStatus.REJECTED, date.today(), via="review")
    session.commit()
    assert stored(session, p) == "not_authorized"
    assert exact(session) == []


def test_declaring_and_dropping_a_modality_adds_and_removes_its_row(demo, session):
    p = pending_alberta_physio(session)
    set_modalities(session, "test", p, ["dry_needling", "acupuncture"])
    session.commit()
    assert stored(session, p, "acupuncture") is not None
    set_modalities(session, "test", p, [])
    session.commit()
    assert stored(session, p) is None and stored(session, p, "acupuncture") is None
    assert exact(session) == []


def test_imports_refresh_the_practitioners_they_write(demo, session, cli, write_csv):
    p = session.scalar(
        select(Practitioner).join(StoredVerdict).where(StoredVerdict.verdict == "authorized")
    )
    row = (
        "jurisdiction,profession,registration_number,given_name,family_name,"
        "registration_status,registered_since,status_since\n"
        f"{p.jurisdiction_code},{p.profession_code},{p.registration_number},{p.given_name},"
        f"{p.family_name},suspended,{p.registered_since},{date.today() - timedelta(days=1)}\n"
    )
    assert cli("registry", "import-practitioners", write_csv(row)).exit_code == 0
    session.expire_all()
    assert stored(session, p, next(m.modality_code for m in p.modalities)) == "not_authorized"
    assert exact(session) == []


def test_activating_rules_refreshes_the_jurisdictions_they_change(demo, session, cli, tmp_path):
    from registry.demo import default_rules_bytes

    row = session.scalar(
        select(StoredVerdict).where(
            StoredVerdict.verdict == "authorized", StoredVerdict.rule_id == "ab-physio-needling"
        )
    )
    p, modality = session.get(Practitioner, row.practitioner_id), row.modality
    rules = default_rules_bytes()
    at = rules.index(b"permitted: true", rules.index(b"id: ab-physio-needling\n"))
    edited = rules[:at] + b"permitted: false" + rules[at + len(b"permitted: true") :]
    path = tmp_path / "alberta.yaml"
    path.write_bytes(edited)
    assert cli("registry", "load-rules", str(path)).exit_code == 0
    session.expire_all()
    assert stored(session, p, modality) == "not_authorized"
    assert exact(session) == []


def test_the_daily_refresh_recomputes_only_rows_whose_date_passed(demo, session):
    session.execute(update(StoredVerdict.__table__).values(holds_until=None))
    first = session.scalar(select(func.min(StoredVerdict.practitioner_id)))
    session.execute(
        update(StoredVerdict.__table__)
        .where(StoredVerdict.practitioner_id == first)
        .values(holds_until=date.today() - timedelta(days=1), verdict="authorized")
    )
    assert verdict_store.refresh_due(session) == 1
    row = session.scalar(select(StoredVerdict).where(StoredVerdict.practitioner_id == first))
    assert row.holds_until is None or row.holds_until >= date.today()


def test_check_verdicts_names_a_tampered_row_and_refresh_all_repairs_it(demo, session, cli):
    session.execute(
        update(StoredVerdict.__table__)
        .where(StoredVerdict.verdict == "not_authorized")
        .values(verdict="authorized")
    )
    found = cli("registry", "check-verdicts")
    assert found.exit_code == 1
    assert "stored authorized under" in found.output
    assert "stored verdicts differ from a full evaluation" in found.output

    repaired = cli("registry", "refresh-verdicts", "--all")
    assert repaired.exit_code == 0 and "stored verdicts refreshed for" in repaired.output
    assert cli("registry", "check-verdicts").exit_code == 0


def where_stored(session, p: Practitioner) -> set[tuple]:
    rows = select(
        StoredVerdict.jurisdiction_code, StoredVerdict.profession_code, StoredVerdict.city
    ).where(StoredVerdict.practitioner_id == p.id)
    return set(session.execute(rows))


def test_stored_rows_say_where_their_practitioner_is_and_follow_a_move(demo, session):
    """The rows carry the practitioner's jurisdiction, profession and city (what "may perform
    here" is counted by); a move to another city rewrites them in the same transaction."""
    p = session.scalar(
        select(Practitioner).join(StoredVerdict).where(StoredVerdict.verdict == "authorized")
    )
    assert where_stored(session, p) == {(p.jurisdiction_code, p.profession_code, p.city)}
    update_practitioner(session, "test", p, {"city": "Elsewhere Falls"}, p.version)
    assert where_stored(session, p) == {(p.jurisdiction_code, p.profession_code, "Elsewhere Falls")}
    session.commit()
    assert exact(session) == []


def test_check_verdicts_names_a_row_that_says_the_wrong_city(demo, session, cli):
    p = session.scalar(select(Practitioner).join(StoredVerdict))
    session.execute(
        update(StoredVerdict.__table__)
        .where(StoredVerdict.practitioner_id == p.id)
        .values(city="Nowhere")
    )
    session.commit()
    found = cli("registry", "check-verdicts")
    assert found.exit_code == 1
    assert f"practitioner {p.id}," in found.output and "Nowhere)" in found.output
    assert cli("registry", "refresh-verdicts", "--all").exit_code == 0
    assert cli("registry", "check-verdicts").exit_code == 0


@st.composite
def dated_rules(draw):
    from registry.rules import RuleSnap

    start = draw(dates)
    end = draw(st.none() | st.integers(0, 3000).map(lambda d: start + timedelta(days=d)))
    return RuleSnap(
        id="r",
        jurisdiction="CA-AB",
        profession="physiotherapist",
        modalities=tuple(MODALITIES),
        effective_from=start,
        effective_to=end,
        permitted=draw(st.booleans()),
        source="https://example.org",
        registration_classes=draw(st.none() | st.just(("general",))),
        min_years_registered=draw(st.none() | st.integers(1, 5)),
        min_years_practising=draw(st.none() | st.integers(1, 5)),
        requires=tuple(draw(st.lists(requirements(), max_size=3))),
    )


@settings(max_examples=300, deadline=None)
@given(
    practitioners(),
    st.lists(dated_rules(), max_size=2),
    dates,
    st.sampled_from(MODALITIES),
    st.lists(st.integers(0, 4000), max_size=12),
)
def test_a_verdict_holds_on_every_day_until_its_holds_until(p, rules, day, modality, offsets):
    book = RuleBook(rules[:1] if len(rules) < 2 or _overlap(*rules) else rules)
    verdict = authorization(p, book, day, modality).verdict
    until = holds_until(p, book, day, modality)
    last = until or day + timedelta(days=4000)
    days = {day, last} | {day + timedelta(days=k) for k in offsets}
    for d in sorted(x for x in days if x <= last):
        assert authorization(p, book, d, modality).verdict == verdict, (d, until)


def _overlap(a, b) -> bool:
    end_a = a.effective_to or date.max
    end_b = b.effective_to or date.max
    return a.effective_from <= end_b and b.effective_from <= end_a


def test_a_credential_expiring_ends_the_hold_the_day_after(demo, session):
    p = session.scalar(
        select(Practitioner)
        .join(StoredVerdict)
        .where(StoredVerdict.verdict == "authorized", StoredVerdict.holds_until.is_not(None))
    )
    row = session.scalar(
        select(StoredVerdict).where(
            StoredVerdict.practitioner_id == p.id, StoredVerdict.verdict == "authorized"
        )
    )
    facts = [c.expires_on for c in p.credentials if c.expires_on] + [p.registration_expires_on]
    assert row.holds_until <= min(d for d in facts if d and d >= date.today())
    assert session.scalar(select(Credential.id).limit(1)) is not None


def test_a_large_rules_change_on_the_web_expires_the_stored_verdicts_for_the_nightly_job(
    demo, app, session, client, cli, make_user, login
):
    """Over VERDICT_REFRESH_IN_REQUEST practitioners, an activation does not recompute them in
    the request: their rows stop being current at once (searches leave them out, pages
    evaluate afresh), the regulator is told, and refresh-verdicts brings them back."""
    from .test_rules_authoring import activation_fields, text, upload

    app.config["VERDICT_REFRESH_IN_REQUEST"] = 0
    login(make_user("regulator", jurisdictions=["CA-AB"]))
    downloaded = client.get("/regulator/rules/download.yaml").data.decode()
    classes = "  registration_classes:\n  - general\n  - courtesy\n"
    edited = downloaded.replace(classes, classes + "  - provisional\n", 1)
    fields = activation_fields(text(upload(client, edited.encode())))
    done = client.post("/regulator/rules/activate", data=fields | {"note": "interns too"})
    assert done.status_code == 302
    page = text(client.get("/regulator/rules"))
    assert "are recomputed by the next verdict refresh" in page
    declaring = (
        select(func.count(func.distinct(StoredVerdict.practitioner_id)))
        .join(Practitioner)
        .where(Practitioner.jurisdiction_code == "CA-AB")
    )
    assert verdict_store.expired_in(session, ["CA-AB"]) == session.scalar(declaring) > 0
    assert verdict_store.expired_in(session, ["CA-BC"]) == 0  # other jurisdictions untouched
    listed = client.get("/api/v1/practitioners?jurisdiction=CA-AB&modality=dry_needling")
    assert listed.get_json()["total"] == 0  # says less, never more, until the refresh
    refreshed = cli("registry", "refresh-verdicts")
    assert refreshed.exit_code == 0 and "refreshed for" in refreshed.output
    assert exact(session) == []
    listed = client.get("/api/v1/practitioners?jurisdiction=CA-AB&modality=dry_needling")
    assert listed.get_json()["total"] > 0
