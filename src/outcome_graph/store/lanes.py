"""Which lane a query runs in, carried from the web request that asked for it down to the worker pool.

The server decides per request whether its queries are user-written (the `adhoc` lane: /sparql and
the query page) or the project's own (the `reserved` lane: saved queries, /id/ pages, trace, audit),
and sets `LANE` for the request. The embedded store picks its worker pool from it, and a user-written
query that runs past `budget` seconds asks `promote()` for one of the few long-running slots; if
`promote` raises (`Busy`), the query is stopped there. Code that sets no lane (the CLI, scripts) runs
in the store's main pool with no budget, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from ..errors import OutcomeGraphError

ADHOC = "adhoc"
RESERVED = "reserved"


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


def current_lane() -> Lane | None:
    return LANE.get()
