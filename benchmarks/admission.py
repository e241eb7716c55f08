"""Runaway queries against everyone else (issue 8 part 3): who still gets an answer, and how fast.

    python benchmarks/admission.py [--runaways 30] [--samples 40] [--timeout 10]

Starts `outcome-graph serve` (its defaults, --timeout as given) with its own new --store directory on a
free 127.0.0.1 port. One client (source address 127.0.0.1) keeps --runaways runaway queries in flight
(a 3-way cross-join COUNT, each text unique so nothing is cached), sending a new one as soon as one is
answered. Meanwhile another client (127.0.0.2; 127.0.0.0/8 is all loopback on Linux) asks in turn:
a fresh cheap query (an ASK never sent before), a saved query (/queries/risks, JSON), an /id/ page
(HTML), a static file and /openapi.json, --samples times each. Baseline in the same run: the same
requests with no runaway load. Prints p50/p95/max per kind, and what the runaways were answered
(status and reason), with how long they took.
Target: p95 under 1 s for each kind while the runaways are in flight; every runaway stopped at the
limit or refused early with 429/503 and Retry-After.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import itertools
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from endpoint_latency import free_port, pct, serve_command, wait_until_answering  # noqa: E402

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PREFIX = "PREFIX og: <https://w3id.org/outcome-graph/def#>\n"
_unique = itertools.count()


def get(port: int, path: str, source: str, timeout: float = 60) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("GET", path, headers={"Accept": "*/*"})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()  # header names: any case (granian sends lowercase)
    finally:
        conn.close()


def others() -> dict[str, callable]:
    return {
        "fresh cheap query": lambda: (
            "/sparql?"
            + urllib.parse.urlencode({"query": PREFIX + f"ASK {{ ?s a og:Report }} # {next(_unique)}"})
        ),
        "saved query": lambda: "/queries/risks?format=json",
        "id page": lambda: "/id/midlothian/indicator/CSPC.P.1.2a",
        "static file": lambda: "/static/outcome-graph/style.css",
        "openapi": lambda: "/openapi.json",
    }


def measure(port: int, samples: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = collections.defaultdict(list)
    for _ in range(samples):
        for label, path in others().items():
            started = time.perf_counter()
            status, _, body = get(port, path(), "127.0.0.2")
            times[label].append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"{label}: {status} {body[:200]!r}")
    return times


def report(title: str, times: dict[str, list[float]]) -> None:
    print(title)
    for label, values in times.items():
        print(
            f"  {label:18} n={len(values):3}  p50 {statistics.median(values):7.1f} ms  "
            f"p95 {pct(values, 95):7.1f} ms  max {max(values):7.1f} ms"
        )


def runaway_client(port: int, n: int, stop, results) -> None:
    """n threads, each keeping one runaway query in flight until `stop`; puts what they were answered."""
    outcomes: list[tuple[int, str, float]] = []

    def loop() -> None:
        while not stop.is_set():
            path = "/sparql?" + urllib.parse.urlencode({"query": f"{RUNAWAY} # {time.time_ns()}"})
            started = time.monotonic()
            status, headers, body = get(port, path, "127.0.0.1")
            seconds = time.monotonic() - started
            reason = body.decode(errors="replace").split(":")[0].split(";")[0][:60]
            retry = "Retry-After" in headers
            outcomes.append((status, f"{reason}{'' if retry else ' (NO Retry-After)'}", seconds))
            if status in (429, 503):
                time.sleep(0.05)  # a client that retries at once, nearly

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put(outcomes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runaways", type=int, default=30)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()

    import subprocess

    tmp = Path(tempfile.mkdtemp(prefix="og-admission-"))
    port = free_port()
    log = (tmp / "serve.log").open("wb")
    command = serve_command(tmp / "store", port) + ["--timeout", str(args.timeout)]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    class S:  # what wait_until_answering needs
        pass

    server = S()
    server.proc, server.port, server.log = proc, port, tmp / "serve.log"
    try:
        wait_until_answering(server)
        report("baseline, no runaway load (ms):", measure(port, args.samples))

        # The runaway client is a process of its own, so that its threads do not slow this one's timing.
        ctx = multiprocessing.get_context("fork")
        stop, results = ctx.Event(), ctx.Queue()
        load = ctx.Process(target=runaway_client, args=(port, args.runaways, stop, results))
        load.start()
        time.sleep(2.0)  # the admitted runaways are past their budget
        loaded = measure(port, args.samples)
        stop.set()
        outcomes = results.get(timeout=args.timeout + 30)
        load.join(timeout=10)
        report(f"with {args.runaways} runaway queries from one client in flight (ms):", loaded)
        print(
            "  target p95 < 1000 ms:",
            "met" if all(pct(v, 95) < 1000 for v in loaded.values()) else "NOT met",
        )
        print("what the runaway queries were answered:")
        grouped = collections.defaultdict(list)
        for status, reason, seconds in outcomes:
            grouped[(status, reason)].append(seconds)
        for (status, reason), seconds in sorted(grouped.items(), key=lambda kv: -len(kv[1])):
            print(
                f"  {len(seconds):5} x {status} {reason!r}: median {statistics.median(seconds):.2f} s, "
                f"max {max(seconds):.2f} s"
            )
        print("  answered 200 (ran to the end):", sum(1 for o in outcomes if o[0] == 200))
    finally:
        import os
        import signal

        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
