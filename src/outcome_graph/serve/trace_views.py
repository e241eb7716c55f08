"""Trace, gaps and audit views: JSON for programs, HTML for people (the trace with its picture, the gaps,
the printable audit report with every table as CSV).

    /trace?q=words                 search by code or title
    /trace/<code or IRI>           a trace (also /trace?node=IRI); &direction=down|up|across, &report=YEAR,
                                   &format=json|svg|graphml|png (HTML by default, JSON when asked for)
    /gaps                          where the chain breaks (&report=YEAR, &format=json)
    /audit?report=YEAR[&compare=YEAR]   the inspection audit report; /audit.csv?...&table=NAME
"""

from __future__ import annotations

import csv
import io
import threading

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from ..errors import OutcomeGraphError
from ..trace import audit as audit_data
from ..trace import engine, render
from ..trace.gaps import GAP_KINDS, find_gaps, gaps_dict
from ..trace.graph import load
from . import current_store

bp = Blueprint("trace_views", __name__, template_folder="templates")

_lock = threading.Lock()


def _tg():
    with _lock:
        return load(current_store()).scoped(request.args.get("council") or None)


def _wants_json() -> bool:
    fmt = request.args.get("format")
    if fmt:
        return fmt == "json"
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _error(e: Exception, status: int = 404):
    if _wants_json():
        return jsonify({"error": str(e)}), status
    return render_template("error.html", status=status, message=str(e)), status


def _report_arg(name: str = "report") -> str | None:
    value = request.args.get(name)
    return engine.normalise_year(value) if value else None


def trace_url(iri: str, **extra) -> str:
    return url_for("trace_views.trace_page", node=iri, **extra)


def page_url(iri: str) -> str:
    path = engine.page_path(iri)
    return path if path else url_for("lookup.any_resource", iri=iri) if _has_lookup() else iri


def _has_lookup() -> bool:
    from flask import current_app

    return "lookup.any_resource" in current_app.view_functions


@bp.app_template_global("trace_url")
def _trace_url_global(iri: str, **extra) -> str:
    return trace_url(iri, **extra)


@bp.app_template_global("page_url")
def _page_url_global(iri: str) -> str:
    return page_url(iri)


@bp.get("/trace")
@bp.get("/trace/<path:ref>")
def trace_page(ref: str | None = None):
    try:
        tg = _tg()
        report = _report_arg()
        ref = request.args.get("node") or ref
        if ref and ref.startswith(("http:/", "https:/")) and "://" not in ref:
            ref = ref.replace(":/", "://", 1)  # a path segment loses one slash of an IRI's scheme
        query = request.args.get("q", "").strip()
        if not ref:
            hits = engine.search(tg, query, limit=100, report=report) if query else []
            results = [engine.node_summary(tg, h) for h in hits]
            if _wants_json():
                return jsonify({"q": query, "results": results})
            return render_template("trace/search.html", q=query, results=results, report=report)
        iri = engine.resolve(tg, ref, report)
        direction = request.args.get("direction", "down")
        t = engine.trace(tg, iri, direction, report)
    except OutcomeGraphError as e:
        return _error(e)
    fmt = request.args.get("format")
    if fmt == "svg":
        return Response(render.to_svg(t, request.script_root), mimetype="image/svg+xml")
    if fmt == "graphml":
        return Response(render.to_graphml(t), mimetype="application/graphml+xml")
    if fmt == "png":
        if not render.png_available():
            return _error(OutcomeGraphError("PNG needs matplotlib on the server; use format=svg"), 501)
        return Response(render.to_png(t), mimetype="image/png")
    data = engine.trace_dict(tg, t)
    if _wants_json():
        return jsonify(data)
    return render_template(
        "trace/trace.html",
        t=data,
        svg=render.to_svg(t, request.script_root),
        text=render.to_text(tg, t),
        reports=tg.reports,
        node_line=render.node_line,
        basis_words=render.BASIS_WORDS,
    )


@bp.get("/gaps")
def gaps_page():
    try:
        report = _report_arg()
        gaps = find_gaps(_tg(), report)
    except OutcomeGraphError as e:
        return _error(e, 400)
    if _wants_json():
        return jsonify(gaps_dict(gaps))
    return render_template("trace/gaps.html", data=gaps_dict(gaps), kinds=GAP_KINDS, report=report)


def _validate_requested() -> bool:
    # On by default: an audit reports the validation warnings; &validate=0 leaves them out.
    return request.args.get("validate", "1") != "0"


def _validation(store):
    """The SHACL validation of the served graph (computed once per store, shared with /validation)."""
    if not _validate_requested():
        return None
    from .validation import validation_of

    return validation_of(store)


LATEST_REPORT = """PREFIX og: <https://w3id.org/outcome-graph/def#>
SELECT ?period WHERE { ?report a og:Report ; og:period ?period } ORDER BY DESC(STR(?period)) LIMIT 1"""


def _latest_report() -> str:
    """The audit's default: the most recent report year in the served graph."""
    rows = current_store().select(LATEST_REPORT).rows
    if not rows:
        raise OutcomeGraphError("the served graph holds no report")
    return str(rows[0]["period"]).rsplit("/", 1)[-1]


def _audit():
    report = _report_arg() or _latest_report()
    other = _report_arg("compare")
    council = request.args.get("council") or None
    store = current_store()
    return audit_data.build_audit(_tg(), report, other, _validation(store), council, store=store)


@bp.get("/audit")
def audit_page():
    try:
        a = _audit()
    except OutcomeGraphError as e:
        return _error(e, 404)
    if _wants_json():
        return jsonify(a)
    tables = list(audit_data.TABLES if a["compare"] else audit_data.TABLES[:-1])
    return render_template(
        "trace/audit.html", a=a, tables=tables, kinds=GAP_KINDS, validate=_validate_requested()
    )


@bp.get("/audit.csv")
def audit_csv():
    table = request.args.get("table", "actions")
    if table not in audit_data.TABLES:
        return _error(OutcomeGraphError(f"no table {table!r}; tables: {', '.join(audit_data.TABLES)}"), 400)
    try:
        a = _audit()
    except OutcomeGraphError as e:
        return _error(e, 404)
    header, rows = audit_data.audit_tables(a)[table]
    if table == "warnings" and not a["validated"]:
        header, rows = ["message"], [["validation not run: remove validate=0"]]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(["" if v is None else v for v in row] for row in rows)
    name = f"audit-{a['report']}-{table}.csv"
    return Response(
        buf.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
