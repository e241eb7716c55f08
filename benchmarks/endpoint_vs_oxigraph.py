"""/sparql against `oxigraph serve-read-only` on the same graph, side by side in one run (issue 8 part 6).

    python benchmarks/endpoint_vs_oxigraph.py [--requests 200] [--settle 200] [--clients 8] [--duration 10]

Builds the two-report graph, starts `outcome-graph serve` (its defaults) with its own new --store
directory, and the Oxigraph server (`oxigraph serve-read-only`, PyPI package `oxigraph`) on a copy of
the same graph loaded with `oxigraph load`, both on free 127.0.0.1 ports. Five analyst queries are
then sent to both by GET with Accept: application/sparql-results+json over one keep-alive connection
each, taking turns request by request, after --settle untimed requests to both:

  warm   the same text repeated (what a dashboard, a saved link or a re-run does);
  cold   a text neither server has seen before (a unique comment appended to each request), so our
         result cache misses and the query runs in a worker (what a first ad-hoc query costs).

Both servers must give the same number of rows for each query. For scale, the floor of the HTTP server
we run on (granian) and of the one we ran on before (waitress): each with a WSGI app that returns a
fixed 60-byte body, timed the same way (p50 of one keep-alive client, and throughput). Throughput:
--clients processes, each with one keep-alive connection, cycle through the five queries for
--duration seconds (warm, then cold). Prints p50/p95 per query and way for both servers, throughput,
and the ratios ours/theirs (latency: lower is better for us; throughput: higher is better).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from endpoint_latency import free_port, start_server, wait_until_answering  # noqa: E402

P = "PREFIX og: <https://w3id.org/outcome-graph/def#>\n"
RECORD = "https://w3id.org/outcome-graph/id/midlothian/report/2020-2021/action/CSPC.P.2.1"
QUERIES = {
    "lookup by code": P
    + 'SELECT ?i ?title WHERE { ?i og:code "CSPC.P.1.2a" . OPTIONAL { ?i og:title ?title } }',
    "count by report": P + "SELECT ?report (COUNT(?r) AS ?n) WHERE { ?r og:report ?report } "
    "GROUP BY ?report ORDER BY ?report",
    "off-target list": P
    + "SELECT ?o ?i ?period ?value WHERE { ?o og:status og:OffTarget ; og:indicator ?i ; "
    "og:period ?period . OPTIONAL { ?o og:value ?value } } ORDER BY ?i ?period",
    "note text search": P + "SELECT ?o ?note WHERE { ?o og:note ?note "
    'FILTER(CONTAINS(LCASE(?note), "covid")) } ORDER BY ?o',
    "a record's evidence": P + f"SELECT ?e ?first ?last ?text WHERE {{ <{RECORD}> og:evidence ?e . "
    "?e og:firstLine ?first ; og:lastLine ?last ; og:text ?text }",
}
ACCEPT = {"Accept": "application/sparql-results+json"}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Client:
    """One keep-alive HTTP/1.1 connection to a server's query path."""

    def __init__(self, port: int, path: str, source: str = "127.0.0.1"):
        self.port, self.path = port, path
        # Each load client comes from its own loopback address (127.0.0.0/8 is all loopback on Linux):
        # eight users, not one user with eight connections, which admission control would hold to 2.
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))

    def get(self, query: str) -> tuple[int, bytes]:
        self.conn.request("GET", self.path + "?" + urllib.parse.urlencode({"query": query}), headers=ACCEPT)
        resp = self.conn.getresponse()
        return resp.status, resp.read()


def rows(body: bytes) -> int:
    return len(json.loads(body)["results"]["bindings"])


_counter = itertools.count()


def text(query: str, cold: bool) -> str:
    return f"{query}\n# {time.time_ns()}-{next(_counter)}" if cold else query


def timed(client: Client, query: str, n: int, cold: bool) -> list[float]:
    return interleaved({"one": client}, query, n, cold)["one"]


def interleaved(clients: dict[str, Client], query: str, n: int, cold: bool) -> dict[str, list[float]]:
    """n timed requests to each client, taking turns, so that both servers meet the same moments of
    the machine's load (other processes come and go during a run)."""
    out: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(n):
        for name, client in clients.items():
            q = text(query, cold)
            started = time.perf_counter()
            status, body = client.get(q)
            out[name].append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"{client.path} answered {status}: {body[:300]!r}")
    return out


def _load_worker(args: tuple[int, str, float, bool, int]) -> tuple[int, int]:
    port, path, duration, cold, offset = args
    client = Client(port, path, f"127.0.0.{10 + offset}")
    queries = list(QUERIES.values())
    ok = errors = 0
    end = time.monotonic() + duration
    i = offset
    while time.monotonic() < end:
        status, _ = client.get(text(queries[i % len(queries)], cold))
        i += 1
        if status == 200:
            ok += 1
        else:
            errors += 1
    return ok, errors


def throughput(port: int, path: str, clients: int, duration: float, cold: bool) -> tuple[float, int]:
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        started = time.monotonic()
        results = pool.map(_load_worker, [(port, path, duration, cold, i) for i in range(clients)])
        elapsed = time.monotonic() - started
    ok = sum(r[0] for r in results)
    return ok / elapsed, sum(r[1] for r in results)


