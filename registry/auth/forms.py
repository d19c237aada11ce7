from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    new = PasswordField("New password", validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        "Repeat the new password", validators=[DataRequired(), EqualTo("new", "Passwords differ.")]
    )


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
    """Only the CSRF token: revoking needs no other input."""
