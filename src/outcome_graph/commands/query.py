"""`outcome-graph query NAME --param k=v [--format csv|json|tsv|xml|table]`: run a saved query from the
shell, against the embedded store (built on first use) or a SPARQL server given by --endpoint.
`outcome-graph query --list` lists the saved queries with their parameters."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rdflib import URIRef

from ..errors import OutcomeGraphError
from ..results_formats import FORMATS, serialize
from ..saved_queries import get_query, load_queries

OUTPUT_FORMATS = ("table", *FORMATS)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="the saved query's name (see --list)")
    parser.add_argument("--list", action="store_true", help="list the saved queries and their parameters")
    parser.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter value (repeatable), e.g. --param report=2020/21",
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=OUTPUT_FORMATS,
        default="table",
        help="output: a text table (default) or a SPARQL results format",
    )
    parser.add_argument("--endpoint", metavar="URL", help="query this SPARQL 1.1 endpoint instead")
    parser.add_argument("--store", metavar="DIR", type=Path, help="the embedded store's directory")
    parser.add_argument("--timeout", type=float, default=None, help="seconds before the query is stopped")
    parser.add_argument("--max-rows", type=int, default=None, help="cut the result after this many rows")
    parser.add_argument("--queries", metavar="DIR", type=Path, help=argparse.SUPPRESS)


def parse_params(items: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise OutcomeGraphError(f"--param {item!r}: give it as NAME=VALUE, e.g. --param code=CHN8a")
        if name.strip() in values:
            raise OutcomeGraphError(f"--param {name.strip()!r} is given twice")
        values[name.strip()] = value
    return values


def listing(queries) -> str:
    out = []
    for q in queries.values():
        out.append(f"{q.name}\n    {q.title}")
        for p in q.parameters:
            kind = "required" if p.required else "optional" if p.optional else f"default {p.default}"
            desc = f": {p.description}" if p.description else ""
            out.append(f"    --param {p.name}=<{p.type}>  ({kind}){desc}")
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    queries = load_queries(args.queries)
    if args.list:
        sys.stdout.write(listing(queries))
        return 0
    if not args.name:
        raise OutcomeGraphError("give a saved query's name (outcome-graph query --list shows them)")
    query = get_query(args.name, queries)
    bindings = query.bindings(parse_params(args.param))  # bad values fail here, before a store opens

    from ..store import open_store
    from ..validate.bundled import keep_validation

    store = open_store(
        args.store, args.endpoint, progress=lambda m: print(m, file=sys.stderr), then=keep_validation
    )
    try:
        from ..parameter_values import check_values

        # a value that names nothing in the graph is an error listing what there is, not 0 rows
        check_values(store, query, parse_params(args.param), bindings, timeout=args.timeout)
        if query.scope == "council":
            from ..query_layer import require_council

            require_council(store, query.name, "council" in bindings, args.timeout)
        # the text with the parameters at its own #@values lines too, as the server runs it
        text = query.text_for(bindings)
        result = store.select(text, bindings=bindings, timeout=args.timeout, max_rows=args.max_rows)
        if args.format == "table":
            from .. import labels
            from ..human import instance_labels, text_table

            iris = [str(t) for r in result.rows for t in r.values() if isinstance(t, URIRef)]
            table = text_table(result, labels.for_store(store), instance_labels(store, iris))
    finally:
        close = getattr(store, "close", None)
        if close:
            close()
    if args.format == "table":
        sys.stdout.write(table)
    else:
        sys.stdout.flush()
        if args.format in ("csv", "json") and query.has_figures:
            from ..human import with_figure_labels

            # as /queries/NAME gives them: each figure in its unit beside the plain number
            result = with_figure_labels(result)
        sys.stdout.buffer.write(serialize(result, args.format))
        sys.stdout.buffer.flush()
    if result.truncated:
        print(
            f"outcome-graph query: the result was cut at {args.max_rows or 'the'} row limit", file=sys.stderr
        )
    return 0
