"""A first-seen /sparql query in-process: the serving process's CPU and the wall time per request.

    python benchmarks/cold_inprocess.py [--requests 1500] [--store DIR] [--profile N]

The whole WSGI app (body gate, result cache, fast path, admission, check, the real worker pool) is
called in this process, one request at a time, with endpoint_vs_oxigraph.py's five analyst queries, each
made first-seen by a unique comment. Printed: per query, p50 of the wall time and of this process's CPU
(every thread of this process: `time.process_time`) per request. Less
sensitive to the machine's load than an HTTP benchmark: the CPU a request costs the serving process is
what bounds cold throughput (BENCHMARKS.md, the cold path). `--profile N` prints the top N functions
of a cProfile run over the same requests instead.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from endpoint_vs_oxigraph import ACCEPT, QUERIES  # noqa: E402

from outcome_graph.serve.app import create_app  # noqa: E402


def _process_cpu() -> float:
    return time.process_time()  # every thread of this process, nanosecond resolution


def _environ(query: str) -> dict:
    from io import BytesIO

    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/sparql",
        "QUERY_STRING": urlencode({"query": query}),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "5000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_ACCEPT": ACCEPT["Accept"],
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def _call(app, query: str) -> bytes:
    status: list[str] = []
    body = b"".join(app(_environ(query), lambda s, h, e=None: status.append(s)))
    if not status[0].startswith("200"):
        raise SystemExit(f"{status[0]}: {body[:300]!r}")
    return body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--store", type=Path, default=Path("/tmp/og-cold-inprocess-store"))
    parser.add_argument("--profile", type=int, default=0)
    args = parser.parse_args()
    app = create_app(config={"store_dir": str(args.store)}).wsgi_app
    counter = 0

    def cold(query: str) -> str:
        nonlocal counter
        counter += 1
        return f"{query}\n# {time.time_ns()}-{counter}"

    for query in QUERIES.values():  # the workers' first runs (and copies into memory) out of the way
        for _ in range(20):
            _call(app, cold(query))
    time.sleep(1)
    labels = list(QUERIES)
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for i in range(args.requests):
            _call(app, cold(QUERIES[labels[i % len(labels)]]))
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)
        return 0
    wall: dict[str, list[float]] = {label: [] for label in labels}
    cpu: dict[str, list[float]] = {label: [] for label in labels}
    for i in range(args.requests):  # taking turns: every query meets the same moments of the load
        label = labels[i % len(labels)]
        text = cold(QUERIES[label])
        c0, t0 = _process_cpu(), time.perf_counter()
        _call(app, text)
        wall[label].append((time.perf_counter() - t0) * 1000)
        cpu[label].append((_process_cpu() - c0) * 1000)
    total_cpu = sum(sum(v) for v in cpu.values()) / args.requests
    print(f"{'query':22} {'wall p50':>9} {'cpu mean':>9}   (ms, {args.requests} requests in all)")
    for label in labels:
        print(f"{label:22} {statistics.median(wall[label]):9.3f} {statistics.fmean(cpu[label]):9.3f}")
    print(f"server-process CPU per first-seen request, mean over all: {total_cpu:.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
