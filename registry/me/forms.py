"""Forms of the practitioner's own pages and of the one-time links."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import HiddenInput

from ..credential_forms import MODALITY_CHOICES, STALE_FORM, MultiCheckboxField, email_address


class MyContactForm(FlaskForm):
    """The practitioner's city and private contacts, at the version they saw."""

    version = IntegerField(widget=HiddenInput(), validators=[DataRequired(STALE_FORM)])
    city = StringField("City (shown publicly)", validators=[Optional(), Length(max=100)])
    email = EmailField("Email (private)", validators=[Optional(), Length(max=254), email_address])
    phone = StringField("Phone (private)", validators=[Optional(), Length(max=40)])


class MyModalitiesForm(FlaskForm):
    """The needling the practitioner says they perform (shown publicly with each verdict)."""

    modalities = MultiCheckboxField("Needling you perform", choices=MODALITY_CHOICES)


class LinkForm(FlaskForm):
    """Accept, decline or end a clinic link; ending asks for a confirmation first."""

    confirmed = HiddenField()


class PasswordSetForm(FlaskForm):
    password = PasswordField(
        "Choose a password",
        validators=[DataRequired("Choose a password."), Length(max=200)],
        description="At least 12 characters; not a common or repeated pattern.",
    )
    again = PasswordField(
        "The same password again",
        validators=[DataRequired("Type it again."), EqualTo("password", "The two differ.")],
    )


class AnswerForm(FlaskForm):
    answer = HiddenField(validators=[DataRequired()])


class ClaimForm(FlaskForm):
    jurisdiction = SelectField("Province or state", validators=[DataRequired()])
    profession = SelectField("Profession", validators=[DataRequired()])
    registration_number = StringField(
        "Registration number", validators=[DataRequired("Enter your number."), Length(max=64)]
    )
