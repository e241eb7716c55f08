"""The saved queries on Virtuoso at national scale: a scratch Virtuoso on loopback, loaded with a national
store's graphs by the Graph Store protocol, then the saved-queries table of saved_queries_national.py.

    nice python benchmarks/virtuoso_national.py --store DIR [--timeout 30] [--repeat 3] [NAME ...]

The server is tests/virtuoso.py's (Debian's virtuoso-t in the foreground, its own database directory
under --work, free 127.0.0.1 ports, a loader login with SPARQL_UPDATE), with its limits raised for a
national graph: MaxQueryExecutionTime = --timeout, ResultSetMaxRows = 200,000, 80,000 page buffers
(650 MB: README, NumberOfBuffers). The graphs go in as a user's would: `outcome-graph load --endpoint
URL --store DIR`, one named graph per report, timed. The server is stopped at the end, also when
something fails.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]  # saved_queries_national; tests/virtuoso.py


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="the national embedded store to load")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs after the first, for the p95")
    parser.add_argument("--work", type=Path, help="the scratch directory for Virtuoso (default: a new one)")
    parser.add_argument("names", nargs="*", help="the queries to run (default: all)")
    args = parser.parse_args()

    from saved_queries_national import requests, run
    from virtuoso import LOADER, start_virtuoso

    from outcome_graph.serve.app import create_app
    from outcome_graph.store.remote import RemoteStore

    work = args.work or Path(tempfile.mkdtemp(prefix="virtuoso-national-"))
    started = time.perf_counter()
    server = start_virtuoso(work, max_rows=200000, max_time=int(args.timeout), buffers=80000)
    try:
        print(
            f"Virtuoso at {server.endpoint} in {work}, up in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        started = time.perf_counter()
        load = [
            str(Path(sys.executable).parent / "outcome-graph"),
            "load",
            "--endpoint",
            server.endpoint,
            "--store",
            str(args.store),
            "--user",
            LOADER.user,
        ]
        env = os.environ | {"OUTCOME_GRAPH_PASSWORD": LOADER.password}
        done = subprocess.run(load, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"load failed ({done.returncode}): {done.stderr[-2000:]}")
        print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "", flush=True)
        print(f"loaded by the Graph Store protocol in {time.perf_counter() - started:.1f} s\n", flush=True)
        store = RemoteStore(server.endpoint, timeout=args.timeout)
        app = create_app(store=store, config={"timeout": args.timeout, "max_rows": 100000, "cache": False})
        run(app.test_client(), requests(args.names), args.repeat)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
