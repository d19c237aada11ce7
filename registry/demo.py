"""The demo registry: realistic practitioners whose credentials show every kind of gap.

Dates are relative to the day the demo is seeded, so "expiring soon" and "expired" stay true
whenever a new user runs ``make run``. Data goes through the same import services as any CSV.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Practitioner, RuleSet, User
from .services.imports import import_credentials, import_practitioners
from .services.rulesets import load_rules
from .services.users import create_user

DEFAULT_RULES = "default_rules.yaml"
CLINICS = {
    "Bow River Physio": "Calgary",
    "Harbour Physiotherapy": "Vancouver",
    "Front Range Rehab": "Denver",
}
DEMO_USERS = [
    ("admin@registry.example", "ridge-lantern-4242", "admin", [], []),
    ("regulator@registry.example", "maple-harbour-1717", "regulator", ["CA-AB", "CA-BC"], []),
    ("manager@registry.example", "cedar-orbit-9393", "clinic_manager", [], ["Bow River Physio"]),
]
# A practitioner with their own account (they log in with the email on their record): Chloé
# Sharma, whose needling authorization is missing, so her page shows what to do about it.
DEMO_PRACTITIONER = (("CA-AB", "physiotherapist", "AB-1010"), "willow-canyon-2626")
GIVEN = [
    "Jane",
    "Omar",
    "Li",
    "Priya",
    "Marc",
    "Sofia",
    "Ethan",
    "Aiko",
    "Noah",
    "Chloé",
    "Mateo",
    "Grace",
    "Ravi",
    "Hannah",
    "Lucas",
    "Amara",
    "Owen",
    "Mei",
    "Daniel",
    "Zoe",
]
FAMILY = [
    "Roe",
    "Haddad",
    "Chen",
    "Sharma",
    "Tremblay",
    "Rossi",
    "Walker",
    "Sato",
    "Martin",
    "Gagnon",
    "García",
    "Smith",
    "Patel",
    "Nguyen",
    "Côté",
    "Okafor",
    "Brown",
    "Wong",
    "Lévesque",
    "Smith",
]
CITY = {
    "CA-AB": "Calgary",
    "CA-BC": "Vancouver",
    "CA-ON": "Toronto",
    "CA-QC": "Montréal",
    "CA-SK": "Saskatoon",
    "CA-NS": "Halifax",
    "US-CO": "Denver",
    "US-UT": "Salt Lake City",
    "US-FL": "Tampa",
    "US-NJ": "Newark",
    "US-WA": "Seattle",
    "US-NY": "New York",
    "US-CA": "San Diego",
    "US-OR": "Portland",
}
AUTHORITY = {
    "CA-AB": "College of Physiotherapists of Alberta",
    "CA-BC": "College of Health and Care Professionals of BC",
    "CA-ON": "College of Physiotherapists of Ontario",
    "CA-QC": "Ordre professionnel de la physiothérapie du Québec",
    "US-UT": "Utah Division of Professional Licensing",
    "US-WA": "Washington Board of Physical Therapy",
}


@dataclass
class Person:
    jurisdiction: str
    profession: str = "physiotherapist"
    modalities: str = "dry_needling"
    status: str = "active"
    since_years: float = 8
    status_days_ago: int | None = None
    registration_class: str = "general"
    expires_in: int | None = 400
    clinics: str = ""
    credentials: list[dict] = field(default_factory=list)


def _cred(
    kind, issuer, years_ago=3.0, expires_in=None, verification="verified", decided=None, **amounts
) -> dict:
    """A demo credential; ``verification`` is the decision on record (verified two weeks
    after issue unless ``decided`` days ago is given; "pending": none)."""
    return {
        "credential_type": kind,
        "issuer": issuer,
        "years_ago": years_ago,
        "expires_in": expires_in,
        "verification": verification,
        "decided_days_ago": decided,
        **amounts,
    }


def _compliant(j: str, **kw) -> Person:
    """A practitioner who meets their jurisdiction's default rule for dry needling."""
    auth = _cred("needling_authorization", AUTHORITY.get(j, "Regulator"), 2.0)
    course = _cred("dry_needling_course", "Acupuncture Canada", 3.0, hours=120, in_person_hours=60)
    creds = {
        "CA-AB": [auth, course],
        "CA-BC": [auth, course, _cred("liability_insurance", "BMS Group", 0.5, expires_in=180)],
        "CA-ON": [auth, _cred("acupuncture_course", "McMaster University", 4, hours=300)],
        "CA-QC": [auth, _cred("dry_needling_course", "OPPQ PPAS", 4, hours=110)],
        "CA-SK": [_cred("ims_certification", "UBC Gunn IMS", 5, hours=95)],
        "US-CO": [
            _cred("dry_needling_course", "Myopain Seminars", 3, hours=54, in_person_hours=54)
        ],
        "US-UT": [
            auth,
            _cred("dry_needling_course", "Evidence in Motion", 3, hours=310, in_person_hours=80),
            _cred("supervised_sessions", "Evidence in Motion", 2.5, sessions=260),
        ],
        "US-FL": [
            _cred("dry_needling_course", "Kinetacore", 3, hours=54, in_person_hours=54),
            _cred("supervised_sessions", "Kinetacore", 2.8, sessions=30),
        ],
        "US-NJ": [
            _cred("cpr_certification", "American Heart Association", 1, expires_in=365),
            _cred("dry_needling_course", "Kinetacore", 3, hours=54, in_person_hours=54),
        ],
        "US-WA": [
            _cred("needling_authorization", AUTHORITY["US-WA"], 1.5),
            _cred("dry_needling_course", "Kinetacore", 3, hours=330, in_person_hours=120),
        ],
    }[j]
    if j == "CA-BC":
        kw.setdefault("registration_class", "full")
    return Person(j, credentials=list(creds), **kw)


