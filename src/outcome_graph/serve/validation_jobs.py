"""The reports a validation page found not validated yet, validated in the background (serve/validation.py).

A council of 47 reports none of whose results are kept would cost a pySHACL run per request if each
request validated one (2.3-2.7 s a request at 10 M triples), or minutes if one request validated them all.
Instead the page answers at once with what is known and hands the rest to one background thread per store
and council, which validates them one report at a time (each through the same single-flight load a request
would use, so an audit asking for one of them meanwhile waits for that run instead of starting its own).
A report asked for while the job runs is added to its queue; a report that failed is left for the next
request to queue again (its failure is remembered by the load's Flight for its Retry-After).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


@dataclass
class Job:
    """One store+council's queue of reports to validate, and how far it is."""

    todo: list[Hashable] = field(default_factory=list)
    queued: set[Hashable] = field(default_factory=set)
    done: int = 0
    failed: list[tuple[Hashable, str]] = field(default_factory=list)
    running: bool = False


_JOBS: dict[Hashable, Job] = {}
_LOCK = threading.Lock()


def queue(key: Hashable, items: list[Hashable], work: Callable[[Hashable], object]) -> Job:
    """`items` validated in the background by the job of `key` (started when none runs), in order, one at
    a time, each by `work(item)`; items already queued are not queued twice."""
    with _LOCK:
        job = _JOBS.setdefault(key, Job())
        for item in items:
            if item not in job.queued:
                job.queued.add(item)
                job.todo.append(item)
        if job.running or not job.todo:
            return job
        job.running = True
        job.failed = []
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
        except Exception as e:  # noqa: BLE001 - reported on the page; the next request queues it again
            with _LOCK:
                job.failed.append((item, str(e)))
        with _LOCK:
            job.todo.pop(0)
            job.queued.discard(item)
            job.done += 1


def forget() -> None:
    """What this process knows of jobs (tests: a new server). A running job's thread finishes its queue."""
    with _LOCK:
        _JOBS.clear()
