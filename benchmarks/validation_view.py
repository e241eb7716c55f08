"""`/validation?council=C` on a store where the council's results are not kept (issue 17 part 3): each
request's time, what it validated and what it left as not validated yet. In-process (the app over the
embedded store, result cache off), as views_national.py asks its pages; `--endpoint URL` asks the same
of a SPARQL server (`serve --endpoint`, e.g. Virtuoso), where no result is ever kept.

    nice python benchmarks/validation_view.py --store DIR --council fife [--requests 4]

Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from outcome_graph.serve.app import create_app
from outcome_graph.store import open_store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", type=Path)
    where.add_argument("--endpoint")
    ap.add_argument("--council", required=True)
    ap.add_argument("--requests", type=int, default=4)
    args = ap.parse_args()
    config = {"timeout": 60, "max_rows": 100000, "cache": False}
    if args.store:
        app = create_app(store=open_store(args.store, progress=None, build_if_missing=False), config=config)
    else:
        app = create_app(config={**config, "endpoint": args.endpoint})
    client = app.test_client()
    print("| request | format | status | seconds | reports validated | not validated yet |")
    print("|---:|---|---:|---:|---:|---:|")
    asks = [("json", f"/validation?council={args.council}&format=json")] * args.requests
    asks.append(("csv", f"/validation?council={args.council}&format=csv"))
    for n, (fmt, url) in enumerate(asks, 1):
        started = time.perf_counter()
        got = client.get(url)
        seconds = time.perf_counter() - started
        body = got.get_json(silent=True) or {}
        done = len(body.get("reports", [])) if fmt == "json" else "-"
        pending = len(body.get("not_validated", [])) if fmt == "json" else "-"
        print(f"| {n} | {fmt} | {got.status_code} | {seconds:.2f} | {done} | {pending} |", flush=True)


if __name__ == "__main__":
    main()
