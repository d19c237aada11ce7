"""Codes in words on the clinic's pages: every template of the workspace gets ``names``."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import db
from ..models import Jurisdiction, Practitioner, Profession
from ..rules.engine import label
from . import bp

JURISDICTION_CODE = re.compile(r"\b(?:CA|US)-[A-Z]{2}\b")


class CodeNames:
    """Jurisdictions and professions in words ("Physiotherapist, Alberta"), read from the
    code tables once per page, when a template first asks."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._names: dict[str, str] | None = None

    def __call__(self, code: str) -> str:
        if self._names is None:
            self._names = {}
            for model in (Jurisdiction, Profession):
                rows = self._session.execute(select(model.code, model.name))
                self._names.update((code, name) for code, name in rows)
        return self._names.get(code) or label(code)

    def profession(self, profession: str, jurisdiction: str) -> str:
        """The profession's name as its country says it: "Physiotherapist / physical
        therapist" is a physiotherapist in Canada and a physical therapist in the US."""
        name = self(profession).split(" (", 1)[0]
        parts = name.split(" / ")
        word = parts[1] if jurisdiction.startswith("US-") and len(parts) > 1 else parts[0]
        return word[:1].upper() + word[1:]

    def prose(self, text: str) -> str:
        """A sentence of the rules engine with each jurisdiction code in it named: "outside
        a massage therapist's scope of practice in Alberta"."""
        return JURISDICTION_CODE.sub(lambda m: self(m.group(0)), text)

    def registration(self, p: Practitioner) -> str:
        """Their profession and jurisdiction in words: "Physiotherapist, Alberta"."""
        profession = self.profession(p.profession_code, p.jurisdiction_code)
        return f"{profession}, {self(p.jurisdiction_code)}"


@bp.context_processor
def _names() -> dict[str, CodeNames]:
    """``names`` in every page of the workspace (read only if the page uses it)."""
    return {"names": CodeNames(db.session())}
