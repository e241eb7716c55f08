"""Search and the record page's chart: time per request through the store's bounded query path, with the
old Python scan over the trace graph (trace.engine.search) as the baseline in the same run.

    python benchmarks/search_latency.py [--reps 20] [--national] [--councils 32] [--years 5]

Two-report graph: the bundled reports in a temporary embedded store. --national: the synthetic national
graph of benchmarks/national.py (cached). Prints, per query, the median milliseconds of /search's SPARQL
(search.rq through EmbeddedStore.select, worker process included) and of the Python scan (after the
trace graph is loaded, which the scan needs and the SPARQL path does not), their ratio, and the load
time of the trace graph the scan depends on.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rdflib import URIRef

sys.path.insert(0, str(Path(__file__).resolve().parent))

QUERIES = ("02", "priority 02", "2014 Act", "CSPC.P.2.1", "looked after", "child protection", "CHN8a")
FIGURES = Path(__file__).resolve().parents[1] / "src" / "outcome_graph" / "serve" / "indicator-figures.rq"


def median_ms(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def measure(store, reps: int, label: str) -> None:
    from outcome_graph.serve.search import search
    from outcome_graph.trace import engine
    from outcome_graph.trace.source import load

    t = time.perf_counter()
    tg = load(store)
    load_s = time.perf_counter() - t
    print(
        f"\n{label}: {store.triple_count():,} triples; trace graph load (needed by the scan) {load_s:.1f} s"
    )
    print(f"{'query':<18} {'hits':>5} {'SPARQL ms':>10} {'scan ms':>9} {'SPARQL/scan':>12}")
    for q in QUERIES:
        hits = len(search(store, q, timeout=60))
        sparql = median_ms(lambda q=q: search(store, q, timeout=60), reps)
        scan = median_ms(lambda q=q: engine.search(tg, q, limit=2000), reps)
        print(f"{q:<18} {hits:>5} {sparql:>10.1f} {scan:>9.1f} {sparql / scan:>12.2f}")
    figures = FIGURES.read_text()
    ind = URIRef("https://w3id.org/outcome-graph/id/lgbf/indicator/CHN8a")
    ms = median_ms(lambda: store.select(figures, bindings={"indicator": ind}, timeout=60), reps)
    print(f"chart figures of CHN8a (indicator-figures.rq): {ms:.1f} ms")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--national", action="store_true")
    p.add_argument("--councils", type=int, default=32)
    p.add_argument("--years", type=int, default=5)
    args = p.parse_args()
    from outcome_graph.build import build_graph, sources_fingerprint, to_ntriples
    from outcome_graph.store.build import ensure_built
    from outcome_graph.store.embedded import EmbeddedStore

    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        nt = to_ntriples(build_graph())
        db = ensure_built(
            Path(tmp) / "two", fingerprint=sources_fingerprint(), source=lambda _p: nt, progress=None
        )
        with EmbeddedStore(db, workers=1, timeout=60) as store:
            measure(store, args.reps, "two-report graph")
        if args.national:
            from national import national_store

            db = national_store(Path(tmp) / "national", args.councils, args.years, progress=None)
            with EmbeddedStore(db, workers=1, timeout=60) as store:
                measure(
                    store,
                    max(3, args.reps // 4),
                    f"national graph ({args.councils} councils x {args.years} years)",
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
