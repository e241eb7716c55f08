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

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for

from ..errors import OutcomeGraphError
from ..query_layer import Flight, ScopeError, scope_of
from ..query_layer.scope import store_key, year_before
from ..trace import audit as audit_data
from ..trace import engine, neighbourhood, render
from ..trace.gap_counts import report_gap_counts
from ..trace.gaps import GAP_KINDS, count_rows, find_gaps, gaps_dict, not_gaps
from ..trace.source import load
from . import current_store
from .council_choice import council_choice, council_names, needs_council
from .error_page import error_response as _error
from .error_page import wants_json as _wants_json
from .pages import limits

bp = Blueprint("trace_views", __name__, template_folder="templates")


def _tg(node: str | None = None, years=None):
    """The trace graph of the council the page is about (council=, else the council of the node shown,
    else the graph's only council), of the report years the page shows (None: all the council's): read
    through the query layer, never the whole graph."""
    timeout, _ = limits()
    return load(current_store(), request.args.get("council") or None, node, years, timeout)


def _scope():
    """The council the page is about and all its report years, without reading its records."""
    timeout, _ = limits()
    return scope_of(current_store(), request.args.get("council") or None, None, None, timeout)


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


def _choices(ref: str, report: str | None):
    """The page for a reference that names several records (or none): the search results for it, each
    with its report, instead of command-line advice. 300 Multiple Choices, or 404 when nothing matches."""
    from .search import decorate, search

    timeout, _ = limits()
    scope = _scope()
    hits = search(current_store(), ref, report, timeout, scope.council)  # the page's council's records only
    exact = [h for h in hits if h["exact"]] or hits
    status = 300 if len(exact) > 1 else 404
    if _wants_json():
        return jsonify({"error": f"{ref!r} matches {len(exact)} records", "matches": exact}), status
    years = list(scope.all_years)
    return (
        render_template(
            "search.html",
            q=ref,
            report=report,
            hits=decorate(exact),
            error=None,
            ambiguous=len(exact) > 1,
            report_years=years,
        ),
        status,
    )


def _named_by(ref: str, report: str | None) -> str | None:
    """The IRI of the one record of the page's council that `ref` names, as engine.resolve would find it
    in the council's trace graph — its code (also "priority 2" for 02, the code as the council writes it
    without extraction noise), else its exact title, else the only record whose names hold the words —
    but looked up in the search index instead of loading the council's records. None when it names no
    record or several (the trace then says which, as before)."""
    from .search import search, words_of

    timeout, _ = limits()
    council = _scope().council
    code = engine.normalise_code(ref)  # "CSPC.P. 2.1", as extraction may have split it, is CSPC.P.2.1
    hits = search(current_store(), code if code and " " not in code else ref, report, timeout, council)
    words = words_of(ref)
    codes = {" ".join(words), code.casefold(), ref.strip().casefold()}
    if len(words) == 2 and words[0] == "priority":  # "priority 2": the priority numbered 02
        codes.add(words[1])
    if ref.strip().isdigit():
        codes.add(ref.strip().zfill(2))
    by_code = [h for h in hits if (h["code"] or "").casefold() in codes]
    if len(by_code) == 1:
        return by_code[0]["iri"]
    if by_code:
        return None
    titled = [h for h in hits if (h["title"] or "").casefold() == ref.strip().casefold()]
    if len(titled) == 1:
        return titled[0]["iri"]
    return hits[0]["iri"] if len(hits) == 1 and not titled else None


