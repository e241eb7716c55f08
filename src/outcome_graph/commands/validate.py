"""`outcome-graph validate [GRAPH or REPORT ...] [--format text|json|turtle]`: check a graph (or reports,
built first) against the SHACL shapes. Exit 0 without violations (warnings are listed), 1 with
violations, 2 on a usage error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rdflib import Graph

from ..errors import OutcomeGraphError

GRAPH_FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".trig": "trig", ".nq": "nquads"}
REPORT_SUFFIXES = (".txt",)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "inputs",
        nargs="*",
        type=Path,
        metavar="GRAPH_OR_REPORT",
        help="graph files (.ttl, .nt, .jsonld, .trig) or report text files (.txt) to build first; "
        "default: the bundled reports, built",
    )
    p.add_argument("--format", default="text", help="text (default), json, or turtle (sh:ValidationReport)")
    p.add_argument(
        "--council", help="council id (graph/curated/councils.csv) for reports that do not name their council"
    )
    p.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="validate every report of a store built from report files, each on its own graph, with a line "
        "of progress per report; results kept when a report was built or added are read, not run again "
        "(with --council: that council's reports only)",
    )
    p.add_argument(
        "--jobs", type=int, metavar="N", help="with --store: reports validated at a time (default: cores)"
    )
    p.add_argument(
        "--endpoint",
        metavar="URL",
        help="validate the graph a SPARQL server holds "
        "(its named graph: $OUTCOME_GRAPH_GRAPH or the default)",
    )


class UsageError(Exception):
    pass


def load_inputs(inputs: list[Path], council: str | None = None) -> tuple[Graph, str]:
    """The graph to validate and a name for it. Reports are built together; graph files are added
    to the static vocabulary (the shapes need the code lists and classes)."""
    from ..build import build
    from ..build.reference import static_graph

    for path in inputs:
        if not path.exists():
            raise UsageError(f"{path}: no such file")
        if path.is_dir():
            raise UsageError(f"{path}: is a directory; name graph or report files")
        suffix = path.suffix.lower()
        if suffix not in GRAPH_FORMATS and suffix not in REPORT_SUFFIXES:
            raise UsageError(
                f"{path}: unknown file type {path.suffix!r}; give a report (.txt) or a graph "
                f"({', '.join(GRAPH_FORMATS)})"
            )
    reports = [p for p in inputs if p.suffix.lower() in REPORT_SUFFIXES]
    graphs = [p for p in inputs if p.suffix.lower() in GRAPH_FORMATS]
    if not inputs:
        return build().graph, "the bundled reports"
    g = build(reports, council=council).graph if reports else Graph()
    if graphs:
        g += static_graph()
    for path in graphs:
        try:
            g.parse(path, format=GRAPH_FORMATS[path.suffix.lower()])
        except Exception as e:  # rdflib raises several parser exception types
            raise UsageError(
                f"{path}: cannot be read as {GRAPH_FORMATS[path.suffix.lower()]}: " + " ".join(str(e).split())
            ) from None
    return g, ", ".join(str(p) for p in inputs)


def remote_graph(endpoint: str) -> tuple[Graph, str]:
    """The whole graph a SPARQL server holds, read back (a cut answer is an error, not a graph)."""
    from ..store.remote import RemoteStore

    store = RemoteStore(endpoint, timeout=120)
    return store.construct("CONSTRUCT WHERE { ?s ?p ?o }"), f"<{store.graph}> at {store.endpoint}"


def run(args: argparse.Namespace) -> int:
    from ..validate import validate_graph
    from ..validate.formats import FORMATS, render

    if args.format not in FORMATS:
        print(
            f"outcome-graph validate: error: unknown format {args.format!r}; use one of {', '.join(FORMATS)}",
            file=sys.stderr,
        )
        return 2
    if args.store:
        if args.inputs or args.endpoint:
            print(
                "outcome-graph validate: error: give --store alone, not with files or --endpoint",
                file=sys.stderr,
            )
            return 2
        from .validate_store import run as run_store

        return run_store(args)
    try:
        if args.endpoint and args.inputs:
            raise UsageError("give files or --endpoint, not both")
        if args.endpoint:
            graph, source = remote_graph(args.endpoint)
        else:
            graph, source = load_inputs(args.inputs, args.council)
    except (UsageError, OutcomeGraphError) as e:
        # A file that cannot be read or built is the caller's to fix, not a validation finding (exit 1).
        print(f"outcome-graph validate: error: {e}", file=sys.stderr)
        return 2
    summary = validate_graph(graph)
    sys.stdout.write(render(summary, args.format, source))
    # The time goes to standard error so that the report itself is the same bytes on every run.
    print(f"validated in {summary.seconds:.2f} s", file=sys.stderr)
    return 1 if summary.violations else 0
