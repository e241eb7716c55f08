"""`outcome-graph build [REPORT ...] [--out FILE]`: build the graph and say what was (not) understood."""

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
    p.add_argument("reports", nargs="*", type=Path, help="report text files (default: the bundled reports)")
    p.add_argument(
        "--out", type=Path, help="write the graph here; format by extension: " + ", ".join(FORMATS)
    )
    p.add_argument("--council", help="council id for reports whose file name does not start with it")
    p.add_argument("--no-validate", action="store_true", help="skip SHACL validation of the result")


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


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    result = build(args.reports or None, council=args.council)
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
