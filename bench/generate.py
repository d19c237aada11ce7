"""Generate large, valid import files for benchmarking the registry.

Usage::

    python bench/generate.py OUTDIR [--practitioners 100000|100k|1M] [--seed 20261121]

Writes ``OUTDIR/practitioners.csv`` and ``OUTDIR/credentials.csv`` in the import formats of
the interchange contract (CONTRACT.md section 3) and prints how many rows each holds.

Contract of the output:

- The same seed and count always produce byte-identical files.
- Rows are streamed: memory does not grow with the number of practitioners.
- Every row is valid: codes from CONTRACT.md section 1, ISO dates, ``expires_on >= issued_on``,
  no negative numbers, ``in_person_hours <= hours``, ``status_since >= registered_since``.
- ``(jurisdiction, profession, registration_number)`` is unique, every credential names a
  practitioner written before it, and no two credentials share practitioner, type, issuer,
  credential number and issue date.
- About 1% of family names are "Smith" (a common-surname search benchmark); there are about
  3.5 credentials per practitioner and about 2,000 distinct clinic names.

Standard library only, so it runs without the project's virtual environment.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import accumulate
from pathlib import Path


class Weighted:
    """A fixed set of choices, each picked with probability proportional to its weight."""

    def __init__(self, weights: dict) -> None:
        self.choices = list(weights)
        self.cum_weights = list(accumulate(weights.values()))

    def pick(self, rng: random.Random):
        return rng.choices(self.choices, cum_weights=self.cum_weights)[0]


def words(text: str) -> list[str]:
    """The whitespace-separated words of ``text`` (keeps long name lists compact)."""
    return text.split()


PRACTITIONER_COLUMNS = (
    "jurisdiction", "profession", "registration_number", "given_name", "family_name",
    "registration_status", "status_since", "registered_since", "registration_class",
    "registration_expires_on", "city", "clinics", "modalities", "email", "phone",
)  # fmt: skip
CREDENTIAL_COLUMNS = (
    "jurisdiction", "profession", "registration_number", "credential_type", "issuer",
    "credential_number", "issued_on", "expires_on", "hours", "in_person_hours", "sessions",
    "verified",
)  # fmt: skip

# code: (name, weight, cities). City names are unique across jurisdictions, so clinic names
# (which start with the city) are too.
JURISDICTIONS = {
    "CA-BC": ("British Columbia", 10, "Vancouver, Victoria, Surrey, Burnaby, Kelowna, Kamloops"),
    "CA-AB": ("Alberta", 9, "Calgary, Edmonton, Red Deer, Lethbridge, Medicine Hat"),
    "CA-ON": ("Ontario", 22, "Toronto, Ottawa, Mississauga, Hamilton, London, Kingston"),
    "CA-QC": ("Québec", 13, "Montréal, Québec City, Laval, Gatineau, Sherbrooke, Trois-Rivières"),
    "CA-SK": ("Saskatchewan", 2.5, "Saskatoon, Regina, Prince Albert, Moose Jaw"),
    "CA-NS": ("Nova Scotia", 2, "Halifax, Dartmouth, Sydney, Truro"),
    "CA-NL": ("Newfoundland and Labrador", 1, "St. John's, Mount Pearl, Corner Brook"),
    "CA-MB": ("Manitoba", 2.5, "Winnipeg, Brandon, Steinbach"),
    "US-CO": ("Colorado", 3, "Denver, Colorado Springs, Boulder, Fort Collins, Aurora"),
    "US-NY": ("New York", 9, "New York, Buffalo, Rochester, Albany, Syracuse"),
    "US-CA": ("California", 15, "Los Angeles, San Francisco, San Diego, Sacramento, San Jose"),
    "US-HI": ("Hawaii", 0.8, "Honolulu, Hilo, Kailua, Kahului"),
    "US-OR": ("Oregon", 2, "Portland, Eugene, Salem, Bend"),
    "US-WA": ("Washington", 3.5, "Seattle, Spokane, Tacoma, Bellevue, Olympia"),
    "US-UT": ("Utah", 1.5, "Salt Lake City, Provo, Ogden, St. George"),
    "US-FL": ("Florida", 9, "Miami, Orlando, Tampa, Jacksonville, Tallahassee"),
    "US-MD": ("Maryland", 2.5, "Baltimore, Annapolis, Rockville, Frederick"),
    "US-NJ": ("New Jersey", 3.5, "Newark, Jersey City, Trenton, Princeton, Paterson"),
    "US-TX": ("Texas", 12, "Houston, Austin, Dallas, San Antonio, El Paso, Fort Worth"),
    "US-VA": ("Virginia", 3.5, "Richmond, Virginia Beach, Arlington, Norfolk"),
    "US-GA": ("Georgia", 4, "Atlanta, Savannah, Augusta, Athens"),
    "US-NC": ("North Carolina", 4, "Charlotte, Raleigh, Durham, Greensboro, Asheville"),
    "US-OH": ("Ohio", 4.5, "Columbus, Cleveland, Cincinnati, Toledo, Dayton"),
    "US-IL": ("Illinois", 5, "Chicago, Springfield, Naperville, Peoria, Rockford"),
}  # fmt: skip
CITIES = {code: spec[2].split(", ") for code, spec in JURISDICTIONS.items()}

# code: (weight, registration-number prefix, regulator field in "College of X" / "Board of X").
PROFESSIONS = {
    "physiotherapist": (46, "PT", "Physiotherapists", "Physical Therapy"),
    "chiropractor": (14, "DC", "Chiropractors", "Chiropractic Examiners"),
    "massage_therapist": (12, "MT", "Massage Therapists", "Massage Therapy"),
    "acupuncturist": (9, "AC", "Acupuncturists", "Acupuncture"),
    "occupational_therapist": (7, "OT", "Occupational Therapists", "Occupational Therapy"),
    "naturopathic_doctor": (3, "ND", "Naturopaths", "Naturopathic Medicine"),
    "physician": (3, "MD", "Physicians and Surgeons", "Medicine"),
    "physiotherapist_assistant": (2, "PTA", "Physiotherapists", "Physical Therapy"),
    "nurse": (2, "RN", "Nurses", "Nursing"),
    "athletic_therapist": (1.5, "AT", "Athletic Therapists", "Athletic Training"),
    "kinesiologist": (0.5, "KIN", "Kinesiologists", "Kinesiology"),
}

JURISDICTION_PICKER = Weighted({code: spec[1] for code, spec in JURISDICTIONS.items()})
PROFESSION_PICKER = Weighted({code: spec[0] for code, spec in PROFESSIONS.items()})

# Real regulator names where the generic "College of X of Y" / "Y Board of X" would be wrong.
REGULATORS = {
    ("CA-BC", "physiotherapist"): "College of Health and Care Professionals of BC",
    ("CA-BC", "acupuncturist"): "College of Complementary Health Professionals of BC",
    ("CA-AB", "physiotherapist"): "College of Physiotherapists of Alberta",
    ("CA-AB", "acupuncturist"): "College of Acupuncturists of Alberta",
    ("CA-AB", "occupational_therapist"): "Alberta College of Occupational Therapists",
    ("CA-ON", "acupuncturist"): (
        "College of Traditional Chinese Medicine Practitioners and Acupuncturists of Ontario"
    ),
    ("CA-QC", "physiotherapist"): "Ordre professionnel de la physiothérapie du Québec",
    ("CA-QC", "acupuncturist"): "Ordre des acupuncteurs du Québec",
    ("CA-QC", "physician"): "Collège des médecins du Québec",
    ("US-CA", "physiotherapist"): "Physical Therapy Board of California",
    ("US-CA", "acupuncturist"): "California Acupuncture Board",
    ("US-NY", "physiotherapist"): "NYSED Office of the Professions",
    ("US-NY", "acupuncturist"): "NYSED Office of the Professions",
    ("US-MD", "physiotherapist"): "Maryland Board of Physical Therapy Examiners",
}

# Modality sets each profession performs, with weights; () performs none (about 40% overall).
MODALITY_CHOICES = {
    "physiotherapist": {(): 24, ("dry_needling",): 35, ("dry_needling", "ims"): 14,
                        ("ims",): 11, ("acupuncture", "dry_needling"): 7, ("acupuncture",): 3},
    "acupuncturist": {("acupuncture",): 93, ("acupuncture", "dry_needling"): 7},
    "chiropractor": {(): 52, ("dry_needling",): 28, ("acupuncture",): 12},
    "massage_therapist": {(): 80, ("dry_needling",): 10, ("acupuncture",): 5},
    "occupational_therapist": {(): 80, ("dry_needling",): 12, ("acupuncture",): 8},
    "naturopathic_doctor": {(): 40, ("acupuncture",): 60},
    "physician": {(): 50, ("acupuncture",): 25, ("ims",): 15, ("dry_needling",): 10},
    "athletic_therapist": {(): 55, ("dry_needling",): 45},
}  # fmt: skip
NO_MODALITIES = Weighted({(): 90, ("dry_needling",): 10})
MODALITY_PICKERS = {code: Weighted(choices) for code, choices in MODALITY_CHOICES.items()}

STATUSES = Weighted({"active": 92, "lapsed": 4, "suspended": 1.5, "retired": 1.5, "revoked": 1})
CLASSES = Weighted({"general": 90, "provisional": 7, "courtesy": 3})

ISSUERS = {
    "dry_needling_course": ["Kinetacore", "Myopain Seminars", "Evidence in Motion",
                            "Integrative Dry Needling Institute", "Structure & Function Education",
                            "Acupuncture Canada"],
    "ims_certification": ["UBC Gunn IMS", "iSTOP"],
    "cpr_CA": ["Heart and Stroke Foundation", "Canadian Red Cross", "St. John Ambulance"],
    "cpr_US": ["American Heart Association", "American Red Cross"],
    "bloodborne_pathogens": ["American Red Cross", "OSHA Education Center",
                             "Canadian Centre for Occupational Health and Safety"],
    "insurance_CA": ["BMS Group", "Aon Reed Stenhouse", "Lloyd Sadd"],
    "insurance_US": ["HPSO", "CPH & Associates", "Proliability"],
    "continuing_education": ["Acupuncture Canada", "Canadian Physiotherapy Association", "APTA",
                             "MedBridge", "Evidence in Motion", "Physiopedia Plus"],
    "supervised_sessions": ["Kinetacore", "Myopain Seminars", "Acupuncture Canada", ""],
}  # fmt: skip
ACUPUNCTURE_EXAMS = {"US": "NCCAOM", "CA": "CARB-TCMPA Pan-Canadian Examinations"}

GIVEN_NAMES = words("""
Aaliyah Aaron Abigail Adam Adrian Aidan Aisha Alejandro Alex Alexandra Alice Amélie Amir Amy
Ana André Andrea Andrew Angela Anna Anthony Arjun Aryan Ashley Ava Benjamin Benoît Beth Bianca
Brandon Brian Bruno Caleb Camila Carlos Caroline Catherine Charlotte Chen Chloé Chris Claire
Connor Daniel David Deepa Diana Diego Dmitri Eleanor Elena Eli Elijah Élodie Emily Emma Eric
Erin Ethan Eva Evelyn Fatima Felix Fiona François Frédéric Gabriel Gaëtan Grace Hana Hannah
Harper Hélène Henry Hiroshi Ian Isaac Isabella Ivan Jack Jacob James Jasmine Jason Javier Jennifer
Jérôme Jessica Ji-ho John Jordan José Joseph Joshua Julia Julien Justin Karen Kate Kenji Kevin
Kim Laura Lauren Layla Léa Leah Leo Liam Lily Linda Lucas Lucy Luis Madison Maëlle Maria Mark
Martin Mason Matthew Maya Megan Mei Mia Michael Michelle Mohammed Nadia Naomi Natalie Nathan
Neha Nicholas Nicole Noah Noémie Olivia Omar Oscar Owen Paul Priya Rachel Rafael Raphaël Rebecca
Renée Ricardo Robert Rohan Rosa Ryan Samantha Samuel Sara Sarah Sean Sébastien Sofia Sophie
Stephanie Steven Tara Thérèse Thomas Tyler Valentina Victoria Vikram Wei William Xavier Yasmin
Yuki Zachary Zara Zoë Aiko Bogdan Chiara Dawit Emeka Farah Giulia Hamza Ines Jonas Kwame Lars
Mateo Nikhil Olga Pedro Quinn Riya Sanjay Tomás Uma
""")

# "Smith" is drawn separately (SMITH_SHARE) so its frequency is controlled; no name here
# contains "smith", so a search for it finds exactly those rows.
FAMILY_NAMES = words("""
Abbott Adams Ahmed Akhtar Ali Allen Alvarez Anderson Andrews Armstrong Arsenault Bailey Baker
Banerjee Barnes Bélanger Bell Bennett Bergeron Bérubé Bhatt Bishop Black Blais Boucher Bouchard
Boudreau Bradley Brooks Brown Brûlé Bryant Burke Butler Campbell Caron Carter Castillo Chan Chang
Chapman Chen Cheng Choi Chowdhury Clark Cloutier Cohen Cole Collins Cook Cooper Côté Cox
Crawford Cruz Cunningham Daniels Das Davies Davis Desjardins Diaz Dion Dixon Doan Douglas Doyle
Dubé Dubois Duncan Dunn Dupont Edwards Elliott Ellis Evans Ferguson Fernández Fleming Fontaine
Ford Fortin Foster Fournier Fraser Gagné Gagnon García Gauthier Gélinas Gill Girard González
Gordon Graham Grant Gray Green Grewal Griffin Gupta Hall Hamilton Harris Harrison Hart Hassan
Hayes Henderson Hernández Hill Ho Holmes Hosseini Howard Huang Hughes Hunt Hunter Hussain Ibrahim
Iyer Jackson James Jensen Johnson Johnston Jones Joshi Kang Kaur Kelly Kennedy Khan Kim King
Kowalski Kumar Lachance Lafleur Lam Lambert Landry Lapointe Larsen Lavoie Lawson Leblanc Leduc
Lee Legault Lemieux Lévesque Lewis Li Lin Liu Lopez Lund MacDonald MacKenzie Malik Marshall
Martin Martínez Mason Matthews McCarthy McDonald McLean Mehta Ménard Mercier Miller Mitchell
Moore Morales Morin Morris Müller Murphy Murray Nadeau Nair Nakamura Nelson Ng Nguyen Nowak
Núñez O'Brien O'Connor Okafor Olsen Ortiz Ouellet Owens Palmer Park Parker Patel Paquette
Pelletier Pérez Perry Peters Phillips Phan Poirier Powell Price Qureshi Rahman Ramírez Rao Reddy
Reid Reyes Richard Richardson Rivera Roberts Robertson Robinson Rodríguez Rogers Ross Roy Russell
Ryan Saini Sánchez Santos Saunders Scott Sharma Shaw Simard Simpson Singh Sinclair Stewart
Stevens Sullivan Sutherland Tanaka Taylor Thériault Thibault Thomas Thompson Torres Tran
Tremblay Tucker Turcotte Turner Vargas Vasquez Verma Wagner Walker Wallace Walsh Wang Ward
Watson Webb Wells White Williams Wilson Wong Wood Wright Wu Xu Yamamoto Yang Young Zhang Zhao
Zhou Zimmerman Åberg Ødegaard Ferreira Kovač Nováková Papadopoulos Schäfer Sørensen Öztürk
""")
SMITH_SHARE = 0.01

CLINIC_WORDS = words("""Active Alpine Balance Bridge Central Core Evergreen Harbour Heritage Kinetic
Lakeside Maple Motion North Pinnacle Riverside Summit Vital West Wellspring""")
CLINIC_SUFFIXES = ("Physio", "Physiotherapy", "Sports Clinic", "Wellness", "Rehab", "Health")
CLINICS_PER_CITY = 18

# Fixed reference dates: the data must not depend on the day it is generated.
REGISTERED_FROM, REGISTERED_TO = date(1990, 1, 1), date(2026, 6, 30)
CREDENTIALS_FROM, CREDENTIALS_TO = date(2000, 1, 1), date(2026, 10, 31)


@dataclass(frozen=True)
class Practitioner:
    """What the credential generator needs to know about a practitioner it has written."""

    key: tuple[str, str, str]
    registered_since: date
    modalities: tuple[str, ...]

    @property
    def country(self) -> str:
        return self.key[0][:2]


def random_date(rng: random.Random, start: date, end: date) -> date:
    """A uniformly random date in the inclusive range; ``start`` must not be after ``end``."""
    return date.fromordinal(rng.randint(start.toordinal(), end.toordinal()))


def recent_date(rng: random.Random, start: date, years: float) -> date:
    """A date within ``years`` before CREDENTIALS_TO, but never before ``start``."""
    lower = max(start, CREDENTIALS_TO - timedelta(days=round(365.25 * years)))
    return random_date(rng, lower, CREDENTIALS_TO)


def years_after(rng: random.Random, issued: date, low: int, high: int) -> date:
    """An expiry ``low``..``high`` whole years after ``issued`` (the day before the anniversary)."""
    years = rng.randint(low, high)
    try:
        anniversary = issued.replace(year=issued.year + years)
    except ValueError:  # 29 February
        anniversary = issued.replace(year=issued.year + years, day=28)
    return anniversary - timedelta(days=1)


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only, for e-mail local parts."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def regulator(jurisdiction: str, profession: str) -> str:
    """The regulator's name, used as issuer of authorizations and registrations."""
    if (jurisdiction, profession) in REGULATORS:
        return REGULATORS[jurisdiction, profession]
    name = JURISDICTIONS[jurisdiction][0]
    _, _, college_field, board_field = PROFESSIONS[profession]
    if jurisdiction.startswith("CA-"):
        return f"College of {college_field} of {name}"
    return f"{name} Board of {board_field}"


