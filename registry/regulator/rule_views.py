"""Rules: the active rules and earlier versions, and uploading a new rules file (check,
preview the impact, then activate)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import date
from pathlib import PurePath

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from .. import db
from ..permissions import Permission, requires
from ..read.rulebook import current_rule_book, get_rule_set, rule_book
from ..rules.dump import dump_rules
from ..rules.explain import describe_requirements
from ..services import NotFound, verdict_store
from ..services.rulesets import (
    DECLARED,
    RulesRefused,
    code_names,
    declared_changes,
    load_rules,
    load_rules_scoped,
    unchanged,
)
from . import bp
from .forms import ActivateForm, RulesFilterForm, RulesUploadForm, choices
from .queries import jurisdiction_choices, scope_codes
from .records import preview_rules, rule_sets

# A rules file travels back through the preview page as base64 in a form field, which must
# stay under the server's form-field limit (Flask's MAX_FORM_MEMORY_SIZE, 500 kB by default);
# the default rules are about 60 kB.
MAX_RULES_BYTES = 300_000


@bp.get("/rules")
@requires(Permission.RULES_MANAGE)
def rules():
    """The active rule set (or ``version``), optionally for one jurisdiction, and every
    version ever loaded."""
    session = db.session()
    form = RulesFilterForm(formdata=request.args)
    form.jurisdiction.choices = choices(jurisdiction_choices(session, None))
    if not form.validate():
        return render_template("regulator/rules.html", form=form, rule_set=None), 400
    try:
        rule_set = get_rule_set(session, form.version.data)
    except NotFound:
        abort(404)
    book = rule_book(session, rule_set.version) if rule_set else None
    shown = [
        r for r in (book.rules if book else ()) if form.jurisdiction.data in ("", r.jurisdiction)
    ]
    return render_template(
        "regulator/rules.html",
        form=form,
        rule_set=rule_set,
        rules=shown,
        versions=rule_sets(session),
        describe=describe_requirements,
    )


@bp.route("/rules/upload", methods=["GET", "POST"])
@requires(Permission.RULES_MANAGE)
def upload_rules():
    """Check an uploaded rules file: its problems, or what activating it would change."""
    form = RulesUploadForm()
    if not form.validate_on_submit():
        return _upload_page(form, code=400 if form.errors else 200)
    data = form.file.data.read(MAX_RULES_BYTES + 1)
    if len(data) > MAX_RULES_BYTES:
        form.file.errors.append(f"The file is larger than {MAX_RULES_BYTES // 1000} kB.")
        return _upload_page(form, code=400)
    filename = PurePath(form.file.data.filename or "rules.yaml").name[:200]
    return _preview(form, data, filename, form.as_of.data or date.today())


@bp.post("/rules/activate")
@requires(Permission.RULES_MANAGE)
def activate_rules():
    """Load the previewed file as a new version, checking it again in full first."""
    session = db.session()
    form = ActivateForm()
    data = _carried_file(form) if form.content.data and form.checksum.data else None
    if data is None:
        return _upload_page(
            problems=["The previewed file did not come back intact; upload it again."], code=400
        )
    if not form.validate_on_submit():  # the note is missing: the same preview, with its error
        return _preview(RulesUploadForm(formdata=None), data, form.filename.data, date.today(),
                        code=400, activate=form)  # fmt: skip
    active = get_rule_set(session)
    if (str(active.version) if active else "") != form.base_version.data:
        message = "The active rules changed since your preview; here is the preview against them."
        return _preview(
            RulesUploadForm(formdata=None), data, form.filename.data, date.today(), message, 409
        )
    codes = scope_codes(current_user)
    note = form.note.data.strip()
    limit = current_app.config["VERDICT_REFRESH_IN_REQUEST"]
    name, email = form.filename.data, current_user.email
    try:
        if codes is None:
            rule_set = load_rules(session, email, data, name, note, refresh_limit=limit)
        else:
            rule_set = load_rules_scoped(
                session, email, data, name, codes, note, refresh_limit=limit
            )
    except RulesRefused as exc:
        return _upload_page(problems=exc.problems, refused=str(exc), code=400)
    session.commit()
    if active is not None and rule_set.id == active.id:
        flash(f"Nothing to activate: version {rule_set.version} already holds these rules.")
        return redirect(url_for(".rules"))
    flash(f"Rule set version {rule_set.version} is active ({len(rule_set.rules)} rules).")
    waiting = verdict_store.expired_in(session, codes)
    if waiting:
        flash(
            f"Today's answers for {waiting} practitioners are recomputed by the next "
            "verdict refresh (registry refresh-verdicts); until then searches by modality "
            "leave them out and their pages are evaluated afresh."
        )
    return redirect(url_for(".rules"))


@bp.get("/rules/download.yaml")
@requires(Permission.RULES_MANAGE)
def download_rules():
    """The active rules of the user's jurisdictions (an admin's: all) as a rules file to edit
    and upload again."""
    session = db.session()
    codes = scope_codes(current_user)
    rules = [
        r for r in current_rule_book(session).rules if codes is None or r.jurisdiction in codes
    ]
    names = {key: code_names(session, model) for key, model in DECLARED}
    what = "every jurisdiction" if codes is None else ", ".join(codes)
    response = Response(dump_rules(rules, names, what), mimetype="application/yaml")
    stem = "all" if codes is None else "-".join(c.lower() for c in codes)
    response.headers["Content-Disposition"] = f'attachment; filename="rules-{stem}.yaml"'
    return response


def _carried_file(form: ActivateForm) -> bytes | None:
    """The file's bytes, if they still match the checksum shown with the preview."""
    try:
        data = base64.b64decode(form.content.data, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if hashlib.sha256(data).hexdigest() == form.checksum.data else None


def _preview(form, data: bytes, filename: str, as_of: date, message=None, code=200, activate=None):
    session = db.session()
    try:
        preview = preview_rules(session, current_user, data, as_of)
    except RulesRefused as exc:
        return _upload_page(form, problems=exc.problems, refused=str(exc), code=400)
    active = get_rule_set(session)
    activate = activate or ActivateForm(
        formdata=None,
        content=base64.b64encode(data).decode("ascii"),
        checksum=preview.parsed.checksum,
        filename=filename,
        base_version=str(active.version) if active else "",
    )
    return _upload_page(
        form,
        preview=preview,
        # the load's own test, so the page never promises "no new version" wrongly
        identical=unchanged(session, preview.proposed, preview.parsed),
        codes_changed=declared_changes(session, preview.parsed),
        activate=activate,
        filename=filename,
        message=message,
        code=code,
    )


def _upload_page(form=None, code=200, **context):
    form = form or RulesUploadForm(formdata=None)
    return render_template("regulator/upload.html", form=form, **context), code
