"""A practitioner's own page: their registration, each modality's verdict and what to do about
each gap, every credential with its verification history, what expires soon, their clinic
links, their change history, and the forms to keep their contacts and credentials up to date.

Everything here is about ``current_user.practitioner_id`` only: no URL names a record."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import db
from ..credential_forms import EVIDENCE_HINT, CredentialForm, RenewForm
from ..form_actions import commit_change, with_evidence
from ..models import Clinic, Credential, CredentialType, Jurisdiction, LinkStatus, Practitioner
from ..permissions import Permission, requires
from ..read.credentials import credential_name, credentials_of, upcoming_expiries
from ..read.history import action_words, actors_for, history
from ..read.verdicts import statuses
from ..rules.explain import advice
from ..services import InvalidInput, NotFound
from ..services.accounts import decide_link, end_link, own_link, reask_from, requests_for
from ..services.credentials import add_credential, renew_credential
from ..services.evidence import evidence_store, size_words
from ..services.practitioners import set_modalities, update_practitioner
from . import bp
from .forms import LinkForm, MyContactForm, MyModalitiesForm

SELF = "the practitioner"  # who entered a credential, in explanations
HISTORY_PAGE_SIZE = 30


def own() -> Practitioner:
    p = db.session().get(Practitioner, current_user.practitioner_id or 0)
    if p is None:
        abort(404)
    return p


def _page(p: Practitioner, code: int = 200, **forms):
    session = db.session()
    credentials = credentials_of(session, p.id)
    status = statuses(session, [p.id])[p.id]
    forms.setdefault("contact", MyContactForm(formdata=None, obj=p))
    forms.setdefault(
        "modalities",
        MyModalitiesForm(formdata=None, modalities=[m.modality_code for m in p.modalities]),
    )
    forms.setdefault("credential", CredentialForm(formdata=None))
    forms["credential"].credential_type.choices = _type_choices(session)
    renew = {
        c.id: RenewForm(formdata=None, prefix=f"renew-{c.id}", version=c.version)
        for c in credentials
        if not c.withdrawn
    }
    renew.update(forms.pop("renew", {}))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    events = history(session, p, page, HISTORY_PAGE_SIZE)
    links = requests_for(session, p)
    return render_template(
        "me/home.html",
        p=p,
        jurisdiction=session.get(Jurisdiction, p.jurisdiction_code),
        status=status,
        credentials=credentials,
        renew=renew,
        expiries=upcoming_expiries(status.snap, date.today()),
        links=links,
        waiting=sum(link.status == LinkStatus.REQUESTED for link, _ in links),
        reask_from=reask_from,
        today=date.today(),
        link_form=LinkForm(formdata=None),
        events=events,
        actors=actors_for(session, events.items, current_user.email),
        credential_names={str(c.id): credential_name(c) for c in credentials},
        action_words=action_words,
        advice=advice,
        evidence_hint=EVIDENCE_HINT.format(limit=size_words(evidence_store().max_bytes)),
        **forms,
    ), code


def _type_choices(session) -> list[tuple[str, str]]:
    rows = session.execute(
        select(CredentialType.code, CredentialType.name).order_by(CredentialType.name)
    )
    return [(code, name) for code, name in rows]


@bp.get("/me")
@requires(Permission.SELF_READ)
def home():
    """Your record as the registry holds it, and what each rule still asks of you."""
    return _page(own())


@bp.post("/me/contact")
@requires(Permission.SELF_WRITE)
def contact():
    """Your city and private contacts; a stale version is refused, never overwritten."""
    p = own()
    form = MyContactForm()
    if not form.validate_on_submit():
        return _page(p, 400, contact=form)
    wanted = {f: (form[f].data or "").strip() or None for f in ("city", "email", "phone")}

    def edit():
        update_practitioner(db.session(), current_user.email, p, wanted, form.version.data)

    if code := commit_change(form, edit):
        return _page(p, code, contact=form)
    flash("Your contact details are saved.")
    return redirect(url_for(".home"))


@bp.post("/me/modalities")
@requires(Permission.SELF_WRITE)
def modalities():
    """Say which needling you perform: the public page and clinics read each verdict with it."""
    p = own()
    form = MyModalitiesForm()
    code = 400
    if form.validate_on_submit():
        code = commit_change(
            form, lambda: set_modalities(db.session(), current_user.email, p, form.modalities.data)
        )
    if code:
        return _page(p, code, modalities=form)
    flash("The needling you perform is saved.")
    return redirect(url_for(".home") + "#needling")


@bp.post("/me/credentials")
@requires(Permission.SELF_WRITE)
def add():
    """Submit a credential with its evidence file: it waits for your regulator's check."""
    p = own()
    form = CredentialForm()
    form.credential_type.choices = _type_choices(db.session())
    code = 400
    if form.validate_on_submit():
        code = with_evidence(form, lambda ref: _add(p, form, ref))
    if code:
        return _page(p, code, credential=form)
    flash("Credential submitted: it reads \u201cPending verification\u201d until checked.")
    return redirect(url_for(".home") + "#credentials")


def _add(p: Practitioner, form: CredentialForm, ref: str) -> Credential:
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
        entered_by=SELF,
    )


@bp.post("/me/credentials/<id:credential_id>/renew")
@requires(Permission.SELF_WRITE)
def renew(credential_id: int):
    """Submit the renewal of one of your credentials, with its evidence file."""
    p = own()
    old = db.session().get(Credential, credential_id)
    if old is None or old.practitioner_id != p.id:
        abort(404)
    form = RenewForm(prefix=f"renew-{old.id}")
    code = 400
    if form.validate_on_submit():
        code = with_evidence(form, lambda ref: _renew(old, form, ref))
    if code:
        return _page(p, code, renew={old.id: form})
    flash("Renewal submitted; it waits for your regulator's check.")
    return redirect(url_for(".home") + "#credentials")


def _renew(old: Credential, form: RenewForm, ref: str) -> Credential:
    return renew_credential(
        db.session(),
        current_user.email,
        old,
        issued_on=form.issued_on.data,
        expires_on=form.expires_on.data,
        credential_number=(form.credential_number.data or "").strip() or None,
        evidence_ref=ref,
        expected_version=form.version.data,
        entered_by=SELF,
    )


@bp.post("/me/clinics/<id:clinic_id>/<any(accept, decline, end):action>")
@requires(Permission.SELF_WRITE)
def link(clinic_id: int, action: str):
    """Answer a clinic's request, or end a link (after a confirmation)."""
    p, session = own(), db.session()
    form = LinkForm()
    if not form.validate_on_submit():
        abort(400, "The form expired; reload your page and try again.")
    try:
        found = own_link(session, p, clinic_id)
    except NotFound:
        abort(404)
    clinic = session.get(Clinic, clinic_id)
    if action == "end" and form.confirmed.data != "yes":
        return render_template("me/confirm_end.html", clinic=clinic, link=found, form=form)
    try:
        if action == "end":
            end_link(session, current_user.email, found)
        else:
            decide_link(session, current_user.email, found, action == "accept")
    except InvalidInput as exc:
        flash(" ".join(exc.errors.values()))
        return redirect(url_for(".home") + "#clinics")
    session.commit()
    words = {"accept": "can now see your contact details and is listed on your page",
             "decline": "was told no", "end": "is no longer linked to you"}  # fmt: skip
    flash(f"{clinic.name} {words[action]}.")
    return redirect(url_for(".home") + "#clinics")