@cache
def clinic_pool(city: str) -> list[str]:
    """The CLINICS_PER_CITY distinct clinic names of a city, the same on every call."""
    shift = sum(map(ord, city))
    return [
        f"{city} {CLINIC_WORDS[(shift + k) % len(CLINIC_WORDS)]} "
        f"{CLINIC_SUFFIXES[(shift + 7 * k) % len(CLINIC_SUFFIXES)]}"
        for k in range(CLINICS_PER_CITY)
    ]


def registration_fields(rng: random.Random) -> dict[str, str]:
    """Status, class and dates of one registration, consistent with each other."""
    since = random_date(rng, REGISTERED_FROM, REGISTERED_TO)
    status = STATUSES.pick(rng)
    if status == "active":
        status_since = rng.choice(["", since.isoformat(), random_date(rng, since, REGISTERED_TO)])
    elif rng.random() < 0.05:  # a status change already decided but not yet in effect
        status_since = random_date(rng, date(2026, 11, 1), date(2027, 3, 31))
    else:
        status_since = random_date(rng, since, CREDENTIALS_TO)
    roll = rng.random()
    if roll < 0.85:
        expires = random_date(rng, date(2026, 12, 1), date(2027, 12, 31)).isoformat()
    elif roll < 0.93:
        expires = ""
    else:
        expires = random_date(rng, max(since, date(2024, 1, 1)), date(2026, 11, 30)).isoformat()
    return {
        "registration_status": status,
        "status_since": str(status_since),  # "" or an ISO date
        "registered_since": since.isoformat(),
        "registration_class": CLASSES.pick(rng),
        "registration_expires_on": expires,
    }


