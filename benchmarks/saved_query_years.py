"""One saved query for every report year of a council (or of every council), through the store layer the
server reads with (the text each engine is given, Virtuoso's own included): which years are refused or
slow. A query that plans well for the latest report can be refused for an earlier one (Virtuoso 7.2's
cost estimate), so a council's question is timed for each report a person can open, not one.

    nice .venv/bin/python benchmarks/saved_query_years.py --endpoint http://127.0.0.1:41673/sparql \\
        restated-values laterReport council=ogr:midlothian
    nice .venv/bin/python benchmarks/saved_query_years.py --store /tmp/nat47b/store --every-council \\
        restated-values laterReport

Prints one line a council: reports asked, refused (with the first refusal's message), rows, and the
slowest and p95 time (s); with --each, one line a report.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Iterator
from pathlib import Path

from outcome_graph.saved_queries import load_queries, run_query

OGR = "https://w3id.org/outcome-graph/id/"
PAGES = Path(__file__).resolve().parent.parent / "queries" / "pages"


def _values(store, name: str, bindings: dict | None = None) -> list[str]:
    """The ?value column of a page query (queries/pages/NAME.rq), as the form's choices give it."""
    text = (PAGES / f"{name}.rq").read_text(encoding="utf-8")
    rows = store.select(text, bindings=bindings, timeout=60).rows
    return [str(r["value"]) for r in rows]


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(
    store,
    name: str,
    year: str,
    given: dict[str, str],
    councils: list[str],
    timeout: float,
    each: bool = False,
) -> Iterator[str]:
    """For each council, the saved query `name` asked for each of its reports (the year in parameter
    `year`, the other parameters `given`): a line a council, and with `each` a line a report first. A
    refusal is a line with its message, never the end of the run."""
    from rdflib import URIRef

    query = load_queries()[name]
    for council in councils:
        iri = council.replace("ogr:", OGR, 1) if council.startswith("ogr:") else council
        years = [y.rsplit("/", 1)[-1] for y in _values(store, "council-reports", {"council": URIRef(iri)})]
        times, refused, rows = [], [], 0
        for report in years:
            started = time.perf_counter()
            try:
                values = {**given, "council": iri, year: report}
                got = len(run_query(store, query, values, timeout=timeout).rows)
                said = f"{got} rows"
                rows += got
            except Exception as e:  # noqa: BLE001 -- a refusal is what this measures: kept with its message
                said = f"refused: {str(e)[:160]}"
                refused.append(f"{report} ({said})")
            times.append(time.perf_counter() - started)
            if each:
                yield f"{council} {report}: {said} in {times[-1]:.2f} s"
        yield (
            f"{council}: {len(years)} reports, {len(refused)} refused{' ' + refused[0] if refused else ''}, "
            f"{rows} rows, slowest {max(times, default=0):.2f} s, p95 {p95(times) if times else 0:.2f} s"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", type=Path, help="an embedded store directory")
    where.add_argument("--endpoint", help="a SPARQL server's query endpoint")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--every-council", action="store_true", help="each council of the graph in turn")
    ap.add_argument("--each", action="store_true", help="a line for each report, not each council")
    ap.add_argument("name", help="the saved query")
    ap.add_argument("year", help="its parameter that takes the report's year (laterReport, report)")
    ap.add_argument("params", nargs="*", help="NAME=VALUE, as the page's form takes them")
    args = ap.parse_args()

    from outcome_graph.store import open_store

    store = open_store(args.store, args.endpoint, build_if_missing=False, progress=None, timeout=args.timeout)
    given = dict(p.split("=", 1) for p in args.params)
    councils = _values(store, "councils") if args.every_council else [given["council"]]
    for line in measure(store, args.name, args.year, given, councils, args.timeout, args.each):
        print(line, flush=True)
    close = getattr(store, "close", None)
    if close:
        close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