def _scenarios() -> list[Person]:
    """One or more practitioners for each gap kind of CONTRACT §5."""
    ab_auth = _cred("needling_authorization", AUTHORITY["CA-AB"], 2.0)
    ab_course = _cred("dry_needling_course", "Acupuncture Canada", 3.0, hours=45)
    bc = _compliant("CA-BC")
    return [
        # registration_inactive: lapsed 100 days ago, when the registration ran out
        Person(
            "CA-AB",
            status="lapsed",
            status_days_ago=100,
            expires_in=-100,
            credentials=[ab_auth, ab_course],
            clinics="Bow River Physio",
        ),
        # registration expiring_soon (in 20 days: Bow River's 30-day expiry view)
        _compliant("CA-AB", expires_in=20, clinics="Bow River Physio"),
        # no_rule: BC massage therapists and dry needling are left out of the default rules
        Person("CA-BC", "massage_therapist", clinics="Harbour Physiotherapy"),
        Person("US-NY", modalities="ims"),
        # outside_scope
        Person("US-NY", credentials=[_cred("dry_needling_course", "Kinetacore", 2, hours=54)]),
        Person("CA-AB", "massage_therapist", clinics="Bow River Physio"),
        Person("US-CA", modalities="dry_needling;acupuncture"),
        # wrong_registration_class: a provisional Alberta intern
        Person(
            "CA-AB",
            registration_class="provisional",
            since_years=0.5,
            credentials=[ab_auth, ab_course],
            clinics="Bow River Physio",
        ),
        # insufficient_experience: BC roster needs two years registered
        Person(
            "CA-BC",
            since_years=1,
            registration_class="full",
            credentials=bc.credentials,
            clinics="Harbour Physiotherapy",
        ),
        # missing_credential: no Alberta needling authorization on file
        Person("CA-AB", credentials=[ab_course], clinics="Bow River Physio"),
        # unapproved_issuer: Nova Scotia acupuncture from an unapproved provider
        Person(
            "CA-NS",
            modalities="acupuncture",
            credentials=[_cred("acupuncture_course", "Weekend Needling Co.", 2, hours=24)],
        ),
        # expired: BC liability insurance lapsed 20 days ago (required since 2022-06-01)
        Person(
            "CA-BC",
            registration_class="full",
            clinics="Harbour Physiotherapy",
            credentials=bc.credentials[:2]
            + [_cred("liability_insurance", "BMS Group", 1.1, expires_in=-20)],
        ),
        # insufficient_hours: Quebec requires 102 h
        Person(
            "CA-QC",
            credentials=[
                _cred("needling_authorization", AUTHORITY["CA-QC"], 1),
                _cred("dry_needling_course", "OPPQ PPAS", 1, hours=60),
            ],
        ),
        # Utah's 250 supervised sessions (until 2025-05-06; insufficient_sessions is now shown
        # by a Florida practitioner at the end of the list)
        Person(
            "US-UT",
            credentials=[
                _cred("needling_authorization", AUTHORITY["US-UT"], 1),
                _cred(
                    "dry_needling_course", "Evidence in Motion", 2, hours=310, in_person_hours=80
                ),
                _cred("supervised_sessions", "Evidence in Motion", 1.5, sessions=100),
            ],
        ),
        # unverified (pending verification): the Alberta authorization has not been checked
        Person(
            "CA-AB",
            credentials=[{**ab_auth, "verification": "pending"}, ab_course],
            clinics="Bow River Physio",
        ),
        # expiring_soon (credential): New Jersey CPR expires in 25 days
        Person(
            "US-NJ",
            clinics="",
            credentials=[
                _cred("cpr_certification", "American Heart Association", 1.9, expires_in=25),
                _cred("dry_needling_course", "Kinetacore", 3, hours=54, in_person_hours=54),
            ],
        ),
        # the rule change between two dates: Washington's endorsement from 2024-06-22
        _compliant("US-WA", since_years=12),
    ]


