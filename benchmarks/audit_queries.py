"""What a page's first answer asks of the store: each query it sends (store.select / construct / ask,
wrapped), with its time, and the first answer's wall time and CPU seconds (this process and its query
workers: on a busy machine the CPU is the steadier number). In process, as the tests make the app.

    nice python benchmarks/audit_queries.py --store DIR ["/audit?council=midlothian&report=2020-2021"]
    nice python benchmarks/audit_queries.py --endpoint URL [PAGE]   # `serve --endpoint URL`'s app

Used to find the questions whose cost grows with the nation (issue 17: "the audit must cost what it
shows"); prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> float:
    """User and system CPU of this process and of its children still running (the store's workers)."""
    me, total = os.getpid(), sum(os.times()[:2])
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me:
                total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", type=Path, help="an embedded store directory")
    where.add_argument("--endpoint", help="a SPARQL server's query endpoint holding the graphs")
    parser.add_argument("page", nargs="?", default="/audit?council=midlothian&report=2020-2021&validate=0")
    args = parser.parse_args()

    from outcome_graph.serve.app import create_app
    from outcome_graph.serve.warmup import warm
    from outcome_graph.store import open_store

    store = open_store(args.store, args.endpoint, build_if_missing=False, progress=None, timeout=60)
    asked: list[tuple[float, str, int, str]] = []
    for method in ("select", "construct", "ask"):
        real = getattr(store, method)

        def timed(query, *a, _real=real, _method=method, **k):
            started = time.perf_counter()
            try:
                return _real(query, *a, **k)
            finally:
                title = re.search(r"#\s*title:\s*(.*)", query)
                name = title.group(1) if title else " ".join(query.split())[:90]
                asked.append((time.perf_counter() - started, _method, len(query), name))

        setattr(store, method, timed)
    app = create_app(store=store, config={"timeout": 60, "max_rows": 10000, "cache": False})
    warm(app.extensions["outcome_graph"]["store"]).join()  # what `serve` does once it answers
    client = app.test_client()
    client.get("/sparql?query=ASK%7B%7D")  # the workers started
    asked.clear()
    cpu, started = cpu_seconds(), time.perf_counter()
    status = client.get(args.page).status_code
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    print(
        f"`{args.page}`: {status}, first answer {wall:.2f} s wall, {cpu:.2f} s CPU; {len(asked)} queries, ",
        end="",
    )
    print(f"{sum(a[0] for a in asked):.2f} s in all")
    print()
    print("| query | kind | s |")
    print("|---|---|---|")
    for seconds, method, _size, name in sorted(asked, key=lambda a: -a[0]):
        print(f"| {name} | {method} | {seconds:.3f} |")
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
