"""The forms that put a credential on file, shared by the clinic workspace and the
practitioner's own page: a new credential with its evidence, or the renewal of one; and the
modality checkboxes."""

from __future__ import annotations

import math

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FloatField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from .read.params import check_day
from .rules.engine import label
from .rules.explain import sentence
from .rules.model import MODALITY_ORDER
from .services.fields import parse_email

STALE_FORM = "This form is incomplete or out of date; reload the page and try again."
EVIDENCE_HINT = "A PDF, PNG or JPEG of the certificate, at most {limit}."


def plausible_date(_form, field) -> None:
    if field.data is not None:
        try:
            check_day(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def date_given(_form, field) -> None:
    """Required, but a badly written date keeps its "Not a valid date value" error."""
    if field.data is None and not "".join(field.raw_data or []).strip():
        field.errors[:] = []
        raise StopValidation("Enter a date (YYYY-MM-DD).")


def finite(_form, field) -> None:
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError("must be a number")


def email_address(_form, field) -> None:
    if field.data:
        try:
            field.data = parse_email(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class ChooseField(SelectField):
    """A required choice that starts on a blank "Choose…" option, so that nothing is picked
    for the user by accident (the first name in a list is rarely the right one); left blank,
    it is a field error saying ``message``."""

    def __init__(self, label: str, message: str, **kwargs) -> None:
        super().__init__(label, validators=[DataRequired(message)], **kwargs)

    @property
    def choices(self):
        choices = SelectField.choices.fget(self)
        return None if choices is None else [SelectChoice("", "Choose…"), *choices]

    @choices.setter
    def choices(self, value) -> None:
        SelectField.choices.fset(self, value)


class _CredentialDates(FlaskForm):
    issued_on = DateField("Issued on", validators=[date_given, plausible_date])
    expires_on = DateField("Expires on", validators=[Optional(), plausible_date])
    evidence = FileField("Evidence file", validators=[FileRequired("Attach the evidence file.")])

    def validate_expires_on(self, field) -> None:
        if field.data and self.issued_on.data and field.data < self.issued_on.data:
            raise ValidationError("is before the issue date")


class CredentialForm(_CredentialDates):
    credential_type = ChooseField("Credential", "Choose the kind of credential.")
    issuer = StringField("Issuer", validators=[Optional(), Length(max=200)])
    credential_number = StringField("Certificate number", validators=[Optional(), Length(max=100)])
    hours = FloatField("Hours", validators=[Optional(), finite, NumberRange(min=0, max=100000)])
    in_person_hours = FloatField(
        "In-person hours", validators=[Optional(), finite, NumberRange(min=0, max=100000)]
    )
    sessions = IntegerField(
        "Supervised sessions", validators=[Optional(), NumberRange(min=0, max=1000000)]
    )

    def validate_in_person_hours(self, field) -> None:
        hours = self.hours.data
        if field.data is not None and hours is not None and field.data > hours:
            raise ValidationError("exceed the total hours")


class RenewForm(_CredentialDates):
    """Renewal of one credential; built with ``prefix=f"renew-{credential.id}"`` so each
    credential's form on the page has its own field ids."""

    version = IntegerField(widget=HiddenInput(), validators=[DataRequired(STALE_FORM)])
    credential_number = StringField(
        "New certificate number",
        validators=[Optional(), Length(max=100)],
        description="Leave empty to keep the current number.",
    )


MODALITY_CHOICES = [SelectChoice(m, sentence(label(m))) for m in MODALITY_ORDER]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