@bp.get("/trace")
@bp.get("/trace/<path:ref>")
def trace_page(ref: str | None = None):
    try:
        report = _report_arg()
        ref = request.args.get("node") or ref
        if ref and ref.startswith(("http:/", "https:/")) and "://" not in ref:
            ref = ref.replace(":/", "://", 1)  # a path segment loses one slash of an IRI's scheme
        direction = request.args.get("direction", "down")
        if direction not in ("down", "up", "across"):
            raise engine.TraceError(f"unknown direction {direction!r}: use down, up or across")
        # a trace in one report reads that report only; across years, every report of the council
        years = [report] if report and direction != "across" else None
        node = engine.expand(ref) if ref else None
        if node and not node.startswith(("http://", "https://")):
            # a code or a title: the one record it names, from the search index (bounded by the council),
            # then traced as a node given by its IRI; several or none: the page of matches (below)
            named = _named_by(ref, report)
            if named is None:
                return _choices(ref, report)
            node = ref = named
        if node and node.startswith(("http://", "https://")):
            # a node by its IRI: read its trace only, step by step (trace/neighbourhood.py)
            timeout, _ = limits()
            scope = scope_of(current_store(), request.args.get("council") or None, node, years, timeout)
            tg = neighbourhood.fetch(current_store(), scope, node, direction, timeout)
        elif ref:
            tg = _tg(node, years)
        else:
            tg = None
        query = request.args.get("q", "").strip()
        if not ref:
            if query:  # one search for the whole site: /search (bounded, through the store)
                return redirect(
                    url_for(
                        "search.search_page",
                        q=query,
                        report=request.args.get("report"),
                        format=request.args.get("format"),
                    ),
                    303,
                )
            try:
                years = list(_scope().all_years)
            except ScopeError as e:
                if not needs_council(e):
                    raise
                # the start page of a national graph: no council's years, but the councils to pick from
                return render_template("trace/start.html", reports=[], councils=council_names())
            return render_template("trace/start.html", reports=years, councils=[])
        try:
            iri = engine.resolve(tg, ref, report)
        except engine.TraceError:
            if ref.startswith(("http://", "https://")):
                raise
            return _choices(ref, report)
        t = engine.trace(tg, iri, direction, report)
    except OutcomeGraphError as e:
        return council_choice(e) if needs_council(e) else _error(e)
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
    g = t.graph
    sentences = []
    for e in data["edges"]:
        if e["rel"] == "evidence":
            continue
        s = render.link_sentence(g, e["from"], e["to"], g.edges[e["from"], e["to"]])
        s["evidence"] = e["evidence"]
        sentences.append(s)
    return render_template(
        "trace/trace.html",
        t=data,
        root_name=render.node_name(g.nodes[t.root]),
        sentences=sentences,
        svg=render.to_svg(t, request.script_root),
        reports=list(tg.scope.all_years),
        node_line=render.node_line,
    )


_GAPS = Flight(size=16)  # the gaps asked for last, per store generation, council and report


def _gaps(report: str | None):
    """The gaps of the page's council, made once per store generation and question, within the app's
    time limit (past it: 503 with Retry-After while they are made in the background for the next).
    One report: its gaps, read from its own structure. Every report: each report's number of gaps of
    each kind, one grouped count per kind over the council's reports (trace.gap_counts), and the rows of
    the latest report only; reading all 47 reports' structure to list every row took 41 s at 10 M."""
    timeout, _ = limits()
    store, council = current_store(), request.args.get("council") or None
    scope = scope_of(store, council, None, [report] if report else None, timeout)
    shown = report or (scope.all_years[-1] if scope.all_years else None)

    def make():
        tg = load(store, council, None, [shown] if shown else None, timeout)
        data = gaps_dict(find_gaps(tg, shown), count_rows(tg, shown), not_gaps(tg, shown))
        data["report"] = shown
        if report is None:
            data["by_report"] = report_gap_counts(store, scope, timeout)
        return tg, data

    part = f"the gaps of {scope.council or 'the graph'} ({', '.join(scope.years) or 'no report'})"
    return _GAPS.get((store_key(store), scope, report), make, part, budget=timeout)


@bp.get("/gaps")
def gaps_page():
    try:
        report = _report_arg()
        tg, data = _gaps(report)
    except OutcomeGraphError as e:
        return council_choice(e) if needs_council(e) else _error(e, 400)
    if _wants_json():
        return jsonify(data)
    return render_template(
        "trace/gaps.html", data=data, kinds=GAP_KINDS, report=report, reports=list(tg.scope.all_years)
    )


