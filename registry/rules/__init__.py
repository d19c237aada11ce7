"""The scope-of-practice rules engine: pure functions over plain snapshots.

Nothing here touches Flask or a database session: callers build snapshots
(``model``), and ``engine`` answers with gaps and authorizations (CONTRACT §5).
"""

from .engine import authorization, evaluate
from .model import (
    Authorization,
    CredentialSnap,
    Gap,
    PractitionerSnap,
    Requirement,
    RuleBook,
    RuleSnap,
)

__all__ = [
    "Authorization",
    "CredentialSnap",
    "Gap",
    "PractitionerSnap",
    "Requirement",
    "RuleBook",
    "RuleSnap",
    "authorization",
    "evaluate",
]
