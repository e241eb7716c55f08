"""When a query past its budget counts as a runaway: the clock and the worker's own CPU counter."""

from __future__ import annotations

import os
import time

from .handles import Worker

__all__ = ["CPU_SHARE", "cpu_seconds", "overran"]

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int, thread: int) -> float | None:
    """The CPU seconds (user and system) thread `thread` of process `pid` has used, from /proc; None
    where unreadable."""
    if not thread:
        return None
    try:
        with open(f"/proc/{pid}/task/{thread}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()  # after the command name, which may hold spaces
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return None


# A query past its budget on the clock is stopped as a runaway only once it has also used this share of
# the budget on a CPU: a runaway gets some CPU even on a loaded machine, a cheap query waiting for one
# has used next to none (0.2-10 ms). The cost: at a load average of 12 on two cores a runaway gets a
# sixth of a core and holds its worker 1.5-2 s, and a fresh query waiting behind forty attackers'
# runaways waits that long (benchmarks/admission.py: p50 1.5-2.1 s, none refused). A twentieth (50 ms)
# was tried: p50 29 ms, but one of the visitor's cheap queries was stopped at its budget and the
# pause that followed refused 18 more (BENCHMARKS.md, "Fair by worker seconds"); not kept.
CPU_SHARE = 0.25


def overran(worker: Worker, budget: float, deadline: float) -> bool:
    """True once the worker's query has run `budget` seconds on the clock, and used `budget * CPU_SHARE`
    seconds of CPU (a quarter second of a 1 s budget), without answering.

    On a loaded machine a cheap query can wait a second for a CPU; stopping it then as a runaway (while
    others wait) refused an honest client's ASK (benchmarks/admission.py, 40 attackers). A budget of
    CPU time alone let runaways hold their workers twice as long on the clock when three share two
    loaded cores, and everyone waiting waited that long (the same benchmark, 8 attackers: a fresh
    query's p50 1 ms -> 2 s); so the clock still decides, unless the query has done almost no work.
    Where the CPU counter cannot be read the clock alone decides, as before. Past the deadline it
    answers False: the time limit stops the query.
    """
    wait, needed = budget, budget * CPU_SHARE
    while not worker.poll(wait):
        now = time.monotonic()
        if now >= deadline:
            return False
        used = cpu_seconds(worker.process.pid, worker.thread)
        if used is None or used - worker.cpu >= needed:
            return True
        wait = min(max(0.02, needed - (used - worker.cpu)), deadline - now)
    return False
