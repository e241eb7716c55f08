"""Admission control: how many queries run, who waits, who is refused, and how a cheap query gets by.

The policy (also in the README, "Admission control"):

- Routes that run no query (static files, /openapi.json, /queries, the service description once
  known) never touch the query workers, and the server has more request threads than queries and
  uploads can ever hold, so they are answered whatever the queries are doing.
- Two lanes of worker processes. User-written queries (/sparql, the query page and its downloads)
  run in the `adhoc` lane; the project's own queries (saved queries, /id/ pages, search, trace, audit,
  validation) run in the `reserved` lane, on workers of their own, so they never wait behind a user's
  query. A result-cache hit (serve.cache) runs nothing and is admitted without counting.
- Each lane's slots are shared by serve.fairness: work-conserving (a free slot is anyone's: an idle
  server refuses no one), fair under contention (a slot that comes free goes to the waiting client
  holding fewest; a lighter client takes the busiest one's waiting place when the lane is full), and
  bounded (workers + `queue` holding or waiting; nobody waits past `max_wait`). So one address looping
  /search cannot starve another's /id/ pages, and eight keep-alive connections from one address on an
  idle server all get answers.
- The query check of /sparql runs inside the sender's slot (`held`), so its cost counts against the
  sender's share, not everyone's.
- A user-written query that runs past `budget` seconds (having used a quarter of them on a CPU)
  becomes long-running only while no other
  client's query waits for the lane (work-conserving, but a long run never makes anyone else wait): at
  most `long_slots` (one fewer than the lane's workers, so one worker always takes short queries)
  and at most one per client run at once; a query that overruns when those are taken is stopped
  there (its worker is killed) with 503 or 429 and Retry-After. Every query is stopped at the time
  limit (503).
- A client whose query had to be stopped (at its budget or its time limit) is refused new uncached
  queries (429) for the Retry-After it was given, doubled for each further stop within
  `STRIKES_KEPT` seconds (up to 32 times): stopping a query costs a worker restart, and a client that
  fires runaway queries in a loop must not turn the pool into a restart loop. A client's first stop
  at the budget (others were waiting) of its only query in the lane is forgiven: on a loaded machine
  a cheap query can overrun its budget, and one such stop used to shut its client out for seconds
  (the second client of benchmarks/admission.py: 18 of 20 fresh queries refused after one).

Cheapness is never guessed by running anything in the server process: a query is cheap because it is
cached, because it is the project's own, or because it finished within its budget.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import Flask, Response, g, has_request_context, request

from ..store import QueryTimeout
from ..store.lanes import ADHOC, LANE, LIGHT, NICE, RESERVED, WORKER_SECONDS, Busy, Lane, current_lane
from .fairness import FairSlots

# Endpoints whose queries are written by the user: everything else that queries runs the project's own.
ADHOC_ENDPOINTS = frozenset({"sparql.sparql", "pages.index", "pages.download"})
STRIKES_KEPT = 120.0  # seconds after which a client's stopped queries no longer lengthen its pause
BUDGET_STOPS = frozenset({"contended", "client-long", "long"})  # stopped at the budget, not the limit
# The lane whose slot this request already holds (see Admission.held): its store calls take no other.
HELD: ContextVar[str | None] = ContextVar("outcome_graph_held", default=None)


@dataclass(frozen=True)
class Policy:
    adhoc_workers: int = 3  # worker processes for user-written queries
    express_workers: int = 0  # ... and more of them that only light clients take (serve.fairness)
    reserved_workers: int = 1  # worker processes for the project's own queries (0: they share)
    per_client_long: int = 1  # ... of which past their budget
    queue: int = 6  # user-written queries that may wait for a worker
    reserved_queue: int = 8  # project queries that may wait for a worker
    max_wait: float = 5.0  # seconds a query may wait for a worker
    budget: float = 1.0  # seconds before a user-written query counts as long-running
    timeout: float = 10.0  # the query time limit (for Retry-After)

    @property
    def long_slots(self) -> int:
        return max(1, self.adhoc_workers - 1)

    uploads: int = 32  # request bodies being received at once (serve.bodies)

    def threads(self) -> int:
        """Request threads so that queries (running or waiting) and uploads can never hold them all."""
        held = (
            self.adhoc_workers
            + self.express_workers
            + self.queue
            + max(1, self.reserved_workers)
            + self.reserved_queue
        )
        return max(16, held + self.uploads + 8)


class Admission:
    def __init__(self, policy: Policy):
        self.policy = policy
        self._lock = threading.Lock()
        retry = self._retry()
        self.lanes = {
            ADHOC: FairSlots(
                ADHOC,
                policy.adhoc_workers,
                policy.adhoc_workers + policy.express_workers + policy.queue,
                policy.max_wait,
                retry,
                express=policy.express_workers,
            ),
            RESERVED: FairSlots(
                RESERVED,
                max(1, policy.reserved_workers),
                max(1, policy.reserved_workers) + policy.reserved_queue,
                policy.max_wait,
                retry,
            ),
        }
        self._long_per_client: collections.Counter[str] = collections.Counter()
        self._long = 0
        self._penalty: dict[str, float] = {}  # client -> when it may send uncached queries again
        self._strikes: dict[str, tuple[int, float]] = {}  # client -> (queries stopped lately, when last)
        self._refused = collections.Counter()  # penalties and long-running refusals

    @property
    def refused(self) -> collections.Counter[str]:
        """Why requests were refused, all lanes together: observable in tests and logs."""
        total = collections.Counter(self._refused)
        for lane in self.lanes.values():
            total.update(lane.refused)
        return total

    def _retry(self) -> int:
        return max(1, math.ceil(self.policy.timeout / 2))

    def _refuse(self, why: str, message: str, status: int, retry_after: int) -> Busy:
        self._refused[why] += 1
        busy = Busy(message, status, retry_after)
        busy.at_budget = why in BUDGET_STOPS  # type: ignore[attr-defined]
        return busy

    def _check_penalty(self, client: str) -> None:
        """Busy(429) if `client` must wait because a query of theirs was stopped."""
        with self._lock:
            wait = self._penalty.get(client, 0.0) - time.monotonic()
        if wait > 0:
            self.lanes[ADHOC].knock(client)  # refused before asking for a slot: it still counts
            raise self._refuse(
                "penalty",
                "your last query had to be stopped (it ran too long); wait before sending another "
                "that is not already answered",
                429,
                max(1, math.ceil(wait)),
            )

    def precheck(self, lane: Lane) -> None:
        """Refuse a user-written request before any work is done on it (parsing included) when its
        client would be refused anyway."""
        if lane.name == ADHOC:
            self._check_penalty(lane.client)

    @contextmanager
    def slot(self, lane: Lane | None) -> Iterator[None]:
        """Hold a worker slot of `lane` (no lane: no admission) for the duration of one store call, or of
        a whole request's work (`held`); a store call inside a held slot takes no second one."""
        if lane is None or HELD.get() is not None:
            yield
            return
        name = ADHOC if lane.name == ADHOC else RESERVED
        user = name == ADHOC
        if user:
            self._check_penalty(lane.client)
        slots = self.lanes[name]
        granted_at = slots.acquire(lane.client)
        if user:  # a query of theirs was stopped while this one waited: it is refused too
            try:
                self._check_penalty(lane.client)
            except Busy:
                slots.release(lane.client, granted_at)
                raise
        token, spent = HELD.set(name), [0.0]
        spent_token = WORKER_SECONDS.set(spent)
        nice_token = NICE.set(slots.nice(lane.client) if user else 0)
        light_token = LIGHT.set(user and slots.light(lane.client))
        try:
            yield
        except (Busy, QueryTimeout) as stop:
            if user:  # stopped at its budget or its time limit: the client waits a while
                alone = slots.holding(lane.client) <= 1  # this query was its only one in the lane
                with self._lock:
                    now = time.monotonic()
                    if len(self._penalty) > 10000:  # forget the served-out ones
                        self._penalty = {c: t for c, t in self._penalty.items() if t > now}
                        self._strikes = {c: s for c, s in self._strikes.items() if s[1] > now - STRIKES_KEPT}
                    # A client whose queries keep being stopped waits longer each time (doubling, up to
                    # 32 times): every stop costs a worker restart, paid by everyone else's waiting.
                    slots.stopped(lane.client)  # not light for a while, whatever its use (fairness)
                    strikes, last = self._strikes.get(lane.client, (0, now))
                    strikes = strikes + 1 if now - last < STRIKES_KEPT else 1
                    self._strikes[lane.client] = (strikes, now)
                    # A first stop at the budget of a client's only query is forgiven: on a loaded
                    # machine a cheap query can overrun 1 s while others wait, and its client is then
                    # no runaway; a loop of runaways is paused from its second stop on, and a client
                    # with more queries in the lane from its first.
                    forgiven = 1 if alone and getattr(stop, "at_budget", False) else 0
                    if strikes > forgiven:
                        pause = self._retry() * 2 ** min(strikes - 1 - forgiven, 5)
                        self._penalty[lane.client] = now + pause
            raise
        finally:
            HELD.reset(token)
            WORKER_SECONDS.reset(spent_token)
            NICE.reset(nice_token)
            LIGHT.reset(light_token)
            # The client's use of the lane is what its queries took of a worker (CPU seconds when
            # answered, wall seconds held when stopped), not how long the slot was held: on a loaded
            # machine a cheap query's slot can be held for a second while it waits for a CPU.
            slots.release(lane.client, granted_at, spent[0])

    @contextmanager
    def held(self) -> Iterator[None]:
        """The current request's slot, held around all of its work (a check and the query it guards),
        so that work done in the server process for a client counts against that client's share."""
        with self.slot(current_lane()):
            yield

    def promote(self, client: str) -> Callable[[], None]:
        """Leave for a user-written query past its budget to go on running, or Busy (it is stopped)."""
        budget = self.policy.budget
        waiting = self.lanes[ADHOC].waiting_besides(client)
        if waiting:  # work-conserving, not generous: a long run only takes a worker nobody else waits for
            raise self._refuse(
                "contended",
                f"the query was stopped after {budget:g} s: {waiting} other queries are waiting for a "
                "worker, and a query runs longer than that only while nobody waits; try again later, "
                "or narrow it",
                503,
                self._retry(),
            )
        with self._lock:
            if self._long_per_client[client] >= self.policy.per_client_long:
                raise self._refuse(
                    "client-long",
                    f"the query was stopped after {budget:g} s: you already have a long-running query "
                    "here (one client may run one at a time); wait for it, or narrow this one",
                    429,
                    self._retry(),
                )
            if self._long >= self.policy.long_slots:
                raise self._refuse(
                    "long",
                    f"the query was stopped after {budget:g} s: {self._long} long-running queries are "
                    "already running, the most this server runs at once; try again later, or narrow it",
                    503,
                    self._retry(),
                )
            self._long += 1
            self._long_per_client[client] += 1

        def release() -> None:
            with self._lock:
                self._long -= 1
                self._long_per_client[client] -= 1
                if not self._long_per_client[client]:
                    del self._long_per_client[client]

        return release

    def lane_for(self, endpoint: str | None, client: str) -> Lane:
        if endpoint in ADHOC_ENDPOINTS:
            return Lane(ADHOC, client, self.policy.budget, partial(self.promote, client))
        return Lane(RESERVED, client)


