"""`outcome-graph audit --report 2020-2021 --out audit.html [--compare 2016-2017]`: the inspection audit
report, printable, with the gaps and the SHACL validation warnings."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..errors import OutcomeGraphError
from ..trace import engine
from ..trace.audit import build_audit
from ..trace.cli_common import add_store_arguments, write_output
from ..trace.source import load
from ..trace.store import open_trace_store


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--report", required=True, metavar="YEAR", help="the report year (2020-2021 or 2020/21)")
    p.add_argument(
        "--compare", metavar="YEAR", help="compare the indicators and duties shared with this year"
    )
    p.add_argument("--council", help="the council, where the graph holds several councils' reports")
    p.add_argument(
        "--out",
        type=Path,
        help="write here (default: standard output): .html (the page), .pdf (printed on A4 by WeasyPrint, "
        "tagged, with contents, page numbers and bookmarks) or .json; other extensions are refused",
    )
    p.add_argument(
        "--format", choices=("html", "json", "pdf"), help="default: by --out's extension, else html"
    )
    p.add_argument(
        "--no-validate", action="store_true", help="leave out the SHACL validation warnings (saves seconds)"
    )
    add_store_arguments(p)


def _validation(args: argparse.Namespace, store, scope, report: str):
    """The SHACL validation of the audited report alone, as the page shows it (serve/validation.py): the
    result kept beside the store when it was built, else the report's own named graph validated; never the
    whole graph (on a national store, ten million triples)."""
    if args.no_validate:
        return None
    from dataclasses import replace

    from ..serve.validation import validation_of

    iri = scope.report_of(report)
    if iri is None:
        return None
    return validation_of(store, replace(scope, reports=(iri,), years=(report,)))


def _years(store, council: str | None, report: str, other: str | None) -> list[str] | None:
    """The report years the audit reads, as the page reads them: the report, the one before it (what
    changed) and the one compared with; None (all of the council's) when one of them is not there, so
    that the audit names the reports there are."""
    from ..query_layer import scope_of
    from ..query_layer.scope import year_before

    every = scope_of(store, council).all_years
    if report not in every or (other and other not in every):
        return None
    return [y for y in (report, year_before(scope_of(store, council), report), other) if y]


def render_html(a: dict, tg=None, store=None, printing: bool = False) -> str:
    """The audit page rendered outside a request, as one standalone file (its styles inline), with
    links relative to a served root; `printing`: the paged rendering WeasyPrint lays out (print.css
    with the running header, every section open, no site navigation)."""
    from flask import Flask

    from ..serve.trace_views import bp

    app = Flask("outcome_graph.serve")
    app.register_blueprint(bp)
    try:
        from ..serve.pages import bp as pages_bp
        from ..serve.queries import bp as queries_bp

        app.register_blueprint(pages_bp)
        app.register_blueprint(queries_bp)
    except ImportError:
        pass
    from flask import render_template

    from ..labels import from_ontology
    from ..trace.audit import TABLES
    from ..trace.audit_view import presentation
    from ..trace.gaps import GAP_KINDS

    shown = presentation(tg, a, store, from_ontology(), printing=printing)
    css = (Path(__file__).resolve().parents[1] / "serve" / "static" / "style.css").read_text(encoding="utf-8")
    if printing:
        from ..trace.print_pdf import page_style

        shown["print_css"] = page_style(shown["running_header"], shown["running_footer"])
    with app.test_request_context("/audit"):
        tables = list(TABLES if a["compare"] else TABLES[:-1])
        return render_template(
            "trace/audit.html", a=a, tables=tables, kinds=GAP_KINDS, validate=False, inline_css=css, **shown
        )


def run(args: argparse.Namespace) -> int:
    from ..trace.print_pdf import format_for

    fmt = format_for(args.out, args.format)  # before any work: a .docx is refused at once
    report = engine.normalise_year(args.report)
    other = engine.normalise_year(args.compare) if args.compare else None
    store = open_trace_store(args.store, args.endpoint, quiet=True)
    tg = load(store, args.council, None, _years(store, args.council, report, other))
    started = time.perf_counter()
    validation = _validation(args, store, tg.scope, report)
    validated = time.perf_counter()
    a = build_audit(tg, report, other, validation, args.council, store=store)
    if fmt == "pdf" and args.out is None:
        raise OutcomeGraphError("a PDF needs a file: give --out audit.pdf")
    if fmt == "json":
        import json

        write_output(json.dumps(a, indent=2, ensure_ascii=False) + "\n", args.out)
    elif fmt == "pdf":
        from ..trace.print_pdf import write_pdf

        html = render_html(a, tg.scoped(a.get("council")), store, printing=True)
        engine_used = write_pdf(html, args.out)
    else:
        write_output(render_html(a, tg.scoped(a.get("council")), store), args.out)
    done = time.perf_counter()
    s = a["summary"]
    print(
        f"audit {report}: {len(a['priorities'])} priorities, {s['actions']['total']} actions, "
        f"{s['indicators']['total']} service-priority PIs, {len(a['gaps'])} gaps, "
        f"{len(a['warnings'])} validation warnings; audit {done - validated:.2f} s"
        + (f", validation {validated - started:.1f} s" if validation else ""),
        file=sys.stderr,
    )
    if args.out is not None:
        how = f" (A4 PDF printed by {engine_used})" if fmt == "pdf" else f" ({fmt.upper()})"
        print(f"wrote {args.out.resolve()}{how}", file=sys.stderr)
    return 0
