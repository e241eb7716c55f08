"""How validation time grows with the graph: the two-report graph, and synthetic graphs of 10 and 100
councils (each the same two reports' records under another council; benchmarks/synthetic.py).

    python benchmarks/validate_scaling.py [--sizes 10 100] [--repeat 1]

Prints, per graph: triples, seconds, microseconds per triple, and the ratios of time, triples and time
per triple against the two-report baseline measured in the same run. Linear cost shows as a time ratio
that follows the triples ratio (time per triple roughly constant). The SPARQL texts are parsed once per
process, so the baseline is measured after one warm-up run (its cold time is printed too).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

from outcome_graph.build import build_graph
from outcome_graph.validate import validate_graph

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import synthetic_graph  # noqa: E402


def timed(graph, repeat: int) -> tuple[float, object]:
    best, summary = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        summary = validate_graph(graph)
        best = min(best, time.perf_counter() - started)
    return best, summary


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10, 100], help="councils per synthetic graph")
    p.add_argument("--repeat", type=int, default=1, help="runs per graph; the fastest is reported")
    args = p.parse_args(argv)

    base = build_graph()
    cold, _ = timed(base, 1)
    seconds, summary = timed(base, max(args.repeat, 1))
    rows = [("two-report graph", len(base), seconds, summary)]
    print(f"two-report graph: cold run (parsing the rules' SPARQL) {cold:.2f} s", flush=True)
    for copies in args.sizes:
        started = time.perf_counter()
        g = synthetic_graph(copies)
        built = time.perf_counter() - started
        print(
            f"synthetic graph x{copies}: {len(g)} triples built in {built:.1f} s; validating ...", flush=True
        )
        seconds, summary = timed(g, args.repeat)
        rows.append((f"synthetic x{copies} ({copies} councils)", len(g), seconds, summary))
        del g
    _, n0, t0, _ = rows[0]
    print()
    print(
        f"{'graph':32} {'triples':>9} {'seconds':>8} {'us/triple':>9} {'x triples':>9} {'x time':>7} "
        f"{'x per triple':>12} {'violations':>10} {'warnings':>8}"
    )
    for label, n, t, s in rows:
        print(
            f"{label:32} {n:9d} {t:8.2f} {1e6 * t / n:9.2f} {n / n0:9.1f} {t / t0:7.1f} "
            f"{(t / n) / (t0 / n0):12.2f} {s.violations:10d} {s.warnings:8d}"
        )
    ok = rows[0][2] < 3.0
    print(f"\ntarget: two-report graph under 3 s: {'met' if ok else 'NOT met'} ({rows[0][2]:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
