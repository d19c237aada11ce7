"""The domain model. Importing this package registers every table on ``Base.metadata``."""

from .audit import AppendOnlyError, AuditEvent
from .audit_run import (
    AuditRun,
    AuditRunGap,
    AuditRunGapCount,
    AuditRunVerdict,
    AuditRunVerdictCount,
)
from .base import Base
from .credential import WITHDRAWN_STATUSES, Credential, CredentialDecision, VerificationStatus
from .integration import ApiToken, CalendarFeed, OneTimeLink, ReminderSent
from .practitioner import (
    Clinic,
    ClinicStaff,
    LinkStatus,
    Practitioner,
    PractitionerModality,
    RegistrationStatus,
)
from .reference import CredentialType, Jurisdiction, Modality, Profession
from .rules import Rule, RuleSet
from .user import Role, User, UserClinic, UserJurisdiction
from .verdict import StoredVerdict

__all__ = [
    "ApiToken",
    "AppendOnlyError",
    "AuditEvent",
    "AuditRun",
    "AuditRunGap",
    "AuditRunGapCount",
    "AuditRunVerdict",
    "AuditRunVerdictCount",
    "Base",
    "CalendarFeed",
    "Clinic",
    "ClinicStaff",
    "Credential",
    "CredentialDecision",
    "CredentialType",
    "Jurisdiction",
    "LinkStatus",
    "Modality",
    "OneTimeLink",
    "Practitioner",
    "PractitionerModality",
    "Profession",
    "RegistrationStatus",
    "ReminderSent",
    "Role",
    "Rule",
    "RuleSet",
    "StoredVerdict",
    "User",
    "VerificationStatus",
    "WITHDRAWN_STATUSES",
    "UserClinic",
    "UserJurisdiction",
]
