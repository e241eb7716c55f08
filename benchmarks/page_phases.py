"""Where a saved query's page spends its time, request by request, through the app's own path (Flask test
client, result cache off): each store call it makes (the query, the labels of its records, the check of
its parameters, its page values) and the Python steps around them (term conversion, the table, the
template), wall clock and this process's CPU.

    nice .venv/bin/python benchmarks/page_phases.py --store /tmp/nat47b/store --repeat 2 \
        '/queries/lgbf-benchmarks?format=html&council=ogr:midlothian'

A store call's wall time beyond the engine's own (benchmarks/saved_query_engine.py, same text) is the
worker's: its dataset, sending the rows, a loaded machine. Prints one line per request.
"""

from __future__ import annotations

import argparse
import functools
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True, help="an embedded store directory")
    ap.add_argument("--repeat", type=int, default=2, help="times each page is asked")
    ap.add_argument("pages", nargs="+", help="paths to ask, with their query strings")
    args = ap.parse_args()

    import outcome_graph.human as human
    import outcome_graph.serve.pages as pages
    import outcome_graph.serve.queries as queries
    import outcome_graph.store.embedded as embedded
    from outcome_graph.serve.app import create_app
    from outcome_graph.store import open_store

    spent: dict[str, list[float]] = {}

    def add(name: str, wall: float, cpu: float) -> None:
        entry = spent.setdefault(name, [0.0, 0.0, 0])
        entry[0] += wall
        entry[1] += cpu
        entry[2] += 1

    def timed(module, name: str, *also) -> None:
        original = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*a, **k):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*a, **k)
            finally:
                add(name, time.perf_counter() - wall, time.process_time() - cpu)

        for target in (module, *also):  # where the name was imported into
            setattr(target, name, wrapper)

    timed(embedded, "to_nodes")
    timed(human, "instance_labels", pages)
    timed(pages, "table", queries)
    timed(queries, "render_template")
    store = open_store(args.store, progress=None, build_if_missing=False)
    select = store.select

    def recorded(query, *a, **k):
        wall = time.perf_counter()
        try:
            return select(query, *a, **k)
        finally:
            text = str(query)
            title = next((line[8:] for line in text.splitlines() if line.startswith("# title:")), None)
            head = title or " ".join(text.split())[:48]
            add(f"store: {head}", time.perf_counter() - wall, 0.0)

    store.select = recorded
    app = create_app(store=store, config={"timeout": 60, "max_rows": 100000, "cache": False})
    client = app.test_client()
    for page in args.pages:
        for run in range(args.repeat):
            spent.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            status = client.get(page).status_code
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            parts = "; ".join(f"{k} {v[0]:.2f} s/{v[1]:.2f} cpu x{v[2]}" for k, v in spent.items())
            print(f"{page} [{run}] {status} {wall:.2f} s (server cpu {cpu:.2f}): {parts}", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