# Days until the CPR card of each of Bow River's compliant hires expires (none, 45, 75): with
# Omar Sato's registration (20 days), its 30-, 60- and 90-day expiry views each show more.
BOW_CPR_EXPIRES_IN = [None, 45, 75]


def _population() -> list[Person]:
    people = _scenarios()
    cpr = iter(BOW_CPR_EXPIRES_IN)
    for j in (
        "CA-AB",
        "CA-AB",
        "CA-AB",
        "CA-BC",
        "CA-BC",
        "CA-ON",
        "CA-ON",
        "CA-QC",
        "CA-SK",
        "US-CO",
        "US-CO",
        "US-UT",
        "US-FL",
        "US-NJ",
        "US-WA",
    ):
        clinic = {
            "CA-AB": "Bow River Physio",
            "CA-BC": "Harbour Physiotherapy",
            "US-CO": "Front Range Rehab",
        }.get(j, "")
        person = _compliant(j, clinics=clinic)
        if j == "CA-AB" and (days := next(cpr)) is not None:
            card = _cred("cpr_certification", "Heart and Stroke Foundation", 1.9, expires_in=days)
            person.credentials.append(card)
        people.append(person)
    for j in ("CA-ON", "CA-BC", "US-CO", "CA-AB", "US-FL", "CA-QC"):  # no needling at all
        people.append(Person(j, modalities="", clinics="Front Range Rehab" if j == "US-CO" else ""))
    board = _cred("acupuncture_board_exam", "Pan-Canadian Examinations", 6)
    for j in ("CA-BC", "CA-AB", "CA-ON"):
        people.append(
            Person(
                j, "acupuncturist", "acupuncture", registration_class="full", credentials=[board]
            )
        )
    people.append(
        Person(
            "US-CA",
            "acupuncturist",
            "acupuncture",
            credentials=[_cred("acupuncture_board_exam", "California Acupuncture Board", 9)],
        )
    )
    chiro = _cred("acupuncture_course", "McMaster University", 5, hours=300)
    people.append(Person("CA-ON", "chiropractor", "acupuncture", credentials=[chiro]))
    people += [_compliant("CA-AB", since_years=s) for s in (4, 15, 22)]
    people += [_compliant("US-CO", since_years=s, clinics="Front Range Rehab") for s in (3, 9)]
    people += [
        _compliant(
            "CA-BC", since_years=s, modalities="ims;dry_needling", clinics="Harbour Physiotherapy"
        )
        for s in (6, 11)
    ]
    for j in ("CA-ON", "CA-SK", "US-FL", "US-NJ", "US-UT", "CA-QC", "US-WA"):
        people.append(_compliant(j, since_years=10))
    people.append(_compliant("CA-AB", clinics="Bow River Physio;Harbour Physiotherapy"))
    return people + _added_later()


