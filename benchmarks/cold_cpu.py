"""Where a first-seen query's CPU goes: the server process against its query workers (issue 16 part 5).

    python benchmarks/cold_cpu.py [--clients 8] [--duration 5]

Starts `outcome-graph serve` (its defaults) on a new store, then runs the load of
endpoint_vs_oxigraph.py (--clients keep-alive clients, each from its own loopback address, cycling its
five analyst queries) twice: **cold** (a text never seen before each time: checked, handed to a worker,
run) and **warm** (the same texts: answered from the result cache). For each, the CPU time (user +
system, from /proc) that the serving process and each of its worker processes used, per request. The
serving process is one interpreter shared by every request: its CPU per request bounds throughput.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from endpoint_latency import start_server, wait_until_answering  # noqa: E402
from endpoint_vs_oxigraph import throughput  # noqa: E402


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out += [int(entry), *_children(int(entry))]
    return sorted(out)


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _name(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline") as f:
        argv = f.read().split("\0")
    return "query worker" if "outcome_graph.store.query_worker" in argv else "server"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="og-cold-cpu-") as tmp:
        server = start_server(Path(tmp) / "store")
        try:
            wait_until_answering(server)
            procs = [server.proc.pid, *_children(server.proc.pid)]
            for way in ("cold", "warm"):
                before = {p: _cpu(p) for p in procs}
                rate, errors = throughput(server.port, "/sparql", args.clients, args.duration, way == "cold")
                after = {p: _cpu(p) for p in procs}
                n = rate * args.duration
                print(f"{way}: {rate:.0f} req/s, {errors} errors, {n:.0f} requests")
                for p in procs:
                    used = after[p] - before[p]
                    if used > 0.005:
                        per = 1000 * used / n
                        print(f"  {_name(p):13} pid {p:>7}: {used:5.2f} s CPU, {per:.3f} ms a request")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
