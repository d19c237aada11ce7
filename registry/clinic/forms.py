"""Forms of the clinic workspace. Choices that come from the database are filled in by
``queries.fill_choices``; file contents are checked by ``services.evidence``."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    Optional,
)

from ..credential_forms import (  # noqa: F401 (the clinic's forms, shared with practitioners)
    EVIDENCE_HINT,
    MODALITY_CHOICES,
    STALE_FORM,
    ChooseField,
    CredentialForm,
    RenewForm,
    date_given,
    email_address,
    plausible_date,
)


class ClinicForm(FlaskForm):
    """A form posted from one clinic's pages: the clinic travels in a hidden field."""

    clinic = HiddenField()


class AddStaffForm(ClinicForm):
    """Built with ``data=queries.usual_key(...)``: the jurisdiction and profession most of the
    staff have are chosen already; for a clinic without staff, the manager chooses."""

    jurisdiction = ChooseField("Jurisdiction", "Choose the jurisdiction of their registration.")
    profession = ChooseField("Profession", "Choose their profession.")
    registration_number = StringField(
        "Registration number", validators=[DataRequired(), Length(max=64)]
    )


class RemoveStaffForm(ClinicForm):
    """Taking someone off the staff asks for a confirmation first."""

    confirmed = HiddenField()


class ConfirmForm(ClinicForm):
    """A destructive action (revoking or replacing the calendar link) asks for a
    confirmation first: the form posts again with ``confirmed=yes``."""

    confirmed = HiddenField()


class WithdrawForm(ClinicForm):
    """Take back a request the practitioner has not accepted."""


class NotesForm(ClinicForm):
    """The clinic's own private notes about a staff member (no other clinic sees them)."""

    notes = TextAreaField(
        "Your clinic's notes (private)", validators=[Optional(), Length(max=2000)]
    )


class RosterForm(ClinicForm):
    roster = FileField("Roster (CSV)", validators=[FileRequired("Choose a CSV file.")])


class BookingForm(FlaskForm):
    """The booking guard's question, read from the query string."""

    class Meta:
        csrf = False

    modality = SelectField("Service", choices=MODALITY_CHOICES, default="dry_needling")
    date = DateField("Date", default=date.today, validators=[date_given, plausible_date])


class ExpiryForm(FlaskForm):
    class Meta:
        csrf = False

    days = SelectField(
        "Within the next",
        choices=[SelectChoice(n, f"{n} days") for n in (30, 60, 90)],
        coerce=int,
        default=30,
    )