def _validate_requested() -> bool:
    # On by default: an audit reports the validation warnings; &validate=0 leaves them out.
    return request.args.get("validate", "1") != "0"


def _validation(store, scope, report: str, validate: bool, timeout):
    """The SHACL validation of the audited report alone (its named graph; shared with /validation)."""
    if not validate:
        return None
    from dataclasses import replace

    from .validation import validation_of

    one = replace(scope, reports=(scope.report_of(report),), years=(report,))
    return validation_of(store, one, timeout)


def _audit():
    """The audit of one report of one council; by default the council's latest report. Made once per
    store generation and question (the served store does not change; one request makes it while the
    others wait)."""
    scope = _scope()
    if not scope.all_years:
        raise OutcomeGraphError("the served graph holds no report")
    report = _report_arg() or scope.all_years[-1]
    other = _report_arg("compare")
    store = current_store()
    validate = _validate_requested()

    timeout, _ = limits()
    council = request.args.get("council") or None

    def make():  # no request context: it may go on in the background (below)
        # the report, the one before it ("what changed") and the one compared with: nothing else is read
        tg = load(
            store, council, None, [y for y in (report, year_before(scope, report), other) if y], timeout
        )
        validation = _validation(store, tg.scope, report, validate, timeout)
        return audit_data.build_audit(tg, report, other, validation, tg.council, store=store), tg

    key = (store_key(store), scope.council, report, other, validate)
    # within the app's time limit, as /gaps: past it, 503 + Retry-After and the audit made for the next
    return _AUDITS.get(key, make, f"the audit of {scope.council or 'the graph'} {report}", budget=timeout)


_AUDITS = Flight(size=16)  # the audits asked for last (one is a few hundred KB)


@bp.get("/audit")
def audit_page():
    from ..trace.audit_view import presentation
    from .pages import labels

    try:
        a, tg = _audit()
        if _wants_json():
            return jsonify(a)
        shown = presentation(tg, a, current_store(), labels())
    except OutcomeGraphError as e:
        return council_choice(e) if needs_council(e) else _error(e, 404)
    tables = list(audit_data.TABLES if a["compare"] else audit_data.TABLES[:-1])
    return render_template(
        "trace/audit.html", a=a, tables=tables, kinds=GAP_KINDS, validate=_validate_requested(), **shown
    )


def _plain_row(header: list[str], row: list) -> list:
    """The audit's CSV is for people, like the page: statuses by their labels, periods and report years
    as the reports write them ("2020/21", "Q2 2020/21"), reported totals by their names."""
    from .. import labels as labels_mod
    from .pages import labels

    L = labels()
    out = []
    for name, v in zip(header, row, strict=False):
        if v is None:
            out.append("")
        elif name in ("status", "state", "unit"):
            out.append(L.term(v) if v in L.by_notation or "://" in str(v) or str(v)[:1].isupper() else v)
        elif name in ("period", "report"):
            out.append(labels_mod.period_text(str(v)))
        elif name in ("detail", "message", "lines"):
            out.append(L.in_text(labels_mod.years_in_text(str(v))))
        else:
            out.append(v)
    return out


@bp.get("/audit.csv")
def audit_csv():
    table = request.args.get("table", "actions")
    if table not in audit_data.TABLES:
        return _error(OutcomeGraphError(f"no table {table!r}; tables: {', '.join(audit_data.TABLES)}"), 400)
    try:
        a, _ = _audit()
    except OutcomeGraphError as e:
        return _error(e, 404)
    header, rows = audit_data.audit_tables(a)[table]
    if table == "warnings" and not a["validated"]:
        header, rows = ["message"], [["validation not run: remove validate=0"]]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(_plain_row(header, row) for row in rows)
    name = f"audit-{a['report']}-{table}.csv"
    return Response(
        buf.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
