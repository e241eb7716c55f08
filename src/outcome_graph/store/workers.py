"""A standing pool of query worker processes that can be killed when a query runs past its time limit.

pyoxigraph's `Store.query` has no timeout and no cancellation, and aggregates ignore signals, so the
only sure way to stop a query is to stop the process running it. Each worker (store.query_worker)
opens the store read-only and answers one request at a time over a socket pair (store.handles); when a
query overruns, its worker is killed and a fresh one is started in the background while the other
workers keep answering. Workers have no network (store.isolation); a query past its budget is judged
by the clock and its worker's CPU (store.overrun).

Workers are fresh interpreters (`python -m outcome_graph.store.query_worker`), not multiprocessing
children: a fork of a threaded web server can inherit held locks, and multiprocessing's spawn and
forkserver modes re-run the caller's main script in every child, which breaks any script that opens
a store at module level.
"""

from __future__ import annotations

import atexit
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from .handles import Idle, Worker, start_worker
from .isolation import isolation
from .lanes import LIGHT, NICE, charge
from .overrun import overran
from .protocol import QueryError, QueryTimeout, StoreError
from .query_worker import CHECKER

__all__ = ["CHECKER", "DEFAULT_MEMORY_LIMIT", "STORE_DAMAGED", "WorkerPool", "isolation"]

# A worker may hold this much address space; a query that materialises more dies alone (reported as
# a StoreError) instead of pushing the machine into swap.
DEFAULT_MEMORY_LIMIT = 4 * 1024**3

STORE_DAMAGED = (
    "the store's files could not be read: they look damaged. Restart the server: it checks the store at "
    "start and rebuilds it from the reports (the server's log has the detail)"
)


