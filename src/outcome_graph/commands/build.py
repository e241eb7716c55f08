"""`outcome-graph build [REPORT or FOLDER ...] [--out FILE] [--store DIR]`: build the graph and say what was
(not) understood; with --store, build an embedded store from the reports (one named graph per report) that
`outcome-graph serve --store DIR` serves as it is and `outcome-graph add REPORT --store DIR` updates."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..build import build, to_ntriples
from ..build.report import summarise
from ..errors import OutcomeGraphError

FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".trig": "trig"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "reports",
        nargs="*",
        type=Path,
        help="report text files, or folders of them (every *.txt; a reports.csv manifest beside them "
        "may name each file's council); default: the bundled reports",
    )
    p.add_argument(
        "--out", type=Path, help="write the graph here; format by extension: " + ", ".join(FORMATS)
    )
    p.add_argument(
        "--council", help="council id (graph/curated/councils.csv) for reports that do not name their council"
    )
    p.add_argument("--no-validate", action="store_true", help="skip SHACL validation of the result")
    p.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="with --store: reports validated at a time (default: one per core)",
    )
    p.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="build an embedded store in DIR from the reports, council by council (for a national "
        "folder); serve it with `outcome-graph serve --store DIR`",
    )


def write_graph(graph, out: Path) -> None:
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise OutcomeGraphError(f"{out}: unknown extension {out.suffix!r}; use one of {', '.join(FORMATS)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "nt":
        out.write_bytes(to_ntriples(graph))
    elif fmt == "trig":
        from rdflib import Dataset

        ds = Dataset()
        ds.default_graph += graph
        out.write_text(ds.serialize(format="trig"), encoding="utf-8")
    else:
        out.write_text(graph.serialize(format=fmt), encoding="utf-8")


def build_store(args: argparse.Namespace) -> int:
    from ..store.reports import build_store as build_into
    from ..store.reports import report_files

    started = time.perf_counter()
    paths = report_files(args.reports) if args.reports else None
    if paths is None:
        from ..paths import bundled_reports

        paths = bundled_reports()

    def note(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    violations = 0
    results: dict[str, dict] = {}
    if not args.no_validate:
        from ..validate.each_report import validate_reports

        note(f"validating {len(paths)} report(s), each on its own graph ...")
        violations = validate_reports(paths, note, council=args.council, jobs=args.jobs, keep=results)

    def then(generation: Path) -> None:  # before the generation is current: no server sees it without
        from ..query_layer.search_kept import write_index
        from ..validate.each_report import keep_results

        indexing = time.perf_counter()
        write_index(generation)  # built with the store, so no first search waits for it
        note(f"search index written in {time.perf_counter() - indexing:.1f} s")
        keep_results(generation, results)  # pages and `validate --store` read them (validate/stored.py)

    _db, cat = build_into(paths, args.store, council=args.council, progress=note, then=then)
    print(
        f"store in {args.store}: {len(cat.reports)} report(s) of "
        f"{len({r['council'] for r in cat.reports.values()})} "
        f"council(s), {len(cat.parts)} named graphs, in {time.perf_counter() - started:.1f} s"
        + ("" if args.no_validate else f"; {violations} SHACL violation(s) in all")
    )
    return 0


def run(args: argparse.Namespace) -> int:
    if args.store:
        return build_store(args)
    started = time.perf_counter()
    from ..store.reports import report_files

    result = build(report_files(args.reports) if args.reports else None, council=args.council)
    elapsed = time.perf_counter() - started
    for x in result.extractions:
        print(summarise(x))
    for w in result.warnings:
        print(f"  build: {w}")
    print(f"{len(result.graph)} triples from {len(result.extractions)} report(s)")
    # The time on standard error: what the build says about the reports is the same on every run.
    print(f"built in {elapsed:.2f} s", file=sys.stderr)
    if not args.no_validate:
        try:
            from ..validate import validate_graph
        except ImportError:
            pass
        else:
            summary = validate_graph(result.graph)
            print(
                f"validation: {summary.violations} violation(s), {summary.warnings} warning(s)"
                " — run `outcome-graph validate` for the details"
            )
    if args.out:
        write_graph(result.graph, args.out)
        print(f"wrote {len(result.graph)} triples to {args.out.resolve()}", file=sys.stderr)
    else:
        print(
            "wrote nothing: give --out FILE (.ttl, .nt, .jsonld or .trig) to keep the graph; "
            "`outcome-graph serve` and `outcome-graph query` build their own store",
            file=sys.stderr,
        )
    return 0
