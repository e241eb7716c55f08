"""`outcome-graph trace CODE|IRI [--down|--up|--across] [--format ...] [--report YEAR]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import OutcomeGraphError
from ..trace import engine, render
from ..trace.cli_common import add_store_arguments, trace_graph, write_output


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "ref", metavar="CODE|IRI", help="a code (CS.S.01.02, 02 for a priority), an IRI, or title words"
    )
    way = p.add_mutually_exclusive_group()
    way.add_argument(
        "--down", dest="direction", action="store_const", const="down", help="to the evidence (default)"
    )
    way.add_argument("--up", dest="direction", action="store_const", const="up", help="to what it evidences")
    way.add_argument(
        "--across", dest="direction", action="store_const", const="across", help="report years side by side"
    )
    p.set_defaults(direction="down")
    p.add_argument("--format", choices=render.FORMATS, default="text")
    p.add_argument("--report", metavar="YEAR", help="only this report's records (2020-2021 or 2020/21)")
    p.add_argument("--council", help="only this council's records (a graph of several councils)")
    p.add_argument("--out", type=Path, help="write here instead of standard output")
    add_store_arguments(p)


def run(args: argparse.Namespace) -> int:
    report = engine.normalise_year(args.report) if args.report else None
    tg = trace_graph(args)
    iri = engine.resolve(tg, args.ref, report)
    t = engine.trace(tg, iri, args.direction, report)
    if args.format == "text":
        data: str | bytes = render.to_text(tg, t)
    elif args.format == "json":
        data = render.to_json(tg, t) + "\n"
    elif args.format == "graphml":
        data = render.to_graphml(t)
    elif args.format == "svg":
        data = render.to_svg(t)
    else:
        if not render.png_available():
            raise OutcomeGraphError("PNG needs matplotlib (pip install matplotlib); use --format svg instead")
        data = render.to_png(t)
    write_output(data, args.out)
    return 0
