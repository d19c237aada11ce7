"""The JSON shapes of the public API (documented in ``openapi.py``; keep the two in step)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, url_for

from ..read.records import PublicCredential, PublicRecord
from ..read.search import Hit, Results
from ..read.verdicts import ModalityStatus
from ..rules.model import VERIFIED


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def hit_json(hit: Hit) -> dict[str, Any]:
    return {
        "jurisdiction": hit.jurisdiction,
        "profession": hit.profession,
        "registration_number": hit.registration_number,
        "name": hit.name,
        "status": hit.registration_status,
        "class": hit.registration_class,
        "city": hit.city,
        "url": url_for(
            "api.practitioner",
            jurisdiction=hit.jurisdiction,
            profession=hit.profession,
            registration_number=hit.registration_number,
        ),
    }


def results_json(results: Results) -> dict[str, Any]:
    return {
        "page": results.search.page,
        "page_size": results.page_size,
        "total": results.total,
        "results": [hit_json(h) for h in results.hits],
    }


def credential_json(c: PublicCredential) -> dict[str, Any]:
    """A credential as it stands on the record's day: ``status`` is its currency (current,
    expiring, expired) or, once withdrawn, rejected or revoked; ``verification_status`` (also
    ``verification``) the decision in force: pending, verified, rejected or revoked."""
    state = c.state
    return {
        "type": c.type,
        "issuer": c.issuer,
        "number": c.number,
        "issued_on": c.issued_on.isoformat(),
        "expires_on": _iso(c.expires_on),
        "status": state.status,
        "verification_status": state.verification,
        "verification": state.verification,
        "verification_label": state.verification_label,
        "verified": state.verified,
        "verified_on": _iso(state.decided_on) if state.verified else None,
        "decided_on": _iso(state.decided_on),
        "verification_history": [
            {"status": d.status, "effective_on": d.on.isoformat()} for d in c.history
        ],
    }


def basis_json(m: ModalityStatus, as_of, verified: bool) -> list[dict[str, Any]]:
    """The credentials the satisfied requirements of the rule rest on: the verified ones, or
    (``verified`` False) those that count without anyone having verified them."""
    return [
        {
            "type": cred.credential_type,
            "issuer": cred.issuer,
            "issued_on": cred.issued_on.isoformat(),
            "expires_on": _iso(cred.expires_on),
            "verification_status": cred.state_on(as_of),
        }
        for b in m.authorization.basis
        for cred in b.credentials
        if (cred.state_on(as_of) == VERIFIED) is verified
    ]


def modality_json(m: ModalityStatus, as_of) -> dict[str, Any]:
    """CONTRACT §5's verdict for one modality, in words too, and its basis; ``authorized``
    is true for the verdict ``authorized`` only."""
    rule = m.authorization.rule
    return {
        "modality": m.modality,
        "declared": m.declared,
        "verdict": m.verdict,
        "verdict_label": m.label,
        "authorized": m.authorized,
        "explanation": m.basis,
        "basis": m.basis,
        "rule_id": rule.id if rule else None,
        "source": rule.source if rule else None,
        "no_rule_note": m.no_rule_note,
        "credentials": basis_json(m, as_of, True) if m.authorized else [],
        "claimed_credentials": basis_json(m, as_of, False) if m.authorized else [],
    }


def record_json(p: PublicRecord) -> dict[str, Any]:
    """CONTRACT §6's public record as of its day."""
    return {
        "jurisdiction": p.jurisdiction,
        "profession": p.profession,
        "registration_number": p.registration_number,
        "name": p.name,
        "status": p.registration_status,
        "class": p.registration_class,
        "registered_since": p.registered_since.isoformat(),
        "registration_expires_on": _iso(p.registration_expires_on),
        "city": p.city,
        "clinics": p.clinics,
        "as_of": p.as_of.isoformat(),
        "credentials": [credential_json(c) for c in p.credentials],
        "modalities": [modality_json(m, p.as_of) for m in p.modalities],
    }


def to_json(body: Any) -> str:
    """Compact JSON text, as ``jsonify`` writes it (so it can be cached as text)."""
    return current_app.json.dumps(body, separators=(",", ":")) + "\n"


def json_response(text: str) -> Response:
    return current_app.response_class(text, mimetype="application/json")
