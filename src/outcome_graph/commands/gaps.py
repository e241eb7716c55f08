"""`outcome-graph gaps [--format text|json] [--report YEAR]`: where the chain from duty to evidence breaks."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..trace import engine
from ..trace.cli_common import add_store_arguments, trace_graph, write_output
from ..trace.gaps import count_rows, find_gaps, gaps_dict, gaps_text, not_gaps


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--report", metavar="YEAR", help="only gaps in this report (2020-2021 or 2020/21)")
    p.add_argument("--council", help="only this council's records (a graph of several councils)")
    p.add_argument("--out", type=Path, help="write here instead of standard output")
    add_store_arguments(p)


def run(args: argparse.Namespace) -> int:
    report = engine.normalise_year(args.report) if args.report else None
    tg = trace_graph(args)
    gaps = find_gaps(tg, report, args.council)
    table = count_rows(tg, report, args.council)
    excluded = not_gaps(tg, report, args.council)
    if args.format == "json":
        write_output(
            json.dumps(gaps_dict(gaps, table, excluded), indent=2, ensure_ascii=False) + "\n", args.out
        )
    else:
        # for people: years as the reports write them, statuses and reported totals by their labels
        from ..labels import from_ontology, years_in_text

        write_output(from_ontology().in_text(years_in_text(gaps_text(gaps, table, excluded))), args.out)
    return 0
