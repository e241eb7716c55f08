"""The reports a validation page found not validated yet, validated in the background (serve/validation.py).

A council of 47 reports none of whose results are kept would cost a pySHACL run per request if each
request validated one (2.3-2.7 s a request at 10 M triples), or minutes if one request validated them all.
Instead the page answers at once with what is known and hands the rest to one background thread per store
and council, which validates them one report at a time (each through the same single-flight load a request
would use, so an audit asking for one of them meanwhile waits for that run instead of starting its own).
A report asked for while the job runs is added to its queue; a report that failed is named on the page
with what went wrong and queued again by a request RETRY seconds later, not by every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

RETRY = 30.0  # seconds before a report whose validation failed is queued again


@dataclass
class Job:
    """One store+council's queue of reports to validate, and how far it is."""

    todo: list[Hashable] = field(default_factory=list)
    queued: set[Hashable] = field(default_factory=set)
    done: int = 0
    failed: dict[Hashable, tuple[str, float]] = field(default_factory=dict)  # item -> message, when
    running: bool = False


_JOBS: dict[Hashable, Job] = {}
_LOCK = threading.Lock()


def queue(key: Hashable, items: list[Hashable], work: Callable[[Hashable], object]) -> Job:
    """`items` validated in the background by the job of `key` (started when none runs), in order, one at
    a time, each by `work(item)`; items already queued are not queued twice."""
    with _LOCK:
        job = _JOBS.setdefault(key, Job())
        now = time.monotonic()
        for item in items:
            if item in job.failed and now - job.failed[item][1] < RETRY:
                continue
            if item not in job.queued:
                job.queued.add(item)
                job.todo.append(item)
        if job.running or not job.todo:
            return job
        job.running = True
    threading.Thread(target=_run, args=(job, work), name="validation", daemon=True).start()
    return job


def _run(job: Job, work: Callable[[Hashable], object]) -> None:
    while True:
        with _LOCK:
            if not job.todo:
                job.running = False
                return
            item = job.todo[0]
        try:
            work(item)
        except Exception as e:  # noqa: BLE001 - named on the page; queued again after RETRY seconds
            with _LOCK:
                job.failed[item] = (str(e), time.monotonic())
        else:
            with _LOCK:
                job.failed.pop(item, None)
        with _LOCK:
            job.todo.pop(0)
            job.queued.discard(item)
            job.done += 1


def forget() -> None:
    """What this process knows of jobs (tests: a new server). A running job's thread finishes its queue."""
    with _LOCK:
        _JOBS.clear()
