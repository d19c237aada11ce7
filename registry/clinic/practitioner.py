"""A staff member's page: details with private contacts, declared modalities, a contact edit
that refuses stale versions, credentials with evidence, and serving that evidence.

Only staff of a clinic the user manages are reachable (anyone else answers 404); evidence also
goes to the regulators of the practitioner's jurisdiction.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import abort, flash, redirect, render_template, request, send_file
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import db
from ..models import Clinic, Credential, Practitioner
from ..permissions import Permission, requires
from ..read.verdicts import statuses
from ..scopes import private_visible_ids
from ..services import InvalidInput, ServiceError, StaleEdit
from ..services.credentials import add_credential, renew_credential
from ..services.evidence import size_words
from ..services.practitioners import set_modalities, update_practitioner
from . import bp, queries
from .context import Workspace, evidence_store, workspace
from .forms import EVIDENCE_HINT, ContactForm, CredentialForm, ModalitiesForm, RenewForm

KEY = "/practitioners/<jurisdiction>/<profession>/<path:number>"
CONTACT_FIELDS = ("city", "email", "phone", "notes")
DUPLICATE = "This credential (same type, issuer, number and issue date) is already on file."


def _load(jurisdiction: str, profession: str, number: str):
    return queries.staff_practitioner(db.session(), current_user, jurisdiction, profession, number)


def _private_visible(p: Practitioner) -> bool:
    """Contact details are shown only to clinics that alone employ the practitioner."""
    return p.id in private_visible_ids(db.session(), current_user, [p.id])


def _workspace(clinics: list[Clinic]) -> Workspace:
    """The clinic in ``?clinic=`` if the practitioner works there, else their first one."""
    wanted = request.values.get("clinic", "")
    chosen = next((c for c in clinics if str(c.id) == wanted), clinics[0])
    return workspace(str(chosen.id))


def _url(p: Practitioner, ws: Workspace) -> str:
    j, prof, number = p.key
    return ws.url("clinic.practitioner", jurisdiction=j, profession=prof, number=number)


def _page(p: Practitioner, clinics: list[Clinic], code: int = 200, **forms: FlaskForm):
    """The staff member's page; ``forms`` replace the blank ones (to show their errors)."""
    session = db.session()
    credentials = queries.credentials_of(session, p.id)
    private = _private_visible(p)
    forms.setdefault(
        "contact",
        ContactForm(formdata=None, obj=p)
        if private
        else ContactForm(formdata=None, city=p.city, version=p.version),
    )
    forms.setdefault("modalities", ModalitiesForm(formdata=None, modalities=_declared(p)))
    forms.setdefault("credential", CredentialForm(formdata=None))
    queries.fill_choices(session, forms["credential"])
    renew = {
        c.id: RenewForm(formdata=None, prefix=f"renew-{c.id}", version=c.version)
        for c in credentials
        if not c.withdrawn
    }
    renew.update(forms.pop("renew", {}))
    return render_template(
        "clinic/practitioner.html",
        ws=_workspace(clinics),
        p=p,
        private_visible=private,
        clinics=clinics,
        status=statuses(session, [p.id])[p.id],
        credentials=credentials,
        renew=renew,
        evidence_hint=EVIDENCE_HINT.format(limit=size_words(evidence_store().max_bytes)),
        **forms,
    ), code


def _declared(p: Practitioner) -> list[str]:
    return [m.modality_code for m in p.modalities]


def _explain(form: FlaskForm, exc: Exception) -> int:
    """Put a refused change's reasons on the form; the status code to answer with."""
    if isinstance(exc, InvalidInput):
        for name, message in exc.errors.items():
            (form[name].errors if name in form else form.form_errors).append(message)
        return 400
    if isinstance(exc, StaleDataError):
        exc = StaleEdit("this record was changed by someone else meanwhile; reload it")
    form.form_errors.append(DUPLICATE if isinstance(exc, IntegrityError) else str(exc))
    return 409 if isinstance(exc, StaleEdit) else 400


def _commit(form: FlaskForm, change: Callable[[], object], cleanup=lambda: None) -> int | None:
    """Run a service change and commit; on refusal roll back, explain, return the status."""
    session = db.session()
    try:
        change()
        session.commit()
    except (ServiceError, IntegrityError, StaleDataError) as exc:
        session.rollback()
        cleanup()
        return _explain(form, exc)
    return None


def _with_evidence(form, change: Callable[[str], object]) -> int | None:
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
        return _commit(form, lambda: change(ref), lambda: store.discard(ref))
    except BaseException:
        store.discard(ref)
        raise


