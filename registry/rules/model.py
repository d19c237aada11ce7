"""Plain, immutable snapshots the engine works on."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date
from operator import attrgetter
from typing import Any, Literal

MODALITY_ORDER = ("dry_needling", "ims", "acupuncture")
ERROR, WARNING = "error", "warning"
WARNING_KINDS = frozenset({"no_rule", "expiring_soon"})
# Every gap kind of CONTRACT §5, errors first (in the order an audit checks them), then warnings.
GAP_KINDS = (
    "registration_inactive",
    "outside_scope",
    "wrong_registration_class",
    "insufficient_experience",
    "missing_credential",
    "unapproved_issuer",
    "expired",
    "insufficient_hours",
    "insufficient_sessions",
    "unverified",
    "expiring_soon",
    "no_rule",
)
GapKind = Literal[GAP_KINDS]  # the types name the codes, for the API's schema
Severity = Literal[ERROR, WARNING]

# A credential's verification states (CONTRACT §1); WITHDRAWN ones count for nothing.
PENDING, VERIFIED, REJECTED, REVOKED = "pending", "verified", "rejected", "revoked"
VERIFICATION_STATES = (PENDING, VERIFIED, REJECTED, REVOKED)
WITHDRAWN = frozenset({REJECTED, REVOKED})

# The four verdicts of CONTRACT §5, for a practitioner, a modality and a day.
AUTHORIZED = "authorized"
PENDING_VERIFICATION = "pending_verification"
NOT_AUTHORIZED = "not_authorized"
NO_RULE = "no_rule"
VERDICTS = (AUTHORIZED, PENDING_VERIFICATION, NOT_AUTHORIZED, NO_RULE)


@dataclass(frozen=True, slots=True)
class Decision:
    """A verification decision taking effect on ``on``."""

    status: str
    on: date


@dataclass(frozen=True, slots=True)
class CredentialSnap:
    """A credential as the engine sees it. ``decisions`` are in effect order (by date, then
    in the order they were recorded): the state on a day is the last one dated on or before
    it, ``pending`` before the first."""

    credential_type: str
    issued_on: date
    issuer: str = ""
    expires_on: date | None = None
    hours: float | None = None
    in_person_hours: float | None = None
    sessions: int | None = None
    credential_number: str = ""
    id: int | None = None
    decisions: tuple[Decision, ...] = ()
    entered_on: date | None = None  # when it was put on file
    entered_by: str | None = None  # by whom, in words ("Bow River Physio")

    def decision_on(self, day: date) -> Decision | None:
        found = None
        for d in self.decisions:
            if d.on > day:
                break
            found = d
        return found

    def state_on(self, day: date) -> str:
        state = PENDING  # decision_on's walk, inlined: the engine asks this of every credential
        for d in self.decisions:
            if d.on > day:
                break
            state = d.status
        return state

    def verified_on(self, day: date) -> bool:
        return self.state_on(day) == VERIFIED


@dataclass(frozen=True, slots=True)
class PractitionerSnap:
    jurisdiction: str
    profession: str
    registration_number: str
    name: str
    registration_status: str
    status_since: date
    registered_since: date
    registration_class: str | None = None
    registration_expires_on: date | None = None
    modalities: tuple[str, ...] = ()
    credentials: tuple[CredentialSnap, ...] = ()
    id: int | None = None
    # First licensed in this profession anywhere (CONTRACT v2); None: ``registered_since``.
    practising_since: date | None = None
    city: str | None = None  # not read by the rules: the verdict store keeps it beside each row

    @property
    def practising_from(self) -> date:
        return self.practising_since or self.registered_since


@dataclass(frozen=True, slots=True)
class Requirement:
    """One item of a rule's ``requires``: any of ``credentials`` must satisfy the rest."""

    credentials: tuple[str, ...]
    min_hours: float | None = None
    min_in_person_hours: float | None = None
    min_sessions: int | None = None
    within_months: int | None = None
    issuers: tuple[str, ...] | None = None
    verified: bool = False

    @classmethod
    def from_dict(cls, item: dict[str, Any]) -> Requirement:
        creds = item["credential"]
        issuers = item.get("issuers")
        return cls(
            credentials=tuple([creds] if isinstance(creds, str) else creds),
            min_hours=item.get("min_hours"),
            min_in_person_hours=item.get("min_in_person_hours"),
            min_sessions=item.get("min_sessions"),
            within_months=item.get("within_months"),
            issuers=tuple(issuers) if issuers is not None else None,
            verified=bool(item.get("verified", False)),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "credential": self.credentials[0]
            if len(self.credentials) == 1
            else list(self.credentials)
        }
        for name in ("min_hours", "min_in_person_hours", "min_sessions", "within_months"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.issuers is not None:
            out["issuers"] = list(self.issuers)
        if self.verified:
            out["verified"] = True
        return out


@dataclass(frozen=True, slots=True)
class RuleSnap:
    id: str
    jurisdiction: str
    profession: str
    modalities: tuple[str, ...]
    effective_from: date
    permitted: bool
    source: str
    effective_to: date | None = None
    registration_classes: tuple[str, ...] | None = None
    min_years_registered: int | None = None
    min_years_practising: int | None = None
    requires: tuple[Requirement, ...] = ()
    notes: str | None = None

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class RuleBook:
    """Rules indexed by (jurisdiction, profession, modality) for quick lookup by date."""

    def __init__(self, rules: list[RuleSnap] | tuple[RuleSnap, ...]) -> None:
        self.rules = tuple(rules)
        self._index: dict[tuple[str, str, str], list[RuleSnap]] = defaultdict(list)
        for rule in self.rules:
            for modality in rule.modalities:
                self._index[(rule.jurisdiction, rule.profession, modality)].append(rule)

    def rules_for(self, jurisdiction: str, profession: str, modality: str) -> list[RuleSnap]:
        """Every rule, of any date range, for this jurisdiction, profession and modality."""
        return list(self._index.get((jurisdiction, profession, modality), ()))

    def rule_for(self, jurisdiction: str, profession: str, modality: str, on: date):
        """The rule whose date range contains ``on``, or None."""
        for rule in self._index.get((jurisdiction, profession, modality), ()):
            if rule.in_force(on):
                return rule
        return None


@dataclass(frozen=True, slots=True)
class Gap:
    """One difference between a practitioner and the rules, explained."""

    jurisdiction: str
    profession: str
    registration_number: str
    name: str
    modality: str | None
    kind: GapKind
    severity: Severity
    credential_type: str | None
    rule_id: str | None
    source: str | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        # Every value is plain, so no deep copy (``asdict``) is needed: audits make millions.
        return dict(zip(GAP_FIELDS, gap_values(self), strict=True))


GAP_FIELDS = tuple(f.name for f in fields(Gap))  # a gap's keys, in the audit's order
gap_values = attrgetter(*GAP_FIELDS)  # a gap's values, in that order


@dataclass(frozen=True, slots=True)
class Basis:
    """The credentials that satisfied one requirement of the rule."""

    requirement: Requirement
    credentials: tuple[CredentialSnap, ...]


@dataclass(frozen=True)
class Authorization:
    """May the practitioner perform ``modality`` on ``as_of``, and on what basis: one of the
    four ``VERDICTS``; ``authorized`` only for AUTHORIZED."""

    modality: str
    as_of: date
    verdict: str
    rule: RuleSnap | None
    gaps: tuple[Gap, ...] = ()
    basis: tuple[Basis, ...] = field(default_factory=tuple)

    @property
    def authorized(self) -> bool:
        return self.verdict == AUTHORIZED


def builder(cls: type) -> Any:
    """A constructor of ``cls``, a frozen slotted dataclass, taking every field positionally
    and about five times cheaper than ``cls(...)``, for loads that make millions (snapshots,
    gaps). A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``;
    this one fills a mutable twin with the very same slots and then changes its class to
    ``cls`` (Python allows it between identical layouts). What comes out is an ordinary
    ``cls``: equal, hashed and frozen like any other."""
    names = tuple(f.name for f in fields(cls))
    if names != getattr(cls, "__slots__", None):
        raise TypeError(f"{cls.__name__}: a builder needs a slotted dataclass")
    body = "".join(f"    self.{name} = {name}\n" for name in names)
    namespace: dict[str, Any] = {"__slots__": names}
    source = f"def __init__(self, {', '.join(names)}):\n{body}    self.__class__ = cls\n"
    exec(source, {"cls": cls}, namespace)  # noqa: S102 (field names only, as dataclasses does)
    return type(f"{cls.__name__}Builder", (), namespace)


make_decision = builder(Decision)
make_credential = builder(CredentialSnap)
make_practitioner = builder(PractitionerSnap)
make_gap = builder(Gap)
