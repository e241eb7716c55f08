"""Trace and audit speed on the two-report graph and on the synthetic national graph.

    python benchmarks/trace_speed.py [--national PATH.nt | --councils 32 --years 5 | --synthetic 32]
                                     [--sample 2000]

Targets (issue 5): a trace of any node under 50 ms; the whole 2020/21 audit under 2 s. A trace here is
what the server and CLI do for one request once the structure is loaded: find the subgraph (down, or up
for observations and excerpts) and turn it into the JSON-ready dict; each node's figure is the best of 3.
The structure itself is read once per store with one CONSTRUCT (timed separately: it is a start-up cost,
not a per-trace one). The audit is build_audit (every priority, coverage, gaps, compare) without the
SHACL validation, which the validate step owns and which is timed by its own benchmark.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from pathlib import Path

from outcome_graph.counts import count_members
from outcome_graph.trace import engine
from outcome_graph.trace.audit import build_audit
from outcome_graph.trace.graph import KINDS, STRUCTURE_QUERY, TraceGraph, from_rdf
from outcome_graph.trace.store import MemoryStore

TRACE_TARGET = 0.050
AUDIT_TARGET = 2.0
REPEATS = 3


def load_timed(store: MemoryStore) -> tuple[TraceGraph, float, float]:
    t0 = time.perf_counter()
    rdf = store.construct(STRUCTURE_QUERY)
    t1 = time.perf_counter()
    tg: TraceGraph = from_rdf(rdf)
    tg.counts = count_members(store)  # as graph.load does
    engine.prepare(tg)  # as graph.load does
    del rdf
    gc.collect()
    gc.freeze()  # as graph.load does for the server's long-lived trace graph
    t2 = time.perf_counter()
    return tg, t1 - t0, t2 - t1


def measure(label: str, store: MemoryStore, sample: int, seed: int = 1) -> dict:
    tg, construct_s, networkx_s = load_timed(store)
    out = {
        "label": label,
        "triples": store.triple_count(),
        "construct_s": construct_s,
        "networkx_s": networkx_s,
    }
    councils = tg.councils_reporting("2020-2021")
    if len(councils) <= 1:
        out.update(time_traces(tg, sample, seed))
    else:
        out["national"] = time_traces(tg, sample, seed, audit=False)
        out["national"]["label"] = f"unscoped, all {len(councils)} councils"
        council = "midlothian" if "midlothian" in councils else councils[0]
        out.update(time_traces(tg.scoped(council), sample, seed))
        out["scope"] = f"one council ({council}) of {len(councils)}"
    return out


def time_traces(tg: TraceGraph, sample: int, seed: int = 1, audit: bool = True) -> dict:
    nodes = [n for k in KINDS if k not in ("Report", "ReportedTotal") for n in tg.nodes_of(k)]
    duties = [n for n in nodes if engine.is_duty(tg, n)]
    duty_set = set(duties)
    rest = [n for n in nodes if n not in duty_set]
    random.Random(seed).shuffle(rest)
    chosen = duties + rest[: max(0, sample - len(duties))] if sample else nodes
    times: list[tuple[float, str]] = []
    first: list[float] = []
    for n in chosen:
        direction = "up" if tg.kind(n) in ("Observation", "Excerpt") else "down"
        runs = []
        for _ in range(REPEATS):  # best of 3: the machine's other jobs add spikes that are not the trace's
            s = time.perf_counter()
            engine.trace_dict(tg, engine.trace(tg, n, direction))
            runs.append(time.perf_counter() - s)
        times.append((min(runs), n))
        first.append(runs[0])
    times.sort()
    audit_times = []
    a = {"priorities": []}
    for _ in range(3 if audit else 0):
        s = time.perf_counter()
        a = build_audit(tg, "2020-2021", "2016-2017" if "2016-2017" in tg.reports else None)
        audit_times.append(time.perf_counter() - s)
    ts = [t for t, _ in times]
    return {
        "nodes": tg.g.number_of_nodes(),
        "edges": tg.g.number_of_edges(),
        "traced": len(times),
        "p50_ms": statistics.median(ts) * 1000,
        "p95_ms": ts[int(0.95 * (len(ts) - 1))] * 1000,
        "max_ms": ts[-1] * 1000,
        "slowest": times[-1][1],
        "first_max_ms": max(first) * 1000,
        "over": [n for t, n in times if t >= TRACE_TARGET],
        "audit_s": min(audit_times) if audit_times else None,
        "audit_priorities": len(a["priorities"]),
    }


def report(r: dict) -> None:
    ok_trace = r["max_ms"] / 1000 < TRACE_TARGET
    ok_audit = r["audit_s"] < AUDIT_TARGET
    print(f"== {r['label']}: {r['triples']} triples")
    print(
        f"   structure CONSTRUCT {r['construct_s']:.2f} s, "
        f"networkx graph {r['networkx_s']:.2f} s (once per store)"
    )
    if "national" in r:
        n = r["national"]
        print(
            f"   {n['label']}: {n['nodes']} nodes, {n['edges']} edges; trace of {n['traced']} nodes: "
            f"median {n['p50_ms']:.2f} ms, p95 {n['p95_ms']:.2f} ms, "
            f"max {n['max_ms']:.2f} ms ({n['slowest']}), first-call max {n['first_max_ms']:.1f} ms; "
            f"over 50 ms: {len(n['over'])} "
            f"({', '.join(x.rsplit('/', 1)[-1] for x in n['over'][:10])})"
        )
        print(f"   scoped to {r['scope']} (--council):")
    print(f"   {r['nodes']} nodes, {r['edges']} edges")
    print(
        f"   trace of {r['traced']} nodes: median {r['p50_ms']:.2f} ms, p95 {r['p95_ms']:.2f} ms, "
        f"max {r['max_ms']:.2f} ms ({r['slowest']}), first-call max {r['first_max_ms']:.1f} ms; "
        f"target < 50 ms: {'met' if ok_trace else 'NOT met'} "
        f"(max/target {r['max_ms'] / 50:.2f})"
    )
    print(
        f"   2020/21 audit ({r['audit_priorities']} priorities): {r['audit_s'] * 1000:.1f} ms; "
        f"target < 2 s: {'met' if ok_audit else 'NOT met'} (audit/target {r['audit_s'] / 2:.3f})"
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--national", type=Path, help="an N-Triples file of the national graph (default: built)")
    p.add_argument(
        "--synthetic", type=int, metavar="COPIES", help="use benchmarks/synthetic.py's graph instead"
    )
    p.add_argument("--councils", type=int, default=32)
    p.add_argument("--years", type=int, default=5)
    p.add_argument("--sample", type=int, default=2000, help="nodes traced on the national graph (0 = all)")
    p.add_argument("--skip-national", action="store_true")
    args = p.parse_args()
    small = measure("two-report graph", MemoryStore(), sample=0)
    report(small)
    if args.skip_national:
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if args.synthetic:
        from synthetic import synthetic_graph

        from outcome_graph.build import to_ntriples

        t = time.perf_counter()
        data = to_ntriples(synthetic_graph(args.synthetic))
        name = f"synthetic graph ({args.synthetic} copies)"
        print(f"built the {name} in {time.perf_counter() - t:.1f} s")
    else:
        path = args.national
        if path is None:
            from national import national_ntriples

            path = national_ntriples(args.councils, args.years)
        data, name = path.read_bytes(), f"national graph ({path.name})"
    t = time.perf_counter()
    store = MemoryStore(data, name=f"memory:{name}")
    del data
    print(f"loaded the {name} into an in-memory Oxigraph store in {time.perf_counter() - t:.1f} s")
    big = measure(name, store, sample=args.sample)
    report(big)
    print(
        f"ratios national/two-report: triples {big['triples'] / small['triples']:.0f}x, "
        f"median trace {big['p50_ms'] / small['p50_ms']:.1f}x, "
        f"max trace {big['max_ms'] / small['max_ms']:.1f}x, "
        f"audit {big['audit_s'] / small['audit_s']:.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
