"""The public pages' cached parts (see ``read.cache``).

Searches, records and whole anonymous pages are computed once per data version; views call
these helpers and stay thin.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import render_template, request
from flask import session as cookie_session
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import Session

from ..read.cache import cached
from ..read.params import SearchQuery
from ..read.search import choices, run_search
from .forms import form_view, problem_sentences

Page = tuple[str, int]


def search_choices(session: Session) -> tuple[list, list]:
    return cached(session, "choices", lambda: choices(session))


def fragment(template: str, **context) -> Markup:
    """A partial rendered by an autoescaping template, to be placed in a page as is."""
    return Markup(render_template(template, **context))  # noqa: S704 (escaped by Jinja)


def search_section(session: Session, search: SearchQuery, size: int) -> tuple[Markup, int]:
    """The form (filled from the parsed search) and, when anything was asked, the page of
    results: HTML that depends on nothing but the search and the data. 404 past the end."""
    key = ("search", search, size)
    return cached(session, key, lambda: _search_section(session, search, size))


def _search_section(session: Session, search: SearchQuery, size: int) -> tuple[Markup, int]:
    jurisdictions, professions = choices = search_choices(session)
    form = form_view(search.args(), choices)
    names = dict(jurisdictions) | dict(professions)
    results = run_search(session, search, size, date.today()) if search.has_criteria else None
    html = fragment("public/_search.html", form=form, names=names, search=search, results=results)
    return html, 404 if results and not results.page_exists else 200


def bad_search_page(session: Session, errors: dict[str, str]) -> Page:
    """The form as sent, each bad field with its reason, and the reasons listed on top."""
    form = form_view(request.args, search_choices(session), errors)
    problems = problem_sentences(errors)
    body = fragment("public/_search.html", form=form, names={})
    return render_template("public/index.html", body=body, problems=problems), 400


def shared_page(session: Session, key: tuple, build: Callable[[], Page]) -> Page:
    """A whole page, cached when it is the same for everyone: for an anonymous visitor with
    nothing flashed, the layout shows no account and no CSRF token."""
    if current_user.is_authenticated or "_flashes" in cookie_session:
        return build()
    return cached(session, ("page", *key), build)
