"""The one-time links that reach a practitioner by email, and the public claim form.

- ``/welcome/<secret>``: an invitation or a claim; choose a password, and the account is open.
- ``/clinic-requests/<secret>``: a clinic's request, accepted or declined without logging in
  (the link went to the email on file).
- ``/claim``: anyone may ask for a link to be sent to the email on file for a record. The
  answer is the same whether or not the record exists, has an email or an account, and takes
  the same time (the message leaves from a thread).

Each is throttled per address; a link works once and expires.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import login_user
from sqlalchemy import select

from .. import db
from ..extensions import limiter
from ..models import Clinic, Jurisdiction, Practitioner, Profession
from ..permissions import Permission, requires
from ..services import InvalidInput
from ..services.accounts import (
    CLINIC_REQUEST,
    LinkUnusable,
    answer_by_link,
    claim,
    open_account,
    usable_link,
)
from ..services.notices import send_link
from . import bp
from .forms import AnswerForm, ClaimForm, PasswordSetForm

CLAIM_ANSWER = (
    "If that record is on the register with an email address and has no account yet, a link "
    "to set up your account is on its way to that address (one every ten minutes at most). It "
    "works once, for 24 hours. No email? Ask your regulator to put your address on file."
)


def _claim_limit() -> str:
    return current_app.config["CLAIM_LIMIT"]


def _link_limit() -> str:
    return current_app.config["LINK_LIMIT"]


@bp.route("/welcome/<secret>", methods=["GET", "POST"])
@limiter.limit(_link_limit)
@requires(Permission.PUBLIC)
def welcome(secret: str):
    """An invitation or claim link: choose a password and your account is open."""
    session = db.session()
    try:
        link = usable_link(session, secret, ("invitation", "claim"))
    except LinkUnusable as exc:
        return render_template("me/link_gone.html", message=str(exc)), 410
    practitioner = session.get(Practitioner, link.practitioner_id)
    form = PasswordSetForm()
    if form.validate_on_submit():
        try:
            user = open_account(session, secret, form.password.data)
        except InvalidInput as exc:
            session.rollback()
            form.password.errors.append(" ".join(exc.errors.values()))
        except LinkUnusable as exc:
            return render_template("me/link_gone.html", message=str(exc)), 410
        else:
            session.commit()
            login_user(user)
            flash("Your account is open. This is your record as the registry holds it.")
            return redirect(url_for(".home"))
    code = 400 if form.errors else 200
    return render_template("me/welcome.html", form=form, p=practitioner, email=link.email), code


@bp.route("/clinic-requests/<secret>", methods=["GET", "POST"])
@limiter.limit(_link_limit)
@requires(Permission.PUBLIC)
def answer_request(secret: str):
    """A clinic's request, from the link it emailed: accept or decline."""
    session = db.session()
    try:
        link = usable_link(session, secret, (CLINIC_REQUEST,))
    except LinkUnusable as exc:
        return render_template("me/link_gone.html", message=str(exc)), 410
    clinic = session.get(Clinic, link.clinic_id)
    practitioner = session.get(Practitioner, link.practitioner_id)
    form = AnswerForm()
    if form.validate_on_submit() and form.answer.data in ("accept", "decline"):
        try:
            answer_by_link(session, secret, form.answer.data == "accept")
        except LinkUnusable as exc:
            session.rollback()
            return render_template("me/link_gone.html", message=str(exc)), 410
        session.commit()
        done = "accepted" if form.answer.data == "accept" else "declined"
        return render_template("me/answered.html", clinic=clinic, done=done)
    return render_template("me/answer.html", form=form, clinic=clinic, p=practitioner)


@bp.route("/claim", methods=["GET", "POST"])
@limiter.limit(_claim_limit, methods=["POST"])
@requires(Permission.PUBLIC)
def claim_record():
    """Claim your record: a link to the email on file, the same answer for everyone."""
    session = db.session()
    form = ClaimForm()
    form.jurisdiction.choices = _choices(session, Jurisdiction)
    form.profession.choices = _choices(session, Profession)
    if form.validate_on_submit():
        practitioner = session.scalar(
            select(Practitioner).where(
                Practitioner.jurisdiction_code == form.jurisdiction.data,
                Practitioner.profession_code == form.profession.data,
                Practitioner.registration_number == form.registration_number.data.strip(),
            )
        )
        sent = claim(session, practitioner)
        session.commit()
        if sent is not None:
            send_link(sent, practitioner)
        return render_template("me/claim.html", form=None, answer=CLAIM_ANSWER)
    return render_template("me/claim.html", form=form), 400 if form.errors else 200


def _choices(session, model) -> list[tuple[str, str]]:
    rows = session.execute(select(model.code, model.name).order_by(model.name))
    return [(code, name) for code, name in rows]
