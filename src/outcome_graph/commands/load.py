"""`outcome-graph load`: push the graph to a SPARQL server with the Graph Store Protocol."""

from __future__ import annotations

import argparse
import time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", required=True, metavar="URL", help="the server's SPARQL query endpoint")
    parser.add_argument(
        "--graph-store",
        metavar="URL",
        help="the server's Graph Store Protocol URL (default: the endpoint with /query replaced by /store, "
        "as the Oxigraph server lays them out)",
    )
    parser.add_argument(
        "--append", action="store_true", help="add to the default graph (POST) instead of replacing it (PUT)"
    )


def run(args: argparse.Namespace) -> int:
    from ..build import build_graph, to_ntriples
    from ..store.gsp import graph_store_url, put_default_graph
    from ..store.remote import RemoteStore

    started = time.monotonic()
    target = args.graph_store or graph_store_url(args.endpoint)
    print("building the graph from the bundled reports ...", flush=True)
    graph = build_graph()
    data = to_ntriples(graph)
    print(f"pushing {len(graph)} triples to {target} ({'POST' if args.append else 'PUT'}) ...", flush=True)
    put_default_graph(target, data, replace=not args.append)
    count = RemoteStore(args.endpoint).triple_count()
    print(f"done in {time.monotonic() - started:.1f} s: the endpoint now answers with {count} triples")
    return 0
