from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from .. import db
from ..extensions import limiter, login_manager
from ..models import ApiToken, Role, User
from ..models.base import MAX_ID
from ..permissions import Permission, requires
from ..security import safe_next
from ..services import InvalidInput, NotFound
from ..services import secrets as secret_service
from ..services.users import authenticate, change_password, check_password, end_sessions
from ..token_forms import RevokeForm, make_token, tokens_context
from . import bp, devices
from .forms import LoginForm, PasswordForm

BAD_LOGIN = "Email or password is incorrect."
HOME = {
    Role.ADMIN: "admin.users",
    Role.REGULATOR: "regulator.dashboard",
    Role.CLINIC_MANAGER: "clinic.staff",
    Role.PRACTITIONER: "me.home",
}


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The account of a session id "<user id>.<generation>" (``User.get_id``): none once the
    account's sessions were ended (generation moved on), it was deactivated, or its
    practitioner's registration was revoked."""
    user_id, _, generation = session_id.partition(".")
    if not (user_id.isdigit() and generation.isdigit()) or int(user_id) > MAX_ID:
        return None
    user = db.session().get(User, int(user_id))
    if user is None or not user.is_active or str(user.session_generation) != generation:
        return None
    return user


def home_for(user: User) -> str:
    return url_for(HOME[user.role])


def _account_key() -> str:
    """Attempts on one account are counted together, except those of a device that logged in
    to it before: each such device has a count of its own (``devices``)."""
    email = (request.form.get("email") or "").strip().lower()
    device = devices.device_for(email)
    return f"login:{email}" + (f":device:{device}" if device else "")


def _failed(response) -> bool:
    """Only refused logins count against an account: its owner's own logins never do."""
    return response.status_code == 401


def _address_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def _account_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed)
@requires(Permission.PUBLIC)
def login():
    """Log in; the same message for an unknown email and a wrong password. Throttled per
    address and, slowing down rather than locking out, per account (see ``_account_key``)."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session(), form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            response = redirect(safe_next(request.args.get("next"), home_for(user)))
            return devices.remember(response, user.email)
        form.password.errors.append(BAD_LOGIN)
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@requires(Permission.ACCOUNT)
def logout():
    """Log out, ending every session of the account (a copied cookie dies with it)."""
    session = db.session()
    user = session.get(User, current_user.id)
    end_sessions(user)  # account bookkeeping, not registry data: no audit event
    session.commit()
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("public.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Permission.ACCOUNT)
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not check_password(current_user, form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            try:
                change_password(db.session(), current_user.email, current_user, form.new.data)
            except InvalidInput as exc:
                form.new.errors.append(exc.errors["password"])
            else:
                db.session().commit()
                login_user(current_user._get_current_object())  # this session, new generation
                flash("Your password is changed; every other session of yours has ended.")
                return redirect(home_for(current_user))
    status = 400 if form.errors else 200
    return render_template("auth/password.html", form=form), status


@bp.get("/account/tokens")
@requires(Permission.ACCOUNT)
def tokens():
    """Your API tokens: list, create, revoke."""
    context = tokens_context(current_user, None)
    return render_template("auth/tokens.html", create_url=url_for(".create_token"), **context)


@bp.post("/account/tokens")
@requires(Permission.ACCOUNT)
def create_token():
    form, secret = make_token(current_user)
    context = tokens_context(current_user, form, secret)
    page = render_template("auth/tokens.html", create_url=url_for(".create_token"), **context)
    return page, 201 if secret else 400


@bp.post("/account/tokens/<id:token_id>/revoke")
@requires(Permission.ACCOUNT)
def revoke_token(token_id: int):
    """Revoke one of your tokens (an admin: anyone's), once confirmed on the page this
    answers first."""
    session = db.session()
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != current_user.id and current_user.role != Role.ADMIN):
        abort(404)
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    if token.revoked_at is None and form.confirmed.data != "yes":
        back = (
            url_for(".tokens")
            if token.user_id == current_user.id
            else url_for("admin.user", user_id=token.user_id)
        )
        confirm = RevokeForm(formdata=None, confirmed="yes")
        return render_template("auth/confirm_revoke.html", token=token, form=confirm, back=back)
    try:
        secret_service.revoke_token(session, current_user.email, token)
    except NotFound as exc:
        flash(str(exc))
    else:
        session.commit()
        flash(f"Token “{token.name}” revoked; systems using it are refused from now on.")
    if token.user_id == current_user.id:
        return redirect(url_for(".tokens"))
    return redirect(url_for("admin.user", user_id=token.user_id))