@bp.get(KEY)
@requires(Permission.CLINIC_READ)
def practitioner(jurisdiction: str, profession: str, number: str):
    """A staff member: details, private contacts, modalities, verdicts and credentials."""
    return _page(*_load(jurisdiction, profession, number))


@bp.post(KEY + "/contact")
@requires(Permission.CLINIC_WRITE)
def contact(jurisdiction: str, profession: str, number: str):
    """Edit city and private contacts; a stale version is refused (409), never overwritten."""
    p, clinics = _load(jurisdiction, profession, number)
    form = ContactForm()
    if not form.validate_on_submit():
        return _page(p, clinics, 400, contact=form)
    fields = CONTACT_FIELDS if _private_visible(p) else ("city",)
    changes = {f: (form[f].data or "").strip() or None for f in fields}
    edit = partial(update_practitioner, db.session(), current_user.email, p, changes)
    if code := _commit(form, partial(edit, form.version.data)):
        return _page(p, clinics, code, contact=form)
    flash("Contact details saved.")
    return redirect(_url(p, _workspace(clinics)))


@bp.post(KEY + "/modalities")
@requires(Permission.CLINIC_WRITE)
def modalities(jurisdiction: str, profession: str, number: str):
    """Declare exactly which modalities the staff member performs."""
    p, clinics = _load(jurisdiction, profession, number)
    form = ModalitiesForm()
    code = 400
    if form.validate_on_submit():
        declare = partial(set_modalities, db.session(), current_user.email, p)
        code = _commit(form, partial(declare, form.modalities.data))
    if code:
        return _page(p, clinics, code, modalities=form)
    flash("Modalities saved.")
    return redirect(_url(p, _workspace(clinics)))


@bp.post(KEY + "/credentials")
@requires(Permission.CLINIC_WRITE)
def add(jurisdiction: str, profession: str, number: str):
    """Add a credential with its evidence file; it waits for a regulator's verification."""
    p, clinics = _load(jurisdiction, profession, number)
    form = CredentialForm()
    queries.fill_choices(db.session(), form)
    code = 400
    if form.validate_on_submit():
        clinic = _workspace(clinics).clinic.name
        code = _with_evidence(form, lambda ref: _add(p, form, ref, clinic))
    if code:
        return _page(p, clinics, code, credential=form)
    flash("Credential added; it waits for verification.")
    return redirect(_url(p, _workspace(clinics)))


def _add(p: Practitioner, form: CredentialForm, ref: str, clinic: str) -> Credential:
    return add_credential(
        db.session(),
        current_user.email,
        p,
        credential_type=form.credential_type.data,
        issued_on=form.issued_on.data,
        issuer=form.issuer.data or "",
        credential_number=form.credential_number.data or "",
        expires_on=form.expires_on.data,
        hours=form.hours.data,
        in_person_hours=form.in_person_hours.data,
        sessions=form.sessions.data,
        evidence_ref=ref,
        entered_by=clinic,
    )


@bp.post(KEY + "/credentials/<id:credential_id>/renew")
@requires(Permission.CLINIC_WRITE)
def renew(jurisdiction: str, profession: str, number: str, credential_id: int):
    """Renew a credential: a new one of the same type and issuer, with its evidence."""
    p, clinics = _load(jurisdiction, profession, number)
    old = db.session().scalar(
        select(Credential).where(Credential.id == credential_id, Credential.practitioner_id == p.id)
    )
    if old is None:
        abort(404)
    form = RenewForm(prefix=f"renew-{old.id}")
    code = 400
    if form.validate_on_submit():
        clinic = _workspace(clinics).clinic.name
        code = _with_evidence(form, lambda ref: _renew(old, form, ref, clinic))
    if code:
        return _page(p, clinics, code, renew={old.id: form})
    flash("Credential renewed; the new one waits for verification.")
    return redirect(_url(p, _workspace(clinics)))


def _renew(old: Credential, form: RenewForm, ref: str, clinic: str) -> Credential:
    return renew_credential(
        db.session(),
        current_user.email,
        old,
        issued_on=form.issued_on.data,
        expires_on=form.expires_on.data,
        credential_number=(form.credential_number.data or "").strip() or None,
        evidence_ref=ref,
        expected_version=form.version.data,
        entered_by=clinic,
    )


@bp.get("/evidence/<id:credential_id>")
@requires(Permission.EVIDENCE_READ)
def evidence(credential_id: int):
    """A credential's evidence file, as a download, to those who may see the practitioner."""
    c = queries.evidence_credential(db.session(), current_user, credential_id)
    try:
        stored = evidence_store().open(c.evidence_ref)
    except (OSError, ValueError, KeyError):
        abort(404)
    response = send_file(
        stored.path,
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.filename,
        conditional=False,
        etag=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
