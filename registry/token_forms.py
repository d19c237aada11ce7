"""API token forms and the page parts every face that lists tokens shares (your own tokens
page, an admin's page of an account): create one (its secret shown once), revoke one after a
confirmation. Writes go through ``services.secrets``."""

from __future__ import annotations

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional

from . import db
from .models import User
from .services import InvalidInput
from .services import secrets as secret_service


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[
            DataRequired("Name the token after the system that will use it."),
            Length(max=100),
        ],
        description="The system that will use it, e.g. “Clinic scheduling sync”.",
    )


class RevokeForm(FlaskForm):
    """The CSRF token, and ``confirmed`` once the person said yes on the confirmation page."""

    confirmed = HiddenField(validators=[Optional()])


def tokens_context(owner: User, token_form=None, new_secret: str | None = None) -> dict:
    """What templates/auth/_tokens.html needs."""
    return {
        "owner": owner,
        "tokens": secret_service.tokens_of(db.session(), owner),
        "token_form": token_form or TokenForm(formdata=None),
        "revoke_form": RevokeForm(formdata=None),
        "new_secret": new_secret,
    }


def make_token(owner: User) -> tuple[TokenForm, str | None]:
    """Validate the posted token form and create the token; (form, secret or None)."""
    form = TokenForm()
    if form.validate_on_submit():
        session = db.session()
        try:
            _token, secret = secret_service.create_token(
                session, current_user.email, owner, form.name.data
            )
        except InvalidInput as exc:
            form.name.errors.append(next(iter(exc.errors.values())))
        else:
            session.commit()
            return TokenForm(formdata=None), secret
    return form, None
