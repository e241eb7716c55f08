"""Every saved query (queries/*.rq) with its default parameters, once, on a national store, through the
app's own request path (Flask test client, result cache off): which of them span the nation too slowly.

    nice python benchmarks/saved_queries_national.py --store DIR [--timeout 30] [NAME ...]

The store is opened as it is (never rebuilt: `outcome-graph query --store DIR` would rebuild a store
that was not built from the bundled reports' current sources). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from urllib.parse import quote

OGR = "https://w3id.org/outcome-graph/id/"
# The parameters a query requires (it has no default): a real record and code of the bundled reports.
REQUIRED = {
    "evidence-by-code": "code=CHN9",
    "evidence": "record=" + quote(f"{OGR}midlothian/report/2020-2021/action/CSPC.P.2.1", safe=""),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("names", nargs="*", help="the queries to run (default: all)")
    args = parser.parse_args()

    from outcome_graph.saved_queries import load_queries
    from outcome_graph.serve.app import create_app
    from outcome_graph.store import open_store

    store = open_store(args.store, progress=None, build_if_missing=False)
    app = create_app(store=store, config={"timeout": args.timeout, "max_rows": 100000, "cache": False})
    client = app.test_client()
    print("| saved query | status | rows | seconds |")
    print("|---|---|---|---|")
    for name in args.names or list(load_queries()):
        started = time.perf_counter()
        r = client.get(f"/queries/{name}?format=json&{REQUIRED.get(name, '')}")
        took = time.perf_counter() - started
        rows = len(r.get_json()["results"]["bindings"]) if r.status_code == 200 else "—"
        print(f"| `{name}` | {r.status_code} | {rows} | {took:.2f} |", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
