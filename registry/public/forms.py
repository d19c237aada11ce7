"""The public search form: rendering and labels only; ``queries.parse_search`` validates."""

from __future__ import annotations

from wtforms import Form, SearchField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

MODALITY_NAMES = {"dry_needling": "Dry needling", "ims": "IMS", "acupuncture": "Acupuncture"}


class SearchForm(Form):
    """A GET form (no CSRF token: it changes nothing)."""

    q = SearchField("Name or registration number")
    jurisdiction = SelectField("Province or state", validate_choice=False)
    profession = SelectField("Profession", validate_choice=False)
    modality = SelectField(
        "May perform",
        choices=[SelectChoice("", "Any (no filter)")]
        + [SelectChoice(code, name) for code, name in MODALITY_NAMES.items()],
        validate_choice=False,
    )
    city = StringField("City")

    def set_choices(self, jurisdictions, professions) -> None:
        self.jurisdiction.choices = _options(jurisdictions)
        self.profession.choices = _options(professions)

    def show_errors(self, errors: dict[str, str]) -> list[str]:
        """Attach parse errors to their fields (the page re-renders with them, minus any
        control characters) and return them as sentences naming each field."""
        sentences = []
        for name, message in errors.items():
            if name in self._fields:
                f = self[name]
                f.errors = [message]
                f.data = "".join(ch for ch in f.data or "" if ch.isprintable())
                sentences.append(f"{f.label.text}: {message}.")
            else:
                sentences.append(f"{name.capitalize()}: {message}.")
        return sentences


def _options(pairs) -> list[SelectChoice]:
    return [SelectChoice("", "Any")] + [SelectChoice(code, name) for code, name in pairs]
