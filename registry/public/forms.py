"""The public search form: its fields, labels and options (``read.params.parse_search``
validates). Rendered by ``templates/public/_search.html`` in plain markup: the form is drawn
for every search the answer cache cannot serve, and drawing it field by field through a form
library was a fifth of such a page's time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

MODALITY_NAMES = {"dry_needling": "Dry needling", "ims": "IMS", "acupuncture": "Acupuncture"}
LABELS = {
    "q": "Name or registration number",
    "city": "City",
    "jurisdiction": "Province or state",
    "profession": "Profession",
    "modality": "May perform",
}


@dataclass(frozen=True)
class SearchFormView:
    """What the form shows: each field's value as typed (control characters dropped), the
    problem with it if any, and the options of the three lists."""

    values: Mapping[str, str]
    errors: Mapping[str, str]
    jurisdictions: tuple[tuple[str, str], ...]
    professions: tuple[tuple[str, str], ...]
    modalities: tuple[tuple[str, str], ...] = tuple(MODALITY_NAMES.items())
    labels: Mapping[str, str] = field(default_factory=lambda: LABELS)


def form_view(
    values: Mapping[str, str], choices: tuple[list, list], errors: Mapping[str, str] | None = None
) -> SearchFormView:
    shown = {name: _printable(values.get(name) or "") for name in LABELS}
    jurisdictions, professions = choices
    return SearchFormView(shown, in_words(errors or {}), tuple(jurisdictions), tuple(professions))


def in_words(errors: Mapping[str, str]) -> dict[str, str]:
    """The parse errors as a visitor reads them: the API's reason for an unknown "may
    perform" value lists codes, the page names the choices."""
    *first, last = MODALITY_NAMES.values()
    plain = {"modality": f"choose {', '.join(first)} or {last}"}
    return {name: plain.get(name, message) for name, message in errors.items()}


def problem_sentences(errors: Mapping[str, str]) -> list[str]:
    """The parse errors as sentences naming each field, for the list on top of the page."""
    sentences = []
    for name, message in in_words(errors).items():
        sentences.append(f"{LABELS.get(name, name.capitalize())}: {message}.")
    return sentences


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())
