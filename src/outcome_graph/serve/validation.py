"""The validation view: what the SHACL shapes find in the served graph, for performance officers.

    /validation                    HTML, grouped by rule (JSON by Accept or &format=json;
                                   CSV with &format=csv; the sh:ValidationReport with &format=ttl)

The served graph is read once from the store (CONSTRUCT) and validated with pySHACL over rdflib, which
is where pySHACL is fastest; the result is kept per store, since a served store does not change.
"""

from __future__ import annotations

import csv
import io
import threading
import weakref

from flask import Blueprint, Response, jsonify, render_template, request

from ..human import instance_labels
from ..validate import ValidationSummary, validate_graph
from ..validate.formats import as_turtle
from . import current_store
from .safety import PARSER_LOCK

bp = Blueprint("validation", __name__, template_folder="templates")

_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()
COLUMNS = ("severity", "rule", "code", "report", "line", "value", "message", "focus")


def validation_of(store) -> ValidationSummary:
    with _lock:
        summary = _cache.get(store)
        if summary is None:
            graph = store.construct("CONSTRUCT WHERE { ?s ?p ?o }")
            # pySHACL parses its SPARQL constraints with rdflib's parser, which is not thread-safe.
            with PARSER_LOCK:
                summary = validate_graph(graph)
            _cache[store] = summary
        return summary


def _format() -> str:
    fmt = request.args.get("format")
    if fmt:
        return fmt
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "text/csv", "text/turtle"])
    return {"application/json": "json", "text/csv": "csv", "text/turtle": "ttl"}.get(best or "", "html")


@bp.get("/validation")
def validation_page():
    summary = validation_of(current_store())
    fmt = _format()
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
        return Response(as_turtle(summary), mimetype="text/turtle")
    if fmt != "html":
        return jsonify({"error": f"unknown format {fmt!r}: use html, json, csv or ttl"}), 400
    # a record without a code of its own (a claim: the results fall back to its IRI's path) is named by its
    # title or its words, never by its IRI
    names = instance_labels(
        current_store(), [r.focus for r in summary.results if r.focus and (not r.code or "/" in r.code)]
    )
    return render_template("validation.html", summary=summary, rules=summary.by_rule(), names=names)
