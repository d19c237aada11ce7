"""Forms of the admin face: accounts and their scopes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from ..models import Role

ROLE_NAMES = {  # the most powerful role last, so it is never the default by accident
    Role.REGULATOR.value: "Regulator (their jurisdictions)",
    Role.CLINIC_MANAGER.value: "Clinic manager (their clinics)",
    Role.ADMIN.value: "Administrator (sees everything)",
}


class ScopesForm(FlaskForm):
    """Which jurisdictions (regulators) and clinics (clinic managers) an account may see.
    ``role`` is the account's role, checked against the scopes chosen."""

    jurisdictions = SelectMultipleField(
        "Jurisdictions", description="For regulators: the jurisdictions they audit"
    )
    clinics = SelectMultipleField("Clinics", description="For clinic managers: their clinics")

    def check_scopes(self, role: str) -> bool:
        """The same rules as the service, worded for this form (the service still decides)."""
        ok = True
        if role == Role.REGULATOR and not self.jurisdictions.data:
            self.jurisdictions.errors.append("Choose at least one jurisdiction for a regulator.")
            ok = False
        if role == Role.CLINIC_MANAGER and not self.clinics.data:
            self.clinics.errors.append("Choose at least one clinic for a clinic manager.")
            ok = False
        if role == Role.ADMIN and (self.jurisdictions.data or self.clinics.data):
            self.jurisdictions.errors.append("An administrator sees everything; choose no scope.")
            ok = False
        return ok


class UserForm(ScopesForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices=[SelectChoice(v, n) for v, n in ROLE_NAMES.items()])
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=200)],
        description="At least 12 characters; not a common password, not the email",
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self.check_scopes(self.role.data) and ok


class ActiveForm(FlaskForm):
    """Deactivate (asked to confirm first: ``confirmed`` is "yes" on the confirmation page)
    or reactivate."""

    active = HiddenField(validators=[AnyOf(["true", "false"])])
    confirmed = HiddenField(validators=[Optional()])


class RoleForm(ScopesForm):
    """Another role for an account, with the scopes that role needs; confirmed on a second
    page (``confirmed``) because it ends the account's sessions."""

    role = SelectField(
        "New role", choices=[SelectChoice(v, n) for v, n in ROLE_NAMES.items()], default=""
    )
    confirmed = HiddenField(validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self.check_scopes(self.role.data) and ok


class ClinicForm(FlaskForm):
    name = StringField(
        "Clinic name", validators=[DataRequired("Name the clinic."), Length(max=200)]
    )
    city = StringField("City", validators=[Optional(), Length(max=100)], description="Optional")
