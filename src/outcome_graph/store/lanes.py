"""Which lane a query runs in, carried from the web request that asked for it down to the worker pool.

The server decides per request whether its queries are user-written (the `adhoc` lane: /sparql and
the query page) or the project's own (the `reserved` lane: saved queries, /id/ pages, trace, audit),
and sets `LANE` for the request. The embedded store picks its worker pool from it, and a user-written
query still running after `budget` seconds (and having used a share of them on a CPU: see
store.overrun.overran) asks `promote()` for one of the few
long-running slots; if `promote` raises (`Busy`), the query is stopped there. Code that sets no lane
(the CLI, scripts) runs in the store's main pool with no budget, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from ..errors import OutcomeGraphError

ADHOC = "adhoc"
RESERVED = "reserved"
EXPRESS = 1  # workers beyond the users' that only light clients' queries take (serve.fairness)


class Busy(OutcomeGraphError):
    """Refused or stopped by admission control: `status` 429 (this client) or 503 (the server)."""

    def __init__(self, message: str, status: int = 503, retry_after: int = 5):
        super().__init__(message)
        self.message, self.status, self.retry_after = message, status, retry_after


@dataclass(frozen=True)
class Lane:
    name: str  # ADHOC or RESERVED
    client: str = ""  # who asked (the remote address): per-client limits count by it
    budget: float | None = None  # seconds before a query counts as long-running
    # called once a query overruns `budget`: returns a release function, or raises Busy
    promote: Callable[[], Callable[[], None]] | None = None


LANE: ContextVar[Lane | None] = ContextVar("outcome_graph_lane", default=None)
# Worker seconds spent for the request holding an admission slot (serve.admission sets a one-item list
# around the slot): the CPU seconds its worker reported for each query answered, and the wall seconds
# a query held its worker for when it was stopped. Admission counts this, not the slot's wall time,
# as the client's use of the lane: on a loaded machine a cheap query can wait for a CPU for a second,
# and that says nothing about its sender.
WORKER_SECONDS: ContextVar[list[float] | None] = ContextVar("outcome_graph_worker_seconds", default=None)


# How much lower than the server's the CPU priority of the current request's queries is to be (a nice
# increment: 0 to 19), and whether its client is light. serve.admission sets both per request from the
# client's recent use of the lane (serve.fairness.FairSlots.nice, .light): the queries of a client
# whose queries were stopped lately yield the CPU to everyone else's, and only a light client's queries
# run on the express workers (store.workers.WorkerPool).
NICE: ContextVar[int] = ContextVar("outcome_graph_nice", default=0)
LIGHT: ContextVar[bool] = ContextVar("outcome_graph_light", default=False)


def charge(seconds: float) -> None:
    """Count `seconds` of a worker's time against the request holding a slot (if one does)."""
    spent = WORKER_SECONDS.get()
    if spent is not None:
        spent[0] += seconds


def current_lane() -> Lane | None:
    return LANE.get()
