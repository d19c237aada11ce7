"""Shared CLI helpers: one-line errors, the acting user's name, argument parsing."""

from __future__ import annotations

import functools
import getpass
from datetime import date

import click
from sqlalchemy.exc import SQLAlchemyError

from .. import db
from ..read.params import AuditQuery, QueryError
from ..services import InvalidInput, ServiceError


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name (e.g. in a container): still say where it came from
        return "cli"


def fail(message: str) -> click.ClickException:
    return click.ClickException(message)


def guarded(fn):
    """Turn refused changes and database errors into one line and a non-zero exit."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InvalidInput as exc:
            db.session().rollback()
            raise fail("; ".join(f"{k}: {v}" for k, v in exc.errors.items())) from None
        except ServiceError as exc:
            db.session().rollback()
            raise fail(str(exc)) from None
        except SQLAlchemyError as exc:
            db.session().rollback()
            first = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0]
            hint = ""
            if "no such table" in first or "does not exist" in first:
                hint = " (is the database migrated? run: flask --app wsgi db upgrade)"
            raise fail(f"database error: {first}{hint}") from None

    return wrapper


OPTION_NAMES = {"as_of": "--as-of", "window": "--window", "jurisdiction": "--jurisdiction"}


def audit_query(as_of: str | None, window: str | None = None, jurisdiction: str | None = None):
    """The options as a checked ``AuditQuery``; one line naming each bad option otherwise."""
    try:
        return AuditQuery.parse(as_of, window, jurisdiction)
    except QueryError as exc:
        raise fail(
            "; ".join(f"{OPTION_NAMES.get(k, k)}: {v}" for k, v in exc.errors.items())
        ) from None


def as_of_option(value: str | None) -> date:
    return audit_query(value).as_of


def open_text(path: str):
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}") from None
