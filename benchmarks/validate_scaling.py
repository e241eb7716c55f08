"""How validation time grows with the graph: the two-report graph, and synthetic graphs of 10 and 100
councils (each the same two reports' records under another council; benchmarks/synthetic.py).

    python benchmarks/validate_scaling.py [--sizes 10 100] [--repeat 1]

Prints, per graph: triples, wall-clock and CPU seconds, CPU microseconds per triple, and the ratios of
time, triples and time per triple against the two-report baseline measured in the same run. The ratios
use CPU time, which other processes on a shared machine disturb far less than wall-clock time. Linear
cost shows as a time ratio that follows the triples ratio (time per triple roughly constant). The
rules' SPARQL is parsed once per process, so the baseline is measured after one warm-up run (its cold
time is printed too).
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


def timed(graph, repeat: int) -> tuple[float, float, object]:
    """Best wall-clock and best CPU seconds over `repeat` validations, and the last summary."""
    wall, cpu, summary = float("inf"), float("inf"), None
    for _ in range(repeat):
        gc.collect()
        started, started_cpu = time.perf_counter(), time.process_time()
        summary = validate_graph(graph)
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu, summary


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10, 100], help="councils per synthetic graph")
    p.add_argument("--repeat", type=int, default=1, help="runs per graph; the fastest is reported")
    args = p.parse_args(argv)

    base = build_graph()
    cold, cold_cpu, _ = timed(base, 1)
    wall, cpu, summary = timed(base, max(args.repeat, 1))
    rows = [("two-report graph", len(base), wall, cpu, summary)]
    print(
        f"two-report graph: cold run (parsing the rules' SPARQL) {cold:.2f} s ({cold_cpu:.2f} s CPU)",
        flush=True,
    )
    for copies in args.sizes:
        started = time.perf_counter()
        g = synthetic_graph(copies)
        built = time.perf_counter() - started
        print(
            f"synthetic graph x{copies}: {len(g)} triples built in {built:.1f} s; validating ...", flush=True
        )
        wall, cpu, summary = timed(g, args.repeat)
        rows.append((f"synthetic x{copies} ({copies} councils)", len(g), wall, cpu, summary))
        del g
    _, n0, _, c0, _ = rows[0]
    print()
    print(
        f"{'graph':30} {'triples':>9} {'wall s':>7} {'CPU s':>7} {'CPU us/triple':>13} {'x triples':>9} "
        f"{'x CPU':>6} {'x per triple':>12} {'violations':>10} {'warnings':>8}"
    )
    for label, n, w, c, s in rows:
        print(
            f"{label:30} {n:9d} {w:7.2f} {c:7.2f} {1e6 * c / n:13.1f} {n / n0:9.1f} {c / c0:6.1f} "
            f"{(c / n) / (c0 / n0):12.2f} {s.violations:10d} {s.warnings:8d}"
        )
    ok = rows[0][2] < 3.0
    print(
        f"\ntarget: two-report graph under 3 s: {'met' if ok else 'NOT met'} ({rows[0][2]:.2f} s wall-clock)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
