"""The validation view: what the SHACL shapes find in the served graph, for performance officers.

    /validation[?council=C][&report=YEAR]   HTML, grouped by rule (JSON by Accept or &format=json;
                                   CSV with &format=csv; the sh:ValidationReport with &format=ttl)

What is validated is what the page is about, never the whole graph: one report (&report=YEAR) read from
its own named graph with the reference data and what of the shared graphs it needs, so it gives exactly
what that report built alone gives (query_layer.report_graphs); without a report, all of the council's
reports together (the links between them too). A graph of several councils needs council= (400 naming
them), as the trace, gaps and audit do: bounded by the council, not by the nation. The result is kept per
store generation and scope (a served store does not change), loaded by one request while the others wait.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from flask import Blueprint, Response, jsonify, render_template, request

from ..errors import OutcomeGraphError
from ..human import instance_labels
from ..query_layer import Flight, Scope, scope_of
from ..query_layer.report_graphs import scope_graph
from ..query_layer.scope import store_key
from . import current_store
from .error_page import error_response
from .safety import PARSER_LOCK

if TYPE_CHECKING:  # the validator (pySHACL, rdflib's SPARQL engine) is imported when a validation runs
    from ..validate import ValidationSummary

bp = Blueprint("validation", __name__, template_folder="templates")

_SUMMARIES = Flight(size=32)
COLUMNS = ("severity", "rule", "code", "report", "line", "value", "message", "focus")


def validation_of(store, scope: Scope, timeout: float | None = None) -> ValidationSummary:
    """The SHACL validation of the reports of `scope` (one report, or all of a council's), read from their
    named graphs: once per store generation and scope."""

    def load() -> ValidationSummary:
        from ..validate import validate_graph

        graph = scope_graph(store, scope, timeout)
        # pySHACL parses its SPARQL constraints with rdflib's parser, which is not thread-safe.
        with PARSER_LOCK:
            return validate_graph(graph)

    part = f"the validation of {scope.council or 'the graph'} ({', '.join(scope.years)})"
    return _SUMMARIES.get((store_key(store), scope.council, scope.reports), load, part)


def _scope() -> Scope:
    from ..trace.engine import normalise_year
    from .pages import limits

    report = request.args.get("report")
    timeout, _ = limits()
    years = [normalise_year(report)] if report else None
    return scope_of(current_store(), request.args.get("council") or None, None, years, timeout)


def _format() -> str:
    fmt = request.args.get("format")
    if fmt:
        return fmt
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "text/csv", "text/turtle"])
    return {"application/json": "json", "text/csv": "csv", "text/turtle": "ttl"}.get(best or "", "html")


@bp.get("/validation")
def validation_page():
    fmt = _format()
    try:
        scope = _scope()
        summary = validation_of(current_store(), scope)
    except OutcomeGraphError as e:
        return error_response(e, 400)
    if fmt == "json":
        return jsonify(
            {
                "conforms": summary.conforms,
                "violations": summary.violations,
                "warnings": summary.warnings,
                "results": [r.as_dict() for r in summary.results],
            }
        )
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for r in summary.results:
            writer.writerow([getattr(r, c) if getattr(r, c) is not None else "" for c in COLUMNS])
        return Response(
            out.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=validation.csv"},
        )
    if fmt == "ttl":
        from ..validate.formats import as_turtle

        return Response(as_turtle(summary), mimetype="text/turtle")
    if fmt != "html":
        return jsonify({"error": f"unknown format {fmt!r}: use html, json, csv or ttl"}), 400
    # a record without a code of its own (a claim: the results fall back to its IRI's path) is named by its
    # title or its words, never by its IRI
    names = instance_labels(
        current_store(), [r.focus for r in summary.results if r.focus and (not r.code or "/" in r.code)]
    )
    return render_template(
        "validation.html", summary=summary, rules=summary.by_rule(), names=names, scope=scope, keep=_keep()
    )


def _keep() -> str:
    """The scope's own parameters, for the download links (each link gives the same scope's results)."""
    from urllib.parse import urlencode

    kept = {k: request.args[k] for k in ("council", "report") if request.args.get(k)}
    return urlencode(kept) + "&" if kept else ""
