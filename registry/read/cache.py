"""A small per-process cache of public answers, checked against the registry's data version.

Every change to registry data goes through a service that appends an audit event (imports
and rule loads included), so the newest audit event id is a version number for everything the
public sees. An answer is reused:

- without any query for ``PUBLIC_CACHE_FRESH_SECONDS`` (default 1 s; 0 in testing, where
  data changes and is read back within milliseconds): the public may see a change up to that
  long after it is committed, which is what lets a popular search cost no database round trip;
  for the same reason the data version itself is read at most once in that time per process
  (an answer computed meanwhile is kept under the version last read: older than its data at
  worst, which only makes the next reader compute it again);
- after that, while the audit event id and the day are unchanged (one primary-key lookup,
  against a search's several queries and a rules evaluation);
- never for longer than ``PUBLIC_CACHE_SECONDS`` (default 30; 0 turns the cache off). That
  bounds the one change the version cannot see: on PostgreSQL, ids come from a sequence, so a
  transaction holding a lower id can commit after one holding a higher id.

One cache per application (in ``app.extensions``), at most ``SIZE`` answers, least recently
used dropped first. ``None`` answers (not found) are not kept.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from flask import current_app, g, has_request_context, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AuditEvent

T = TypeVar("T")
SIZE = 512
EXTENSION_KEY = "public_answers"


@dataclass
class Entry:
    version: int
    computed: float
    checked: float
    value: Any


class AnswerCache:
    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.known_version: tuple[int, float] | None = None  # (version, when it was read)

    def get(self, key: Hashable) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, entry: Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def data_version(session: Session) -> int:
    return session.scalar(select(func.max(AuditEvent.id))) or 0


def _request_version(session: Session) -> int:
    """The data version as this request first read it: a page that asks the cache for its
    parts (the page, the search, the choices) reads it once. Keeping an answer under an older
    version than the data's is safe: the next reader sees a newer version and recomputes."""
    if not has_request_context():
        return data_version(session)
    this = request._get_current_object()  # an app context (so ``g``) can outlive a request
    seen = g.get("_data_version")
    if seen is None or seen[0] is not this:
        seen = g._data_version = (this, data_version(session))
    return seen[1]


def _settings() -> tuple[float, float]:
    config = current_app.config
    max_age = float(config.get("PUBLIC_CACHE_SECONDS", 30))
    fresh = float(config.get("PUBLIC_CACHE_FRESH_SECONDS", 0 if current_app.testing else 1))
    return max_age, min(fresh, max_age)


def _version(session: Session, cache: AnswerCache, now: float, fresh: float) -> int:
    """The data version, read from the database at most once every ``fresh`` seconds."""
    known = cache.known_version
    if known is not None and now - known[1] < fresh:
        return known[0]
    version = _request_version(session)
    cache.known_version = (version, now)
    return version


def _cache() -> AnswerCache:
    cache = current_app.extensions.get(EXTENSION_KEY)
    if cache is None:
        cache = current_app.extensions[EXTENSION_KEY] = AnswerCache()
    return cache


def cached(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``'s answer for ``key`` today, reused as the module docstring says."""
    max_age, fresh = _settings()
    if max_age <= 0:
        return compute()
    cache, full_key, now = _cache(), (key, date.today()), time.monotonic()
    entry = cache.get(full_key)
    if entry is not None and now - entry.checked < fresh:
        return entry.value
    version = _version(session, cache, now, fresh)
    if entry is not None and entry.version == version and now - entry.computed < max_age:
        entry.checked = now
        return entry.value
    value = compute()
    if value is not None:
        cache.put(full_key, Entry(version, now, now, value))
    return value
