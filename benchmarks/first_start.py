"""First start (build + serve) of the bundled reports, and a warm restart, as a user meets them.

    python benchmarks/first_start.py [--repeat 3]

Each cold round launches `outcome-graph serve --store <new empty dir> --port <free port>` and times,
from the launch, the first successful /sparql answer (an ASK over the graph, polled every 20 ms); the
server meanwhile builds the graph from graph/reports/, loads it into the embedded Oxigraph store and
starts the HTTP server. It is then stopped (SIGINT) and started again on the same directory: the warm restart,
which must find the store up to date and not build again. Baseline, in the same run: a Python process
that only imports the server's modules (the floor under any start). Target (issue 4): first start
under 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from endpoint_latency import sparql_get, start_server, wait_until_answering  # noqa: E402

TARGET = 5.0


def import_floor() -> float:
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import granian, pyoxigraph, rdflib, outcome_graph.serve.app, outcome_graph.build",
        ],
        check=True,
    )
    return time.monotonic() - started


def one_start(store_dir: Path) -> tuple[float, str]:
    server = start_server(store_dir)
    try:
        seconds = wait_until_answering(server)
        status, body = sparql_get(server.port, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        if status != 200:
            raise RuntimeError(f"count query answered {status}: {body[:200]!r}")
    finally:
        server.stop()
    return seconds, server.log.read_text()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="cold starts (each on a new empty store dir)")
    args = parser.parse_args()
    floor = import_floor()
    cold, warm = [], []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="og-first-start-") as tmp:
            store = Path(tmp) / "store"
            seconds, log = one_start(store)
            cold.append(seconds)
            if i == 0:
                print("server output on the first cold start:")
                print("  " + "\n  ".join(log.strip().splitlines()))
            seconds, log = one_start(store)
            if "building" in log:
                raise RuntimeError(f"the warm restart built the graph again:\n{log}")
            warm.append(seconds)
        print(f"round {i + 1}: first start {cold[-1]:.2f} s, warm restart {warm[-1]:.2f} s", flush=True)
    c50, w50 = statistics.median(cold), statistics.median(warm)
    print(f"\nbaseline: a process importing the server's modules and exiting: {floor:.2f} s")
    print(
        f"first start (build + serve, launch -> first /sparql answer): median {c50:.2f} s, "
        f"max {max(cold):.2f} s over {len(cold)} (x{c50 / floor:.1f} the import floor)"
    )
    print(f"warm restart (store up to date): median {w50:.2f} s, max {max(warm):.2f} s (x{w50 / floor:.1f})")
    print(
        f"target: first start under {TARGET:.0f} s -> "
        + ("met" if max(cold) < TARGET else f"NOT met (worst {max(cold):.2f} s)")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
