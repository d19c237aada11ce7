from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from .. import db
from ..extensions import limiter, login_manager
from ..models import Role, User
from ..permissions import Permission, requires
from ..security import safe_next
from ..services import InvalidInput
from ..services.users import change_password, check_password, dummy_check
from . import bp
from .forms import LoginForm, PasswordForm

BAD_LOGIN = "Email or password is incorrect."
HOME = {
    Role.ADMIN: "admin.users",
    Role.REGULATOR: "regulator.dashboard",
    Role.CLINIC_MANAGER: "clinic.staff",
}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session().get(User, int(user_id))
    return user if user is not None and user.active else None


def home_for(user: User) -> str:
    return url_for(HOME[user.role])


def _account_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


def _address_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def _account_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key)
@requires(Permission.PUBLIC)
def login():
    """Log in; the same message for an unknown email and a wrong password."""
    form = LoginForm()
    if form.validate_on_submit():
        session = db.session()
        user = session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
        if user is None:
            dummy_check(form.password.data)  # spend the same time as a real check
        elif user.active and check_password(user, form.password.data):
            login_user(user)
            return redirect(safe_next(request.args.get("next"), home_for(user)))
        form.password.errors.append(BAD_LOGIN)
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@requires(Permission.ACCOUNT)
def logout():
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
                flash("Your password is changed.")
                return redirect(home_for(current_user))
    status = 400 if form.errors else 200
    return render_template("auth/password.html", form=form), status
