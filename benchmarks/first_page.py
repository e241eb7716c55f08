"""The first page asked right after `outcome-graph serve` starts (issue 17): how long until the server
answers, then how long the first page takes when asked at once (while the start's warm-up runs in the
background) and when asked after a pause (the warm-up done). Each start is a fresh server process.

    nice python benchmarks/first_page.py --store DIR [--starts 3] [--pause 8]

Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).parent))
from endpoint_latency import start_server, wait_until_answering  # noqa: E402 - a sibling script

OGR = "https://w3id.org/outcome-graph/id/"
PAGES = {
    "action trace": f"/trace?node={quote(OGR + 'midlothian/report/2020-2021/action/CSPC.P.2.1')}"
    "&council=midlothian&format=json",
    "trace by code": "/trace/CSPC.P.2.1?council=midlothian&report=2020-2021&format=json",
    "validation of a council": "/validation?council=midlothian&format=json",
}


def get(port: int, path: str, timeout: float = 120.0) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.monotonic()
    try:
        conn.request("GET", path, headers={"Accept": "application/json"})
        resp = conn.getresponse()
        resp.read()
        return resp.status, time.monotonic() - started
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--pause", type=float, default=8.0, help="seconds before the 'after a pause' page")
    parser.add_argument("--page", action="append", choices=sorted(PAGES), help="only these pages")
    args = parser.parse_args()
    rows = []
    for name, path in PAGES.items():
        if args.page and name not in args.page:
            continue
        for when in ("at once", f"after {args.pause:g} s"):
            starts, firsts, statuses = [], [], set()
            for _ in range(args.starts):
                server = start_server(args.store)
                try:
                    starts.append(wait_until_answering(server))
                    if when != "at once":
                        time.sleep(args.pause)
                    status, seconds = get(server.port, path)
                    statuses.add(status)
                    firsts.append(seconds)
                finally:
                    server.stop()
            rows.append((name, when, statuses, starts, firsts))
    print("| page | asked | status | serve answering (s) | first page (s), each start | median |")
    print("|---|---|---|---|---|---|")
    for name, when, statuses, starts, firsts in rows:
        print(
            f"| {name} | {when} | {', '.join(map(str, sorted(statuses)))} | "
            f"{', '.join(f'{s:.2f}' for s in starts)} | {', '.join(f'{s:.2f}' for s in firsts)} | "
            f"{statistics.median(firsts):.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
