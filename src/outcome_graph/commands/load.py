"""`outcome-graph load`: push the graph to a SPARQL server with the Graph Store Protocol, one named graph
per report under the dataset's graph (store/layout.py), and the catalogue of those graphs in it.

The graph is built from the bundled reports, from report files or folders given, or read from an embedded
store (--store DIR, e.g. one built with `outcome-graph build FOLDER --store DIR`).

The login (digest or basic, whichever the server asks for) comes from --user with the password in
$OUTCOME_GRAPH_PASSWORD, from $OUTCOME_GRAPH_USER and $OUTCOME_GRAPH_PASSWORD, or from ~/.netrc; it is
never printed. After the push the query endpoint is asked how many triples the named graph holds, and a
count that differs from what was sent is an error.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import NamedTuple

INDEX_CACHE_HELP = (
    "directory of the search indexes kept for SPARQL servers (default $OUTCOME_GRAPH_INDEX_CACHE, "
    "else $XDG_CACHE_HOME/outcome-graph/search or ~/.cache/outcome-graph/search)"
)


def use_index_cache(directory: Path | None) -> None:
    """--index-cache DIR: where this command (and the processes it starts) keep remote search indexes."""
    if directory is not None:
        from ..query_layer.remote_cache import CACHE_VARIABLE

        os.environ[CACHE_VARIABLE] = str(directory)


class Pushed(NamedTuple):
    sent: int  # triples sent
    stamp: str  # the dataset's generation now (query_layer/remote_kept.py)
    previous: str | None  # and before


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
        "--append", action="store_true", help="add to the named graphs (POST) instead of replacing them (PUT)"
    )
    parser.add_argument(
        "reports", nargs="*", type=Path, help="report files or folders (default: the bundled)"
    )
    parser.add_argument("--store", type=Path, metavar="DIR", help="push the graphs of this embedded store")
    parser.add_argument("--index-cache", type=Path, metavar="DIR", help=INDEX_CACHE_HELP)


def store_parts(directory: Path) -> tuple[dict[str, list[bytes]], str]:
    """The named graphs of an embedded store's current generation, as N-Triples lines by part."""
    import pyoxigraph as ox

    from ..errors import OutcomeGraphError
    from ..store.build import current_generation
    from ..store.layout import DEFAULT_GRAPH

    generation = current_generation(directory)
    if generation is None:
        raise OutcomeGraphError(
            f"no store in {directory}: build one with `outcome-graph build FOLDER --store DIR`"
        )
    store = ox.Store.read_only(str(generation / "db"))
    base = DEFAULT_GRAPH
    parts: dict[str, list[bytes]] = {}
    for g in sorted(store.named_graphs(), key=str):
        if not isinstance(g, ox.NamedNode) or not g.value.startswith(base + "/"):
            continue
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g)
        parts[g.value[len(base) + 1 :]] = sorted(data.splitlines())
    return parts, base


def built_parts(reports: list[Path]) -> dict[str, list[bytes]]:
    from ..build import build, to_ntriples
    from ..build.reference import static_graph
    from ..store.layout import partition
    from ..store.reports import report_files

    graph = build(report_files(reports) if reports else None).graph
    return partition(to_ntriples(graph), to_ntriples(static_graph()))