def _added_later() -> list[Person]:
    """Scenarios added after the first demo, listed last so that every earlier demo
    practitioner keeps their name and number: credentials the regulator rejected or revoked
    (they count for nothing, CONTRACT §5), and too few supervised sessions in Florida."""
    ab_auth = _cred("needling_authorization", AUTHORITY["CA-AB"], 2.0)
    ab_course = _cred("dry_needling_course", "Acupuncture Canada", 3.0, hours=45)
    bc = _compliant("CA-BC")
    return [
        # a rejected authorization counts for nothing: missing_credential
        Person(
            "CA-AB",
            credentials=[
                {**ab_auth, "verification": "rejected", "decided_days_ago": 12},
                ab_course,
            ],
            clinics="Bow River Physio",
        ),
        # a revoked authorization, withdrawn by the regulator last week
        Person(
            "CA-BC",
            registration_class="full",
            clinics="Harbour Physiotherapy",
            credentials=[
                {**bc.credentials[0], "verification": "revoked", "decided_days_ago": 7},
                *bc.credentials[1:],
            ],
        ),
        # insufficient_sessions: Florida requires 25 supervised sessions
        Person(
            "US-FL",
            credentials=[
                _cred("dry_needling_course", "Kinetacore", 3, hours=54, in_person_hours=54),
                _cred("supervised_sessions", "Kinetacore", 2.5, sessions=10),
            ],
        ),
    ]


def demo_csvs(today: date) -> tuple[str, str]:
    """The demo registry as (practitioners.csv, credentials.csv) text."""
    p_out, c_out = io.StringIO(), io.StringIO()
    p_cols = [
        "jurisdiction",
        "profession",
        "registration_number",
        "given_name",
        "family_name",
        "registration_status",
        "status_since",
        "registered_since",
        "registration_class",
        "registration_expires_on",
        "city",
        "clinics",
        "modalities",
        "email",
        "phone",
    ]
    c_cols = [
        "jurisdiction",
        "profession",
        "registration_number",
        "credential_type",
        "issuer",
        "credential_number",
        "issued_on",
        "expires_on",
        "hours",
        "in_person_hours",
        "sessions",
        "verification",
        "verified_on",
    ]
    pw, cw = csv.DictWriter(p_out, p_cols), csv.DictWriter(c_out, c_cols)
    pw.writeheader()
    cw.writeheader()
    for n, person in enumerate(_population()):
        key = {
            "jurisdiction": person.jurisdiction,
            "profession": person.profession,
            "registration_number": f"{person.jurisdiction[3:]}-{1001 + n}",
        }
        pw.writerow(_practitioner_row(person, key, n, today))
        for k, c in enumerate(person.credentials):
            cw.writerow(_credential_row(c, key, n, k, today))
    return p_out.getvalue(), c_out.getvalue()


def _practitioner_row(person: Person, key: dict, n: int, today: date) -> dict:
    since = today - timedelta(days=round(person.since_years * 365.25))
    given, family = GIVEN[n % len(GIVEN)], FAMILY[(n * 7) % len(FAMILY)]
    status_since = (
        today - timedelta(days=person.status_days_ago) if person.status_days_ago else since
    )
    expires = today + timedelta(days=person.expires_in) if person.expires_in is not None else None
    return {
        **key,
        "given_name": given,
        "family_name": family,
        "registration_status": person.status,
        "status_since": status_since.isoformat(),
        "registered_since": since.isoformat(),
        "registration_class": person.registration_class,
        "registration_expires_on": expires.isoformat() if expires else "",
        "city": CITY.get(person.jurisdiction, ""),
        "clinics": person.clinics,
        "modalities": person.modalities,
        "email": _ascii(f"{given}.{family}.{n}@example.org".lower()),
        "phone": f"+1-555-01{n:02d}",
    }