class WorkerPool:
    def __init__(
        self,
        path: str,
        size: int = 2,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
        nice: int = 0,
        spare: bool = False,
        express: int = 0,
    ):
        """`nice`: how much lower a worker's CPU priority is made than the server's once its query runs
        past its budget (0: never). Short queries run at the server's own priority: a worker started
        niced waits behind every other process on a loaded machine, and that wait was most of what a
        first-seen query cost (BENCHMARKS.md, the cold path); only a long-running query is demoted.

        `spare`: keep one more worker started and ready, which takes a killed worker's place at once.
        Starting a worker (an interpreter, the engine, the store) takes a second or more on a loaded
        machine; in a pool whose queries are stopped often (users' runaways), everyone waiting would
        otherwise wait for that start.

        `express`: how many of the `size` workers are kept for light clients (serve.fairness: admission
        lets heavier clients hold at most `size - express` slots). A light client's query (lanes.LIGHT)
        takes an express worker first, anyone else's never does. So the express workers are not the ones
        heavier clients' runaways are killed on, and a light client's cheap query never meets a worker
        that is still starting, nor waits for one to start: under forty attackers, runaways were stopped
        faster than replacements could start, and a visitor's query given a slot still waited 0.4-1.8 s
        for a worker and then for its first answer (benchmarks/admission.py)."""
        if size < 1 or not 0 <= express < size:
            raise ValueError("a worker pool needs at least one worker")
        self.path, self.size, self.memory_limit, self.nice = path, size, memory_limit, nice
        self.express = express
        self._idle: Idle = Idle()
        self._express: queue.Queue[Worker] = queue.Queue()  # the idle express workers
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.killed = 0  # workers killed for overrunning: observable in tests and logs
        self.isolation, self.isolation_note = isolation()  # how workers are kept off the network
        self.isolated = bool(self.isolation)
        self.refused_long = 0  # workers killed when a query overran its budget and was not promoted
        self.answered = 0  # requests this pool's workers answered: tests read it to see where work ran
        self._broken: str | None = None  # why a replacement worker could not start, if one could not
        # Every worker is started from this one long-lived thread: Linux's parent-death signal follows
        # the thread that started a process, so a worker started from a short-lived thread would die
        # with it.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="og-query-spawn")
        # start all, then wait: they boot in parallel
        started = [self._spawner.submit(self._start).result() for _ in range(size)]
        try:
            for i, worker in enumerate(started):
                worker.express = i < express
                self._home(self._ready(worker))
        except StoreError:
            for worker in started:
                worker.kill()
            self._spawner.shutdown(wait=False)
            raise
        self._spare: queue.Queue[Worker] = queue.Queue()
        self._keeps_spare = spare
        if spare:
            self._spawner.submit(self._start_spare)
        atexit.register(self.close)

    def _home(self, worker: Worker) -> None:
        """Put an idle worker back where its kind waits."""
        (self._express if worker.express else self._idle).put(worker)

    def _take(self, niced: int, timeout: float) -> Worker:
        """An idle worker for a query to run `niced` lower than the server: an express one first for a
        light client's query (lanes.LIGHT), never for anyone else's (queue.Empty after `timeout`)."""
        if not LIGHT.get() or not self.express:
            return self._idle.take(niced, timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self._express.get_nowait()
            except queue.Empty:
                pass
            left = deadline - time.monotonic()
            if left <= 0:
                raise queue.Empty
            try:  # both kinds busy (rare: admission keeps one free for the light): look at both often
                return self._idle.take(niced, min(left, 0.01))
            except queue.Empty:
                continue

    def _start_spare(self) -> None:
        try:
            fresh = self._spawn()
        except Exception:  # the next retirement starts its replacement itself, and says why not
            return
        if self._closed:
            fresh.kill()
        else:
            self._spare.put(fresh)

    def _start(self) -> Worker:
        return start_worker(self.isolation, self.path, self.memory_limit)

    def _demote(self, worker: Worker) -> bool:
        """Lower a worker's CPU priority while it runs a long query; False if the OS refused."""
        if not worker.prioritize(max(worker.niced, self.nice)):
            return False
        worker.demoted = True
        return True

    def _restore(self, worker: Worker) -> bool:
        """Give a demoted worker its priority back; False where only a privileged user may raise it."""
        if not worker.prioritize(0):
            return False
        worker.demoted = False
        return True

    def _ready(self, worker: Worker) -> Worker:
        if not worker.poll(60):
            worker.kill()
            raise StoreError(f"a query worker did not start within 60 s for the store at {self.path}")
        try:
            status, message = worker.conn.recv()
        except (EOFError, OSError):
            worker.kill()
            raise StoreError(f"a query worker exited at start for the store at {self.path}") from None
        if status != "ready":
            worker.kill()
            raise StoreError(message)
        worker.thread = message or 0
        with self._lock:
            self._all.add(worker)
        return worker

    def _spawn(self) -> Worker:
        return self._ready(self._start())

    def _retire(self, worker: Worker) -> None:
        """Kill a worker and start its replacement without making the caller wait for it."""
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if self._closed:
            return
        if self._keeps_spare:
            try:
                spare = self._spare.get_nowait()  # the spare takes its place at once
                spare.express = worker.express
                self._home(spare)
                self._spawner.submit(self._start_spare)  # and a new spare starts in the background
                return
            except queue.Empty:
                pass
            except RuntimeError:  # the pool closed meanwhile
                return

        def replace() -> None:
            try:
                fresh = self._spawn()
            except Exception as e:  # interpreter shutdown, or a store that went away or is damaged
                if not self._closed:
                    self._broken = str(e)
                    print(f"outcome-graph: a query worker could not be restarted: {e}", file=sys.stderr)
                return
            if self._closed:
                fresh.kill()
            else:
                fresh.express = worker.express
                self._home(fresh)

        try:
            self._spawner.submit(replace)
        except RuntimeError:  # the pool closed meanwhile
            pass

    def run(
        self,
        request: dict,
        timeout: float,
        *,
        budget: float | None = None,
        promote: Callable[[], Callable[[], None]] | None = None,
    ) -> dict:
        """The worker's reply to `request`, stopped at `timeout` seconds.

        With `budget` and `promote`: once the query has run `budget` seconds, `promote()` is asked for
        leave to go on (it returns a function to call when the query ends); if it raises, the query's
        worker is killed and the exception propagates (admission control's "long-running" slots).
        """
        if self._closed:
            raise StoreError("the store is closed")
        if self._broken and self._idle.empty() and self._express.empty():
            with self._lock:
                alive = len(self._all)
            if not alive:  # every worker is gone and none can be started: waiting would only hang
                raise StoreError(STORE_DAMAGED, status=503)
        deadline = time.monotonic() + timeout
        niced = min(19, max(0, NICE.get()))
        try:
            worker = self._take(niced, timeout)
        except queue.Empty:
            raise QueryTimeout(
                f"all {self.size} query workers stayed busy for the whole time limit ({timeout:g} s); "
                "try again shortly"
            ) from None
        release = None
        # A heavy client's query runs at a lower CPU priority, a light client's at the server's. A worker
        # lowered before that the OS will not raise again (an unprivileged server) still answers a
        # light client's query, and is then retired: its replacement starts at the server's priority.
        stuck = not worker.prioritize(niced) and niced == 0
        sent = time.monotonic()
        try:
            worker.conn.send(request)
            long_possible = budget is not None and budget < deadline - time.monotonic()
            if long_possible and promote is not None and overran(worker, budget, deadline):
                try:
                    release = promote()
                except BaseException:
                    self.refused_long += 1
                    self._retire(worker)
                    charge(time.monotonic() - sent)  # stopped: it held its worker all that while
                    raise
                if self.nice:  # a long-running user query yields the CPU to everything else
                    self._demote(worker)
            if not worker.poll(max(0.0, deadline - time.monotonic())):
                self.killed += 1
                self._retire(worker)
                charge(time.monotonic() - sent)
                raise QueryTimeout(
                    f"the query ran past the time limit of {timeout:g} s and was stopped; "
                    "narrow it (a LIMIT, more specific patterns) or ask for a longer limit"
                )
            status, payload, cpu, worker.cpu = worker.conn.recv()
            charge(cpu)
        except (EOFError, OSError):
            self._retire(worker)
            raise StoreError(
                "the query worker died while running the query (most likely it ran out of memory)"
            ) from None
        finally:
            if release is not None:
                release()
        with self._lock:
            worker.answered += 1
            self.answered += 1
        if (worker.demoted and not self._restore(worker)) or stuck:
            self._retire(worker)  # an unprivileged server cannot raise it back: a fresh one replaces it
        else:
            self._home(worker)
        if status == "ok":
            return payload
        if status == "query-error":
            raise QueryError(payload)
        if status == "not-acceptable":
            raise QueryError(payload, status=406)
        if status == "store-error":
            # The detail names the store's files: it goes to the server's log, not to the client.
            print(f"outcome-graph: the store could not be read: {payload}", file=sys.stderr, flush=True)
            raise StoreError(STORE_DAMAGED, status=503)
        raise StoreError(payload)

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all]

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in workers:
            try:
                worker.process.wait(timeout=2)
                worker.conn.close()
            except subprocess.TimeoutExpired:
                worker.kill()
        self._spawner.shutdown(wait=False)
