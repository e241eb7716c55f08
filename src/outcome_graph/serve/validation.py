"""The validation view: what the SHACL shapes find in the served graph, for performance officers.

    /validation[?council=C][&report=YEAR]   HTML, grouped by rule (JSON by Accept or &format=json;
                                   CSV with &format=csv; the sh:ValidationReport with &format=ttl)

What is validated is what the page is about, never the whole graph: one report (&report=YEAR) read from
its own named graph with the reference data and what of the shared graphs it needs, so it gives exactly
what that report built alone gives (query_layer.report_graphs); without a report, all of the council's
reports together (the links between them too). A graph of several councils needs council= (400 naming
them), as the trace, gaps and audit do: bounded by the council, not by the nation. The result is kept per
store generation and scope (a served store does not change), loaded by one request while the others wait.

A council's page runs no pySHACL in the request: a council of 47 reports none of whose results are kept
(a store built before they were kept, or with --no-validate) would take minutes in one request, or a
pySHACL run (1-6 s) in each if every request validated one more. The page gives at once the reports whose
results are kept or were validated earlier, hands the others to a background job (validation_jobs.py: one
per store and council, one report at a time) and lists them as being validated, with the command that
fills them in; a reload shows what the job has done. The downloads (CSV, Turtle) are the council's whole
result or nothing: while reports are missing they answer 503 with Retry-After, naming them. One report's
page (&report=YEAR), like the audit's validation, validates that report in the request when it must.

On a SPARQL server the results are kept in the cache beside its search index under the dataset's stamp
(query_layer/remote_results.py: written by `load --store` and `add`, and here as each report is
validated, so a restart does not lose them); what is in memory is keyed by the stamp too.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Blueprint, Response, jsonify, render_template, request

from ..errors import OutcomeGraphError
from ..human import instance_labels
from ..namespaces import OGR
from ..query_layer import Flight, Scope, scope_of
from ..query_layer.reads import Slow
from ..query_layer.remote_cache import is_remote
from ..query_layer.report_graphs import scope_graph
from ..query_layer.scope import council_of, store_key
from . import current_store, validation_jobs
from .error_page import error_response
from .safety import PARSER_LOCK

if TYPE_CHECKING:  # the validator (pySHACL, rdflib's SPARQL engine) is imported when a validation runs
    from ..validate import ValidationSummary

bp = Blueprint("validation", __name__, template_folder="templates")

_SUMMARIES = Flight(size=32)
_REPORTS = Flight(size=400)  # one result per report of a national store (a few KB each)
_CATALOGUES = Flight(size=2)
COLUMNS = ("severity", "rule", "code", "report", "line", "value", "message", "focus")


def validation_of(store, scope: Scope, timeout: float | None = None, version=None) -> ValidationSummary:
    """The SHACL validation of the reports of `scope` (one report, or all of a council's): each report's
    result as kept beside the store when it was built or added (validate/stored.py), or, where none is
    kept for the report as it is now, its own named graph validated here; a council's is the sum of its
    reports' (validate.stored.merged). Once per store generation and scope."""
    from ..validate.stored import merged

    def load() -> ValidationSummary:
        return merged(
            _one_report(store, report, year, timeout)
            for report, year in zip(scope.reports, scope.years, strict=True)
        )

    part = f"the validation of {scope.council or 'the graph'} ({', '.join(scope.years)})"
    if version is None:  # what the page asked already (scope_validation), else asked here
        version = _version(store, fresh=True)
    return _SUMMARIES.get((version, scope.council, scope.reports), load, part)


def _version(store, fresh: bool = False) -> object:
    """What the results in memory are for: the store's generation; a server's dataset by its stamp, asked
    of the server by each page (`fresh`: a server changed under a running `serve`, by `add`, never gets a
    result of what it held before, not even for the search index's STAMP_TTL)."""
    if is_remote(store):
        from ..query_layer.remote_index import server_stamp

        return (store_key(store), server_stamp(store, fresh))
    return store_key(store)


@dataclass
class Validation:
    """A scope's validation as far as it is known: the sum of the reports validated (`years`), and the
    reports not validated yet (`pending`, by year, being validated in the background) with the command
    that validates them, and the background's failures (`failed`: year and message)."""

    summary: ValidationSummary
    years: list[str]
    pending: list[str] = field(default_factory=list)
    command: str | None = None
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.pending


def scope_validation(store, scope: Scope, timeout: float | None = None) -> Validation:
    """The validation of `scope` as far as it is known without running pySHACL here: every report whose
    result is kept or was validated earlier; the rest are `pending`, queued for the background job of the
    store and council. One report's scope is validated in the call when it must be (as the audit's)."""
    from ..validate.stored import merged

    version = _version(store, fresh=True)
    if _SUMMARIES.has((version, scope.council, scope.reports)) or len(scope.reports) == 1:
        return Validation(validation_of(store, scope, timeout, version), list(scope.years))
    known, pending = [], []
    for report, year in zip(scope.reports, scope.years, strict=True):
        if _REPORTS.has((version, report)):
            known.append((report, year))
        elif (kept := kept_result(store, report)) is not None:
            _REPORTS.get((version, report), lambda kept=kept: kept, "a kept validation")
            known.append((report, year))
        else:
            pending.append((report, year))
    if not pending:
        return Validation(validation_of(store, scope, timeout, version), list(scope.years))
    job = validation_jobs.queue(
        (version, scope.council), pending, lambda item: _one_report(store, item[0], item[1], timeout)
    )
    years = {report: year for report, year in pending}
    failed = sorted(
        (years[item[0]], message) for item, (message, _) in job.failed.items() if item[0] in years
    )
    summary = merged(_one_report(store, report, year, timeout) for report, year in known)
    return Validation(
        summary, [y for _, y in known], [y for _, y in pending], fill_in_command(store, scope.council), failed
    )


def fill_in_command(store, council: str | None) -> str | None:
    """The command that validates a store's reports and keeps their results (an embedded store built from
    report files), with STORE for the folder given to `serve --store` (no answer names the store's files:
    serve/app.py); None for a store the command cannot reach (a SPARQL server's)."""
    from ..store.reports import CATALOGUE

    path = getattr(store, "path", None)
    if path is None or path.name != "db" or not (path.parent / CATALOGUE).is_file():
        return None
    return "outcome-graph validate --store STORE" + (f" --council {council}" if council else "")


class Incomplete(Slow):
    """A download asked for while some of its reports are not validated yet: 503 with Retry-After (about
    the time the background takes for them, a few seconds a report)."""

    def __init__(self, validation: Validation, retry_after: int | None = None):
        if retry_after is None:
            retry_after = min(60, 2 + 3 * len(validation.pending))
        years = ", ".join(validation.pending)
        how = (
            f"; or validate them all now with `{validation.command}` (STORE: the folder the server serves)"
            if validation.command
            else ""
        )
        OutcomeGraphError.__init__(
            self,
            f"{len(validation.pending)} report(s) not validated yet ({years}): they are being validated in "
            f"the background, one at a time, so ask again in {retry_after} s{how}",
        )
        self.part, self.retry_after = "the validation", retry_after


def _one_report(store, report: str, year: str, timeout: float | None) -> ValidationSummary:
    def load() -> ValidationSummary:
        kept = kept_result(store, report)
        if kept is not None:
            return kept
        from ..validate import validate_graph

        stamp = version[1] if is_remote(store) else None  # asked before the graph is read
        graph = scope_graph(store, Scope(council_of(report), (report,), (year,)), timeout)
        # pySHACL parses its SPARQL constraints with rdflib's parser, which is not thread-safe.
        with PARSER_LOCK:
            summary = validate_graph(graph)
        if stamp is not None:  # kept beside the server's search index, under the stamp it is for
            from ..query_layer.remote_results import keep_result

            keep_result(store, stamp, local_part(report), summary)
        return summary

    version = _version(store)
    return _REPORTS.get((version, report), load, f"the validation of {local_part(report)}")


def kept_result(store, report: str) -> ValidationSummary | None:
    """The result kept beside an embedded store for `report` (its IRI), if it is for the report and the
    rules as they are now (validate.stored: keyed on both); None otherwise. What the key is made from is the
    store's catalogue (a store built from report files) or the sources kept with the results (the bundled
    reports' store)."""
    from ..store.reports import CATALOGUE
    from ..validate.stored import read, read_sources, result_key

    if is_remote(store):  # kept under the dataset's stamp (query_layer/remote_results.py)
        from ..query_layer.remote_results import read_result

        return read_result(store, local_part(report))
    path = getattr(store, "path", None)
    if path is None or path.name != "db":
        return None
    generation = path.parent
    part = local_part(report)
    try:
        if (generation / CATALOGUE).is_file():
            row = _catalogue(generation).reports.get(part)
        else:
            row = (read_sources(generation) or {}).get(part)
    except (OSError, ValueError, KeyError):
        return None
    if row is None:
        return None
    return read(generation, part, result_key(row["sha256"], row["council"], row.get("service"), row["year"]))


def _catalogue(generation):
    from ..store.reports import Catalogue

    return _CATALOGUES.get(str(generation), lambda: Catalogue.read(generation), "the store's catalogue")


def local_part(report: str) -> str:
    """ogr:<council>/report/<year> -> <council>/report/<year> (its named graph's part, store.layout)."""
    return report[len(str(OGR)) :] if report.startswith(str(OGR)) else report


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
        from .pages import limits

        timeout, _ = limits()  # the app's time limit, as every page's reads (not the store's own)
        validation = scope_validation(current_store(), scope, timeout)
        if not validation.complete and fmt in ("csv", "ttl"):
            raise Incomplete(validation)
    except OutcomeGraphError as e:
        return error_response(e, 400)
    summary = validation.summary
    if fmt == "json":
        return jsonify(
            {
                "conforms": summary.conforms,
                "violations": summary.violations,
                "warnings": summary.warnings,
                "results": [r.as_dict() for r in summary.results],
                "complete": validation.complete,
                "reports": validation.years,
                "not_validated": validation.pending,
                "validating": bool(validation.pending),  # in the background: reload to see them
                "failed": [{"report": y, "message": m} for y, m in validation.failed],
                "command": validation.command,
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
        "validation.html",
        summary=summary,
        rules=summary.by_rule(),
        names=names,
        scope=scope,
        keep=_keep(),
        validation=validation,
    )


def _keep() -> str:
    """The scope's own parameters, for the download links (each link gives the same scope's results)."""
    from urllib.parse import urlencode

    kept = {k: request.args[k] for k in ("council", "report") if request.args.get(k)}
    return urlencode(kept) + "&" if kept else ""