def _credential_row(c: dict, key: dict, n: int, k: int, today: date) -> dict:
    issued = today - timedelta(days=round(c["years_ago"] * 365.25))
    expires = today + timedelta(days=c["expires_in"]) if c["expires_in"] is not None else None
    return {
        **key,
        "credential_type": c["credential_type"],
        "issuer": c["issuer"],
        "credential_number": f"D{n:03d}-{k}",
        "issued_on": issued.isoformat(),
        "expires_on": expires.isoformat() if expires else "",
        "hours": c.get("hours", ""),
        "in_person_hours": c.get("in_person_hours", ""),
        "sessions": c.get("sessions", ""),
        "verification": c["verification"],
        "verified_on": _decided_on(c, issued, today),
    }


def _decided_on(c: dict, issued: date, today: date) -> str:
    if c["verification"] == "pending":
        return ""
    if c["decided_days_ago"] is not None:
        return (today - timedelta(days=c["decided_days_ago"])).isoformat()
    return min(issued + timedelta(days=14), today).isoformat()


def default_rules_bytes() -> bytes:
    return resources.files("registry.rules").joinpath(DEFAULT_RULES).read_bytes()


def seed(session: Session, actor: str, today: date) -> list[str]:
    """Load the default rules (unless already active) and the demo registry; returns what
    was done, line by line. Running it again changes nothing."""
    done = [_default_rules(session, actor)]
    practitioners, credentials = demo_csvs(today)
    done.append(import_practitioners(session, actor, io.StringIO(practitioners)).summary)
    done.append(import_credentials(session, actor, io.StringIO(credentials)).summary)
    for email, password, role, jurisdictions, clinics in DEMO_USERS:
        if session.scalar(select(User.id).where(User.email == email)) is None:
            create_user(session, actor, email, password, role, jurisdictions, clinics)
        scope = ", ".join(jurisdictions + clinics) or "everything"
        done.append(f"login {email} / {password}  ({role}; {scope})")
    done.append(_demo_practitioner_account(session, actor))
    return done


def _default_rules(session: Session, actor: str) -> str:
    """Load the default rules when no rules are active or the active ones are an earlier
    default file; never over a version someone else activated (a regulator's edit, a file
    loaded by hand), which ``make run`` would otherwise silently undo."""
    active = session.scalar(select(RuleSet).where(RuleSet.active.is_(True)))
    if active is not None and active.filename != DEFAULT_RULES:
        return (
            f"default rules not loaded: version {active.version} ({active.filename}) is active; "
            f"load them with 'registry load-rules' to replace it"
        )
    rule_set = load_rules(session, actor, default_rules_bytes(), DEFAULT_RULES)
    if active is not None and rule_set.id == active.id:  # identical rules: no new version
        return f"default rules already active as version {active.version}"
    return f"default rules loaded as version {rule_set.version} ({len(rule_set.rules)} rules)"


def _demo_practitioner_account(session: Session, actor: str) -> str:
    (j, prof, number), password = DEMO_PRACTITIONER
    p = session.scalar(
        select(Practitioner).where(
            Practitioner.jurisdiction_code == j,
            Practitioner.profession_code == prof,
            Practitioner.registration_number == number,
        )
    )
    if session.scalar(select(User.id).where(User.practitioner_id == p.id)) is None:
        create_user(session, actor, p.email, password, "practitioner", practitioner=p)
    return f"login {p.email} / {password}  (practitioner; {p.name}, {j} {number})"


def _ascii(text: str) -> str:
    """Chloé -> chloe: demo addresses any mail server accepts (no SMTPUTF8 needed)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
