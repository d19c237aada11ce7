"""Forms of the regulator console. Filters are GET forms (no CSRF: they change nothing);
every form that writes carries a CSRF token."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from ..models.base import MAX_ID
from ..read.history import gap_kind_words
from ..read.params import DEFAULT_WINDOW, MAX_WINDOW, parse_day
from ..rules.engine import label
from ..rules.model import GAP_KINDS, MODALITY_ORDER

REGISTRATION = "registration"  # the modality filter value for registration gaps


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
            self.data = parse_day(valuelist[0])  # its ValueError becomes the field's error


class FilterForm(FlaskForm):
    """Base of the GET filter forms: read from the query string, no CSRF token."""

    class Meta:
        csrf = False


class DashboardForm(FilterForm):
    jurisdiction = SelectField("Jurisdiction", default="")
    as_of = IsoDateField("As of", description="YYYY-MM-DD; today when empty")


class AuditForm(DashboardForm):
    window = IntegerField(
        "Expiring within (days)",
        default=DEFAULT_WINDOW,
        validators=[Optional(), NumberRange(0, MAX_WINDOW)],
    )
    kind = SelectField(
        "Gap kind",
        choices=choices([("", "Any kind")] + [(k, gap_kind_words(k)) for k in GAP_KINDS]),
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


DECISIONS = {
    "verified": "Verify",
    "rejected": "Reject",
    "revoked": "Revoke",
}
CONFIRM = {"rejected": "Reject the credential", "revoked": "Revoke the credential"}


class DecisionForm(FlaskForm):
    """One verification decision about one credential, at the version the regulator saw.
    The decision comes from the button pressed (``decision=verified|rejected|revoked``);
    rejecting and revoking take a note and a confirmation. Rendered with a prefix per
    credential (``c<id>``) so every field id on a page is unique."""

    version = HiddenField(validators=[InputRequired()])
    decision = SelectField(choices=choices(DECISIONS.items()), validate_choice=False)
    effective_on = IsoDateField(
        "Takes effect on",
        description="YYYY-MM-DD; today when empty. It may be earlier, never in the future.",
    )
    note = TextAreaField(
        "Note",
        validators=[Length(max=2000)],
        description="What you checked; required to reject or revoke",
    )
    confirmed = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not str(self.version.data or "").isdigit():
            self.version.errors.append("The form is missing the credential's version; reload.")
            ok = False
        if self.decision.data not in DECISIONS:
            self.note.errors.append("Choose Verify, Reject or Revoke.")
            ok = False
        elif self.decision.data in CONFIRM and not (self.note.data or "").strip():
            self.note.errors.append(f"Say why the credential is {self.decision.data}.")
            ok = False
        if self.effective_on.data and self.effective_on.data > date.today():
            self.effective_on.errors.append("A decision cannot take effect in the future.")
            ok = False
        return ok

    @property
    def needs_confirmation(self) -> bool:
        return self.decision.data in CONFIRM and self.confirmed.data != "yes"


class InviteForm(FlaskForm):
    """Invite a practitioner to their own account (CSRF only)."""


class RulesUploadForm(FlaskForm):
    file = FileField("Rules file (YAML)", validators=[FileRequired("Choose a rules file.")])
    as_of = IsoDateField("Preview as of", description="YYYY-MM-DD; today when empty")


class ActivateForm(FlaskForm):
    """The previewed file, carried through the page: its bytes (base64) and their sha256."""

    content = HiddenField(validators=[DataRequired()])
    checksum = HiddenField(validators=[DataRequired(), Length(64, 64)])
    filename = HiddenField(validators=[DataRequired(), Length(max=200)])
    base_version = HiddenField()
    note = TextAreaField(
        "What changes, and why",
        validators=[DataRequired("Say what this version changes and why."), Length(max=2000)],
        description="Kept with the new version and in the audit log, e.g. the regulator's "
        "notice it follows.",
    )
