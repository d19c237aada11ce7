"""A practitioner's full record and history, and the credential verification queue."""

from __future__ import annotations

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import db
from ..permissions import Permission, requires
from ..reports.status import statuses
from ..rules.engine import label
from ..scopes import get_practitioner
from ..services import StaleEdit
from ..services.credentials import verify_credential
from . import bp
from .forms import AuthorizedOnForm, VerifyForm
from .records import (
    changes,
    clinics_of,
    credential_in_scope,
    evidence_url,
    history,
    verification_queue,
)
from .views import page_arg

HISTORY_PAGE_SIZE = 50


@bp.get("/practitioners/<jurisdiction>/<profession>/<number>")
@requires(Permission.PRACTITIONER_HISTORY)
def practitioner(jurisdiction: str, profession: str, number: str):
    """Everything on file, the change history, and 'authorized on date D?' (``on``)."""
    session = db.session()
    p = get_practitioner(session, current_user, jurisdiction, profession, number)
    form = AuthorizedOnForm(formdata=request.args)
    valid = form.validate()
    on = form.on.data or date.today()
    status = statuses(session, [p.id], as_of=on)[p.id] if valid else None
    credentials = sorted(p.credentials, key=lambda c: (c.credential_type_code, c.issued_on))
    return render_template(
        "regulator/practitioner.html",
        p=p,
        form=form,
        on=on,
        status=status,
        credentials=credentials,
        clinics=clinics_of(session, p),
        events=history(session, p, page_arg(), HISTORY_PAGE_SIZE),
        credential_names={str(c.id): _credential_name(c) for c in credentials},
        changes=changes,
        evidence_url=evidence_url,
    ), 200 if valid else 400


def _credential_name(c) -> str:
    return f"{label(c.credential_type_code)}" + (f", {c.issuer}" if c.issuer else "")


def _queue(posted: dict[int, VerifyForm] | None = None, problem: str | None = None, code=200):
    """The queue page; ``posted`` keeps a refused form (with its errors) in its row."""
    session = db.session()
    page = verification_queue(session, current_user, page_arg(), current_app.config["PAGE_SIZE"])
    posted = posted or {}
    forms = {
        c.id: posted.get(c.id) or VerifyForm(prefix=f"c{c.id}", formdata=None, version=c.version)
        for c in page.items
    }
    return render_template(
        "regulator/verification.html",
        page=page,
        forms=forms,
        problem=problem,
        evidence_url=evidence_url,
    ), code


@bp.get("/verification")
@requires(Permission.VERIFY)
def verification():
    """Credentials waiting for a primary-source check, oldest first."""
    return _queue()


@bp.post("/verification/<int:credential_id>")
@requires(Permission.VERIFY)
def verify(credential_id: int):
    """Verify or reject (with a note) one credential, at the version the regulator saw."""
    session = db.session()
    credential = credential_in_scope(session, current_user, credential_id)
    form = VerifyForm(prefix=f"c{credential_id}")
    what = f"{label(credential.credential_type_code)} of {credential.practitioner.name}"
    if not form.validate():
        problem = f"{what}: " + " ".join(e for errors in form.errors.values() for e in errors)
        return _queue({credential_id: form}, problem, 400)
    try:
        verify_credential(
            session,
            current_user.email,
            credential,
            verified_by_id=current_user.id,
            note=(form.note.data or "").strip() or None,
            expected_version=int(form.version.data),
            accept=bool(form.verify.data),
        )
    except StaleEdit as exc:
        return _queue(problem=f"{what}: {exc}", code=409)
    session.commit()
    flash(f"{what} {'verified' if form.verify.data else 'rejected'}.")
    return redirect(url_for(".verification", page=page_arg()))
