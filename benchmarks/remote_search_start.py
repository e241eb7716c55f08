"""`serve --endpoint` start to the first answered search, with no search index kept and then with the one
the first start kept (query_layer/remote_index.py), as a user meets it.

    nice python benchmarks/remote_search_start.py --endpoint URL [--cache DIR] [--q WORDS]

Each round launches `outcome-graph serve --endpoint URL --index-cache DIR --port <free>` and times, from
the launch: the first 200 on /queries (the server answers), the first answer to /search (503 with
Retry-After while the index is being built, never a hang), the first 200 on /search, and, while the
index is being built, two other pages asked again and again (a council's indicator history, its
comparison page: their latency shows the build does not hold them up), and the peak resident memory of
all the serve's processes (sampled from /proc every 0.25 s). The first round starts with no index for
the endpoint in DIR; the second finds the one the first kept.
Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

# pages asked again and again while the index is built (a saved query and a record page of Midlothian)
OTHERS = (
    "/queries/indicator-history?code=CHN9&council=ogr:midlothian&format=json",
    "/compare?code=CHN9&council=midlothian",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 120):
    """(status, headers, body); the headers as sent, looked up without regard to case (granian writes
    them in lower case)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def session_rss(session: int) -> int:
    """Bytes resident in all processes of a session (serve and any worker it starts), from /proc."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) != session:  # the fields after the name: state, ppid, pgrp, session
                continue
            for line in (stat.parent / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile
    return total


def sample_rss(session: int, peak: list[int], done: threading.Event) -> None:
    while not done.wait(0.25):
        peak[0] = max(peak[0], session_rss(session))


def one_start(endpoint: str, cache: Path, q: str, log: Path) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    exe = Path(sys.executable).with_name("outcome-graph")
    command = [str(exe), "serve", "--endpoint", endpoint, "--port", str(port), "--index-cache", str(cache)]
    started = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    row: dict = {"503s": 0, "others": []}
    peak, done = [0], threading.Event()
    threading.Thread(target=sample_rss, args=(proc.pid, peak, done), daemon=True).start()
    try:
        while True:
            try:
                if get(f"{base}/queries", timeout=30)[0] == 200:
                    row["answers"] = time.perf_counter() - started
                    break
            except OSError:
                pass
            if proc.poll() is not None:
                raise SystemExit(f"serve exited: {log.read_text()}")
            time.sleep(0.05)
        while True:
            t = time.perf_counter()
            status, headers, body = get(f"{base}/search?q={q.replace(' ', '+')}")
            took = time.perf_counter() - t
            row.setdefault("first search", (time.perf_counter() - started, status, took))
            if status == 200:
                row["search 200"] = time.perf_counter() - started
                break
            row["503s"] += 1 if status == 503 else 0
            row["other statuses"] = row.get("other statuses", []) + ([status] if status != 503 else [])
            if status == 503:
                row.setdefault("retry", (headers.get("Retry-After"), body.decode()[:200].strip()))
                row["slowest 503"] = max(row.get("slowest 503", 0.0), took)
            for page in OTHERS:  # other pages, all through the build: never held up by it
                t = time.perf_counter()
                other = get(base + page)[0]
                row["others"].append((other, time.perf_counter() - t))
            time.sleep(0.5)
    finally:
        row["peak rss"] = max(peak[0], session_rss(proc.pid))
        done.set()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--cache", type=Path, help="index cache directory (default: a new temporary one)")
    parser.add_argument("--q", default="corporate parenting")
    args = parser.parse_args()
    cache = args.cache or Path(tempfile.mkdtemp(prefix="remote-search-start-"))
    os.environ["OUTCOME_GRAPH_INDEX_CACHE"] = str(cache)
    from outcome_graph.query_layer.remote_cache import index_file
    from outcome_graph.store.remote import RemoteStore

    store = RemoteStore(args.endpoint)
    index_file(store.endpoint, store.graph).unlink(missing_ok=True)
    print(f"endpoint {args.endpoint}; index cache {cache}")
    print()
    print(
        "| start | /queries 200 (s) | first /search (s from start; status; its own time) | "
        "/search 200 (s) | 503s seen | Retry-After; message | other pages during the build | "
        "peak RSS, all serve's processes |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in ("first (no index kept)", "second (the index the first kept)"):
        row = one_start(args.endpoint, cache, args.q, cache / f"serve-{name.split()[0]}.log")
        at, status, took = row["first search"]
        retry = row.get("retry", ("", ""))
        others = sorted(s for _, s in row["others"])
        statuses = sorted({c for c, _ in row["others"]})
        other_text = (
            f"{len(others)} asked, statuses {statuses}, median {others[len(others) // 2]:.2f} s, "
            f"slowest {others[-1]:.2f} s"
            if others
            else "—"
        )
        print(
            f"| {name} | {row['answers']:.1f} | {at:.1f}; {status}; {took:.2f} | {row['search 200']:.1f} | "
            f"{row['503s']} (slowest {row.get('slowest 503', 0):.2f} s; "
            f"others {row.get('other statuses', [])}) | {retry[0]}; {retry[1]} | "
            f"{other_text} | {row['peak rss'] / 1024**2:.0f} MB |"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
