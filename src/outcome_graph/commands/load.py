"""`outcome-graph load`: push the graph to a SPARQL server's named graph with the Graph Store Protocol.

The login (digest or basic, whichever the server asks for) comes from --user with the password in
$OUTCOME_GRAPH_PASSWORD, from $OUTCOME_GRAPH_USER and $OUTCOME_GRAPH_PASSWORD, or from ~/.netrc; it is
never printed. After the push the query endpoint is asked how many triples the named graph holds, and a
count that differs from what was sent is an error.
"""

from __future__ import annotations

import argparse
import time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", required=True, metavar="URL", help="the server's SPARQL query endpoint")
    parser.add_argument(
        "--graph-store",
        metavar="URL",
        help="the server's Graph Store Protocol URL (default: found from the endpoint for the Oxigraph "
        "server, /query -> /store, and Virtuoso, /sparql -> /sparql-graph-crud-auth)",
    )
    parser.add_argument(
        "--graph",
        metavar="IRI",
        help="the named graph to load into and query (default $OUTCOME_GRAPH_GRAPH or "
        "https://w3id.org/outcome-graph/graph/main)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="login name (the password is read from $OUTCOME_GRAPH_PASSWORD or ~/.netrc, never from "
        "the command line); default $OUTCOME_GRAPH_USER or the ~/.netrc entry for the server's host",
    )
    parser.add_argument(
        "--append", action="store_true", help="add to the named graph (POST) instead of replacing it (PUT)"
    )


def run(args: argparse.Namespace) -> int:
    from ..build import build_graph, to_ntriples
    from ..errors import OutcomeGraphError
    from ..store.gsp import graph_store_url, put_graph
    from ..store.remote import RemoteStore

    started = time.monotonic()
    store = RemoteStore(args.endpoint, graph=args.graph, user=args.user, timeout=120)
    if args.graph_store:
        target = args.graph_store
    else:
        store.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")  # its Server header tells its layout
        target = graph_store_url(store.endpoint, store.server_software)
    login = f", login from {store.credentials.source}" if store.credentials else ""
    print("building the graph from the bundled reports ...", flush=True)
    graph = build_graph()
    data = to_ntriples(graph)
    sent = data.count(b"\n")
    method = "POST" if args.append else "PUT"
    print(f"pushing {sent} triples to {target} graph <{store.graph}> ({method}{login}) ...", flush=True)
    put_graph(
        target,
        data,
        graph=store.graph,
        credentials=store.credentials,
        replace=not args.append,
        progress=lambda m: print(m, flush=True),
    )
    count = store.triple_count()
    if not args.append and count != sent:
        raise OutcomeGraphError(
            f"the endpoint answers with {count} triples in <{store.graph}>, but {sent} were sent: "
            "the load is incomplete or the endpoint reads another graph"
        )
    print(f"done in {time.monotonic() - started:.1f} s: the endpoint now answers with {count} triples")
    return 0
