"""Forms of the regulator console. Filters are GET forms (no CSRF: they change nothing);
every form that writes carries a CSRF token."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, HiddenField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from ..rules.engine import label
from ..rules.model import GAP_KINDS, MODALITY_ORDER
from ..services.fields import parse_date

REGISTRATION = "registration"  # the modality filter value for registration gaps
# Audit dates are kept well inside what date arithmetic (windows, month bins) can reach.
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)
MAX_ID = 2**31 - 1  # ids are 32-bit integers; a larger one cannot exist


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, text) for value, text in pairs]


class IsoDateField(Field):
    """A YYYY-MM-DD date typed as text; ``data`` is a date or None when left empty."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if self.data else ""

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if valuelist and valuelist[0].strip():
            day = parse_date(valuelist[0])  # its ValueError becomes the field's error
            if not EARLIEST <= day <= LATEST:
                raise ValueError(f"choose a date between {EARLIEST} and {LATEST}")
            self.data = day


class FilterForm(FlaskForm):
    """Base of the GET filter forms: read from the query string, no CSRF token."""

    class Meta:
        csrf = False


class DashboardForm(FilterForm):
    jurisdiction = SelectField("Jurisdiction", default="")
    as_of = IsoDateField("As of", description="YYYY-MM-DD; today when empty")


class AuditForm(DashboardForm):
    window = IntegerField(
        "Expiring within (days)", default=60, validators=[Optional(), NumberRange(0, 3650)]
    )
    kind = SelectField(
        "Gap kind",
        choices=choices([("", "Any kind")] + [(k, label(k)) for k in GAP_KINDS]),
        default="",
    )
    modality = SelectField(
        "Modality",
        choices=choices(
            [("", "Any"), (REGISTRATION, "Registration")] + [(m, label(m)) for m in MODALITY_ORDER]
        ),
        default="",
    )
    profession = SelectField("Profession", default="")
    format = SelectField(
        "Format",
        choices=choices([("html", "Web page"), ("csv", "CSV"), ("json", "JSON")]),
        default="html",
    )


class AuthorizedOnForm(FilterForm):
    on = IsoDateField("Authorized on", description="YYYY-MM-DD, e.g. the day of an incident")


class RulesFilterForm(FilterForm):
    jurisdiction = SelectField("Jurisdiction", default="")
    version = IntegerField("Version", validators=[Optional(), NumberRange(1, MAX_ID)])


class VerifyForm(FlaskForm):
    """Verify or reject one credential, carrying the version the regulator saw. Rendered once
    per queued credential with the prefix ``c<id>`` so every field id is unique."""

    version = HiddenField(validators=[InputRequired()])
    note = TextAreaField(
        "Note", validators=[Length(max=2000)], description="What you checked; required to reject"
    )
    verify = SubmitField("Verify")
    reject = SubmitField("Reject")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.version.data or "").isdigit():
            self.version.errors.append("The form is missing the credential's version; reload.")
            ok = False
        if not self.verify.data and not self.reject.data:
            self.note.errors.append("Choose Verify or Reject.")
            ok = False
        if self.reject.data and not (self.note.data or "").strip():
            self.note.errors.append("Say why the credential is rejected.")
            ok = False
        return ok


class RulesUploadForm(FlaskForm):
    file = FileField("Rules file (YAML)", validators=[FileRequired("Choose a rules file.")])
    as_of = IsoDateField("Preview as of", description="YYYY-MM-DD; today when empty")


class ActivateForm(FlaskForm):
    """The previewed file, carried through the page: its bytes (base64) and their sha256."""

    content = HiddenField(validators=[DataRequired()])
    checksum = HiddenField(validators=[DataRequired(), Length(64, 64)])
    filename = HiddenField(validators=[DataRequired(), Length(max=200)])
    base_version = HiddenField()
