"""`/validation?council=C` on a store where the council's results are not kept (issue 17 part 3): each
request's time, how many of the council's reports its answer held, and where pySHACL ran (in a request's
thread or in the background job, serve/validation_jobs.py). In-process (the app over the embedded store,
result cache off), as views_national.py asks its pages; `--endpoint URL` asks the same of a SPARQL server
(`serve --endpoint`, e.g. Virtuoso; its results are kept in the index cache, $OUTCOME_GRAPH_INDEX_CACHE).

    nice python benchmarks/validation_view.py --store DIR --council midlothian [--every 10] [--until-complete]

Asks the page every `--every` seconds (as a user reloading it) `--requests` times, or until it is complete,
then once the CSV download. Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path

import outcome_graph.validate as validate
from outcome_graph.serve.app import create_app
from outcome_graph.store import open_store

RUNS: list[str] = []  # the thread each pySHACL run of this process ran in


def _counting() -> None:
    real = validate.validate_graph

    def counted(graph, *args, **kwargs):
        RUNS.append(threading.current_thread().name)
        return real(graph, *args, **kwargs)

    validate.validate_graph = counted


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", type=Path)
    where.add_argument("--endpoint")
    ap.add_argument("--council", required=True)
    ap.add_argument("--requests", type=int, default=4)
    ap.add_argument("--every", type=float, default=0.0, help="seconds between requests")
    ap.add_argument("--until-complete", action="store_true")
    args = ap.parse_args()
    _counting()
    config = {"timeout": 60, "max_rows": 100000, "cache": False}
    if args.store:
        app = create_app(store=open_store(args.store, progress=None, build_if_missing=False), config=config)
    else:
        app = create_app(config={**config, "endpoint": args.endpoint})
    client = app.test_client()
    print("| request | at (s) | status | seconds | reports held | pySHACL: requests / background |")
    print("|---:|---:|---:|---:|---:|---|")
    url = f"/validation?council={args.council}&format=json"
    began, n = time.perf_counter(), 0
    while True:
        n += 1
        started = time.perf_counter()
        got = client.get(url)
        seconds = time.perf_counter() - started
        body = got.get_json(silent=True) or {}
        done, pending = len(body.get("reports", [])), len(body.get("not_validated", []))
        here = sum(1 for t in RUNS if t != "validation")
        print(
            f"| {n} | {started - began:.0f} | {got.status_code} | {seconds:.2f} | {done}/{done + pending} "
            f"| {here} / {len(RUNS) - here} |",
            flush=True,
        )
        if body.get("complete") or (not args.until_complete and n >= args.requests):
            break
        time.sleep(args.every)
    started = time.perf_counter()
    got = client.get(f"/validation?council={args.council}&format=csv")
    print(f"| csv | {started - began:.0f} | {got.status_code} | {time.perf_counter() - started:.2f} | | |")


if __name__ == "__main__":
    main()
