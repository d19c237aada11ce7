"""A staff member's page: details with private contacts, declared modalities, the clinic's
own notes, credentials (and the evidence this clinic entered), and serving that evidence.

Only staff who accepted a link with a clinic the user manages are reachable (anyone else
answers 404). City, contacts and modalities are the practitioner's (or their regulator's) to
change; the clinic keeps its own notes. An evidence file goes to the clinic that entered it,
the practitioner and their regulators.
"""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, request, send_file
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from .. import db
from ..form_actions import commit_change, with_evidence
from ..models import Clinic, ClinicStaff, Credential, Practitioner, Role
from ..permissions import Permission, requires
from ..read.verdicts import statuses
from ..scopes import private_visible_ids
from ..services.clinics import set_staff_notes
from ..services.credentials import add_credential, renew_credential
from ..services.evidence import size_words
from . import bp, queries
from .context import Workspace, evidence_store, workspace
from .forms import EVIDENCE_HINT, CredentialForm, NotesForm, RenewForm

KEY = "/practitioners/<jurisdiction>/<profession>/<path:number>"
CONTACT_FIELDS = ("city", "email", "phone", "notes")


def _load(jurisdiction: str, profession: str, number: str):
    return queries.staff_practitioner(db.session(), current_user, jurisdiction, profession, number)


def _private_visible(p: Practitioner) -> bool:
    """Contact details are shown to the clinics whose link the practitioner accepted."""
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
    ws = _workspace(clinics)
    credentials = queries.credentials_of(session, p.id)
    link = session.get(ClinicStaff, (ws.clinic.id, p.id))
    forms.setdefault("notes", NotesForm(formdata=None, clinic=ws.clinic.id, notes=link.notes))
    forms.setdefault("credential", CredentialForm(formdata=None))
    queries.fill_choices(session, forms["credential"])
    renew = {
        c.id: RenewForm(formdata=None, prefix=f"renew-{c.id}", version=c.version)
        for c in credentials
        if not c.withdrawn
    }
    renew.update(forms.pop("renew", {}))
    mine = set(current_user.clinic_ids) if current_user.role == Role.CLINIC_MANAGER else None
    return render_template(
        "clinic/practitioner.html",
        ws=ws,
        p=p,
        private_visible=_private_visible(p),
        clinics=clinics,
        status=statuses(session, [p.id])[p.id],
        credentials=credentials,
        ours=lambda c: mine is None or c.entered_by_clinic_id in mine,
        renew=renew,
        evidence_hint=EVIDENCE_HINT.format(limit=size_words(evidence_store().max_bytes)),
        **forms,
    ), code


@bp.get(KEY)
@requires(Permission.CLINIC_READ)
def practitioner(jurisdiction: str, profession: str, number: str):
    """A staff member: details, private contacts, modalities, verdicts and credentials."""
    return _page(*_load(jurisdiction, profession, number))


@bp.post(KEY + "/notes")
@requires(Permission.CLINIC_WRITE)
def notes(jurisdiction: str, profession: str, number: str):
    """The clinic's own notes about this staff member (no other clinic sees them)."""
    p, clinics = _load(jurisdiction, profession, number)
    form = NotesForm()
    ws = _workspace(clinics)
    if not form.validate_on_submit():
        return _page(p, clinics, 400, notes=form)
    change = partial(set_staff_notes, db.session(), current_user.email, ws.clinic, p)
    if code := commit_change(form, partial(change, form.notes.data)):
        return _page(p, clinics, code, notes=form)
    flash("Notes saved.")
    return redirect(_url(p, ws) + "#notes")


@bp.post(KEY + "/credentials")
@requires(Permission.CLINIC_WRITE)
def add(jurisdiction: str, profession: str, number: str):
    """Add a credential with its evidence file; it waits for a regulator's verification."""
    p, clinics = _load(jurisdiction, profession, number)
    form = CredentialForm()
    queries.fill_choices(db.session(), form)
    code = 400
    if form.validate_on_submit():
        clinic = _workspace(clinics).clinic
        code = with_evidence(form, lambda ref: _add(p, form, ref, clinic))
    if code:
        return _page(p, clinics, code, credential=form)
    flash("Credential added; it waits for verification.")
    return redirect(_url(p, _workspace(clinics)))


def _add(p: Practitioner, form: CredentialForm, ref: str, clinic: Clinic) -> Credential:
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
        entered_by_clinic=clinic,
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
        clinic = _workspace(clinics).clinic
        code = with_evidence(form, lambda ref: _renew(old, form, ref, clinic))
    if code:
        return _page(p, clinics, code, renew={old.id: form})
    flash("Credential renewed; the new one waits for verification.")
    return redirect(_url(p, _workspace(clinics)))


def _renew(old: Credential, form: RenewForm, ref: str, clinic: Clinic) -> Credential:
    return renew_credential(
        db.session(),
        current_user.email,
        old,
        issued_on=form.issued_on.data,
        expires_on=form.expires_on.data,
        credential_number=(form.credential_number.data or "").strip() or None,
        evidence_ref=ref,
        expected_version=form.version.data,
        entered_by_clinic=clinic,
    )


@bp.get("/evidence/<id:credential_id>")
@requires(Permission.EVIDENCE_READ)
def evidence(credential_id: int):
    """A credential's evidence file, as a download: to the practitioner, their regulators,
    admins, and the clinic that entered it (while the practitioner's link with it stands)."""
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