def push_parts(
    args: argparse.Namespace,
    parts: dict[str, list[bytes]],
    say=print,
    whole: bool = False,
) -> Pushed:
    """PUT each part into its named graph on the server (an empty part: the graph emptied), then the
    catalogue into the dataset's graph. `whole`: `parts` is every part of the dataset, and the catalogue
    lists exactly them; otherwise it is the server's catalogue with these parts added or dropped.
    The catalogue also names the dataset's new generation (query_layer/remote_kept.py)."""
    from ..query_layer.remote_kept import new_stamp, previous_stamp, stamp_line
    from ..store.gsp import graph_store_url, line_chunks, put_graph
    from ..store.layout import catalogue, part_iri
    from ..store.protocol import StoreError
    from ..store.remote import RemoteStore

    store = RemoteStore(args.endpoint, graph=getattr(args, "graph", None), user=args.user, timeout=120)
    listed = {p[len(store.graph) + 1 :] for p in store.parts()}  # also learns the Server header
    target = args.graph_store or graph_store_url(store.endpoint, store.server_software)
    login = f", login from {store.credentials.source}" if store.credentials else ""
    method = "POST" if getattr(args, "append", False) else "PUT"
    dropped = {p for p, lines in parts.items() if not lines}
    names = set(parts) if whole else (listed | set(parts)) - dropped
    # The union of the parts and the catalogue (store/union.py), kept in step: PUT whole by a whole load,
    # a part taken out of it and put back by SPARQL Update otherwise. Where the server's update endpoint
    # is not known, no union is named in the catalogue (the dataset is then read part by part).
    from ..store.union import put_in, run_update, take_out, union_iri, union_triple, update_url

    try:
        update = update_url(store.endpoint, store.server_software)
    except StoreError:
        update = None
    rebuild = whole and method == "PUT" and update is not None
    keep = update is not None and (rebuild or store.union() is not None)
    previous = previous_stamp(store)
    stamp = new_stamp(parts, None if whole and method == "PUT" else previous)
    cat_lines = [*catalogue(store.graph, names), stamp_line(store.graph, stamp)]
    cat = "".join(f"{line}\n" for line in sorted(cat_lines)).encode()
    if keep:  # the catalogue names the union once it is complete: it goes up last
        cat += f"{union_triple(store.graph)}\n".encode()
    sent = sum(len(lines) for lines in parts.values()) + cat.count(b"\n")
    say(
        f"pushing {sent} triples to {target} graph <{store.graph}> ({method}{login}): "
        f"{len(parts)} named graph(s) under it and their catalogue in it ..."
    )
    if keep and not rebuild:  # the catalogue is in the union too: taken out and put back with the parts
        for iri in sorted(part_iri(store.graph, p) for p in parts if method == "PUT") + [store.graph]:
            run_update(update, take_out(store.graph, iri), store.credentials)
    for part, lines in sorted(parts.items()):
        data = b"".join(line + b"\n" for line in lines)
        iri = part_iri(store.graph, part)
        put_graph(target, data, graph=iri, credentials=store.credentials, replace=method == "PUT")
    if rebuild:  # the union's body made piece by piece from the parts (at 10 M triples: 1.4 GB whole)
        every = line_chunks([*(lines for _, lines in sorted(parts.items())), cat.splitlines()])
        put_graph(target, every, graph=union_iri(store.graph), credentials=store.credentials, replace=True)
    put_graph(target, cat, graph=store.graph, credentials=store.credentials, replace=True)
    if keep and not rebuild:
        for iri in sorted(part_iri(store.graph, p) for p in parts) + [store.graph]:
            run_update(update, put_in(store.graph, iri), store.credentials)
    return Pushed(sent, stamp, previous)


def run(args: argparse.Namespace) -> int:
    from ..errors import OutcomeGraphError
    from ..store.remote import RemoteStore

    started = time.monotonic()
    use_index_cache(args.index_cache)
    if args.store:
        print(f"reading the named graphs of the store in {args.store} ...", flush=True)
        parts, _ = store_parts(args.store)
    else:
        print("building the graph from the reports ...", flush=True)
        parts = built_parts(args.reports)
    pushed = push_parts(args, parts, lambda m: print(m, flush=True), whole=True)
    sent = pushed.sent
    store = RemoteStore(args.endpoint, graph=args.graph, user=args.user, timeout=120)
    count = store.triple_count()
    if not args.append and count != sent:
        raise OutcomeGraphError(
            f"the endpoint answers with {count} triples in <{store.graph}> and its {len(parts)} "
            "named graphs, "
            f"but {sent} were sent: the load is incomplete or the endpoint reads other graphs"
        )
    from ..query_layer.remote_kept import after_load

    after_load(store, pushed.stamp, args.store, lambda m: print(m, flush=True))
    from ..query_layer.remote_results import results_after_load

    results_after_load(store, pushed.stamp, args.store, lambda m: print(m, flush=True))
    print(f"done in {time.monotonic() - started:.1f} s: the endpoint now answers with {count} triples")
    return 0
