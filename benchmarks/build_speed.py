"""How long building the bundled reports takes, end to end, against baselines measured in the same run.

    python benchmarks/build_speed.py [--repeat 5]

Stages timed: extract (text -> records), build (records -> rdflib graph with links), serialize
(canonical N-Triples). Baselines: reading the report files, and rdflib parsing the very N-Triples the
build produced (the cost of merely loading a graph of this size into rdflib).
"""

from __future__ import annotations

import argparse
import statistics
import time

from rdflib import Graph

from outcome_graph.build import build_from_extractions, to_ntriples
from outcome_graph.extract import extract_report
from outcome_graph.paths import bundled_reports


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    reports = bundled_reports()

    cold_start = time.perf_counter()
    extractions = [extract_report(p) for p in reports]
    graph = build_from_extractions(extractions).graph
    nt = to_ntriples(graph)
    cold = time.perf_counter() - cold_start  # includes parsing ontology/ and graph/reference/ once

    t_read, _ = timed(lambda: [p.read_bytes() for p in reports], args.repeat)
    t_extract, extractions = timed(lambda: [extract_report(p) for p in reports], args.repeat)
    t_build, result = timed(lambda: build_from_extractions(extractions), args.repeat)
    t_nt, nt = timed(lambda: to_ntriples(result.graph), args.repeat)
    t_parse, _ = timed(lambda: Graph().parse(data=nt, format="nt"), args.repeat)
    total = t_extract + t_build + t_nt

    print(f"reports: {len(reports)}; triples: {len(result.graph)}; repeat: {args.repeat} (medians)")
    print(f"cold end-to-end (first build in this process): {cold:.3f} s")
    print(f"read files        {t_read * 1000:8.1f} ms")
    print(f"extract           {t_extract * 1000:8.1f} ms")
    print(f"build + links     {t_build * 1000:8.1f} ms")
    print(f"canonical N-Triples {t_nt * 1000:6.1f} ms")
    print(f"warm end-to-end   {total * 1000:8.1f} ms")
    print(
        f"baseline: rdflib parsing the output N-Triples {t_parse * 1000:.1f} ms -> "
        f"build/parse ratio {total / t_parse:.2f}x"
    )
    print(f"target: under 2 s end to end -> {'met' if cold < 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
