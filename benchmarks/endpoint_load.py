"""20 concurrent clients against the served two-report graph, on loopback: throughput, latency, errors.

    python benchmarks/endpoint_load.py [--clients 20] [--duration 60]

Starts `outcome-graph serve` (its defaults: 8 request threads, 2 query workers) on a free 127.0.0.1
port with its own new --store directory. Each client thread keeps one HTTP/1.1 connection and cycles,
from its own starting point, through a mix of every saved query (GET /queries/<name>, default
parameters, JSON) and ad-hoc SPARQL (GET and POST /sparql, JSON, CSV and Turtle results) until the
duration is up; the loop is also bounded by --max-requests per client, and the run stops by itself.
An error is any answer other than 200 with a non-empty body of the asked-for type, or a failed or
timed-out request. Baseline in the same run: one client alone for --baseline seconds on the same mix.
Target (issue 4): zero errors; requests/s and p99 reported.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from endpoint_latency import EXAMPLES, pct, start_server, wait_until_answering  # noqa: E402

from outcome_graph.saved_queries import load_queries  # noqa: E402

PREFIX = "PREFIX og: <https://w3id.org/outcome-graph/def#>\n"
ADHOC = [
    ("SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)", "json"),
    (
        PREFIX + "SELECT ?o ?period ?value WHERE { ?o og:indicator ?i ; og:period ?period . "
        "OPTIONAL { ?o og:value ?value } ?i og:code 'CHN8a' }",
        "csv",
    ),
    (PREFIX + "ASK { ?a a og:Action ; og:status ?s }", "json"),
    (
        PREFIX + "SELECT ?e ?first ?text WHERE { ?e a og:Excerpt ; og:firstLine ?first ; og:text ?text . "
        "FILTER(CONTAINS(LCASE(?text), 'promise')) } LIMIT 20",
        "json",
    ),
    (PREFIX + "CONSTRUCT { ?r ?p ?o } WHERE { ?r a og:Risk ; ?p ?o }", "turtle"),
]
ACCEPT = {
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "turtle": "text/turtle",
}


def requests_mix() -> list[tuple[str, str, str, bytes | None, str]]:
    """(label, method, path, body, expected media type prefix)."""
    mix = []
    for name in sorted(load_queries()):
        query = urllib.parse.urlencode({**EXAMPLES.get(name, {}), "format": "json"})
        mix.append((f"saved:{name}", "GET", f"/queries/{name}?{query}", None, "application/"))
    for i, (text, fmt) in enumerate(ADHOC):
        if i % 2:
            mix.append((f"sparql-post:{i}", "POST", "/sparql", text.encode(), ACCEPT[fmt]))
        else:
            path = "/sparql?" + urllib.parse.urlencode({"query": text})
            mix.append((f"sparql-get:{i}", "GET", path, None, ACCEPT[fmt]))
    return mix


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.by_kind: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter[str] = collections.Counter()

    def ok(self, label: str, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.by_kind[label.split(":")[0]].append(seconds)

    def error(self, label: str, what: str) -> None:
        with self.lock:
            self.errors[f"{label}: {what}"] += 1


def client(port: int, mix, start: int, deadline: float, max_requests: int, tally: Tally) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    i = start
    done = 0
    while time.monotonic() < deadline and done < max_requests:
        label, method, path, body, media = mix[i % len(mix)]
        i += 1
        done += 1
        headers = {"Accept": media if media != "application/" else "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/sparql-query"
        began = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            elapsed = time.perf_counter() - began
        except (OSError, http.client.HTTPException) as e:
            tally.error(label, type(e).__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        kind = resp.getheader("Content-Type", "")
        if resp.status != 200:
            tally.error(label, f"HTTP {resp.status}")
        elif not data or not kind.startswith(media):
            tally.error(label, f"empty body or type {kind!r}")
        else:
            tally.ok(label, elapsed)
    conn.close()


def run_load(port: int, mix, clients: int, duration: float, max_requests: int) -> tuple[Tally, float]:
    tally = Tally()
    deadline = time.monotonic() + duration
    threads = [
        threading.Thread(target=client, args=(port, mix, k * 7, deadline, max_requests, tally), daemon=True)
        for k in range(clients)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + 60)
    return tally, time.monotonic() - started


def report(name: str, tally: Tally, seconds: float) -> None:
    n = len(tally.latencies)
    errors = sum(tally.errors.values())
    if not n:
        print(f"{name}: no successful request; errors {errors}")
        return
    print(
        f"{name}: {n} ok in {seconds:.1f} s = {n / seconds:.1f} requests/s; latency p50 "
        f"{statistics.median(tally.latencies) * 1000:.1f} ms, p99 {pct(tally.latencies, 99) * 1000:.1f} ms, "
        f"max {max(tally.latencies) * 1000:.1f} ms; errors {errors}"
    )
    for kind, values in sorted(tally.by_kind.items()):
        print(
            f"    {kind:12} {len(values):6d} requests, p50 {statistics.median(values) * 1000:6.1f} ms, "
            f"p99 {pct(values, 99) * 1000:7.1f} ms"
        )
    for what, count in tally.errors.most_common(10):
        print(f"    error x{count}: {what}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--baseline", type=float, default=10.0, help="seconds of the one-client baseline")
    parser.add_argument("--max-requests", type=int, default=100_000, help="bound per client")
    args = parser.parse_args()
    mix = requests_mix()
    with tempfile.TemporaryDirectory(prefix="og-load-") as tmp:
        server = start_server(Path(tmp) / "store")
        try:
            wait_until_answering(server)
            print(f"mix: {len(mix)} requests ({sum(m[0].startswith('saved') for m in mix)} saved queries)")
            base, base_s = run_load(server.port, mix, 1, args.baseline, args.max_requests)
            report("baseline, 1 client", base, base_s)
            tally, seconds = run_load(server.port, mix, args.clients, args.duration, args.max_requests)
            report(f"{args.clients} concurrent clients", tally, seconds)
            alive = server.proc.poll() is None
        finally:
            server.stop()
    errors = sum(tally.errors.values())
    if base.latencies and tally.latencies:
        print(
            f"ratios: throughput {len(tally.latencies) / seconds / (len(base.latencies) / base_s):.2f}x one "
            f"client; p50 {statistics.median(tally.latencies) / statistics.median(base.latencies):.1f}x "
            f"one client's p50; p99 {pct(tally.latencies, 99) / pct(base.latencies, 99):.1f}x"
        )
    print(f"server still running at the end: {'yes' if alive else 'NO'}")
    print(f"target: zero errors -> {'met' if errors == 0 and alive else f'NOT met ({errors} errors)'}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
