"""The public answers built as their ``registry.schema`` types (the document is generated
from the same types, so the two cannot drift apart)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, current_app, url_for

from ..read.records import PublicCredential, PublicRecord
from ..read.search import Hit, Results
from ..read.verdicts import ModalityStatus
from ..rules.model import VERIFIED
from ..schema import public as shape
from ..schema.base import Shape


def record_url(jurisdiction: str, profession: str, registration_number: str) -> str:
    return url_for(
        "api.practitioner",
        jurisdiction=jurisdiction,
        profession=profession,
        registration_number=registration_number,
    )


def hit_shape(hit: Hit) -> shape.SearchResult:
    return shape.SearchResult(
        jurisdiction=hit.jurisdiction,
        profession=hit.profession,
        registration_number=hit.registration_number,
        name=hit.name,
        status=hit.registration_status,
        class_=hit.registration_class,
        city=hit.city,
        url=record_url(hit.jurisdiction, hit.profession, hit.registration_number),
    )


def results_shape(results: Results) -> shape.SearchPage:
    return shape.SearchPage(
        page=results.search.page,
        page_size=results.page_size,
        total=results.total,
        results=[hit_shape(h) for h in results.hits],
    )


def credential_shape(c: PublicCredential) -> shape.Credential:
    """A credential as it stands on the record's day: ``status`` is its currency (current,
    expiring, expired) or, once withdrawn, rejected or revoked; ``verification_status`` (also
    ``verification``) the decision in force: pending, verified, rejected or revoked."""
    state = c.state
    return shape.Credential(
        type=c.type,
        issuer=c.issuer,
        number=c.number,
        issued_on=c.issued_on,
        expires_on=c.expires_on,
        status=state.status,
        verification_status=state.verification,
        verification=state.verification,
        verification_label=state.verification_label,
        verified=state.verified,
        verified_on=state.decided_on if state.verified else None,
        decided_on=state.decided_on,
        verification_history=[
            shape.Decision(status=d.status, effective_on=d.on) for d in c.history
        ],
    )


def basis_shapes(m: ModalityStatus, as_of: date, verified: bool) -> list[shape.BasisCredential]:
    """The credentials the satisfied requirements of the rule rest on: the verified ones, or
    (``verified`` False) those that count without anyone having verified them."""
    return [
        shape.BasisCredential(
            type=cred.credential_type,
            issuer=cred.issuer,
            issued_on=cred.issued_on,
            expires_on=cred.expires_on,
            verification_status=cred.state_on(as_of),
        )
        for b in m.authorization.basis
        for cred in b.credentials
        if (cred.state_on(as_of) == VERIFIED) is verified
    ]


def modality_shape(m: ModalityStatus, as_of: date) -> shape.ModalityStatus:
    """CONTRACT §5's verdict for one modality, in words too, and its basis; ``authorized``
    is true for the verdict ``authorized`` only."""
    rule = m.authorization.rule
    return shape.ModalityStatus(
        modality=m.modality,
        declared=m.declared,
        verdict=m.verdict,
        verdict_label=m.label,
        authorized=m.authorized,
        explanation=m.basis,
        basis=m.basis,
        rule_id=rule.id if rule else None,
        source=rule.source if rule else None,
        no_rule_note=m.no_rule_note,
        credentials=basis_shapes(m, as_of, True) if m.authorized else [],
        claimed_credentials=basis_shapes(m, as_of, False) if m.authorized else [],
    )


def record_shape(p: PublicRecord) -> shape.Practitioner:
    """CONTRACT §6's public record as of its day."""
    return shape.Practitioner(
        jurisdiction=p.jurisdiction,
        profession=p.profession,
        registration_number=p.registration_number,
        name=p.name,
        status=p.registration_status,
        class_=p.registration_class,
        registered_since=p.registered_since,
        registration_expires_on=p.registration_expires_on,
        city=p.city,
        clinics=p.clinics,
        as_of=p.as_of,
        credentials=[credential_shape(c) for c in p.credentials],
        modalities=[modality_shape(m, p.as_of) for m in p.modalities],
    )


def to_json(body: Any) -> str:
    """Compact JSON text, as ``jsonify`` writes it (so it can be cached as text); a shape is
    written by its fields' JSON values."""
    if isinstance(body, Shape):
        body = body.to_json()
    return current_app.json.dumps(body, separators=(",", ":")) + "\n"


def json_response(text: str) -> Response:
    return current_app.response_class(text, mimetype="application/json")


def shape_response(body: Any) -> Response:
    """A shape (or plain JSON values) as the JSON answer."""
    return json_response(to_json(body))