class AdmittedStore:
    """A store whose every call is admitted first (in the lane of the request that makes it)."""

    def __init__(self, store: Any, admission: Admission):
        self._store, self._admission = store, admission

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        lane = current_lane()
        try:
            if lane is not None and lane.name == RESERVED and has_request_context() and HELD.get() is None:
                # A page runs its queries one after another: it waits for a slot once, at its first
                # query, and keeps it until the request ends, rather than queueing again for each.
                if "og_slot" not in g:
                    g.og_slot = ExitStack()
                g.og_slot.enter_context(self._admission.slot(lane))
            with self._admission.slot(lane):
                return getattr(self._store, method)(*args, **kwargs)
        except Busy as e:
            if has_request_context():
                g.retry_after = e.retry_after
            raise

    def select(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("select", *args, **kwargs)

    def ask(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("ask", *args, **kwargs)

    def construct(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("construct", *args, **kwargs)

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("execute", *args, **kwargs)

    def check_and_execute(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("check_and_execute", *args, **kwargs)

    def triple_count(self) -> int:
        return self._call("triple_count")

    def graph_names(self) -> set[str]:
        return self._call("graph_names")


def init_app(app: Flask, admission: Admission) -> None:
    """Set each request's lane, answer Busy as plain text, and put Retry-After on every refusal."""

    @app.before_request
    def _lane() -> None:
        lane = admission.lane_for(request.endpoint, request.remote_addr or "")
        LANE.set(lane)
        fast_path_failed = "outcome_graph.failed" in request.environ  # admitted there: not twice
        if (
            request.endpoint in ADHOC_ENDPOINTS
            and ("query" in request.args or request.method == "POST")
            and not fast_path_failed
        ):
            try:
                admission.precheck(lane)
            except Busy as e:
                g.retry_after = e.retry_after
                raise

    @app.teardown_request
    def _no_lane(exc: BaseException | None) -> None:
        held = g.pop("og_slot", None)
        if held is not None:  # a page's slot, held since its first query
            held.close()
        LANE.set(None)  # request threads are reused: the next request sets its own

    @app.errorhandler(Busy)
    def _busy(e: Busy) -> Response:
        headers = {"Retry-After": str(e.retry_after)} if e.retry_after else {}
        return Response(e.message + "\n", status=e.status, mimetype="text/plain", headers=headers)

    @app.after_request
    def _retry_after(response: Response) -> Response:
        retry = g.get("retry_after")
        if retry and response.status_code in (429, 503) and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(retry)
        return response
