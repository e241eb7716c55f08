"""One saved query straight on the embedded Oxigraph of a store, without the app: the engine's own time.

    nice .venv/bin/python benchmarks/saved_query_engine.py --store /tmp/nat47b/store \
        implementing-records council=ogr:midlothian report=2023-2024

The parameters are bound as the app binds them (store.bindings: one VALUES block per variable at the top
of the WHERE group), on the union of the named graphs. `--file` runs another text under the saved query's
name and parameters (a candidate rewrite); the rows' digest tells whether two texts give the same rows.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

import pyoxigraph

from outcome_graph.counts import expand_generated
from outcome_graph.saved_queries import parse_query
from outcome_graph.store.bindings import engine_text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, help="a store directory (its current generation is read)")
    ap.add_argument("--file", type=Path, help="the query text to run (default: queries/NAME.rq)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument(
        "--named-graphs",
        action="store_true",
        help="list the store's named graphs to the engine, as the query workers did before (about 2x slower)",
    )
    ap.add_argument("name")
    ap.add_argument("params", nargs="*", help="NAME=VALUE, as the page's form takes them")
    args = ap.parse_args()
    path = args.file or Path(__file__).resolve().parent.parent / "queries" / f"{args.name}.rq"
    query = parse_query(expand_generated(path.read_text(encoding="utf-8")), args.name, None)
    bound = query.bindings(dict(p.split("=", 1) for p in args.params))
    text = engine_text(query.text_for(bound), bound)
    store = pyoxigraph.Store.read_only(str(Path(args.store) / "current" / "db"))
    dataset: dict = {"use_default_graph_as_union": True}
    if args.named_graphs:
        dataset["named_graphs"] = [g for g in store.named_graphs() if isinstance(g, pyoxigraph.NamedNode)]
    for _ in range(args.repeat):
        start = time.perf_counter()
        rows = [tuple(str(t) for t in row) for row in store.query(text, **dataset)]
        seconds = time.perf_counter() - start
        # sorted: the digest is of the rows as a multiset, whatever order ties come out in
        digest = hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()[:12]
        print(f"{args.name} {' '.join(args.params)}: {len(rows)} rows in {seconds:.2f} s (rows {digest})")


if __name__ == "__main__":
    main()
