"""Forms of the clinic workspace. Choices that come from the database are filled in by
``queries.fill_choices``; file contents are checked by ``services.evidence``."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    Optional,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from ..credential_forms import (  # noqa: F401 (the clinic's forms, shared with practitioners)
    EVIDENCE_HINT,
    STALE_FORM,
    CredentialForm,
    RenewForm,
    date_given,
    email_address,
    plausible_date,
)
from ..rules.engine import label
from ..rules.model import MODALITY_ORDER

MODALITY_CHOICES = [SelectChoice(m, label(m)) for m in MODALITY_ORDER]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClinicForm(FlaskForm):
    """A form posted from one clinic's pages: the clinic travels in a hidden field."""

    clinic = HiddenField()


class AddStaffForm(ClinicForm):
    jurisdiction = SelectField("Jurisdiction", validators=[DataRequired()])
    profession = SelectField("Profession", validators=[DataRequired()])
    registration_number = StringField(
        "Registration number", validators=[DataRequired(), Length(max=64)]
    )


class RemoveStaffForm(ClinicForm):
    """Taking someone off the staff asks for a confirmation first."""

    confirmed = HiddenField()


class WithdrawForm(ClinicForm):
    """Take back a request the practitioner has not accepted."""


class ModalitiesForm(FlaskForm):
    modalities = MultiCheckboxField("Needling they perform here", choices=MODALITY_CHOICES)


class ContactForm(FlaskForm):
    """City and the private contact fields; ``version`` is the record's version when the form
    was loaded, so a change made meanwhile by someone else is not overwritten."""

    version = IntegerField(widget=HiddenInput(), validators=[DataRequired(STALE_FORM)])
    city = StringField("City", validators=[Optional(), Length(max=100)])
    email = EmailField("Email (private)", validators=[Optional(), Length(max=254), email_address])
    phone = StringField("Phone (private)", validators=[Optional(), Length(max=40)])
    notes = TextAreaField("Notes (private)", validators=[Optional(), Length(max=2000)])


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
