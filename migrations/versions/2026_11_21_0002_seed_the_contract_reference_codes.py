"""seed the contract reference codes

Every Canadian province and territory and every US state (ISO 3166-2), the professions,
modalities and default credential types of CONTRACT §1, so that imports can be checked for
unknown codes before any rules file is loaded. A rules file may declare more.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CANADA = {
    "AB": "Alberta",
    "BC": "British Columbia",
    "MB": "Manitoba",
    "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador",
    "NS": "Nova Scotia",
    "NT": "Northwest Territories",
    "NU": "Nunavut",
    "ON": "Ontario",
    "PE": "Prince Edward Island",
    "QC": "Quebec",
    "SK": "Saskatchewan",
    "YT": "Yukon",
}
USA = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}
PROFESSIONS = {
    "physiotherapist": "Physiotherapist",
    "physiotherapist_assistant": "Physiotherapist assistant",
    "chiropractor": "Chiropractor",
    "massage_therapist": "Massage therapist",
    "occupational_therapist": "Occupational therapist",
    "acupuncturist": "Acupuncturist",
    "naturopathic_doctor": "Naturopathic doctor",
    "physician": "Physician",
    "nurse": "Nurse",
    "athletic_therapist": "Athletic therapist",
    "kinesiologist": "Kinesiologist",
}
MODALITIES = {
    "dry_needling": "Dry needling",
    "ims": "IMS (intramuscular stimulation, Gunn)",
    "acupuncture": "Acupuncture",
}
CREDENTIAL_TYPES = {
    "needling_authorization": "Needling authorization",
    "dry_needling_course": "Dry needling course",
    "ims_certification": "IMS certification",
    "acupuncture_registration": "Acupuncture registration",
    "acupuncture_board_exam": "Acupuncture board exam",
    "cpr_certification": "CPR certification",
    "bloodborne_pathogens": "Bloodborne pathogens training",
    "liability_insurance": "Liability insurance",
    "continuing_education": "Continuing education",
    "supervised_sessions": "Supervised sessions",
}


def _table(name: str) -> sa.Table:
    return sa.table(name, sa.column("code", sa.String), sa.column("name", sa.String))


def _rows() -> dict[str, dict[str, str]]:
    jurisdictions = {f"CA-{k}": v for k, v in CANADA.items()}
    jurisdictions |= {f"US-{k}": v for k, v in USA.items()}
    return {
        "jurisdictions": jurisdictions,
        "professions": PROFESSIONS,
        "modalities": MODALITIES,
        "credential_types": CREDENTIAL_TYPES,
    }


def upgrade() -> None:
    for table, codes in _rows().items():
        op.bulk_insert(_table(table), [{"code": c, "name": n} for c, n in codes.items()])


def downgrade() -> None:
    for table, codes in _rows().items():
        t = _table(table)
        op.execute(t.delete().where(t.c.code.in_(list(codes))))
