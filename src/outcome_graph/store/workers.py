"""A standing pool of query worker processes that can be killed when a query runs past its time limit.

pyoxigraph's `Store.query` has no timeout and no cancellation, and aggregates ignore signals, so the
only sure way to stop a query is to stop the process running it. Each worker (store.query_worker)
opens the store read-only and answers one request at a time over a socket pair; when a query overruns,
its worker is killed and a fresh one is started in the background while the other workers keep
answering.

Each worker runs in a network namespace of its own (`unshare --net`, or `unshare -r -n` through a user
namespace when not root), which holds only a loopback interface that is down: even a query that a
check wrongly let through cannot reach any host, this one included. Where the OS refuses, the pool says
so once (a warning on the `outcome_graph` logger and on stderr) and runs its workers without that layer.

Workers are fresh interpreters (`python -m outcome_graph.store.query_worker`), not multiprocessing
children: a fork of a threaded web server can inherit held locks, and multiprocessing's spawn and
forkserver modes re-run the caller's main script in every child, which breaks any script that opens
a store at module level.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection

from .lanes import LIGHT, NICE, charge
from .protocol import QueryError, QueryTimeout, StoreError
from .query_worker import CHECKER
from .query_worker import __name__ as WORKER_MODULE

__all__ = ["CHECKER", "DEFAULT_MEMORY_LIMIT", "STORE_DAMAGED", "WorkerPool", "isolation"]

# A worker may hold this much address space; a query that materialises more dies alone (reported as
# a StoreError) instead of pushing the machine into swap.
DEFAULT_MEMORY_LIMIT = 4 * 1024**3

STORE_DAMAGED = (
    "the store's files could not be read: they look damaged. Restart the server: it checks the store at "
    "start and rebuilds it from the reports (the server's log has the detail)"
)

_log = logging.getLogger("outcome_graph.store.workers")
_isolation: tuple[list[str], str] | None = None
_isolation_lock = threading.Lock()


def isolation() -> tuple[list[str], str]:
    """(command prefix that starts a process without network, how) — or ([], why not), found once.

    The prefix is tried on `true` first: a kernel or container that refuses namespaces is found here,
    at start, not at the first query.
    """
    global _isolation
    with _isolation_lock:
        if _isolation is None:
            _isolation = _find_isolation()
            if not _isolation[0]:
                message = (
                    f"outcome-graph: WARNING: query workers run WITH network access ({_isolation[1]}); "
                    "the query checks are then the only layer that keeps queries from making requests"
                )
                _log.warning(message)
                print(message, file=sys.stderr, flush=True)
        return _isolation


def _find_isolation() -> tuple[list[str], str]:
    if os.environ.get("OUTCOME_GRAPH_WORKER_NETWORK") == "1":
        return [], "OUTCOME_GRAPH_WORKER_NETWORK=1 asks for it"
    unshare = shutil.which("unshare")
    if not sys.platform.startswith("linux") or not unshare:
        return [], "no unshare(1) on this system: network namespaces are Linux's"
    attempts = [[unshare, "--net"]] if os.geteuid() == 0 else []
    attempts.append([unshare, "--map-root-user", "--net"])  # a user namespace, for an unprivileged user
    errors = []
    for prefix in attempts:
        try:
            done = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired) as e:
            errors.append(str(e))
            continue
        if done.returncode == 0:
            return prefix, " ".join(prefix[1:])
        errors.append(done.stderr.strip() or f"exit status {done.returncode}")
    return [], "the system refuses a network namespace: " + "; ".join(errors)


@dataclass(eq=False)  # hashed by identity: the pool keeps a set of them
class _Worker:
    process: subprocess.Popen
    conn: Connection
    demoted: bool = False  # running at a lower CPU priority (a long query): see WorkerPool.nice
    niced: int = 0  # how much lower than the server's its CPU priority is (lanes.NICE, WorkerPool.nice)
    answered: int = 0  # requests answered: tests read it to see which worker ran what
    thread: int = 0  # the native id of the worker's query thread (0: not known)
    cpu: float = 0.0  # that thread's CPU seconds when it last answered
    express: bool = False  # kept for light clients' queries (WorkerPool's `express`)

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.conn.close()


class _Idle(queue.Queue):
    """The idle workers; `take` prefers one already at the CPU priority wanted, so that heavy clients'
    queries keep to workers already lowered and a light client's gets one that never was (an
    unprivileged server cannot raise a worker's priority back)."""

    _want = threading.local()

    def _get(self) -> _Worker:  # called by Queue.get with the queue's lock held
        want = getattr(self._want, "niced", None)
        if want is not None:  # the same priority, else one lowered (or not) alike
            for alike in (lambda w: w.niced == want, lambda w: (w.niced > 0) == (want > 0)):
                for i, worker in enumerate(self.queue):
                    if alike(worker):
                        del self.queue[i]
                        return worker
        return self.queue.popleft()

    def take(self, niced: int, timeout: float) -> _Worker:
        self._want.niced = niced
        try:
            return self.get(timeout=timeout)
        finally:
            self._want.niced = None


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
        self._idle: _Idle = _Idle()
        self._express: queue.Queue[_Worker] = queue.Queue()  # the idle express workers
        self._all: set[_Worker] = set()
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
        self._spare: queue.Queue[_Worker] = queue.Queue()
        self._keeps_spare = spare
        if spare:
            self._spawner.submit(self._start_spare)
        atexit.register(self.close)

    def _home(self, worker: _Worker) -> None:
        """Put an idle worker back where its kind waits."""
        (self._express if worker.express else self._idle).put(worker)

    def _take(self, niced: int, timeout: float) -> _Worker:
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

    def _start(self) -> _Worker:
        ours, theirs = socket.socketpair()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        command = [
            *self.isolation,
            sys.executable,
            "-m",
            WORKER_MODULE,
            str(theirs.fileno()),
            self.path,
            str(self.memory_limit or 0),
        ]
        try:
            # A session of its own: a terminal's Ctrl-C goes to the server's process group, and a worker
            # still starting (before it can ignore SIGINT) would die of it with a traceback. The server
            # stops its workers itself, and they die with it (PR_SET_PDEATHSIG, or their socket's EOF).
            process = subprocess.Popen(
                command,
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                env=env,
                close_fds=True,
                start_new_session=True,
            )
        finally:
            theirs.close()
        return _Worker(process, Connection(ours.detach()))

    def _prioritize(self, worker: _Worker, niced: int) -> bool:
        """Set the worker's CPU priority `niced` lower than the server's; False if the OS refused (only a
        privileged user may raise a priority again)."""
        if worker.niced == niced:
            return True
        try:
            os.setpriority(os.PRIO_PROCESS, worker.process.pid, os.getpriority(os.PRIO_PROCESS, 0) + niced)
        except (OSError, AttributeError):
            return False
        worker.niced = niced
        return True

    def _demote(self, worker: _Worker) -> bool:
        """Lower a worker's CPU priority while it runs a long query; False if the OS refused."""
        if not self._prioritize(worker, max(worker.niced, self.nice)):
            return False
        worker.demoted = True
        return True

    def _restore(self, worker: _Worker) -> bool:
        """Give a demoted worker its priority back; False where only a privileged user may raise it."""
        if not self._prioritize(worker, 0):
            return False
        worker.demoted = False
        return True

    def _ready(self, worker: _Worker) -> _Worker:
        if not worker.conn.poll(60):
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

    def _spawn(self) -> _Worker:
        return self._ready(self._start())

    def _retire(self, worker: _Worker) -> None:
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
        stuck = not self._prioritize(worker, niced) and niced == 0
        sent = time.monotonic()
        try:
            worker.conn.send(request)
            long_possible = budget is not None and budget < deadline - time.monotonic()
            if long_possible and promote is not None and _overran(worker, budget, deadline):
                try:
                    release = promote()
                except BaseException:
                    self.refused_long += 1
                    self._retire(worker)
                    charge(time.monotonic() - sent)  # stopped: it held its worker all that while
                    raise
                if self.nice:  # a long-running user query yields the CPU to everything else
                    self._demote(worker)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
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


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int, thread: int) -> float | None:
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


def _overran(worker: _Worker, budget: float, deadline: float) -> bool:
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
    while not worker.conn.poll(wait):
        now = time.monotonic()
        if now >= deadline:
            return False
        used = _cpu_seconds(worker.process.pid, worker.thread)
        if used is None or used - worker.cpu >= needed:
            return True
        wait = min(max(0.02, needed - (used - worker.cpu)), deadline - now)
    return False