def practitioner_row(rng: random.Random, index: int, counters: dict) -> dict[str, str]:
    """One practitioners.csv row.

    ``counters`` holds the last registration number per (jurisdiction, profession); ``index``
    makes e-mail addresses unique.
    """
    jurisdiction = JURISDICTION_PICKER.pick(rng)
    profession = PROFESSION_PICKER.pick(rng)
    counters[jurisdiction, profession] = number = counters.get((jurisdiction, profession), 0) + 1
    given = rng.choice(GIVEN_NAMES)
    family = "Smith" if rng.random() < SMITH_SHARE else rng.choice(FAMILY_NAMES)
    city = rng.choice(CITIES[jurisdiction])
    roll = rng.random()
    clinic_count = 1 if roll < 0.60 else 2 if roll < 0.65 else 0
    modalities = MODALITY_PICKERS.get(profession, NO_MODALITIES).pick(rng)
    return {
        "jurisdiction": jurisdiction,
        "profession": profession,
        "registration_number": f"{PROFESSIONS[profession][1]}{number:06d}",
        "given_name": given,
        "family_name": family,
        **registration_fields(rng),
        "city": city,
        "clinics": ";".join(rng.sample(clinic_pool(city), clinic_count)),
        "modalities": ";".join(modalities),
        "email": "" if rng.random() < 0.1 else
        f"{ascii_slug(given)}.{ascii_slug(family)}.{index}@example.org",
        "phone": "" if rng.random() < 0.15 else
        f"+1-555-{rng.randint(200, 999):03d}-{rng.randint(0, 9999):04d}",
    }  # fmt: skip


