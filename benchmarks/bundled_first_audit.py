"""The README's first command's store: the bundled reports built into DIR as `outcome-graph serve` builds
them on first run (DIR must not hold a store yet to time the build), then each audit's first answer and
the most of five more, in process, warm-up joined.

    nice python benchmarks/bundled_first_audit.py /tmp/bundled-store
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

PAGES = ("/audit?report=2020-2021", "/audit?report=2016-2017", "/validation?report=2020-2021&format=json")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    args = parser.parse_args()

    from outcome_graph.serve.app import create_app
    from outcome_graph.serve.warmup import warm
    from outcome_graph.store import open_store

    started = time.perf_counter()
    store = open_store(args.store, progress=print)
    print(f"store opened (built if missing) in {time.perf_counter() - started:.1f} s")
    app = create_app(store=store, config={"timeout": 60, "max_rows": 10000, "cache": False})
    warm(app.extensions["outcome_graph"]["store"]).join()
    client = app.test_client()
    print("| page | status | first (s) | most of five more (s) |")
    print("|---|---|---|---|")
    for page in PAGES:
        started = time.perf_counter()
        status = client.get(page).status_code
        first = time.perf_counter() - started
        more = []
        for _ in range(5):
            started = time.perf_counter()
            client.get(page)
            more.append(time.perf_counter() - started)
        print(f"| `{page}` | {status} | {first:.2f} | {max(more):.3f} |")
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
