"""FHIR R4 resources built from the public rows: plain dicts, in FHIR's JSON shape.

Pure functions of their arguments (the base URL and today's date are passed in). Empty values
are left out, since FHIR JSON forbids empty strings and arrays.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..rules import PractitionerSnap, RuleBook, evaluate
from .params import PractitionerSearch
from .queries import Page, PractitionerRow, PublicCredentialRow, registration_system_prefix

FHIR_VERSION = "4.0.1"
CAPABILITY_DATE = "2026-12-04"  # when this statement last changed
PUBLISHER = "Needling Registry"
NO_RULES = RuleBook([])
CODE_SYSTEMS = {
    "credential-type": (
        "CredentialType",
        "Credential types",
        "The credential types declared by the registry's rules file (CONTRACT §1).",
    ),
    "profession": (
        "Profession",
        "Professions",
        "The regulated professions the registry records (CONTRACT §1).",
    ),
}


def compact(value: Any) -> Any:
    """``value`` without None, '' and empty lists or objects, at any depth."""
    if isinstance(value, dict):
        items = ((k, compact(v)) for k, v in value.items())
        return {k: v for k, v in items if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (compact(v) for v in value) if v not in (None, "", [], {})]
    return value


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def registration_system(base: str, row: PractitionerRow) -> str:
    return f"{registration_system_prefix(base)}{row.jurisdiction}/{row.profession}"


def code_system_url(base: str, name: str) -> str:
    return f"{base}/fhir/CodeSystem/{name}"


def extension_url(base: str, name: str) -> str:
    return f"{base}/fhir/StructureDefinition/{name}"


def practitioner_url(base: str, practitioner_id: int) -> str:
    return f"{base}/fhir/Practitioner/{practitioner_id}"


def in_good_standing(row: PractitionerRow, today: date) -> bool:
    """CONTRACT §5 step 1, decided by the rules engine: no ``registration_inactive`` today."""
    snap = PractitionerSnap(
        jurisdiction=row.jurisdiction,
        profession=row.profession,
        registration_number=row.registration_number,
        name=f"{row.given_name} {row.family_name}",
        registration_status=row.registration_status,
        status_since=row.status_since,
        registered_since=row.registered_since,
        registration_expires_on=row.registration_expires_on,
    )
    gaps = evaluate(snap, NO_RULES, today, window=0)
    return not any(g.kind == "registration_inactive" for g in gaps)


def _registration(base: str, row: PractitionerRow) -> dict[str, Any]:
    """The registration itself, as the first qualification."""
    extensions = [
        {"url": extension_url(base, "registration-status"), "valueCode": row.registration_status}
    ]
    if row.registration_class:
        url = extension_url(base, "registration-class")
        extensions.append({"url": url, "valueString": row.registration_class})
    coding = {
        "system": code_system_url(base, "profession"),
        "code": row.profession,
        "display": row.profession_name,
    }
    return {
        "extension": extensions,
        "identifier": [
            {"system": registration_system(base, row), "value": row.registration_number}
        ],
        "code": {"coding": [coding], "text": row.profession_name},
        "period": {"start": _iso(row.registered_since), "end": _iso(row.registration_expires_on)},
        "issuer": {"display": row.jurisdiction_name},
    }


def _credential(base: str, c: PublicCredentialRow) -> dict[str, Any]:
    coding = {
        "system": code_system_url(base, "credential-type"),
        "code": c.type_code,
        "display": c.type_name,
    }
    return {
        "extension": [
            {"url": extension_url(base, "verified"), "valueBoolean": c.verified},
            {"url": extension_url(base, "verification-status"), "valueCode": c.verification},
        ],
        "identifier": [{"value": c.number}],
        "code": {"coding": [coding], "text": c.type_name},
        "period": {"start": _iso(c.issued_on), "end": _iso(c.expires_on)},
        "issuer": {"display": c.issuer},
    }


def practitioner(base: str, row: PractitionerRow, today: date) -> dict[str, Any]:
    """The Practitioner resource: identity, registration and credentials; never contact
    details or notes (they are not even read)."""
    name = {
        "use": "official",
        "family": row.family_name,
        "given": [row.given_name],
        "text": f"{row.given_name} {row.family_name}".strip(),
    }
    identifier = {
        "use": "official",
        "type": {"text": "Registration number"},
        "system": registration_system(base, row),
        "value": row.registration_number,
    }
    address = {"city": row.city, "state": row.jurisdiction.partition("-")[2]} if row.city else {}
    return compact(
        {
            "resourceType": "Practitioner",
            "id": str(row.id),
            "identifier": [identifier],
            "active": in_good_standing(row, today),
            "name": [name],
            "address": [address],
            "qualification": [_registration(base, row)]
            + [_credential(base, c) for c in row.credentials],
        }
    )


def searchset(base: str, search: PractitionerSearch, page: Page, today: date) -> dict[str, Any]:
    """A searchset Bundle with its total and self/first/previous/next links."""
    url = f"{base}/fhir/Practitioner?"
    links = [("self", search.offset), ("first", 0)]
    if search.count and search.offset > 0:
        links.append(("previous", max(0, min(search.offset, page.total) - search.count)))
    if search.count and search.offset + search.count < page.total:
        links.append(("next", search.offset + search.count))
    entries = [
        {
            "fullUrl": practitioner_url(base, row.id),
            "resource": practitioner(base, row, today),
            "search": {"mode": "match"},
        }
        for row in page.rows
    ]
    return compact(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": page.total,
            "link": [{"relation": r, "url": url + search.query_string(o)} for r, o in links],
            "entry": entries,
        }
    )


def code_system(base: str, system_id: str, concepts: list[tuple[str, str]]) -> dict[str, Any]:
    name, title, description = CODE_SYSTEMS[system_id]
    return compact(
        {
            "resourceType": "CodeSystem",
            "id": system_id,
            "url": code_system_url(base, system_id),
            "name": name,
            "title": title,
            "status": "active",
            "publisher": PUBLISHER,
            "description": description,
            "caseSensitive": True,
            "content": "complete",
            "count": len(concepts),
            "concept": [{"code": code, "display": display} for code, display in concepts],
        }
    )


def _search_param(name: str, kind: str, documentation: str, definition: str = "") -> dict:
    return {"name": name, "definition": definition, "type": kind, "documentation": documentation}


def capability_statement(base: str) -> dict[str, Any]:
    standard = "http://hl7.org/fhir/SearchParameter/Practitioner-"
    params = [
        _search_param(
            "name",
            "string",
            "Given or family name (or 'given family') starting with the text, any case.",
            standard + "name",
        ),
        _search_param(
            "identifier",
            "token",
            "Registration number: value (any case), system|value or system|.",
            standard + "identifier",
        ),
        _search_param("_count", "number", "Page size: default 20, at most 100; 0 for the total."),
        _search_param("_offset", "number", "Matches to skip (the next link carries it)."),
    ]
    read = [{"code": "read"}]
    return compact(
        {
            "resourceType": "CapabilityStatement",
            "id": "registry",
            "name": "NeedlingRegistry",
            "title": "Needling Registry FHIR server",
            "status": "active",
            "date": CAPABILITY_DATE,
            "publisher": PUBLISHER,
            "description": "Read-only public register: practitioners, their registrations and "
            "credentials (no contact details), and the registry's code systems.",
            "kind": "instance",
            "software": {"name": PUBLISHER},
            "implementation": {"description": "Needling Registry", "url": f"{base}/fhir"},
            "fhirVersion": FHIR_VERSION,
            "format": ["json"],
            "rest": [
                {
                    "mode": "server",
                    "documentation": "Public and read-only; no authentication.",
                    "resource": [
                        {
                            "type": "Practitioner",
                            "interaction": read + [{"code": "search-type"}],
                            "searchParam": params,
                        },
                        {"type": "CodeSystem", "interaction": read},
                    ],
                }
            ],
        }
    )