def start_oxigraph(nt: Path, where: Path) -> tuple[subprocess.Popen, int]:
    exe = Path(sys.executable).parent / "oxigraph"
    subprocess.run(
        [str(exe), "load", "--location", str(where), "--file", str(nt)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port = free_port()
    proc = subprocess.Popen(
        [str(exe), "serve-read-only", "--location", str(where), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _ = Client(port, "/query").get("ASK {}")
            if status == 200:
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the oxigraph server did not start")


FLOOR_APP = """
def app(environ, start_response):
    body = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"1"}}]}}'
    start_response("200 OK", [("Content-Type", "application/sparql-results+json"),
                              ("Content-Length", str(len(body)))])
    return [body]
"""
# The same fixed-body app on each HTTP server: what the server costs before any work of ours.
FLOORS = {
    "granian (ours)": [
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--blocking-threads",
        "32",
        "--host",
        "127.0.0.1",
        "--no-log",
        "--port",
        "{port}",
        "floor_app:app",
    ],
    "waitress (before)": [
        "-c",
        "import sys, waitress, floor_app; waitress.serve(floor_app.app, "
        "host='127.0.0.1', port=int(sys.argv[1]), threads=32, _quiet=True)",
        "{port}",
    ],
}


def start_floor(tmp: Path, argv: list[str]) -> tuple[subprocess.Popen, int]:
    (tmp / "floor_app.py").write_text(FLOOR_APP)
    port = free_port()
    argv = [a.replace("{port}", str(port)) for a in argv]
    proc = subprocess.Popen([sys.executable, *argv], cwd=tmp, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if Client(port, "/floor").get("ASK {}")[0] == 200:
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the floor server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per query and way")
    parser.add_argument("--settle", type=int, default=200, help="untimed requests per query and way first")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each throughput run")
    args = parser.parse_args()

    from outcome_graph.build import build_graph, to_ntriples

    tmp = Path(tempfile.mkdtemp(prefix="og-vs-ox-"))
    nt = tmp / "graph.nt"
    nt.write_bytes(to_ntriples(build_graph()))
    ox_proc, ox_port = start_oxigraph(nt, tmp / "oxigraph")
    ours = start_server(tmp / "store")
    try:
        wait_until_answering(ours)
        servers = {"ours": Client(ours.port, "/sparql"), "oxigraph": Client(ox_port, "/query")}
        for label, query in QUERIES.items():  # same rows from both, and a first (cache-filling) run
            counts = {name: rows(c.get(query)[1]) for name, c in servers.items()}
            if len(set(counts.values())) != 1:
                raise RuntimeError(f"{label}: the servers disagree on the row count: {counts}")
        print(f"two-report graph; {args.requests} requests per query and way; times in ms")
        print(
            f"{'query':22} {'way':5} {'rows':>4} {'ours p50':>9} {'p95':>7} {'ox p50':>8} {'p95':>7} "
            f"{'ratio p50':>9}"
        )
        ratios: dict[str, list[float]] = {"warm": [], "cold": []}
        for label, query in QUERIES.items():
            n_rows = rows(servers["ours"].get(query)[1])
            for way in ("warm", "cold"):
                # settle: both servers warm (threads started, caches filled, CPUs awake) before timing
                interleaved(servers, query, args.settle, way == "cold")
                times = interleaved(servers, query, args.requests, way == "cold")
                ours_p50, ox_p50 = statistics.median(times["ours"]), statistics.median(times["oxigraph"])
                ratios[way].append(ours_p50 / ox_p50)
                print(
                    f"{label:22} {way:5} {n_rows:>4} {ours_p50:9.2f} {pct(times['ours'], 0.95):7.2f} "
                    f"{ox_p50:8.2f} {pct(times['oxigraph'], 0.95):7.2f} {ours_p50 / ox_p50:8.2f}x"
                )
        for way, values in ratios.items():
            geo = statistics.geometric_mean(values)
            print(
                f"{way}: p50 ratio ours/oxigraph min {min(values):.2f}x max {max(values):.2f}x "
                f"geomean {geo:.2f}x"
            )
        for way in ("warm", "cold"):
            ours_rps, ours_err = throughput(ours.port, "/sparql", args.clients, args.duration, way == "cold")
            ox_rps, ox_err = throughput(ox_port, "/query", args.clients, args.duration, way == "cold")
            print(
                f"throughput {way}, {args.clients} keep-alive clients, {args.duration:g} s: "
                f"ours {ours_rps:.0f} req/s ({ours_err} errors), "
                f"oxigraph {ox_rps:.0f} req/s ({ox_err} errors): "
                f"{ours_rps / ox_rps:.2f}x"
            )
        for name, argv in FLOORS.items():
            floor_proc, floor_port = start_floor(tmp, argv)
            try:
                floor = Client(floor_port, "/floor")
                timed(floor, "ASK {}", 10, False)
                floor_p50 = statistics.median(timed(floor, "ASK {}", args.requests, False))
                floor_rps, _ = throughput(floor_port, "/floor", args.clients, args.duration, False)
            finally:
                floor_proc.terminate()
            print(
                f"floor, {name}, fixed body, no app work: p50 {floor_p50:.2f} ms, "
                f"{floor_rps:.0f} req/s with {args.clients} clients"
            )
    finally:
        ours.stop()
        ox_proc.terminate()
        ox_proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
