"""The floor of a first-seen /sparql answer, part by part, against the Oxigraph server's whole answer.

    python benchmarks/cold_floor.py [--requests 300]

For endpoint_vs_oxigraph.py's five analyst queries, in one run, taking turns request by request (so
that every part meets the same moments of the machine's load), the p50 in ms of:

  oxigraph  `oxigraph serve-read-only`'s whole answer to a first-seen text over HTTP (keep-alive);
  http      our server's answer to a text it has answered before (a result-cache hit in the event
            loop): what HTTP, granian and our event loop cost before any work on the query;
  check     the query check alone, in this process, on a first-seen text (it runs in a worker now,
            on the query's critical path all the same);
  trip      one round trip to a real query worker (started as the server starts them, no network)
            carrying the smallest request there is (the check of `ASK {}`);
  engine    pyoxigraph alone on the same graph in memory (as a worker holds it), the canonical text,
            results serialized to SPARQL JSON by the worker's own serializer.

floor = http + check + trip + engine: what a first-seen query must cost while it is checked and run in
a separate process without network; `floor / oxigraph` is the best p50 ratio the cold path can reach
with nothing else of ours in it.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyoxigraph as ox  # noqa: E402
from endpoint_latency import start_server, wait_until_answering  # noqa: E402
from endpoint_vs_oxigraph import QUERIES, Client, start_oxigraph  # noqa: E402

from outcome_graph.sparql.check import _check  # noqa: E402
from outcome_graph.store.results import serialize_select, wire_term  # noqa: E402
from outcome_graph.store.workers import CHECKER, WorkerPool  # noqa: E402

JSON = "application/sparql-results+json"
PARTS = ("oxigraph", "http", "check", "trip", "engine")


def _engine(store: ox.Store, text: str) -> None:
    result = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    rows = [{n: wire_term(s[i]) for i, n in enumerate(names) if s[i] is not None} for s in result]
    serialize_select(names, rows, JSON, False, None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    from outcome_graph.build import build_graph, to_ntriples

    tmp = Path(tempfile.mkdtemp(prefix="og-cold-floor-"))
    nt = tmp / "graph.nt"
    nt.write_bytes(to_ntriples(build_graph()))
    ox_proc, ox_port = start_oxigraph(nt, tmp / "oxigraph")
    ours = start_server(tmp / "store")
    pool = WorkerPool(CHECKER, size=1)
    memory = ox.Store()
    memory.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    try:
        wait_until_answering(ours)
        oxigraph, server = Client(ox_port, "/query"), Client(ours.port, "/sparql")
        counter = 0

        def cold(query: str) -> str:
            nonlocal counter
            counter += 1
            return f"{query}\n# {time.time_ns()}-{counter}"

        def timed(part: str, query: str) -> float:
            t0 = time.perf_counter()
            if part == "oxigraph":
                status, _ = oxigraph.get(cold(query))
                assert status == 200
            elif part == "http":
                status, _ = server.get(query)
                assert status == 200
            elif part == "check":
                _check(cold(query))
            elif part == "trip":
                pool.run({"op": "check", "query": "ASK {}"}, 10)
            else:
                _engine(memory, canonical)
            return (time.perf_counter() - t0) * 1000

        print(f"p50 in ms, {args.requests} of each per query, taking turns")
        print(f"{'query':22} " + " ".join(f"{p:>8}" for p in PARTS) + f" {'floor':>8} {'floor/ox':>8}")
        ratios = []
        for label, query in QUERIES.items():
            canonical = _check(query).text
            for part in PARTS:  # settle: connections open, caches and workers warm
                for _ in range(20):
                    timed(part, query)
            times: dict[str, list[float]] = {p: [] for p in PARTS}
            for _ in range(args.requests):
                for part in PARTS:
                    times[part].append(timed(part, query))
            p50 = {p: statistics.median(v) for p, v in times.items()}
            floor = p50["http"] + p50["check"] + p50["trip"] + p50["engine"]
            ratios.append(floor / p50["oxigraph"])
            print(
                f"{label:22} "
                + " ".join(f"{p50[p]:8.3f}" for p in PARTS)
                + f" {floor:8.3f} {floor / p50['oxigraph']:7.2f}x"
            )
        geomean = math.exp(sum(map(math.log, ratios)) / len(ratios))
        print(f"floor / oxigraph: min {min(ratios):.2f}x max {max(ratios):.2f}x geomean {geomean:.2f}x")
    finally:
        pool.close()
        ours.stop()
        ox_proc.kill()
        ox_proc.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
