"""The JSON shapes of the public API (documented in ``openapi.py``; keep the two in step)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, url_for

from ..public.queries import Hit, Results
from ..public.records import PublicCredential, PublicRecord


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
    return {
        "type": c.type,
        "issuer": c.issuer,
        "number": c.number,
        "issued_on": c.issued_on.isoformat(),
        "expires_on": _iso(c.expires_on),
        "status": c.state,
        "verified": c.verified,
        "verified_on": _iso(c.verified_on),
    }


def record_json(p: PublicRecord) -> dict[str, Any]:
    """CONTRACT §6's public record; ``authorized`` has §5's meaning (no error), so it is true
    with the verdict 'No rule on file' too: read it with the verdict."""
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
        "modalities": [
            {
                "modality": m.modality,
                "declared": m.declared,
                "authorized": m.authorized,
                "verdict": m.verdict,
                "basis": m.basis,
                "rule_id": m.authorization.rule.id if m.authorization.rule else None,
                "source": m.authorization.rule.source if m.authorization.rule else None,
            }
            for m in p.modalities
        ],
    }


def to_json(body: Any) -> str:
    """Compact JSON text, as ``jsonify`` writes it (so it can be cached as text)."""
    return current_app.json.dumps(body, separators=(",", ":")) + "\n"


def json_response(text: str) -> Response:
    return current_app.response_class(text, mimetype="application/json")
