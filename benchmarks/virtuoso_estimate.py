"""Virtuoso's own cost estimate of a saved query's text, for each report year of a council: the number
behind its refusal "The estimated execution time N (sec) exceeds the limit of 400 (sec)"
(MaxQueryCostEstimationTime), without running the query.

    nice .venv/bin/python benchmarks/virtuoso_estimate.py --endpoint http://127.0.0.1:41673/sparql \\
        --isql-port 36801 --user dba --password PASSWORD restated-values laterReport ogr:midlothian

The text is the one the store gives Virtuoso (`RemoteStore`, store/virtuoso_text.py), on the store's
union graph. `explain(text, -7)` by isql-vt gives the optimizer's cost; SECONDS_PER_UNIT turns it into the
seconds a refusal quotes (calibrated on 7.2's refusals of restated-values: 885, 893 and 712 s against
7.11e9, 7.17e9 and 5.72e9). Prints the estimate of each year, then the smallest and largest.
"""

from __future__ import annotations

import argparse
import subprocess

from outcome_graph.saved_queries import load_queries
from outcome_graph.store.remote import RemoteStore

SECONDS_PER_UNIT = 1.245e-7


def estimate(isql: list[str], graph: str, text: str) -> float | None:
    quoted = text.replace("'", "''")  # an SQL string
    sql = f"select explain('sparql define input:default-graph-uri <{graph}> {quoted}', -7);"
    done = subprocess.run([*isql, f"exec={sql}"], capture_output=True, text=True, timeout=120)
    numbers = [line.strip() for line in done.stdout.splitlines() if line.strip()[:1].isdigit()]
    return float(numbers[0]) * SECONDS_PER_UNIT if numbers and "Rows" not in numbers[0] else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--isql-port", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--years", default="2016-2063", help="first and last year of the reports (FIRST-LAST)")
    ap.add_argument("name")
    ap.add_argument("year", help="the query's parameter that takes the report's year")
    ap.add_argument("council")
    args = ap.parse_args()
    query = load_queries()[args.name]
    store = RemoteStore(args.endpoint, timeout=60)
    graph = store.union() or store.graph
    isql = ["isql-vt", args.isql_port, args.user, args.password]
    first, last = (int(y) for y in args.years.split("-"))
    found = []
    for y in range(first, last):
        bound = query.bindings({"council": args.council, args.year: f"{y}-{y + 1}"})
        seconds = estimate(isql, graph, store._text(query.text_for(bound), bound, 60))
        print(f"{y}-{y + 1}: {'?' if seconds is None else f'{seconds:.0f} s'}", flush=True)
        if seconds is not None:
            found.append(seconds)
    if found:
        print(
            f"{args.name} {args.council}: estimated {min(found):.0f}-{max(found):.0f} s "
            f"over {len(found)} reports"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