def hours_text(half_hours: int) -> str:
    """Format a count of half hours as ``24`` or ``24.5``."""
    return str(half_hours // 2) if half_hours % 2 == 0 else f"{half_hours / 2:.1f}"


def course_hours(rng: random.Random, low: int, high: int) -> dict[str, str]:
    """``hours`` in low..high (half-hour steps) and ``in_person_hours`` <= hours, or empty."""
    total = rng.randint(2 * low, 2 * high) if rng.random() < 0.5 else 2 * rng.randint(low, high)
    roll = rng.random()
    if roll < 0.1:
        in_person = ""
    elif roll < 0.15:
        in_person = "0"  # fully online
    else:
        in_person = hours_text(min(total, round(total * rng.uniform(0.3, 1.0))))
    return {"hours": hours_text(total), "in_person_hours": in_person}


def plan_credentials(rng: random.Random, p: Practitioner) -> list[tuple[str, str, str]]:
    """The (type, issuer, validity) list of one practitioner's credentials.

    Validity is "course" (no expiry), "renewable" (1-3 year expiry, recently issued),
    "annual" (1 year expiry, recently issued), "authorization" (sometimes expires) or
    "acupuncture_course" (a long course). Types follow the profession and modalities.
    """
    jurisdiction, profession, _ = p.key
    plan = []

    def add(ctype: str, issuer: str, validity: str = "course", times: int = 1) -> None:
        plan.extend([(ctype, issuer, validity)] * times)

    def issuer(kind: str) -> str:
        return rng.choice(ISSUERS[kind])

    if rng.random() < 0.75:
        add("cpr_certification", issuer(f"cpr_{p.country}"), "renewable", rng.choice([1, 1, 1, 2]))
    if rng.random() < 0.55:
        add("liability_insurance", issuer(f"insurance_{p.country}"), "annual")
    add("continuing_education", issuer("continuing_education"),
        times=rng.choices([0, 1, 2], weights=[60, 30, 10])[0])  # fmt: skip
    if p.modalities and profession != "acupuncturist" and rng.random() < 0.85:
        add("needling_authorization", regulator(jurisdiction, profession), "authorization")
    if "dry_needling" in p.modalities:
        for _ in range(rng.choices([0, 1, 2, 3], weights=[10, 55, 25, 10])[0]):
            add("dry_needling_course", issuer("dry_needling_course"))
        if rng.random() < 0.2:
            add("supervised_sessions", issuer("supervised_sessions"))
    if "ims" in p.modalities and rng.random() < 0.85:
        add("ims_certification", issuer("ims_certification"))
    if "acupuncture" in p.modalities:
        if profession != "acupuncturist":
            if rng.random() < 0.8:
                add("continuing_education", "Acupuncture Canada", "acupuncture_course")
        else:
            if rng.random() < 0.95:
                add("acupuncture_registration", regulator(jurisdiction, profession), "renewable")
            if rng.random() < 0.8:
                add("acupuncture_board_exam", ACUPUNCTURE_EXAMS[p.country])
    if p.modalities and rng.random() < 0.3:
        add("bloodborne_pathogens", issuer("bloodborne_pathogens"), "annual")
    return plan


def credential_dates(rng: random.Random, start: date, validity: str) -> tuple[date, date | None]:
    """Issue and expiry dates for a credential of the given validity kind."""
    if validity == "renewable":
        issued = recent_date(rng, start, 3)
        return issued, years_after(rng, issued, 1, 3)
    if validity == "annual":
        issued = recent_date(rng, start, 1.25)
        return issued, years_after(rng, issued, 1, 1)
    issued = random_date(rng, start, CREDENTIALS_TO)
    if validity == "authorization" and rng.random() < 0.3:
        return issued, years_after(rng, issued, 1, 3)
    return issued, None


def credential_rows(rng: random.Random, p: Practitioner, serial: list[int]):
    """Yield the credentials.csv rows of one practitioner.

    ``serial`` is a one-item counter shared across practitioners so credential numbers are
    unique; a row without a number that would repeat another row's identity gets one.
    """
    start = max(p.registered_since, CREDENTIALS_FROM)
    seen = set()
    for ctype, issuer, validity in plan_credentials(rng, p):
        issued, expires = credential_dates(rng, start, validity)
        serial[0] += 1
        number = "" if rng.random() < 0.1 else f"C{serial[0]:08d}"
        if (ctype, issuer, number, issued) in seen:
            number = f"C{serial[0]:08d}"
        seen.add((ctype, issuer, number, issued))
        row = dict(zip(("jurisdiction", "profession", "registration_number"), p.key, strict=True))
        row.update(credential_type=ctype, issuer=issuer, credential_number=number,
                   issued_on=issued.isoformat(), expires_on=expires.isoformat() if expires else "",
                   hours="", in_person_hours="", sessions="",
                   verified="true" if rng.random() < 0.6 else "false")  # fmt: skip
        if ctype == "dry_needling_course":
            row.update(course_hours(rng, 8, 120))
        elif ctype == "ims_certification":
            row.update(course_hours(rng, 50, 120))
        elif validity == "acupuncture_course":
            row.update(course_hours(rng, 40, 300))
        elif ctype == "continuing_education":
            row.update(course_hours(rng, 1, 40))
        elif ctype == "supervised_sessions":
            row["sessions"] = str(rng.randint(5, 260))
        yield row


def generate(outdir: Path, practitioners: int, seed: int) -> tuple[int, int]:
    """Write both files into ``outdir`` and return their row counts (without headers)."""
    rng = random.Random(seed)
    outdir.mkdir(parents=True, exist_ok=True)
    counters: dict[tuple[str, str], int] = {}
    serial = [0]
    written = 0
    with (
        open(outdir / "practitioners.csv", "w", newline="", encoding="utf-8") as pfile,
        open(outdir / "credentials.csv", "w", newline="", encoding="utf-8") as cfile,
    ):
        pwriter = csv.DictWriter(pfile, PRACTITIONER_COLUMNS)
        cwriter = csv.DictWriter(cfile, CREDENTIAL_COLUMNS)
        pwriter.writeheader()
        cwriter.writeheader()
        for index in range(1, practitioners + 1):
            row = practitioner_row(rng, index, counters)
            pwriter.writerow(row)
            practitioner = Practitioner(
                key=(row["jurisdiction"], row["profession"], row["registration_number"]),
                registered_since=date.fromisoformat(row["registered_since"]),
                modalities=tuple(filter(None, row["modalities"].split(";"))),
            )
            for credential in credential_rows(rng, practitioner, serial):
                cwriter.writerow(credential)
                written += 1
    return practitioners, written


def non_negative(text: str) -> int:
    """argparse type: an integer >= 0, written out or with a k or M suffix (100k, 1M)."""
    factor = {"k": 1000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    value = int(text[:-1] if factor > 1 else text) * factor
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="directory to write the two CSV files into")
    parser.add_argument(
        "--practitioners", type=non_negative, default=100_000, help="100000, 100k, 1M"
    )
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    people, credentials = generate(args.outdir, args.practitioners, args.seed)
    elapsed = time.perf_counter() - started
    print(f"practitioners.csv: {people} rows")
    print(f"credentials.csv: {credentials} rows")
    print(f"written to {args.outdir} in {elapsed:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
