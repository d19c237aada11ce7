"""The audit report of CONTRACT §5, and the preview of a rules change."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from json.encoder import encode_basestring_ascii as _text  # what json.dumps uses
from operator import itemgetter
from typing import Any

from sqlalchemy.orm import Session

from ..rules import Gap, RuleBook, assess, evaluate, model
from ..rules.explain import describe_basis
from ..rules.model import MODALITY_ORDER
from .params import AuditQuery
from .snapshots import iter_snapshots

GAP_FIELDS = model.GAP_FIELDS  # a gap's keys (CONTRACT §5), in the order written
LINES = 500  # gaps per piece written


class AuditStream:
    """An audit computed as it is read: ``gaps()`` yields each gap (a JSON-ready dict) while
    the practitioners are streamed from the database, so memory stays flat in the registry's
    size; ``checked`` is complete once ``gaps()`` is exhausted. ``json_chunks`` and
    ``csv_chunks`` write the documents of CONTRACT §5 piece by piece (from the gaps' values,
    without a dict per gap)."""

    def __init__(self, session: Session, book: RuleBook, query: AuditQuery) -> None:
        self.session, self.book, self.query = session, book, query
        self.checked = 0
        self.found = 0

    def found_gaps(self) -> Iterator[Gap]:
        q, book = self.query, self.book
        for snap in iter_snapshots(self.session, q.jurisdiction, for_evaluate=True):
            self.checked += 1
            gaps = evaluate(snap, book, q.as_of, q.window)
            self.found += len(gaps)
            yield from gaps

    def gaps(self) -> Iterator[dict[str, Any]]:
        return map(Gap.to_dict, self.found_gaps())

    def json_chunks(self) -> Iterator[str]:
        q = self.query
        head = {
            "as_of": q.as_of.isoformat(),
            "window_days": q.window,
            "jurisdiction": q.jurisdiction,
        }
        lines = map(gap_json, map(model.gap_values, self.found_gaps()))
        yield from json_lines(head, lines, lambda: {"practitioners_checked": self.checked})

    def csv_chunks(self) -> Iterator[str]:
        return csv_rows(map(model.gap_values, self.found_gaps()))


def json_document(
    head: dict[str, Any], gaps: Iterable[dict[str, Any]], tail: Callable[[], dict[str, Any]]
) -> Iterator[str]:
    """The audit JSON document written piece by piece: ``head``'s keys, the gaps as they
    come, then ``tail()``'s keys (asked for once the gaps are written)."""
    return json_lines(head, map(_dict_json, gaps), tail)


def json_lines(
    head: dict[str, Any], lines: Iterable[str], tail: Callable[[], dict[str, Any]]
) -> Iterator[str]:
    """``json_document`` of gaps already written as JSON, a line each."""
    yield json.dumps(head)[:-1] + ', "gaps": ['
    lines, separator = iter(lines), "\n"
    while piece := list(islice(lines, LINES)):
        yield separator + ",\n".join(piece)
        separator = ",\n"
    yield "\n]" + "".join(f", {json.dumps(k)}: {json.dumps(v)}" for k, v in tail().items())
    yield "}\n"


_GAP_JSON = "{" + ", ".join(f"{json.dumps(name)}: %s" for name in GAP_FIELDS) + "}"


def gap_json(values: tuple) -> str:
    """``json.dumps`` of the gap with these values (in ``GAP_FIELDS`` order), character for
    character, filling a template when every value is text or None (an audit writes millions:
    the encoder's own set-up per call costs more than the encoding)."""
    try:
        return _GAP_JSON % tuple(["null" if v is None else _text(v) for v in values])
    except TypeError:  # a value that is not text: the encoder knows what to do with it
        return json.dumps(dict(zip(GAP_FIELDS, values, strict=True)))


def _dict_json(gap: dict[str, Any]) -> str:
    return gap_json(tuple(gap.values())) if tuple(gap) == GAP_FIELDS else json.dumps(gap)


def csv_document(gaps: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The audit CSV (header, then a row per gap, each with every key of ``GAP_FIELDS``) in
    pieces of about 64 kB."""
    return csv_rows(map(itemgetter(*GAP_FIELDS), gaps))


def csv_rows(rows: Iterable[tuple]) -> Iterator[str]:
    """``csv_document`` of the gaps' values, in ``GAP_FIELDS`` order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(GAP_FIELDS)
    rows = iter(rows)
    while piece := list(islice(rows, LINES)):
        writer.writerows(piece)
        if out.tell() > 64_000:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def render_csv(report: dict) -> str:
    return "".join(csv_document(report["gaps"]))


def run_audit(session: Session, book: RuleBook, query: AuditQuery) -> dict[str, Any]:
    """The audit JSON document (``schema.audit.Audit``): every gap of every practitioner in
    scope on ``query.as_of``. Built as plain values, not validated: it may hold millions of
    gaps, each ``Gap.to_dict``."""
    checked, gaps = 0, []
    for snap in iter_snapshots(session, query.jurisdiction, for_evaluate=True):
        checked += 1
        gaps += [g.to_dict() for g in evaluate(snap, book, query.as_of, query.window)]
    return {
        "as_of": query.as_of.isoformat(),
        "window_days": query.window,
        "jurisdiction": query.jurisdiction,
        "practitioners_checked": checked,
        "gaps": gaps,
    }


@dataclass(frozen=True)
class ImpactChange:
    """One practitioner's verdict for one modality, before and after a rules change."""

    jurisdiction: str
    profession: str
    registration_number: str
    name: str
    modality: str
    declared: bool  # they say they perform it
    change: str  # "gains" (now authorized), "loses" (no longer authorized) or "changes"
    before: str  # the verdict under the active rules
    after: str  # the verdict under the proposed rules
    before_rule: str | None
    after_rule: str | None
    why: str  # the proposed verdict's explanation (its gaps, or what it rests on)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def rules_impact(
    session: Session,
    current: RuleBook,
    proposed: RuleBook,
    as_of: date,
    jurisdiction: str | None = None,
) -> list[ImpactChange]:
    """Every verdict that would change on ``as_of`` if ``proposed`` replaced ``current``:
    for each practitioner in scope and each modality, declared or not (a regulator needs to
    see who a new rule would allow, not only who asks today)."""
    changes = []
    for snap in iter_snapshots(session, jurisdiction):
        _, before = assess(snap, current, as_of)
        _, after = assess(snap, proposed, as_of)
        for modality in MODALITY_ORDER:
            old, new = before[modality], after[modality]
            if old.verdict == new.verdict:
                continue
            change = "gains" if new.authorized else "loses" if old.authorized else "changes"
            changes.append(
                ImpactChange(
                    snap.jurisdiction,
                    snap.profession,
                    snap.registration_number,
                    snap.name,
                    modality,
                    modality in snap.modalities,
                    change,
                    old.verdict,
                    new.verdict,
                    old.rule.id if old.rule else None,
                    new.rule.id if new.rule else None,
                    describe_basis(new),
                )
            )
    return changes
