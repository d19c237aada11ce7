"""The scope-of-practice rules engine: pure functions over plain snapshots.

Nothing here touches Flask or a database session: callers build snapshots
(``model``), and ``engine`` answers with gaps, verdicts and authorizations (CONTRACT §5).
"""

from .engine import assess, authorization, evaluate, verdict_of
from .model import (
    AUTHORIZED,
    NO_RULE,
    NOT_AUTHORIZED,
    PENDING_VERIFICATION,
    VERDICTS,
    Authorization,
    CredentialSnap,
    Decision,
    Gap,
    PractitionerSnap,
    Requirement,
    RuleBook,
    RuleSnap,
)

__all__ = [
    "AUTHORIZED",
    "NOT_AUTHORIZED",
    "NO_RULE",
    "PENDING_VERIFICATION",
    "VERDICTS",
    "Authorization",
    "CredentialSnap",
    "Decision",
    "Gap",
    "PractitionerSnap",
    "Requirement",
    "RuleBook",
    "RuleSnap",
    "assess",
    "authorization",
    "evaluate",
    "verdict_of",
]
