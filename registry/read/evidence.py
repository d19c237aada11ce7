"""An evidence bundle: what an inspector or insurer asks for about one practitioner on one day.

The practitioner's public record, the rule set used, the registration check, and for each
modality they perform the rule applied, the verdict, its basis and every gap (CONTRACT §5),
then every credential with its verification record and whether it counted on that day. The
``bundle`` part is everything that depends only on the records and the date; its SHA-256 over
canonical JSON lets a printed copy be checked against the JSON of the same records.

Verdicts apply the rules in force on the day to the credentials as they stood that day: each
credential counts with the verification decision in force on the day (a decision taking
effect later does not change it), and its whole dated history is listed with the bundle.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import (
    Clinic,
    ClinicStaff,
    Credential,
    CredentialDecision,
    LinkStatus,
    Practitioner,
    RuleSet,
)
from ..rules import (
    Authorization,
    CredentialSnap,
    PractitionerSnap,
    RuleBook,
    RuleSnap,
    authorization,
    evaluate,
)
from ..rules.explain import describe_basis, describe_credential, describe_requirements, verdict
from ..rules.model import ERROR, MODALITY_ORDER, Requirement
from ..schema import bundle as shape
from .credentials import state_of
from .export import timestamp
from .rulebook import get_rule_set, rule_book
from .snapshots import snapshot_of

WINDOW = 60  # days ahead that count as expiring soon, as the audit's default
CANONICAL = "JSON of the bundle with keys sorted, separators ',' and ':', UTF-8"


def digest(bundle: dict[str, Any]) -> str:
    text = json.dumps(bundle, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def evidence_bundle(
    session: Session, p: Practitioner, as_of: date, generated_by: str
) -> dict[str, Any]:
    """The bundle document (``schema.bundle.EvidenceBundle``) as JSON values: who made it
    and when, the digest, and the bundle itself."""
    body = bundle_body(session, p, as_of)
    return shape.EvidenceBundle(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        generated_by=generated_by,
        as_of=as_of,
        digest=shape.Digest(algorithm="sha256", of=CANONICAL, value=digest(body.to_json())),
        bundle=body,
    ).to_json()


def bundle_body(session: Session, p: Practitioner, as_of: date) -> shape.Bundle:
    """Everything the bundle attests (ten queries, however many credentials)."""
    rule_set = get_rule_set(session)
    book = rule_book(session, rule_set.version) if rule_set else RuleBook([])
    snap = snapshot_of(session, p.id)
    credentials = session.scalars(
        select(Credential)
        .where(Credential.practitioner_id == p.id)
        .options(selectinload(Credential.decisions))
        .order_by(Credential.credential_type_code, Credential.issued_on, Credential.id)
    ).all()
    snaps = {c.id: c for c in snap.credentials}
    modalities = [_modality(authorization(snap, book, as_of, m, WINDOW)) for m in _performed(snap)]
    counted: dict[int, set[str]] = {}
    for m in modalities:
        for basis in m.basis:
            for cid in basis.credential_ids:
                counted.setdefault(cid, set()).add(m.modality)
    return shape.Bundle(
        as_of=as_of,
        window_days=WINDOW,
        practitioner=_practitioner(session, p, snap),
        rule_set=_rule_set(rule_set),
        registration=_registration(evaluate(snap, book, as_of, WINDOW), as_of),
        modalities=modalities,
        credentials=[
            _credential(c, snaps[c.id], as_of, counted.get(c.id, set()))
            for c in credentials
            if c.id in snaps  # one written since the snapshot was read waits for the next bundle
        ],
    )


def _in_order(modalities) -> list[str]:
    known = [m for m in MODALITY_ORDER if m in modalities]
    return known + sorted(m for m in modalities if m not in MODALITY_ORDER)


def _performed(snap: PractitionerSnap) -> list[str]:
    return _in_order(snap.modalities)


def _practitioner(
    session: Session, p: Practitioner, snap: PractitionerSnap
) -> shape.BundlePractitioner:
    clinics = session.scalars(
        select(Clinic.name)
        .join(ClinicStaff, ClinicStaff.clinic_id == Clinic.id)
        .where(ClinicStaff.practitioner_id == p.id, ClinicStaff.status == LinkStatus.ACCEPTED)
        .order_by(Clinic.name)
    )
    return shape.BundlePractitioner(
        jurisdiction=p.jurisdiction_code,
        profession=p.profession_code,
        registration_number=p.registration_number,
        given_name=p.given_name,
        family_name=p.family_name,
        name=p.name,
        status=p.registration_status.value,
        status_since=p.status_since,
        class_=p.registration_class,
        registered_since=p.registered_since,
        registration_expires_on=p.registration_expires_on,
        city=p.city,
        clinics=list(clinics),
        modalities=_performed(snap),
    )


def _rule_set(rule_set: RuleSet | None) -> shape.BundleRuleSet | None:
    if rule_set is None:
        return None
    return shape.BundleRuleSet(
        version=rule_set.version,
        checksum=rule_set.checksum,
        loaded_at=timestamp(rule_set.loaded_at),
        loaded_by=rule_set.loaded_by,
        filename=rule_set.filename,
    )


def _registration(gaps, as_of: date) -> shape.BundleRegistration:
    own = [g for g in gaps if g.modality is None]
    errors = [g.detail for g in own if g.severity == ERROR]
    words = f"inactive on {as_of}: " + "; ".join(errors) if errors else f"active on {as_of}"
    warnings = [g.detail for g in own if g.severity != ERROR]
    return shape.BundleRegistration(
        in_good_standing=not errors, result="; ".join([words, *warnings]), gaps=own
    )


def _modality(auth: Authorization) -> shape.BundleModality:
    return shape.BundleModality(
        modality=auth.modality,
        verdict=auth.verdict,
        verdict_label=verdict(auth),
        authorized=auth.authorized,
        rule=_rule(auth.rule) if auth.rule else None,
        basis=[
            shape.BundleBasis(
                requirement=_requirement_words(auth.rule, b.requirement),
                credential_ids=[c.id for c in b.credentials],
                credentials=[describe_credential(c, auth.as_of) for c in b.credentials],
            )
            for b in auth.basis
        ],
        explanation=describe_basis(auth),
        gaps=[g for g in auth.gaps if g.modality == auth.modality],
    )


def _rule(rule: RuleSnap) -> shape.BundleRule:
    return shape.BundleRule(
        rule_id=rule.id,
        jurisdiction=rule.jurisdiction,
        profession=rule.profession,
        modalities=list(rule.modalities),
        effective_from=rule.effective_from,
        effective_to=rule.effective_to,
        permitted=rule.permitted,
        requirements=describe_requirements(rule),
        requires=[item.to_dict() for item in rule.requires],
        source=rule.source,
        notes=rule.notes,
    )


def _requirement_words(rule: RuleSnap, item: Requirement) -> str:
    alone = replace(
        rule,
        requires=(item,),
        registration_classes=None,
        min_years_registered=None,
        min_years_practising=None,
    )
    return describe_requirements(alone)


def _credential(
    c: Credential, snap: CredentialSnap, as_of: date, counted_for: set[str]
) -> shape.BundleCredential:
    state = state_of(snap, as_of)
    return shape.BundleCredential(
        id=c.id,
        type=c.credential_type_code,
        issuer=c.issuer,
        number=c.credential_number,
        issued_on=c.issued_on,
        expires_on=c.expires_on,
        hours=c.hours,
        in_person_hours=c.in_person_hours,
        sessions=c.sessions,
        description=describe_credential(snap, as_of),
        state_on_as_of="not yet issued" if c.issued_on > as_of else state.status,
        verification_on_as_of=state.verification,
        verification_today=c.verification_status.value,
        entered_by=c.entered_by,
        entered_on=timestamp(c.created_at),
        decisions=[_decision(d) for d in c.decisions],
        evidence_on_file=c.evidence_ref is not None,
        counted=bool(counted_for),
        counted_for=_in_order(counted_for),
    )


def _decision(d: CredentialDecision) -> shape.BundleDecision:
    return shape.BundleDecision(
        status=d.status.value,
        effective_on=d.effective_on,
        recorded_at=timestamp(d.recorded_at),
        decided_by=d.decided_by,
        via=d.via,
        note=d.note,
        evidence_on_file=d.evidence_ref is not None,
    )
