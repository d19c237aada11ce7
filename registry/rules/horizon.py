"""How long a verdict holds: the last day before anything could change it.

A verdict on day D depends on dated facts only (CONTRACT §5): the registration's dates, the
rules' date ranges, anniversaries for years registered or practising, each credential's issue
and expiry dates, the months-back window of a requirement and each verification decision's
date. Between two of those dates every check gives the same answer, so the verdict found on D
holds until the day before the next one. The dates are gathered generously (a date that
changes nothing only makes a stored verdict be recomputed sooner), never sparingly.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta

from .model import PractitionerSnap, RuleBook

ONE_DAY = timedelta(days=1)


def _plus_months(start: date, months: int) -> date | None:
    """The same day ``months`` later, clamped to the month's end; None past year 9999."""
    total = start.year * 12 + start.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    if year > date.max.year:
        return None
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _plus_days(day: date | None, days: int) -> date | None:
    try:
        return None if day is None else day + timedelta(days=days)
    except OverflowError:
        return None


def _after(day: date | None) -> date | None:
    return _plus_days(day, 1)


def change_dates(p: PractitionerSnap, book: RuleBook, modality: str) -> Iterator[date | None]:
    """Every day on which ``p``'s verdict for ``modality`` could differ from the day before."""
    yield p.registered_since
    yield p.status_since
    if p.registration_expires_on is not None:
        yield _after(p.registration_expires_on)
    months = set()
    for rule in book.rules_for(p.jurisdiction, p.profession, modality):
        yield rule.effective_from
        if rule.effective_to is not None:
            yield _after(rule.effective_to)
        for minimum, start in (
            (rule.min_years_registered, p.registered_since),
            (rule.min_years_practising, p.practising_from),
        ):
            if minimum:
                anniversary = _plus_months(start, 12 * minimum)
                yield anniversary
                yield _after(anniversary)  # a 29 February start turns on 1 March
        months |= {item.within_months for item in rule.requires if item.within_months}
    for c in p.credentials:
        yield c.issued_on
        if c.expires_on is not None:
            yield _after(c.expires_on)
        for decision in c.decisions:
            yield decision.on
        for m in months:  # the first day it falls out of an m-month window, and margins
            last = _plus_months(c.issued_on, m)
            yield from (_plus_days(last, k) for k in range(1, 5))


def holds_until(p: PractitionerSnap, book: RuleBook, day: date, modality: str) -> date | None:
    """The last day on which ``p``'s verdict for ``modality`` is surely the one of ``day``;
    None when nothing on file could change it."""
    later = [d for d in change_dates(p, book, modality) if d is not None and d > day]
    return min(later) - ONE_DAY if later else None
