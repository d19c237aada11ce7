"""The default rules, read like their sources: one table row per thing a source says.

Each case is evaluated with the engine against ``registry/rules/default_rules.yaml`` as the
loader reads it (no database). Verdicts are computed from the gap kinds exactly as CONTRACT v2
§5 defines them (``unverified`` is an error that yields ``pending_verification``), so these
tests do not depend on how the engine of the day grades a gap's severity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from registry.rules import CredentialSnap, Decision, PractitionerSnap, RuleBook, evaluate
from registry.rules.loader import KnownCodes, RulesFile, parse_rules_file

ROOT = Path(__file__).parent.parent
RULES_PATH = ROOT / "registry" / "rules" / "default_rules.yaml"
DOCS_PATH = ROOT / "docs" / "RULES.md"
MODALITIES = {"dry_needling", "ims", "acupuncture"}
TODAY = "2026-11-21"


def _day(value: str | date | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def cred(
    kind: str,
    issued: str = "2019-06-01",
    *,
    verified: bool = True,
    issuer: str = "",
    expires: str | None = None,
    hours: float | None = None,
    in_person: float | None = None,
    sessions: int | None = None,
) -> CredentialSnap:
    """The one place that builds a credential. ``verified=True`` means verified on the day it
    was issued and never rejected or revoked (CONTRACT v2: a one-decision history)."""
    day = _day(issued)
    return CredentialSnap(
        credential_type=kind,
        issued_on=day,
        issuer=issuer,
        expires_on=_day(expires),
        hours=hours,
        in_person_hours=in_person,
        sessions=sessions,
        decisions=(Decision("verified", day),) if verified else (),
    )


def auth(issuer: str, issued: str = "2020-01-01", *, verified: bool = True) -> CredentialSnap:
    return cred("needling_authorization", issued, issuer=issuer, verified=verified)


def dn(hours=None, in_person=None, issuer="Kinetacore", issued="2019-06-01") -> CredentialSnap:
    return cred("dry_needling_course", issued, issuer=issuer, hours=hours, in_person=in_person)


def acu(hours=None, issuer="McMaster University", in_person=None) -> CredentialSnap:
    return cred("acupuncture_course", issuer=issuer, hours=hours, in_person=in_person)


def ims(hours=None) -> CredentialSnap:
    return cred("ims_certification", issuer="UBC Gunn IMS", hours=hours)


def sessions(count: int) -> CredentialSnap:
    return cred("supervised_sessions", "2020-06-01", sessions=count)


EXAM = cred("acupuncture_board_exam", "2012-01-01", issuer="NCCAOM")
CPR = cred(
    "cpr_certification", "2026-01-10", issuer="American Heart Association", expires="2028-01-10"
)
BBP = cred("bloodborne_pathogens", "2019-01-01", issuer="OSHA training")


@dataclass(frozen=True)
class Case:
    says: str  # what the source says, in its own terms
    jurisdiction: str
    profession: str
    modality: str
    verdict: str  # authorized | pending_verification | not_authorized | no_rule
    credentials: tuple[CredentialSnap, ...] = ()
    gap: str | None = None  # a gap kind the case must show
    on: str = TODAY
    registered: str = "2015-01-01"
    practising: str | None = None  # first licensed anywhere; None: registered
    cls: str | None = None
    status: str = "active"


PT, PTA, ACUP = "physiotherapist", "physiotherapist_assistant", "acupuncturist"
DN, IMS, ACU = "dry_needling", "ims", "acupuncture"
BC_AUTH = auth("College of Health and Care Professionals of BC")
CPTBC_AUTH = auth("College of Physical Therapists of British Columbia", "2018-01-01")
BC_INSURANCE = cred("liability_insurance", "2026-06-01", issuer="BMS Group", expires="2027-06-01")
AB_AUTH = auth("College of Physiotherapists of Alberta")
ON_AUTH = auth("College of Physiotherapists of Ontario")
QC_AUTH = auth("Ordre professionnel de la physiothérapie du Québec")
UT_AUTH = auth("Utah Division of Professional Licensing", "2021-01-01")
WA_AUTH = auth("Washington State Department of Health", "2024-08-01")

CANADA = [
    # British Columbia
    Case(
        "a full BC registrant on the roster with 2 years of practice, a DN course and "
        "insurance may dry-needle",
        "CA-BC",
        PT,
        DN,
        "authorized",
        (BC_AUTH, dn(40), BC_INSURANCE),
        registered="2018-01-01",
        cls="full",
    ),
    Case(
        "BC counts practice outside Canada: registered in BC last year, practising since "
        "2018, may needle",
        "CA-BC",
        PT,
        IMS,
        "authorized",
        (BC_AUTH, ims(50), BC_INSURANCE),
        registered="2026-01-05",
        practising="2018-03-01",
        cls="full",
    ),
    Case(
        "a BC physiotherapist with one year of practice may not needle",
        "CA-BC",
        PT,
        DN,
        "not_authorized",
        (BC_AUTH, dn(40), BC_INSURANCE),
        "insufficient_experience",
        registered="2026-01-05",
        cls="full",
    ),
    Case(
        "a BC roster entry counts only from the College, not from a course provider",
        "CA-BC",
        PT,
        DN,
        "not_authorized",
        (auth("Acupuncture Canada"), dn(40), BC_INSURANCE),
        "unapproved_issuer",
        cls="full",
    ),
    Case(
        "a roster entry issued under the former CPTBC name still counts",
        "CA-BC",
        PT,
        ACU,
        "authorized",
        (auth("College of Physical Therapists of British Columbia"), acu(200), BC_INSURANCE),
        cls="full",
    ),
    Case(
        "a BC roster entry not yet checked against the register is pending",
        "CA-BC",
        PT,
        DN,
        "pending_verification",
        (
            auth("College of Health and Care Professionals of BC", verified=False),
            dn(40),
            BC_INSURANCE,
        ),
        "unverified",
        cls="full",
    ),
    Case(
        "in 2021 the BC roster did not yet require liability insurance",
        "CA-BC",
        PT,
        DN,
        "authorized",
        (BC_AUTH, dn(40)),
        on="2021-06-01",
        cls="full",
    ),
    Case(
        "in 2021 the BC roster already required two years of practice",
        "CA-BC",
        PT,
        DN,
        "not_authorized",
        (BC_AUTH, dn(40)),
        "insufficient_experience",
        on="2021-06-01",
        registered="2020-09-01",
        cls="full",
    ),
    Case(
        "in late 2019 full registrants on the roster could needle",
        "CA-BC",
        PT,
        DN,
        "authorized",
        (CPTBC_AUTH, dn(40)),
        on="2019-12-01",
        cls="full",
    ),
    Case(
        "in late 2019 only full registrants could be on the roster",
        "CA-BC",
        PT,
        DN,
        "not_authorized",
        (CPTBC_AUTH, dn(40)),
        "wrong_registration_class",
        on="2019-12-01",
        cls="interim",
    ),
    Case(
        "a BC acupuncturist registered on the Pan-Canadian exams may needle",
        "CA-BC",
        ACUP,
        ACU,
        "authorized",
        (EXAM,),
    ),
    Case(
        "a BC acupuncturist without the board exams on file may not",
        "CA-BC",
        ACUP,
        ACU,
        "not_authorized",
        (),
        "missing_credential",
    ),
    Case(
        "from 2003-04-12 a CTCMA registration was required to practise acupuncture in BC: "
        "a registrant who passed the College's examinations may needle in 2010",
        "CA-BC",
        ACUP,
        ACU,
        "authorized",
        (cred("acupuncture_board_exam", "2004-05-01", issuer="CTCMA"),),
        on="2010-03-01",
        registered="2004-06-01",
    ),
    Case(
        "a BC acupuncturist in 2010 without the College's examinations on file may not",
        "CA-BC",
        ACUP,
        ACU,
        "not_authorized",
        (),
        "missing_credential",
        on="2010-03-01",
        registered="2004-06-01",
    ),
    Case(
        "before 2003-04-12 registration with the BC college was voluntary: no rule",
        "CA-BC",
        ACUP,
        ACU,
        "no_rule",
        (),
        on="2002-06-01",
        registered="2001-01-01",
    ),
    # Alberta
    Case(
        "an Alberta general-register PT with the authorization on the permit may needle",
        "CA-AB",
        PT,
        DN,
        "authorized",
        (AB_AUTH, dn(45)),
        cls="general",
    ),
    Case(
        "an authorization issued as Physiotherapy Alberta (the former name) counts",
        "CA-AB",
        PT,
        ACU,
        "authorized",
        (auth("Physiotherapy Alberta"), acu(200)),
        cls="general",
    ),
    Case(
        "an Alberta provisional-register PT may not needle",
        "CA-AB",
        PT,
        DN,
        "not_authorized",
        (AB_AUTH, dn(45)),
        "wrong_registration_class",
        cls="provisional",
    ),
    Case(
        "an Alberta authorization must come from the College, not another regulator",
        "CA-AB",
        PT,
        IMS,
        "not_authorized",
        (auth("College of Physiotherapists of Ontario"), ims(50)),
        "unapproved_issuer",
        cls="general",
    ),
    Case(
        "an Alberta OT on the ACOT acupuncture roster may needle",
        "CA-AB",
        "occupational_therapist",
        ACU,
        "authorized",
        (auth("Alberta College of Occupational Therapists"), acu(200)),
    ),
    Case(
        "an Alberta OT without the roster entry may not",
        "CA-AB",
        "occupational_therapist",
        ACU,
        "not_authorized",
        (acu(200),),
        "missing_credential",
    ),
    Case(
        "an Alberta acupuncturist who passed the AARE may needle",
        "CA-AB",
        ACUP,
        ACU,
        "authorized",
        (EXAM,),
    ),
    Case(
        "an Alberta acupuncturist without the AARE on file may not",
        "CA-AB",
        ACUP,
        ACU,
        "not_authorized",
        (),
        "missing_credential",
    ),
    Case(
        "unregulated Alberta massage therapists may not insert needles",
        "CA-AB",
        "massage_therapist",
        DN,
        "not_authorized",
        (dn(40),),
        "outside_scope",
    ),
    # Ontario
    Case(
        "an Ontario PT on the CPO acupuncture roster may dry-needle",
        "CA-ON",
        PT,
        DN,
        "authorized",
        (ON_AUTH, dn(40)),
    ),
    Case(
        "IMS is dry needling, so the CPO roster covers it",
        "CA-ON",
        PT,
        IMS,
        "authorized",
        (ON_AUTH, ims(50)),
    ),
    Case(
        "an Ontario PT off the roster may not perform acupuncture",
        "CA-ON",
        PT,
        ACU,
        "not_authorized",
        (acu(300),),
        "missing_credential",
    ),
    Case(
        "Ontario PT assistants are not exempt under O.Reg 107/96 and may not needle",
        "CA-ON",
        PTA,
        DN,
        "not_authorized",
        (dn(40),),
        "outside_scope",
    ),
    Case(
        "an RMT authorized by CMTO before 2017-01-09 stays authorized (grandparented)",
        "CA-ON",
        "massage_therapist",
        ACU,
        "authorized",
        (auth("College of Massage Therapists of Ontario", "2015-03-01"),),
    ),
    Case(
        "an RMT with a course but no CMTO authorization may not",
        "CA-ON",
        "massage_therapist",
        ACU,
        "not_authorized",
        (acu(200),),
        "missing_credential",
    ),
    Case(
        "an Ontario chiropractor trained to the CCO standard may needle",
        "CA-ON",
        "chiropractor",
        ACU,
        "authorized",
        (acu(300),),
    ),
    Case(
        "an Ontario chiropractor without acupuncture training may not",
        "CA-ON",
        "chiropractor",
        ACU,
        "not_authorized",
        (),
        "missing_credential",
    ),
    Case(
        "an Ontario naturopath may perform acupuncture under CONO's standard",
        "CA-ON",
        "naturopathic_doctor",
        ACU,
        "authorized",
    ),
    Case(
        "an Ontario naturopath whose registration lapsed may not",
        "CA-ON",
        "naturopathic_doctor",
        ACU,
        "not_authorized",
        (),
        "registration_inactive",
        status="lapsed",
    ),
    Case(
        "an Ontario OT meeting COTO's acupuncture standard may needle",
        "CA-ON",
        "occupational_therapist",
        ACU,
        "authorized",
        (acu(200),),
    ),
    Case(
        "an Ontario OT without acupuncture training may not",
        "CA-ON",
        "occupational_therapist",
        ACU,
        "not_authorized",
        (),
        "missing_credential",
    ),
    Case(
        "O.Reg 107/96 s.8 exempts only members of the listed colleges: an Ontario athletic "
        "therapist, who has no college, may not perform acupuncture, whatever the course",
        "CA-ON",
        "athletic_therapist",
        ACU,
        "not_authorized",
        (acu(300),),
        "outside_scope",
    ),
    Case(
        "dry needling is acupuncture below the dermis, so it is outside an Ontario athletic "
        "therapist's reach too",
        "CA-ON",
        "athletic_therapist",
        DN,
        "not_authorized",
        (dn(54),),
        "outside_scope",
    ),
    Case(
        "whether the College of Kinesiologists is in the O.Reg 107/96 Table is not confirmed, "
        "so an Ontario kinesiologist's acupuncture has no rule",
        "CA-ON",
        "kinesiologist",
        ACU,
        "no_rule",
        (acu(300),),
    ),
    Case(
        "an Ontario R.Ac. who passed the Pan-Canadian exams may needle",
        "CA-ON",
        ACUP,
        ACU,
        "authorized",
        (EXAM,),
    ),
    Case(
        "an Ontario acupuncturist without the exams on file may not",
        "CA-ON",
        ACUP,
        ACU,
        "not_authorized",
        (),
        "missing_credential",
    ),
    # Quebec
    Case(
        "a Quebec PT with the OPPQ attestation and 102 h may dry-needle",
        "CA-QC",
        PT,
        DN,
        "authorized",
        (QC_AUTH, dn(110)),
    ),
    Case(
        "the OPPQ attestation covers every needle below the dermis, acupuncture included",
        "CA-QC",
        PT,
        ACU,
        "authorized",
        (QC_AUTH, acu(120)),
    ),
    Case("the OPPQ attestation covers IMS", "CA-QC", PT, IMS, "authorized", (QC_AUTH, ims(105))),
    Case(
        "60 h of training do not reach the OPPQ's 102 h",
        "CA-QC",
        PT,
        DN,
        "not_authorized",
        (QC_AUTH, dn(60)),
        "insufficient_hours",
    ),
    Case(
        "a Quebec PT without the attestation may not use needles",
        "CA-QC",
        PT,
        ACU,
        "not_authorized",
        (acu(300),),
        "missing_credential",
    ),
    Case(
        "OAQ acupuncturists practise acupuncture on their permit", "CA-QC", ACUP, ACU, "authorized"
    ),
    Case(
        "before the OAQ (1995-07-01) there is no rule",
        "CA-QC",
        ACUP,
        ACU,
        "no_rule",
        on="1994-06-01",
        registered="1990-01-01",
    ),
    Case(
        "Quebec physicians are an exception to the acupuncturists' exclusive practice",
        "CA-QC",
        "physician",
        ACU,
        "authorized",
    ),
    *[
        Case(
            f"in Quebec only acupuncturists, physicians and authorized physiotherapists use "
            f"needles: not a {profession}",
            "CA-QC",
            profession,
            modality,
            "not_authorized",
            (),
            "outside_scope",
        )
        for profession, modality in [
            ("chiropractor", DN),
            ("massage_therapist", ACU),
            ("naturopathic_doctor", ACU),
            ("occupational_therapist", DN),
            ("kinesiologist", IMS),
            ("athletic_therapist", DN),
        ]
    ],
    # Saskatchewan
    Case(
        "a Saskatchewan PT with the Gunn IMS course (90 h or more) may perform IMS",
        "CA-SK",
        PT,
        IMS,
        "authorized",
        (ims(95),),
    ),
    Case(
        "a 40 h weekend course does not reach SCPT's 90 h",
        "CA-SK",
        PT,
        DN,
        "not_authorized",
        (dn(40),),
        "insufficient_hours",
    ),
    Case(
        "a Saskatchewan PT with McMaster's medical acupuncture program may needle",
        "CA-SK",
        PT,
        ACU,
        "authorized",
        (acu(300),),
    ),
    Case(
        "an acupuncture program SCPT does not recognize does not count",
        "CA-SK",
        PT,
        ACU,
        "not_authorized",
        (acu(300, issuer="Weekend Needling Co."),),
        "unapproved_issuer",
    ),
    # Nova Scotia
    Case(
        "a Nova Scotia PT who completed Acupuncture Canada Levels I and II may needle",
        "CA-NS",
        PT,
        ACU,
        "authorized",
        (acu(200, issuer="Acupuncture Canada"),),
    ),
    Case(
        "from June 2015 other acupuncture training does not qualify in Nova Scotia",
        "CA-NS",
        PT,
        ACU,
        "not_authorized",
        (acu(24, issuer="Weekend Needling Co."),),
        "unapproved_issuer",
    ),
    # New Brunswick
    Case(
        "a New Brunswick PT on the acupuncture/dry needling sub-register may needle",
        "CA-NB",
        PT,
        DN,
        "authorized",
        (auth("College of Physiotherapists of New Brunswick"), dn(40)),
    ),
    Case(
        "a sub-register entry must be the NB College's own",
        "CA-NB",
        PT,
        ACU,
        "not_authorized",
        (auth("Nova Scotia College of Physiotherapists"), acu(200)),
        "unapproved_issuer",
    ),
    # Newfoundland and Labrador
    Case(
        "an NL acupuncturist with the exams, current CPR and clean needle technique may needle",
        "CA-NL",
        ACUP,
        ACU,
        "authorized",
        (EXAM, CPR, BBP),
    ),
    Case(
        "an NL acupuncturist whose CPR expired may not",
        "CA-NL",
        ACUP,
        ACU,
        "not_authorized",
        (EXAM, cred("cpr_certification", "2023-01-01", expires="2025-01-01"), BBP),
        "expired",
    ),
]

UNITED_STATES = [
    # Alabama
    Case(
        "an Alabama chiropractor with 12 h of live face-to-face dry needling study may dry-needle",
        "US-AL",
        "chiropractor",
        DN,
        "authorized",
        (dn(12, 12),),
    ),
    Case(
        "online dry needling study does not qualify an Alabama chiropractor",
        "US-AL",
        "chiropractor",
        DN,
        "not_authorized",
        (dn(12, 0),),
        "insufficient_hours",
    ),
    # Arizona
    Case(
        "an Arizona PT with approved dry needling course content may dry-needle",
        "US-AZ",
        PT,
        DN,
        "authorized",
        (dn(27),),
    ),
    Case(
        "an Arizona PT without the course content may not",
        "US-AZ",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    Case(
        "an Arizona athletic trainer confirmed by the Board after 24 h may dry-needle",
        "US-AZ",
        "athletic_therapist",
        DN,
        "authorized",
        (auth("Arizona Board of Athletic Training", "2023-01-01"), dn(27)),
    ),
    Case(
        "16 h do not reach the Arizona athletic trainers' 24 contact hours",
        "US-AZ",
        "athletic_therapist",
        DN,
        "not_authorized",
        (auth("Arizona Board of Athletic Training", "2023-01-01"), dn(16)),
        "insufficient_hours",
    ),
    # California
    Case(
        "a California PT may not dry-needle",
        "US-CA",
        PT,
        DN,
        "not_authorized",
        (dn(54),),
        "outside_scope",
    ),
    Case(
        "a California licensed acupuncturist who passed the state exam may needle",
        "US-CA",
        ACUP,
        ACU,
        "authorized",
        (EXAM,),
    ),
    Case(
        "a California acupuncturist without the exam on file may not",
        "US-CA",
        ACUP,
        ACU,
        "not_authorized",
        (),
        "missing_credential",
    ),
    # Colorado
    Case(
        "a Colorado PT with 50 h of which 40 in person may dry-needle",
        "US-CO",
        PT,
        DN,
        "authorized",
        (dn(54, 54),),
    ),
    Case(
        "the old 46-hour Colorado course no longer suffices",
        "US-CO",
        PT,
        DN,
        "not_authorized",
        (dn(46, 46),),
        "insufficient_hours",
    ),
    # District of Columbia
    Case(
        "a DC PT with dry needling training may perform intramuscular manual therapy",
        "US-DC",
        PT,
        DN,
        "authorized",
        (dn(54),),
    ),
    Case(
        "a DC PT without the training may not",
        "US-DC",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    # Delaware
    Case(
        "a Delaware PT with 2 years of practice elsewhere, CPR and a program may dry-needle",
        "US-DE",
        PT,
        DN,
        "authorized",
        (CPR, dn(54, 54)),
        registered="2026-02-01",
        practising="2020-06-01",
    ),
    Case(
        "a Delaware PT without current CPR may not",
        "US-DE",
        PT,
        DN,
        "not_authorized",
        (dn(54, 54),),
        "missing_credential",
    ),
    Case(
        "Delaware PT assistants may not dry-needle",
        "US-DE",
        PTA,
        DN,
        "not_authorized",
        (),
        "outside_scope",
    ),
    Case(
        "Delaware athletic trainers may not dry-needle",
        "US-DE",
        "athletic_therapist",
        DN,
        "not_authorized",
        (),
        "outside_scope",
    ),
    # Florida
    Case(
        "a Florida PT licensed in Georgia for 3 years may dry-needle after 50 h and 25 "
        "supervised sessions",
        "US-FL",
        PT,
        DN,
        "authorized",
        (dn(50, 50), sessions(25)),
        registered="2026-03-01",
        practising="2023-05-01",
    ),
    Case(
        "a Florida PT with 20 supervised sessions may not yet",
        "US-FL",
        PT,
        DN,
        "not_authorized",
        (dn(50, 50), sessions(20)),
        "insufficient_sessions",
    ),
    Case(
        "a Florida PT licensed for one year anywhere may not",
        "US-FL",
        PT,
        DN,
        "not_authorized",
        (dn(50, 50), sessions(25)),
        "insufficient_experience",
        registered="2026-03-01",
    ),
    Case(
        "Florida physical therapy does not include acupuncture",
        "US-FL",
        PT,
        ACU,
        "not_authorized",
        (acu(300),),
        "outside_scope",
    ),
    Case(
        "Florida PT assistants may not dry-needle",
        "US-FL",
        PTA,
        DN,
        "not_authorized",
        (),
        "outside_scope",
    ),
    # Georgia
    Case(
        "a Georgia PT who filed OSHA bloodborne pathogens and DN education may dry-needle",
        "US-GA",
        PT,
        DN,
        "authorized",
        (BBP, dn(50, 50)),
    ),
    Case(
        "a Georgia PT without the bloodborne pathogens education may not",
        "US-GA",
        PT,
        DN,
        "not_authorized",
        (dn(50, 50),),
        "missing_credential",
    ),
    Case(
        "a Georgia physician approved by the Composite Medical Board after 300 h may needle",
        "US-GA",
        "physician",
        ACU,
        "authorized",
        (auth("Georgia Composite Medical Board"), acu(300)),
    ),
    Case(
        "200 h do not reach Georgia's 300 h for physicians",
        "US-GA",
        "physician",
        ACU,
        "not_authorized",
        (auth("Georgia Composite Medical Board"), acu(200)),
        "insufficient_hours",
    ),
    Case(
        "Georgia occupational therapists have no dry needling authorization",
        "US-GA",
        "occupational_therapist",
        DN,
        "not_authorized",
        (dn(68),),
        "outside_scope",
    ),
    # Hawaii
    Case(
        "a Hawaii PT may not penetrate the skin",
        "US-HI",
        PT,
        IMS,
        "not_authorized",
        (),
        "outside_scope",
    ),
    Case(
        "a Hawaii physician holding the L.Ac. licence may needle",
        "US-HI",
        "physician",
        ACU,
        "authorized",
        (cred("acupuncture_registration", "2016-01-01"),),
    ),
    Case(
        "a Hawaii physician without the L.Ac. licence may not",
        "US-HI",
        "physician",
        ACU,
        "not_authorized",
        (acu(300),),
        "missing_credential",
    ),
    # Iowa
    Case(
        "an Iowa PT trained beyond entry level may dry-needle",
        "US-IA",
        PT,
        DN,
        "authorized",
        (dn(27),),
    ),
    Case(
        "an Iowa PT without additional training may not",
        "US-IA",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    Case(
        "an Iowa chiropractor with a 100-hour in-person acupuncture course may needle",
        "US-IA",
        "chiropractor",
        ACU,
        "authorized",
        (acu(100, in_person=100),),
    ),
    Case(
        "an online acupuncture course does not count for an Iowa chiropractor",
        "US-IA",
        "chiropractor",
        ACU,
        "not_authorized",
        (acu(100, in_person=0),),
        "insufficient_hours",
    ),
    # Illinois
    Case(
        "an Illinois PT with 30 h didactic and 54 practicum hours may dry-needle",
        "US-IL",
        PT,
        DN,
        "authorized",
        (dn(84),),
    ),
    Case(
        "54 h alone do not meet Illinois' 30 + 54 hours",
        "US-IL",
        PT,
        DN,
        "not_authorized",
        (dn(54),),
        "insufficient_hours",
    ),
    Case(
        "after the Physical Therapy Act's repeal on 2031-01-01 there is no rule",
        "US-IL",
        PT,
        DN,
        "no_rule",
        (dn(84),),
        on="2031-01-01",
    ),
    Case(
        "an Illinois athletic trainer with 84 h and 200 supervised sessions could dry-needle "
        "in 2024",
        "US-IL",
        "athletic_therapist",
        DN,
        "authorized",
        (dn(84), sessions(200)),
        on="2024-06-01",
    ),
    Case(
        "150 supervised sessions did not reach Illinois' 200",
        "US-IL",
        "athletic_therapist",
        DN,
        "not_authorized",
        (dn(84), sessions(150)),
        "insufficient_sessions",
        on="2024-06-01",
    ),
    Case(
        "the Athletic Trainers Act's 2026 repeal was not found extended: no rule",
        "US-IL",
        "athletic_therapist",
        DN,
        "no_rule",
        (dn(84), sessions(200)),
    ),
    # Indiana
    Case(
        "before July 2024 an Indiana PT with board-approved DN education could dry-needle",
        "US-IN",
        PT,
        DN,
        "authorized",
        (dn(27, 27),),
        on="2022-01-01",
    ),
    Case(
        "since July 2024 an Indiana PT needs 50 h, 40 in person",
        "US-IN",
        PT,
        DN,
        "authorized",
        (dn(54, 40),),
    ),
    Case(
        "30 in-person hours do not reach Indiana's 40",
        "US-IN",
        PT,
        DN,
        "not_authorized",
        (dn(54, 30),),
        "insufficient_hours",
    ),
    Case(
        "Indiana dry needling may not be delegated to a PT assistant",
        "US-IN",
        PTA,
        DN,
        "not_authorized",
        (),
        "outside_scope",
    ),
    Case(
        "an Indiana PT may not practise acupuncture without an acupuncture licence",
        "US-IN",
        PT,
        ACU,
        "not_authorized",
        (acu(300),),
        "outside_scope",
    ),
    # Kansas
    Case(
        "a Kansas PT who passed a Board-approved course's exams may dry-needle",
        "US-KS",
        PT,
        DN,
        "authorized",
        (dn(27, 27),),
    ),
    Case(
        "a Kansas PT without a course may not",
        "US-KS",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    Case(
        "Kansas dry needling may not be delegated to a PT assistant",
        "US-KS",
        PTA,
        DN,
        "not_authorized",
        (),
        "outside_scope",
    ),
    # Kentucky
    Case("a competent Kentucky PT may dry-needle", "US-KY", PT, DN, "authorized", (dn(27),)),
    Case(
        "a Kentucky PT without training may not",
        "US-KY",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    # Louisiana
    Case(
        "a Louisiana PT with 2 years' experience, 50 face-to-face hours and the Board's "
        "acknowledgement may dry-needle",
        "US-LA",
        PT,
        DN,
        "authorized",
        (auth("Louisiana Physical Therapy Board", "2021-01-01"), dn(50, 50)),
    ),
    Case(
        "a Louisiana PT licensed for one year may not",
        "US-LA",
        PT,
        DN,
        "not_authorized",
        (auth("Louisiana Physical Therapy Board", "2026-06-01"), dn(50, 50)),
        "insufficient_experience",
        registered="2025-12-01",
    ),
    # Maine
    Case(
        "a licensed Maine PT may dry-needle (no mandated training)", "US-ME", PT, DN, "authorized"
    ),
    Case(
        "before the 2016 advisory ruling there is no Maine rule",
        "US-ME",
        PT,
        DN,
        "no_rule",
        on="2015-06-01",
    ),
    # Maryland
    Case(
        "a Maryland PT registered by the Board after 80 h may dry-needle",
        "US-MD",
        PT,
        DN,
        "authorized",
        (auth("Maryland Board of Physical Therapy Examiners"), dn(80, 40)),
    ),
    Case(
        "60 h do not reach Maryland's 80",
        "US-MD",
        PT,
        DN,
        "not_authorized",
        (auth("Maryland Board of Physical Therapy Examiners"), dn(60, 40)),
        "insufficient_hours",
    ),
    Case(
        "a Maryland athletic trainer approved by the Board of Physicians may dry-needle",
        "US-MD",
        "athletic_therapist",
        DN,
        "authorized",
        (auth("Maryland State Board of Physicians", "2024-01-01"), dn(80, 40)),
    ),
    Case(
        "a Maryland athletic trainer's approval must come from the Board of Physicians",
        "US-MD",
        "athletic_therapist",
        DN,
        "not_authorized",
        (auth("Maryland Board of Physical Therapy Examiners", "2024-01-01"), dn(80, 40)),
        "unapproved_issuer",
    ),
    Case(
        "before HB 172 (2023) Maryland athletic trainers had no dry needling rule",
        "US-MD",
        "athletic_therapist",
        DN,
        "no_rule",
        on="2022-06-01",
    ),
    # Mississippi
    Case(
        "a trained Mississippi PT may perform intramuscular manual therapy",
        "US-MS",
        PT,
        DN,
        "authorized",
        (dn(27),),
    ),
    Case(
        "a Mississippi PT without training may not",
        "US-MS",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    Case(
        "a Mississippi OT with 3 years' experience and 50 face-to-face hours may dry-needle",
        "US-MS",
        "occupational_therapist",
        DN,
        "authorized",
        (dn(50, 50),),
        registered="2024-01-01",
        practising="2019-01-01",
    ),
    Case(
        "a Mississippi OT with 2 years' experience may not",
        "US-MS",
        "occupational_therapist",
        DN,
        "not_authorized",
        (dn(50, 50),),
        "insufficient_experience",
        registered="2024-06-01",
    ),
    # Montana
    Case(
        "a Montana PT with hands-on training and exams may dry-needle",
        "US-MT",
        PT,
        DN,
        "authorized",
        (dn(27),),
    ),
    Case(
        "a Montana PT without training may not",
        "US-MT",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    Case(
        "Montana dry needling may not be delegated to a PT assistant",
        "US-MT",
        PTA,
        DN,
        "not_authorized",
        (),
        "outside_scope",
    ),
    # North Carolina
    Case(
        "a North Carolina PT with advanced DN training may dry-needle",
        "US-NC",
        PT,
        DN,
        "authorized",
        (dn(54),),
    ),
    Case(
        "a North Carolina PT without DN training may not",
        "US-NC",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    Case(
        "a North Carolina acupuncturist with the NCCAOM exams and clean needle technique may "
        "needle",
        "US-NC",
        ACUP,
        ACU,
        "authorized",
        (EXAM, BBP),
    ),
    Case(
        "a North Carolina acupuncturist without clean needle technique may not",
        "US-NC",
        ACUP,
        ACU,
        "not_authorized",
        (EXAM,),
        "missing_credential",
    ),
    Case(
        "G.S. 90-452 (1993) made a licence required: in 2005 a North Carolina acupuncturist "
        "who passed the NCCAOM exams may needle",
        "US-NC",
        ACUP,
        ACU,
        "authorized",
        (cred("acupuncture_board_exam", "2001-01-01", issuer="NCCAOM"),),
        on="2005-06-01",
        registered="2002-01-01",
    ),
    Case(
        "in 2005 a North Carolina acupuncturist without the licensing examination may not",
        "US-NC",
        ACUP,
        ACU,
        "not_authorized",
        (),
        "missing_credential",
        on="2005-06-01",
        registered="2002-01-01",
    ),
    # North Dakota
    Case(
        "a North Dakota PT with coursework and supervised practice may dry-needle",
        "US-ND",
        PT,
        DN,
        "authorized",
        (dn(27),),
    ),
    Case(
        "a North Dakota PT without DN coursework may not",
        "US-ND",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    # Nebraska
    Case("a competent Nebraska PT may dry-needle", "US-NE", PT, DN, "authorized", (dn(27),)),
    Case(
        "a Nebraska PT without training may not",
        "US-NE",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    Case(
        "the Nebraska Board's decision does not include PT assistants",
        "US-NE",
        PTA,
        DN,
        "not_authorized",
        (),
        "outside_scope",
    ),
    Case(
        "Nebraska OTs may not dry-needle (AG opinion 16-9)",
        "US-NE",
        "occupational_therapist",
        DN,
        "not_authorized",
        (),
        "outside_scope",
    ),
    Case(
        "Nebraska athletic trainers may not dry-needle (AG opinion 16-9)",
        "US-NE",
        "athletic_therapist",
        DN,
        "not_authorized",
        (),
        "outside_scope",
    ),
    # New Jersey
    Case(
        "a NJ PT with 2 years in New Jersey, CPR and 40 in-person hours may dry-needle",
        "US-NJ",
        PT,
        DN,
        "authorized",
        (CPR, dn(54, 54)),
        registered="2020-01-01",
    ),
    Case(
        "New Jersey publishes no list of Board-approved dry needling programs found: 40 "
        "in-person hours from any provider count",
        "US-NJ",
        PT,
        DN,
        "authorized",
        (CPR, dn(40, 40, issuer="Any Board-approved provider")),
        registered="2020-01-01",
    ),
    Case(
        "New Jersey counts 2 years in New Jersey: experience elsewhere does not count",
        "US-NJ",
        PT,
        DN,
        "not_authorized",
        (CPR, dn(54, 54)),
        "insufficient_experience",
        registered="2025-09-01",
        practising="2010-01-01",
    ),
    Case(
        "in 2019 the Attorney General's statement kept NJ PTs from dry needling",
        "US-NJ",
        PT,
        DN,
        "not_authorized",
        (dn(54, 54),),
        "outside_scope",
        on="2019-06-01",
    ),
    Case(
        "in 2015, under the Board's 2009 determination, a trained NJ PT could dry-needle",
        "US-NJ",
        PT,
        DN,
        "authorized",
        (dn(54, 54, issued="2012-03-01"),),
        on="2015-06-01",
        registered="2010-01-01",
    ),
    Case(
        "New Jersey dry needling may not be delegated to a PT assistant",
        "US-NJ",
        PTA,
        DN,
        "not_authorized",
        (),
        "outside_scope",
    ),
    Case(
        "a NJ acupuncturist with the exams, CPR and 26 h of CE in the cycle may needle",
        "US-NJ",
        ACUP,
        ACU,
        "authorized",
        (EXAM, CPR, cred("continuing_education", "2025-06-01", hours=30)),
    ),
    Case(
        "10 h of CE do not reach New Jersey's 26",
        "US-NJ",
        ACUP,
        ACU,
        "not_authorized",
        (EXAM, CPR, cred("continuing_education", "2025-06-01", hours=10)),
        "insufficient_hours",
    ),
    # New Mexico
    Case("a trained New Mexico PT may dry-needle", "US-NM", PT, DN, "authorized", (dn(54),)),
    Case(
        "a New Mexico PT without DN training may not",
        "US-NM",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    # Nevada
    Case(
        "a Nevada PT with 150 h of DN education may dry-needle",
        "US-NV",
        PT,
        DN,
        "authorized",
        (dn(150),),
    ),
    Case(
        "60 h do not reach Nevada's 150",
        "US-NV",
        PT,
        DN,
        "not_authorized",
        (dn(60),),
        "insufficient_hours",
    ),
    Case(
        "in 2015 a trained Nevada PT could dry-needle under the Board's 2012 approval",
        "US-NV",
        PT,
        DN,
        "authorized",
        (dn(60, issued="2013-03-01"),),
        on="2015-06-01",
        registered="2010-01-01",
    ),
    Case(
        "in 2010 the Nevada Board held dry needling outside PT scope",
        "US-NV",
        PT,
        DN,
        "not_authorized",
        (dn(60),),
        "outside_scope",
        on="2010-06-01",
        registered="2005-01-01",
    ),
    # New York
    Case(
        "a New York PT may not dry-needle",
        "US-NY",
        PT,
        DN,
        "not_authorized",
        (dn(54),),
        "outside_scope",
    ),
    Case(
        "a New York PT may not perform acupuncture",
        "US-NY",
        PT,
        ACU,
        "not_authorized",
        (acu(300),),
        "outside_scope",
    ),
    Case("New York sources do not name IMS: no rule", "US-NY", PT, IMS, "no_rule"),
    Case(
        "New York chiropractors may not insert needles",
        "US-NY",
        "chiropractor",
        DN,
        "not_authorized",
        (dn(54),),
        "outside_scope",
    ),
    Case(
        "a New York licensed acupuncturist may dry-needle, dry needling being acupuncture",
        "US-NY",
        ACUP,
        DN,
        "authorized",
        (EXAM,),
    ),
    Case(
        "a New York acupuncturist without the board exam on file may not",
        "US-NY",
        ACUP,
        ACU,
        "not_authorized",
        (),
        "missing_credential",
    ),
    Case(
        "a New York physician certified by the Education Department after 300 h may needle",
        "US-NY",
        "physician",
        ACU,
        "authorized",
        (auth("New York State Education Department"), acu(300)),
    ),
    Case(
        "a New York physician without the certification may not",
        "US-NY",
        "physician",
        DN,
        "not_authorized",
        (acu(300),),
        "missing_credential",
    ),
    # Oregon
    Case(
        "an Oregon PT may not dry-needle until the Board's HB 3824 rules",
        "US-OR",
        PT,
        DN,
        "not_authorized",
        (dn(54),),
        "outside_scope",
    ),
    # South Dakota
    Case(
        "a South Dakota PT who passed a Board-approved course may dry-needle",
        "US-SD",
        PT,
        DN,
        "authorized",
        (dn(27, 20),),
    ),
    Case(
        "a South Dakota PT without an approved course may not",
        "US-SD",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    # Tennessee
    Case(
        "a Tennessee PT with 50 h foundational and 24 h DN instruction, all in person, may "
        "dry-needle",
        "US-TN",
        PT,
        DN,
        "authorized",
        (dn(50, 50, issuer="University of Tennessee DPT"), dn(24, 24)),
    ),
    Case(
        "in Tennessee all instruction must be in person: 50 h online do not count",
        "US-TN",
        PT,
        DN,
        "not_authorized",
        (dn(50, 0, issuer="Online foundations"), dn(24, 24)),
        "insufficient_hours",
    ),
    Case(
        "between the 2014 AG opinion and the 2015 statute Tennessee PTs could not dry-needle",
        "US-TN",
        PT,
        DN,
        "not_authorized",
        (dn(74, 74),),
        "outside_scope",
        on="2015-01-15",
    ),
    Case(
        "after the Board's August 2011 approval a trained Tennessee PT could dry-needle",
        "US-TN",
        PT,
        DN,
        "authorized",
        (dn(27, 27, issued="2011-10-01"),),
        on="2012-06-01",
        registered="2005-01-01",
    ),
    Case(
        "from 2001 to 2011 the Tennessee Board held dry needling outside PT scope",
        "US-TN",
        PT,
        DN,
        "not_authorized",
        (),
        "outside_scope",
        on="2005-06-01",
        registered="2000-01-01",
    ),
    # Utah
    Case(
        "in 2020 a Utah PT registered with DOPL after 300 h, 54 in person and 250 sessions "
        "could dry-needle",
        "US-UT",
        PT,
        DN,
        "authorized",
        (UT_AUTH, dn(310, 80), sessions(260)),
        on="2021-06-01",
    ),
    Case(
        "in 2021 100 supervised sessions did not reach Utah's 250",
        "US-UT",
        PT,
        DN,
        "not_authorized",
        (UT_AUTH, dn(310, 80), sessions(100)),
        "insufficient_sessions",
        on="2021-06-01",
    ),
    Case(
        "since HB 188 (2025) a Utah PT needs the Division's dry needling registration",
        "US-UT",
        PT,
        DN,
        "authorized",
        (UT_AUTH,),
    ),
    Case(
        "a dry needling registration must come from the Utah Division, not an association",
        "US-UT",
        PT,
        DN,
        "not_authorized",
        (auth("Utah Physical Therapy Association"),),
        "unapproved_issuer",
    ),
    Case(
        "in 2012 DOPL held dry needling to be acupuncture, outside PT scope",
        "US-UT",
        PT,
        DN,
        "not_authorized",
        (),
        "outside_scope",
        on="2012-06-01",
        registered="2005-01-01",
    ),
    Case(
        "since HB 188 a Utah OT registered with the Division may dry-needle",
        "US-UT",
        "occupational_therapist",
        DN,
        "authorized",
        (UT_AUTH,),
    ),
    Case(
        "a Utah OT without the registration may not",
        "US-UT",
        "occupational_therapist",
        DN,
        "not_authorized",
        (dn(60),),
        "missing_credential",
    ),
    # Virginia
    Case(
        "a Virginia PT with post-graduate DN training and exams may dry-needle",
        "US-VA",
        PT,
        DN,
        "authorized",
        (dn(54, 27),),
    ),
    Case(
        "a Virginia PT without DN training may not",
        "US-VA",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    Case(
        "Virginia dry needling may not be delegated to a PT assistant",
        "US-VA",
        PTA,
        DN,
        "not_authorized",
        (),
        "outside_scope",
    ),
    # Vermont
    Case(
        "an appropriately trained Vermont PT may dry-needle",
        "US-VT",
        PT,
        DN,
        "authorized",
        (dn(27),),
    ),
    Case(
        "a Vermont PT without training may not",
        "US-VT",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    # Washington
    Case(
        "a Washington PT with the endorsement, a year of practice and 325 h may dry-needle",
        "US-WA",
        PT,
        DN,
        "authorized",
        (WA_AUTH, dn(330, 120)),
        registered="2024-02-01",
        practising="2019-06-01",
    ),
    Case(
        "the Washington endorsement covers IMS, also known as intramuscular needling",
        "US-WA",
        PT,
        IMS,
        "authorized",
        (WA_AUTH, dn(330, 120)),
    ),
    Case(
        "RCW 18.74.200 asks 325 h of instruction and clinical experience: a Washington PT with "
        "the endorsement and the 100 h of didactic instruction alone may not dry-needle",
        "US-WA",
        PT,
        DN,
        "not_authorized",
        (WA_AUTH, dn(100, 100)),
        "insufficient_hours",
    ),
    Case(
        "a Washington PT with 325 h of training but no endorsement from the Department of "
        "Health may not dry-needle",
        "US-WA",
        PT,
        DN,
        "not_authorized",
        (dn(330, 120),),
        "missing_credential",
    ),
    Case(
        "an endorsement recorded as issued by a course provider is not the Secretary's",
        "US-WA",
        PT,
        DN,
        "not_authorized",
        (auth("Kinetacore", "2024-08-01"), dn(330, 120)),
        "unapproved_issuer",
    ),
    Case(
        "a 54-hour weekend course does not reach Washington's 325 h",
        "US-WA",
        PT,
        DN,
        "not_authorized",
        (WA_AUTH, dn(54, 54)),
        "insufficient_hours",
    ),
    Case(
        "Washington requires a year of postgraduate practice",
        "US-WA",
        PT,
        DN,
        "not_authorized",
        (WA_AUTH, dn(330, 120)),
        "insufficient_experience",
        registered="2026-03-01",
    ),
    Case(
        "before the 2024 endorsement rules dry needling was outside Washington PT scope",
        "US-WA",
        PT,
        DN,
        "not_authorized",
        (dn(330, 120),),
        "outside_scope",
        on="2023-09-01",
    ),
    Case(
        "Washington OTs have no intramuscular needling endorsement",
        "US-WA",
        "occupational_therapist",
        DN,
        "not_authorized",
        (),
        "outside_scope",
    ),
    Case(
        "Washington acupuncturists may practise dry needling of trigger points since 2020",
        "US-WA",
        ACUP,
        DN,
        "authorized",
        (EXAM,),
    ),
    Case(
        "before SB 6038 (2020) Washington acupuncturists' dry needling had no rule",
        "US-WA",
        ACUP,
        DN,
        "no_rule",
        (EXAM,),
        on="2019-06-01",
    ),
    Case(
        "a Washington acupuncturist who passed the exams may needle",
        "US-WA",
        ACUP,
        ACU,
        "authorized",
        (EXAM,),
    ),
    Case(
        "a Washington acupuncturist without the exams on file may not",
        "US-WA",
        ACUP,
        ACU,
        "not_authorized",
        (),
        "missing_credential",
    ),
]

NATIONAL_ACUPUNCTURE = sorted(
    [
        "AK",
        "AZ",
        "AR",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NM",
        "ND",
        "OH",
        "OR",
        "PA",
        "RI",
        "SC",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WV",
        "WI",
        "WY",
    ]
)
ACUPUNCTURISTS = [
    case
    for state in NATIONAL_ACUPUNCTURE
    for case in (
        Case(
            f"every state that regulates acupuncture but California requires the NCCAOM "
            f"exams: a US-{state} acupuncturist who passed them may needle",
            f"US-{state}",
            ACUP,
            ACU,
            "authorized",
            (EXAM,),
        ),
        Case(
            f"a US-{state} acupuncturist without the NCCAOM exams on file may not",
            f"US-{state}",
            ACUP,
            ACU,
            "not_authorized",
            (),
            "missing_credential",
        ),
    )
] + [
    Case(
        f"US-{state} has no acupuncture practice act: no rule",
        f"US-{state}",
        ACUP,
        ACU,
        "no_rule",
        (EXAM,),
    )
    for state in ("AL", "OK", "SD")
]

START_DATES = [
    # where no source dates the rule itself, it starts on the earliest date a cited source
    # supports; before that day an audit reports no_rule
    Case(
        "SCPT's bylaws in the Gazette of 2012-12-07 recognize Dr. Gunn's IMS course",
        "CA-SK",
        PT,
        IMS,
        "authorized",
        (cred("ims_certification", "2010-01-01", issuer="UBC Gunn IMS", hours=95),),
        on="2012-12-07",
        registered="2005-01-01",
    ),
    Case(
        "before the Gazette of 2012-12-07 no Saskatchewan bylaw is on file",
        "CA-SK",
        PT,
        IMS,
        "no_rule",
        on="2012-12-06",
        registered="2005-01-01",
    ),
    Case(
        "§2620.5, re-enacted from 2001-01-01, lets a California PT penetrate tissue only to "
        "evaluate neuromuscular performance",
        "US-CA",
        PT,
        DN,
        "not_authorized",
        (dn(54, issued="2000-06-01"),),
        "outside_scope",
        on="2001-01-01",
        registered="1995-01-01",
    ),
    Case(
        "before the re-enacted §2620.5 took over, no California PT rule is on file",
        "US-CA",
        PT,
        DN,
        "no_rule",
        on="2000-12-31",
        registered="1995-01-01",
    ),
    Case(
        "from 1975-07-12 a California acupuncturist certified after the Committee's "
        "examination may needle",
        "US-CA",
        ACUP,
        ACU,
        "authorized",
        (cred("acupuncture_board_exam", "1975-07-01", issuer="Acupuncture Advisory Committee"),),
        on="1975-07-12",
        registered="1975-07-01",
    ),
    Case(
        "at the end of 2000, the Acupuncture Act of Georgia's year, a physician approved by "
        "the Board after 300 h may needle",
        "US-GA",
        "physician",
        ACU,
        "authorized",
        (
            auth("Composite State Board of Medical Examiners", "2000-06-01"),
            cred("acupuncture_course", "2000-01-01", issuer="UCLA", hours=300),
        ),
        on="2000-12-31",
        registered="1990-01-01",
    ),
    Case(
        "when HB 457 was read a second time (2025-02-19), Georgia OTs had no dry needling "
        "authorization",
        "US-GA",
        "occupational_therapist",
        DN,
        "not_authorized",
        (dn(68),),
        "outside_scope",
        on="2025-02-19",
    ),
    Case(
        "on 2019-02-06, when APTA Hawaii backed SB 547, §461J-2.5 kept PTs from puncturing "
        "the skin",
        "US-HI",
        PT,
        DN,
        "not_authorized",
        (dn(54),),
        "outside_scope",
        on="2019-02-06",
    ),
    Case(
        "at the end of 2003 (HB 853) a Hawaii physician needed the acupuncture licence",
        "US-HI",
        "physician",
        ACU,
        "not_authorized",
        (cred("acupuncture_course", "2001-01-01", issuer="UCLA", hours=300),),
        "missing_credential",
        on="2003-12-31",
        registered="1995-01-01",
    ),
    Case(
        "r.481-843.5, in force by 2024-12-11, lets an Iowa chiropractor with 100 in-person "
        "hours needle",
        "US-IA",
        "chiropractor",
        ACU,
        "authorized",
        (acu(100, in_person=100),),
        on="2024-12-11",
    ),
    Case(
        "before 2024-12-11 no Iowa chiropractor rule is on file",
        "US-IA",
        "chiropractor",
        ACU,
        "no_rule",
        on="2024-12-10",
    ),
    Case(
        "from 2014-04-21 N.J.A.C. 13:35-9.20 asks a NJ acupuncturist for 26 h of CE and CPR",
        "US-NJ",
        ACUP,
        ACU,
        "authorized",
        (
            EXAM,
            cred("cpr_certification", "2014-01-10", issuer="Red Cross", expires="2016-01-10"),
            cred("continuing_education", "2013-06-01", hours=30),
        ),
        on="2014-04-21",
        registered="2012-06-01",
    ),
    Case(
        "the State Board for Chiropractic's opinion of 2004-03-17: no needles for New York "
        "chiropractors",
        "US-NY",
        "chiropractor",
        DN,
        "not_authorized",
        (dn(54, issued="2003-06-01"),),
        "outside_scope",
        on="2004-03-17",
        registered="1995-01-01",
    ),
    Case(
        "under Article 160 (chapter 772 of 1990) a New York acupuncturist who passed the "
        "board's exam may needle at the end of 1990",
        "US-NY",
        ACUP,
        ACU,
        "authorized",
        (cred("acupuncture_board_exam", "1990-06-01", issuer="NYSED"),),
        on="1990-12-31",
        registered="1990-06-01",
    ),
    Case(
        "when the 2025-26 Legislature opened (2025-01-13), Washington OTs had no needling "
        "endorsement",
        "US-WA",
        "occupational_therapist",
        DN,
        "not_authorized",
        (dn(100),),
        "outside_scope",
        on="2025-01-13",
    ),
]

TEXAS_AND_PENNSYLVANIA = [
    Case(
        "the Texas Board found in January 2008 that dry needling is physical therapy: a Texas "
        "PT with dry needling training may dry-needle",
        "US-TX",
        PT,
        DN,
        "authorized",
        (dn(27),),
    ),
    Case(
        "the Texas Board sets no hours but expects formal training: without it a PT may not",
        "US-TX",
        PT,
        DN,
        "not_authorized",
        (),
        "missing_credential",
    ),
    Case(
        "before the Board's January 2008 determination no Texas PT rule is on file",
        "US-TX",
        PT,
        DN,
        "no_rule",
        (dn(27, issued="2007-06-01"),),
        on="2008-01-30",
        registered="2005-01-01",
    ),
    Case(
        "after AG opinion KP-0082 (2016-05-09) a trained Texas PT still may dry-needle",
        "US-TX",
        PT,
        DN,
        "authorized",
        (dn(27, issued="2012-06-01"),),
        on="2016-05-09",
        registered="2005-01-01",
    ),
    Case(
        "Texas sources do not address IMS by physical therapists: no rule",
        "US-TX",
        PT,
        IMS,
        "no_rule",
    ),
    Case(
        "Pennsylvania's practice act neither allows nor forbids dry needling and no bill "
        "passed: no rule",
        "US-PA",
        PT,
        DN,
        "no_rule",
        (dn(54),),
    ),
]

CASES = CANADA + UNITED_STATES + ACUPUNCTURISTS + START_DATES + TEXAS_AND_PENNSYLVANIA


# ---------------------------------------------------------------- loading and evaluating


@cache
def rules_file() -> RulesFile:
    known = KnownCodes(set(), set(), set(MODALITIES), set())
    return parse_rules_file(RULES_PATH.read_bytes(), known)


@cache
def rule_book() -> RuleBook:
    return RuleBook(rules_file().rules)


def practitioner(case: Case) -> PractitionerSnap:
    return PractitionerSnap(
        jurisdiction=case.jurisdiction,
        profession=case.profession,
        registration_number="T-1",
        name="Test Practitioner",
        registration_status=case.status,
        status_since=_day(case.registered),
        registered_since=_day(case.registered),
        registration_class=case.cls,
        modalities=(case.modality,),
        credentials=case.credentials,
        practising_since=_day(case.practising),
    )


def verdict(p: PractitionerSnap, modality: str, on: date) -> tuple[str, list[str]]:
    """CONTRACT v2 §5: the verdict for one modality, and the gap kinds behind it."""
    book = rule_book()
    kinds = [g.kind for g in evaluate(replace(p, modalities=(modality,)), book, on)]
    if book.rule_for(p.jurisdiction, p.profession, modality, on) is None:
        return "no_rule", kinds
    errors = [k for k in kinds if k not in ("no_rule", "expiring_soon")]
    if not errors:
        return "authorized", kinds
    if all(k == "unverified" for k in errors):
        return "pending_verification", kinds
    return "not_authorized", kinds


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.jurisdiction} {c.says}")
def test_default_rules_say_what_the_source_says(case: Case):
    result, kinds = verdict(practitioner(case), case.modality, _day(case.on))
    assert result == case.verdict, kinds
    if case.gap is not None:
        assert case.gap in kinds


# ---------------------------------------------------------------- the file itself


def test_the_default_rules_load_with_no_problems():
    parsed = rules_file()
    assert parsed.problems == []
    assert len(parsed.rules) > 100


def test_every_rule_cites_a_web_source_and_states_its_confidence():
    for rule in rules_file().rules:
        assert re.match(r"https?://\S+$", rule.source), rule.id
        assert re.match(r"Confidence: [HML]\b", rule.notes or ""), rule.id


def test_every_needling_authorization_names_its_own_regulator_and_must_be_verified():
    for rule in rules_file().rules:
        for item in rule.requires:
            if "needling_authorization" in item.credentials:
                assert item.credentials == ("needling_authorization",), rule.id
                assert item.issuers, rule.id
                assert item.verified, rule.id


def test_no_rule_starts_on_a_placeholder_date():
    """Every start date comes from a source; where none dates the rule itself, its notes say
    which earliest date a cited source supports."""
    for rule in rules_file().rules:
        assert rule.effective_from != date(2000, 1, 1), rule.id
        assert "placeholder" not in (rule.notes or ""), rule.id


CANADA_CODES = {
    f"CA-{c}"
    for c in ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]
}
US_CODES = {
    f"US-{c}"
    for c in [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
    ]
}


def test_every_province_territory_state_and_dc_is_declared():
    assert len(CANADA_CODES) == 13 and len(US_CODES) == 51
    assert set(rules_file().jurisdictions) == CANADA_CODES | US_CODES


MODALITY_WORDS = {"DN": "dry_needling", "IMS": "ims", "acupuncture": "acupuncture"}


def left_out() -> set[tuple[str, str, str]]:
    """(jurisdiction, profession, modality) listed in docs/RULES.md section 6."""
    text = DOCS_PATH.read_text(encoding="utf-8")
    section = text.split("## 6.", 1)[1]
    listed = set()
    for row in re.findall(
        r"^\| *(CA-[A-Z]{2}|US-[A-Z]{2}) *\| *([a-z_]+) *\| *([^|]+)\|", section, flags=re.M
    ):
        jurisdiction, profession, modalities = row
        words = [w.strip() for w in modalities.split(",")]
        names = MODALITIES if words == ["all"] else {MODALITY_WORDS[w] for w in words}
        listed |= {(jurisdiction, profession, m) for m in names}
    return listed


@pytest.mark.parametrize(
    "profession, modalities",
    [("physiotherapist", sorted(MODALITIES)), ("acupuncturist", ["acupuncture"])],
)
def test_every_jurisdiction_has_a_rule_or_a_no_rule_note(profession, modalities):
    """At least physiotherapists (DN, IMS, acupuncture) and acupuncturists: a rule for some
    date, or a line in docs/RULES.md section 6 saying what was searched."""
    covered = {(r.jurisdiction, r.profession, m) for r in rules_file().rules for m in r.modalities}
    notes = left_out()
    missing = [
        (j, m)
        for j in sorted(CANADA_CODES | US_CODES)
        for m in modalities
        if (j, profession, m) not in covered and (j, profession, m) not in notes
    ]
    assert missing == []


def test_the_left_out_list_does_not_contradict_a_rule_in_force_today():
    today = _day(TODAY)
    book = rule_book()
    contradicted = [key for key in left_out() if book.rule_for(*key, today) is not None]
    assert contradicted == []
