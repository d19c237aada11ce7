"""A practitioner's full record and history, and the credential verification queue."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import db
from ..models import Credential
from ..permissions import Permission, requires
from ..read.credentials import credential_name
from ..read.history import action_words, history
from ..read.verdicts import statuses
from ..rules.engine import label
from ..rules.explain import STATE_LABELS, sentence
from ..scopes import get_practitioner
from ..services import InvalidInput, StaleEdit
from ..services.accounts import account_of, invite, live_invitation
from ..services.notices import send_link
from ..services.verification import decide
from . import bp
from .forms import AuthorizedOnForm, DecisionForm, InviteForm
from .queries import OutOfScope, scope_codes
from .records import clinics_of, credential_in_scope, evidence_url, verification_queue
from .views import page_arg

HISTORY_PAGE_SIZE = 50


@bp.get("/practitioners/<jurisdiction>/<profession>/<number>")
@requires(Permission.PRACTITIONER_HISTORY)
def practitioner(jurisdiction: str, profession: str, number: str):
    """Everything on file, the change history, and 'authorized on date D?' (``on``)."""
    session = db.session()
    codes = scope_codes(current_user)
    if codes is not None and jurisdiction not in codes:  # said from the URL alone: no leak
        raise OutOfScope(jurisdiction, codes, code=404)
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
        credential_names={str(c.id): credential_name(c) for c in credentials},
        decision_forms={c.id: decision_form(c) for c in credentials},
        account=account_of(session, p),
        invitation=live_invitation(session, p),
        invite_form=InviteForm(formdata=None),
        action_words=action_words,
        evidence_url=evidence_url,
    ), 200 if valid else 400


@bp.post("/practitioners/<jurisdiction>/<profession>/<number>/invite")
@requires(Permission.INVITE)
def invite_practitioner(jurisdiction: str, profession: str, number: str):
    """Send the practitioner a link to set up their own account (to the email on file)."""
    session = db.session()
    p = get_practitioner(session, current_user, jurisdiction, profession, number)
    back = url_for(".practitioner", jurisdiction=jurisdiction, profession=profession, number=number)
    if not InviteForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    try:
        sent = invite(session, current_user.email, p)
    except InvalidInput as exc:
        flash(f"No invitation sent: {' '.join(exc.errors.values())}.")
        return redirect(back)
    session.commit()
    send_link(sent, p)
    flash(f"An invitation is on its way to {p.name}'s email on file; it works for 14 days.")
    return redirect(back)


def _queue(posted: dict[int, DecisionForm] | None = None, problem: str | None = None, code=200):
    """The queue page; ``posted`` keeps a refused form (with its errors) in its row."""
    session = db.session()
    page = verification_queue(session, current_user, page_arg(), current_app.config["PAGE_SIZE"])
    posted = posted or {}
    forms = {c.id: posted.get(c.id) or decision_form(c) for c in page.items}
    return render_template(
        "regulator/verification.html",
        page=page,
        forms=forms,
        problem=problem,
        evidence_url=evidence_url,
    ), code


def decision_form(c: Credential, formdata=None) -> DecisionForm:
    return DecisionForm(prefix=f"c{c.id}", formdata=formdata, version=c.version)


@bp.get("/verification")
@requires(Permission.VERIFY)
def verification():
    """Credentials waiting for a primary-source check (pending today), oldest first."""
    return _queue()


@bp.post("/verification/<id:credential_id>")
@requires(Permission.VERIFY)
def verify(credential_id: int):
    """A decision from the queue: verify, or reject with a note (after a confirmation)."""
    credential = credential_in_scope(db.session(), current_user, credential_id)
    back = url_for(".verification", page=page_arg())
    return _decide(
        credential, back, lambda form, problem, code: _queue({credential_id: form}, problem, code)
    )


@bp.post("/credentials/<id:credential_id>/decision")
@requires(Permission.VERIFY)
def decide_credential(credential_id: int):
    """A decision from the practitioner's page: verify, reject or revoke, with a date."""
    credential = credential_in_scope(db.session(), current_user, credential_id)
    p = credential.practitioner
    back = (
        url_for(
            ".practitioner",
            jurisdiction=p.jurisdiction_code,
            profession=p.profession_code,
            number=p.registration_number,
        )
        + f"#credential-{credential.id}"
    )

    def refused(form, problem, code):
        flash(problem)
        return redirect(back), 303

    return _decide(credential, back, refused)


def _decide(credential: Credential, back: str, refused):
    """Check the posted decision, ask for a confirmation before a rejection or revocation,
    then record it; ``refused(form, problem, code)`` answers a refused one."""
    session = db.session()
    form = decision_form(credential, request.form)
    what = f"{sentence(label(credential.credential_type_code))} of {credential.practitioner.name}"
    if not form.validate():
        problem = f"{what}: " + " ".join(e for errors in form.errors.values() for e in errors)
        return refused(form, problem, 400)
    if form.needs_confirmation:
        return render_template(
            "regulator/confirm_decision.html", c=credential, form=form, what=what, back=back
        )
    try:
        decide(
            session,
            current_user.email,
            credential,
            form.decision.data,
            form.effective_on.data,
            note=form.note.data,
            decider=current_user,
            expected_version=int(form.version.data),
        )
    except StaleEdit as exc:
        return refused(form, f"{what}: {exc}", 409)
    except InvalidInput as exc:
        return refused(form, f"{what}: " + "; ".join(exc.errors.values()), 400)
    session.commit()
    flash(f"{what}: {STATE_LABELS[form.decision.data].lower()}.")
    return redirect(back)
