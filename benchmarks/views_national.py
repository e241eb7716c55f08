"""Each page an analyst or inspector opens, on a national store: the first answer (cold: nothing of the
council loaded yet in this process) and the p95 of the answers after it, through the app's own request
path (Flask test client: the view's cost, without the network), result cache off so every request runs
its view.

    nice python benchmarks/views_national.py --store DIR [--repeat 20] [--cache]
    nice python benchmarks/views_national.py --endpoint URL ...   # `serve --endpoint URL`'s app

DIR is an embedded store (for example one built by benchmarks/national.py). The store is served as is
(never rebuilt). URL is a SPARQL server holding the same national graphs (`outcome-graph load --endpoint
URL --store DIR`; benchmarks/virtuoso_national.py starts and loads a Virtuoso): the app then reads it
through RemoteStore, as `outcome-graph serve --endpoint URL` does. Prints a Markdown table for
BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

OGR = "https://w3id.org/outcome-graph/id/"
ACTION = f"{OGR}midlothian/report/2020-2021/action/CSPC.P.2.1"
PART9 = "http://www.legislation.gov.uk/id/asp/2014/8/part/9"
PAGES = [
    f"/trace?node={quote(ACTION)}&council=midlothian",
    f"/trace?node={quote(PART9)}&council=midlothian",
    "/trace/CSPC.P.2.1?council=midlothian&format=json",
    "/trace/CHN9?council=midlothian&direction=across&format=json",
    "/gaps?council=midlothian&report=2020-2021",
    "/audit?council=midlothian&report=2020-2021&validate=0",
    "/audit?council=midlothian&report=2020-2021&validate=1",
    "/validation?council=midlothian&report=2020-2021&format=json",
    "/validation?council=midlothian&format=json",
    "/queries/off-target-indicators?format=json",  # every council's off-target records of 2020/21
    "/id/midlothian/report/2020-2021/action/CSPC.P.2.1",
    "/search?q=corporate+parenting",
    "/queries/indicator-history?code=CHN9&format=html",  # every council: the choice, and the download
    "/queries/indicator-history?code=CHN9&council=ogr:midlothian&format=json",
    "/queries/councils-compared?code=CHN9&format=html",  # the latest year, with links to the others
    "/compare?code=CHN9&council=midlothian",
    "/queries/off-target-by-council?report=2020-2021&format=json",
    # the "/sparql COUNT by report": every report's records counted (1,504 rows at 32 x 47)
    "/sparql?query="
    + quote(
        "PREFIX og: <https://w3id.org/outcome-graph/def#> SELECT ?report (COUNT(?r) AS ?n) "
        "WHERE { ?r og:report ?report } GROUP BY ?report ORDER BY ?report"
    ),
]


def _validated(response) -> str:
    """`n/N`: the reports of a validation page's scope its answer held (the rest were in the background)."""
    body = response.get_json()
    done = len(body["reports"])
    return f"{done}/{done + len(body['not_validated'])}"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", type=Path, help="an embedded store directory")
    where.add_argument("--endpoint", help="a SPARQL server's query endpoint holding the national graphs")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--cache", action="store_true", help="keep the server's result cache on")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument(
        "--only", action="append", default=[], help="time only the pages whose URL holds this (repeatable)"
    )
    args = parser.parse_args()
    pages = [p for p in PAGES if not args.only or any(o in p for o in args.only)]

    from outcome_graph.serve.app import create_app
    from outcome_graph.serve.warmup import warm
    from outcome_graph.store import open_store

    started = time.perf_counter()
    store = open_store(args.store, args.endpoint, build_if_missing=False, progress=None, timeout=args.timeout)
    app = create_app(store=store, config={"timeout": args.timeout, "max_rows": 10000, "cache": args.cache})
    client = app.test_client()
    opened = time.perf_counter() - started
    triples = store.triple_count()
    t = time.perf_counter()
    # what `serve` does in the background once it answers: the search index (kept per store generation),
    # the labels, and the modules and units the first trace, audit or validation needs
    warm(app.extensions["outcome_graph"]["store"]).join()
    index_s = time.perf_counter() - t
    where = args.store or args.endpoint
    print(f"store: {where} ({triples:,} triples); app ready in {opened:.1f} s;", end=" ")
    print(f"warm-up (search index, labels, modules) {index_s:.1f} s")
    print()
    print("| page | status | first answer (s) | p95 after (s) |")
    print("|---|---|---|---|")
    for page in pages:
        t = time.perf_counter()
        r = client.get(page)
        first = time.perf_counter() - t
        status = r.status_code
        times, r2 = [], r
        for _ in range(args.repeat):
            t = time.perf_counter()
            r2 = client.get(page)
            times.append(time.perf_counter() - t)
            status = status if r2.status_code == status else f"{status}/{r2.status_code}"
        note = "" if r.status_code < 400 else " — " + r.get_data(as_text=True).strip().splitlines()[-1][:80]
        if r.is_json and "not_validated" in (r.get_json() or {}):  # how much of the scope each answer had
            note += f" — validated: {_validated(r)} first, {_validated(r2)} last"
        median = statistics.median(times)
        print(f"| `{page}` | {status}{note} | {first:.2f} | {p95(times):.3f} (median {median:.3f}) |")
        sys.stdout.flush()
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
