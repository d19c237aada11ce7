"""The domain model. Importing this package registers every table on ``Base.metadata``."""

from .audit import AppendOnlyError, AuditEvent
from .base import Base
from .credential import Credential
from .integration import ApiToken, CalendarFeed, ReminderSent
from .practitioner import (
    Clinic,
    ClinicStaff,
    Practitioner,
    PractitionerModality,
    RegistrationStatus,
)
from .reference import CredentialType, Jurisdiction, Modality, Profession
from .rules import Rule, RuleSet
from .user import Role, User, UserClinic, UserJurisdiction

__all__ = [
    "ApiToken",
    "AppendOnlyError",
    "AuditEvent",
    "Base",
    "CalendarFeed",
    "Clinic",
    "ClinicStaff",
    "Credential",
    "CredentialType",
    "Jurisdiction",
    "Modality",
    "Practitioner",
    "PractitionerModality",
    "Profession",
    "RegistrationStatus",
    "ReminderSent",
    "Role",
    "Rule",
    "RuleSet",
    "User",
    "UserClinic",
    "UserJurisdiction",
]
