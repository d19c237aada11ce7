"""Views of the admin face: list and create accounts, edit their scopes and role, deactivate
them (each after a confirmation)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from .. import db
from ..models import Clinic, Jurisdiction, User
from ..permissions import Permission, requires
from ..read.history import action_words
from ..services import InvalidInput
from ..services.users import create_user, scopes_of, set_active, set_role, set_scopes
from ..token_forms import make_token, tokens_context
from . import bp
from .forms import ROLE_NAMES, ActiveForm, RoleForm, ScopesForm, UserForm
from .queries import clinic_names, user_events, users_with_scopes

# The service names fields as the CLI does; the form's fields are named for the page.
FORM_FIELD = {"jurisdiction": "jurisdictions", "clinic": "clinics"}


def _with_choices(form):
    session = db.session()
    form.jurisdictions.choices = [
        SelectChoice(code, f"{name} ({code})")
        for code, name in session.execute(
            select(Jurisdiction.code, Jurisdiction.name).order_by(Jurisdiction.code)
        )
    ]
    form.clinics.choices = [
        (n, n) for n in session.scalars(select(Clinic.name).order_by(Clinic.name))
    ]
    return form


def _field_errors(form, exc: InvalidInput) -> None:
    for name, message in exc.errors.items():
        form[FORM_FIELD.get(name, name)].errors.append(message)


def _users_page(form, code: int = 200):
    session = db.session()
    return render_template(
        "admin/users.html",
        form=form,
        users=users_with_scopes(session),
        clinic_names=clinic_names(session),
        scopes_of=scopes_of,
    ), code


@bp.get("/users")
@requires(Permission.USERS_MANAGE)
def users():
    """Every account with its role, scopes and state, and the form to create one."""
    return _users_page(_with_choices(UserForm(formdata=None)))


@bp.post("/users")
@requires(Permission.USERS_MANAGE)
def create():
    form = _with_choices(UserForm())
    if form.validate_on_submit():
        session = db.session()
        try:
            user = create_user(
                session,
                current_user.email,
                form.email.data,
                form.password.data,
                form.role.data,
                form.jurisdictions.data,
                form.clinics.data,
            )
        except InvalidInput as exc:
            _field_errors(form, exc)
        else:
            session.commit()
            flash(f"Account {user.email} created.")
            return redirect(url_for(".user", user_id=user.id))
    return _users_page(form, 400)


def _account(user_id: int) -> User:
    account = db.session().get(User, user_id)
    if account is None:
        abort(404)
    return account


def _user_page(
    account: User,
    form=None,
    problem: str | None = None,
    code: int = 200,
    tokens: dict | None = None,
    role_form=None,
):
    session = db.session()
    names = clinic_names(session)
    form = form or _with_choices(
        ScopesForm(
            formdata=None,
            jurisdictions=sorted(account.jurisdiction_codes),
            clinics=sorted(names[i] for i in account.clinic_ids),
        )
    )
    return render_template(
        "admin/user.html",
        account=account,
        form=form,
        active_form=ActiveForm(formdata=None, active="false" if account.active else "true"),
        role_form=role_form or _with_choices(RoleForm(formdata=None, prefix="role")),
        events=user_events(session, account),
        clinic_names=names,
        role_names=ROLE_NAMES,
        action_words=action_words,
        problem=problem,
        create_url=url_for(".create_token", user_id=account.id),
        **(tokens or tokens_context(account)),
    ), code


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@requires(Permission.USERS_MANAGE)
def user(user_id: int):
    """One account: its scopes (editable), its state and its recent history."""
    account = _account(user_id)
    form = _with_choices(ScopesForm())
    if not form.is_submitted():
        return _user_page(account)
    if form.validate() and form.check_scopes(account.role):
        try:
            changed = set_scopes(
                db.session(),
                current_user.email,
                account,
                form.jurisdictions.data,
                form.clinics.data,
            )
        except InvalidInput as exc:
            _field_errors(form, exc)
        else:
            db.session().commit()
            flash("Scopes saved." if changed else "Nothing to change.")
            return redirect(url_for(".user", user_id=account.id))
    return _user_page(account, form, code=400)


@bp.post("/users/<id:user_id>/active")
@requires(Permission.USERS_MANAGE)
def set_user_active(user_id: int):
    """Reactivate an account, or deactivate it (it can no longer log in) once confirmed."""
    account = _account(user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        return _user_page(account, problem="Choose to deactivate or reactivate.", code=400)
    active = form.active.data == "true"
    if not active and account.id == current_user.id:
        return _user_page(account, problem="You cannot deactivate your own account.", code=400)
    if not active and account.active and form.confirmed.data != "yes":
        confirm = ActiveForm(formdata=None, active="false", confirmed="yes")
        return render_template("admin/confirm_deactivate.html", account=account, form=confirm)
    set_active(db.session(), current_user.email, account, active)
    db.session().commit()
    flash(f"{account.email} {'reactivated' if active else 'deactivated'}.")
    return redirect(url_for(".user", user_id=account.id))


@bp.post("/users/<id:user_id>/role")
@requires(Permission.USERS_MANAGE)
def change_role(user_id: int):
    """Another role (with its scopes) for an account, once confirmed: its sessions end."""
    account = _account(user_id)
    form = _with_choices(RoleForm(prefix="role"))
    if account.id == current_user.id:
        return _user_page(account, problem="You cannot change your own role.", code=400)
    if not form.validate_on_submit():
        return _user_page(account, role_form=form, code=400)
    if form.confirmed.data != "yes":
        return render_template(
            "admin/confirm_role.html", account=account, form=form, role_names=ROLE_NAMES
        )
    try:
        changed = set_role(
            db.session(),
            current_user.email,
            account,
            form.role.data,
            form.jurisdictions.data,
            form.clinics.data,
        )
    except InvalidInput as exc:
        _field_errors(form, exc)
        return _user_page(account, role_form=form, code=400)
    db.session().commit()
    flash(
        f"{account.email} is now {ROLE_NAMES[form.role.data].split(' (')[0].lower()}; "
        "their sessions have ended."
        if changed
        else "Nothing to change."
    )
    return redirect(url_for(".user", user_id=account.id))


@bp.post("/users/<id:user_id>/tokens")
@requires(Permission.USERS_MANAGE)
def create_token(user_id: int):
    """An API token for this account (a service account for a clinic system, say); the
    secret is shown once on the page that answers."""
    account = _account(user_id)
    form, secret = make_token(account)
    return _user_page(
        account, code=201 if secret else 400, tokens=tokens_context(account, form, secret)
    )
