"""Fairness under attack, and an idle server that refuses no one (issue 8 part 3, issue 16 part 3).

    python benchmarks/admission.py [--attackers 1,8,40] [--samples 20] [--timeout 10]

Starts `outcome-graph serve` (its defaults, --timeout as given) with its own new --store directory on a
free 127.0.0.1 port (127.0.0.0/8 is all loopback on Linux: every address below is this machine).

- **idle**: eight keep-alive connections from one address (127.0.0.9) POST fresh small queries back to
  back, then GET them, with nobody else there. Target: 0 refused.
- **under attack**, for each count N in --attackers: N addresses (127.0.1.1 ...) each keep one runaway
  query in flight on /sparql (a 3-way cross-join COUNT, each text unique so nothing is cached) and loop
  /search (the project's own lane), sending again as soon as answered. Meanwhile a second client
  (127.0.0.2) asks in turn: a fresh cheap query (an ASK never sent before), a saved query
  (/queries/risks, JSON), an /id/ page (HTML), a static file and /openapi.json, --samples times each.
  Prints p50/p95/max per kind and how many of the second client's requests were refused, then a table.
Target: the second client's p95 under 1 s for each kind, and none of its requests refused.
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


def measure(port: int, samples: int) -> tuple[dict[str, list[float]], collections.Counter]:
    times: dict[str, list[float]] = collections.defaultdict(list)
    refused: collections.Counter = collections.Counter()
    for _ in range(samples):
        for label, path in others().items():
            started = time.perf_counter()
            status, _, body = get(port, path(), "127.0.0.2")
            times[label].append((time.perf_counter() - started) * 1000)
            if status != 200:
                refused[(label, status, body[:80].decode(errors="replace"))] += 1
    return times, refused


def idle(port: int, connections: int = 8, each: int = 25) -> collections.Counter:
    """Statuses of `connections` keep-alive clients from one address, each POSTing then GETting."""
    statuses: collections.Counter = collections.Counter()
    sparql_query = {"Content-Type": "application/sparql-query"}

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=("127.0.0.9", 0))
        try:
            for i in range(each):
                text = PREFIX + f"ASK {{ ?s a og:Report }} # idle {n} {i} {time.time_ns()}"
                conn.request("POST", "/sparql", body=text.encode(), headers=sparql_query)
                resp = conn.getresponse()
                resp.read()
                statuses[("POST", resp.status)] += 1
                conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": text + " get"}))
                resp = conn.getresponse()
                resp.read()
                statuses[("GET", resp.status)] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def report(title: str, times: dict[str, list[float]]) -> None:
    print(title)
    for label, values in times.items():
        print(
            f"  {label:18} n={len(values):3}  p50 {statistics.median(values):7.1f} ms  "
            f"p95 {pct(values, 95):7.1f} ms  max {max(values):7.1f} ms"
        )


def attack(port: int, addresses: int, stop, results) -> None:
    """Each address: one thread keeping a runaway query in flight, one looping /search."""
    outcomes: collections.Counter = collections.Counter()
    lock = threading.Lock()

    def loop(source: str, kind: str) -> None:
        while not stop.is_set():
            if kind == "runaway":
                path = "/sparql?" + urllib.parse.urlencode({"query": f"{RUNAWAY} # {time.time_ns()}"})
            else:
                path = "/search?" + urllib.parse.urlencode({"q": f"child {time.time_ns() % 97}"})
            try:
                status, _, _ = get(port, path, source)
            except OSError:
                status = 0
            with lock:
                outcomes[(kind, status)] += 1
            if status in (0, 429, 503):
                time.sleep(0.05)  # a client that retries at once, nearly

    threads = [
        threading.Thread(target=loop, args=(f"127.0.1.{i + 1}", kind), daemon=True)
        for i in range(addresses)
        for kind in ("runaway", "search")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put(outcomes)


def _row(n: int, label: str, values: list[float], refused: collections.Counter) -> tuple:
    return n, label, values, sum(c for k, c in refused.items() if k[0] == label)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attackers", default="1,8,40", help="numbers of attacking addresses, in turn")
    parser.add_argument("--samples", type=int, default=20)
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
    rows = []
    try:
        wait_until_answering(server)
        statuses = idle(port)
        refused_idle = sum(n for (_, status), n in statuses.items() if status != 200)
        print(
            f"idle: 8 keep-alive clients from one address, {sum(statuses.values())} requests: "
            f"{refused_idle} refused {dict(sorted(statuses.items()))}"
        )
        times, refused = measure(port, args.samples)
        report("second client alone (ms):", times)
        rows += [_row(0, label, v, refused) for label, v in times.items()]
        ctx = multiprocessing.get_context("fork")
        for n in (int(x) for x in args.attackers.split(",")):
            stop, results = ctx.Event(), ctx.Queue()
            load = ctx.Process(target=attack, args=(port, n, stop, results))
            load.start()
            time.sleep(2.0)  # the admitted runaways are past their budget
            times, refused = measure(port, args.samples)
            stop.set()
            outcomes = results.get(timeout=args.timeout + 60)
            load.join(timeout=10)
            report(f"second client while {n} addresses attack (ms):", times)
            for key, count in sorted(refused.items()):
                print(f"  refused: {count} x {key}")
            print(f"  the attackers were answered: {dict(sorted(outcomes.items()))}")
            rows += [_row(n, label, v, refused) for label, v in times.items()]
            time.sleep(args.timeout / 2 + 1)  # the attackers' penalties and last runaways run out
        print()
        print("| attacking addresses | second client's request | p50 ms | p95 ms | max ms | refused |")
        print("|---:|---|---:|---:|---:|---:|")
        for n, label, values, refused_n in rows:
            print(
                f"| {n} | {label} | {statistics.median(values):.1f} | {pct(values, 95):.1f} | "
                f"{max(values):.1f} | {refused_n} |"
            )
        worst = max(pct(v, 95) for n, _, v, _ in rows if n)
        attacked_refused = sum(r for n, *_, r in rows if n)
        print(
            f"target: p95 < 1000 ms under attack: {'met' if worst < 1000 else 'NOT met'} "
            f"(worst {worst:.0f} ms); second client refused under attack: {attacked_refused}; "
            f"idle refused: {refused_idle}"
        )
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
