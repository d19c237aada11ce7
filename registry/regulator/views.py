"""The dashboard and the audit of the regulator console."""

from __future__ import annotations

from datetime import date

from flask import Response, render_template, request, stream_with_context, url_for
from flask_login import current_user

from .. import db
from ..permissions import Permission, requires
from ..read import audit_runs
from ..read.params import AuditQuery
from ..read.rulebook import current_rule_book
from . import bp, queries
from .charts import compliance_chart, expiry_chart, gaps_chart
from .forms import AuditForm, DashboardForm, choices
from .queries import OutOfScope, requested_jurisdiction, scope_codes

AUDIT_PAGE_SIZE = 100


@bp.errorhandler(OutOfScope)
def out_of_scope(exc: OutOfScope):
    """The jurisdiction asked for is not the account's: say so, and link to the ones it is."""
    names = {
        c: n.split(" · ", 1)[-1] for c, n in queries.jurisdiction_choices(db.session(), exc.codes)
    }
    endpoint = request.endpoint if request.endpoint in AUDIT_PAGES else "regulator.audit"
    links = [(f"{names.get(c, c)} ({c})", url_for(endpoint, jurisdiction=c)) for c in exc.codes]
    page = render_template(
        "error.html",
        code=exc.code,
        title="Outside your scope",
        message=f"{exc.asked} is outside your account's scope. You can audit these jurisdictions:",
        links=links,
    )
    return page, exc.code


AUDIT_PAGES = ("regulator.audit", "regulator.dashboard")


def page_arg() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _filter_form(form_class, session, jurisdiction: str | None):
    """A GET filter form read from the query string, its jurisdiction limited to the scope."""
    form = form_class(formdata=request.args)
    form.jurisdiction.choices = choices(
        queries.jurisdiction_choices(session, scope_codes(current_user))
    )
    form.jurisdiction.data = jurisdiction or ""
    if hasattr(form, "profession"):
        form.profession.choices = choices(queries.profession_choices(session))
    return form


@bp.get("/")
@requires(Permission.AUDIT_READ)
def dashboard():
    """Gaps by kind, compliance by profession and modality, expiries by month."""
    session = db.session()
    jurisdiction = requested_jurisdiction(session, current_user, request.args.get("jurisdiction"))
    form = _filter_form(DashboardForm, session, jurisdiction)
    if not form.validate():
        return render_template("regulator/dashboard.html", form=form, board=None), 400
    as_of = form.as_of.data or date.today()
    board = queries.dashboard(
        session, current_user, current_rule_book(session), as_of, jurisdiction
    )
    charts = {
        "gaps": gaps_chart(board.kinds),
        "compliance": compliance_chart(board.compliance),
        "expiries": expiry_chart(board.months),
    }
    return render_template(
        "regulator/dashboard.html", form=form, board=board, charts=charts, as_of=as_of
    )


@bp.get("/audit")
@requires(Permission.AUDIT_READ)
def audit():
    """The audit (CONTRACT §5) of any day, filtered, as a page, CSV or the JSON document."""
    session = db.session()
    jurisdiction = requested_jurisdiction(session, current_user, request.args.get("jurisdiction"))
    form = _filter_form(AuditForm, session, jurisdiction)
    if not form.validate():
        return render_template("regulator/audit.html", form=form, report=None), 400
    as_of = form.as_of.data or date.today()
    window = 60 if form.window.data is None else form.window.data
    query = AuditQuery(as_of, window, jurisdiction)
    book = current_rule_book(session)
    run = queries.scoped_run(session, current_user, book, query)
    where = audit_runs.gap_filters(run, form.kind.data, form.modality.data, form.profession.data)
    if form.format.data == "json":
        chunks = audit_runs.json_chunks(session, run, jurisdiction, where)
        return Response(stream_with_context(chunks), mimetype="application/json")
    if form.format.data == "csv":
        name = f"audit-{jurisdiction or 'all'}-{as_of}.csv"
        return _csv_download(audit_runs.csv_chunks(session, run, where), name)
    args = {"jurisdiction": jurisdiction or "", "as_of": as_of.isoformat(), "window": window}
    args |= {k: form[k].data for k in ("kind", "modality", "profession")}
    found = audit_runs.gap_page(session, run, where, page_arg(), AUDIT_PAGE_SIZE)
    report = {"as_of": as_of.isoformat(), "practitioners_checked": run.practitioners_checked}
    return render_template(
        "regulator/audit.html",
        form=form,
        report=report,
        args=args,
        rules={r.id: r for r in book.rules},
        gaps=found.gaps,
        total=found.total,
        errors=found.errors,
        page=found.page,
        pages=found.pages,
    )


def _csv_download(chunks, filename: str) -> Response:
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
