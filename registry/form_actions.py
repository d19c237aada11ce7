"""Running a service change from a posted form: commit it, or roll back and put the reasons
on the form (the clinic workspace and the practitioner's own page both do this)."""

from __future__ import annotations

from collections.abc import Callable

from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from . import db
from .services import InvalidInput, ServiceError, StaleEdit
from .services.evidence import evidence_store

DUPLICATE = "This credential (same type, issuer, number and issue date) is already on file."


def explain(form: FlaskForm, exc: Exception) -> int:
    """Put a refused change's reasons on the form; the status code to answer with."""
    if isinstance(exc, InvalidInput):
        for name, message in exc.errors.items():
            (form[name].errors if name in form else form.form_errors).append(message)
        return 400
    if isinstance(exc, StaleDataError):
        exc = StaleEdit("this record was changed by someone else meanwhile; reload it")
    form.form_errors.append(DUPLICATE if isinstance(exc, IntegrityError) else str(exc))
    return 409 if isinstance(exc, StaleEdit) else 400


def commit_change(
    form: FlaskForm, change: Callable[[], object], cleanup=lambda: None
) -> int | None:
    """Run a service change and commit; on refusal roll back, explain, return the status."""
    session = db.session()
    try:
        change()
        session.commit()
    except (ServiceError, IntegrityError, StaleDataError) as exc:
        session.rollback()
        cleanup()
        return explain(form, exc)
    return None


def with_evidence(form, change: Callable[[str], object]) -> int | None:
    """Store the form's evidence file, then make the change that refers to it; the file is
    discarded unless the change is saved: refused, stale, or cut short by the database (an
    error answered elsewhere, a 503 say)."""
    store = evidence_store()
    try:
        ref = store.store(form.evidence.data)
    except InvalidInput as exc:
        form.evidence.errors.append(exc.errors["evidence"])
        return 400
    try:
        return commit_change(form, lambda: change(ref), lambda: store.discard(ref))
    except BaseException:
        store.discard(ref)
        raise
