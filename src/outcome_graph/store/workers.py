"""A standing pool of query worker processes that can be killed when a query runs past its time limit.

pyoxigraph's `Store.query` has no timeout and no cancellation, and aggregates ignore signals, so the
only sure way to stop a query is to stop the process running it. Each worker opens the store
read-only and answers one request at a time over a socket pair; when a query overruns, its worker is
killed and a fresh one is started in the background while the other workers keep answering.

Each worker runs in a network namespace of its own (`unshare --net`, or `unshare -r -n` through a user
namespace when not root), which holds only a loopback interface that is down: even a query that a
check wrongly let through cannot reach any host, this one included. Where the OS refuses, the pool says
so once (a warning on the `outcome_graph` logger and on stderr) and runs its workers without that layer.
Queries run on a thread with a large stack: the engine recurses per level of a deeply nested or very
long expression and would otherwise overflow a normal stack and crash the worker.

Workers are fresh interpreters (`python -m outcome_graph.store.workers`), not multiprocessing
children: a fork of a threaded web server can inherit held locks, and multiprocessing's spawn and
forkserver modes re-run the caller's main script in every child, which breaks any script that opens
a store at module level.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import re
import resource
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

from . import QueryError, QueryTimeout, StoreError
from .results import GRAPH_TYPES, RESULT_TYPES, serialize_boolean, serialize_select

# A worker may hold this much address space; a query that materialises more dies alone (reported as
# a StoreError) instead of pushing the machine into swap.
DEFAULT_MEMORY_LIMIT = 4 * 1024**3

# The store path that starts a worker without a store, which only checks query texts.
CHECKER = "-"

# How the engine reports a network request that failed (SERVICE): not a damaged store.
_NETWORK = re.compile(
    r"os error (101|110|111|113)\b|unreachable|connection refused|not allowed for HTTP", re.I
)

# The query thread's stack: virtual memory, touched only as deep as a query recurses.
QUERY_STACK = 512 * 1024**2

STORE_DAMAGED = (
    "the store's files could not be read: they look damaged. Restart the server: it checks the store at "
    "start and rebuilds it from the reports (the server's log has the detail)"
)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


# ---- the worker side (runs in the child process) -------------------------------------------------


def _term(t) -> dict[str, str]:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value not in (XSD_STRING, RDF_LANGSTRING):
            out["datatype"] = t.datatype.value
        return out
    return {"type": "literal", "value": str(t)}  # an RDF-star triple term: shown as its N-Triples text


def _rdf_format(media_type: str):
    from .results import RDF_FORMATS

    return RDF_FORMATS[media_type]


_NAMED_GRAPHS: list = []  # the store's named graphs, read once: the store is read-only


def _dataset(store, request: dict) -> dict:
    """The dataset, always given to the engine: it overrides the query's own FROM / FROM NAMED, so a
    query reads the graphs the server checked and no others. Without one given: the default graph and
    every named graph (what the engine would use for a query without FROM)."""
    import pyoxigraph as ox

    default, named = request.get("default_graphs"), request.get("named_graphs")
    if default is None and named is None:
        return {"default_graph": ox.DefaultGraph(), "named_graphs": list(_NAMED_GRAPHS)}
    return {
        "default_graph": [ox.NamedNode(g) for g in default or []],
        "named_graphs": [ox.NamedNode(g) for g in named or []],
    }


def _handle(store, request: dict) -> dict:
    import pyoxigraph as ox

    op = request["op"]
    if op == "check":  # a checker process (no store): a long query text's check, under its deadline
        from ..serve.safety import Refused, check_here

        try:
            return {"info": check_here(request["query"])}
        except Refused as e:
            return {"refused": (e.message, e.status)}
    if store is None:
        raise StoreError("this is a checker process: it has no store")
    if op == "len":
        return {"count": len(store)}
    if op == "graphs":
        return {"graphs": sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))}
    result = store.query(request["query"], **_dataset(store, request))
    limit = request.get("max_rows")
    media_type = request.get("media_type")
    if isinstance(result, ox.QueryBoolean):
        value = bool(result)
        if op == "rows":
            return {"form": "ASK", "boolean": value}
        if media_type not in RESULT_TYPES[:2]:
            raise _NotAcceptable("ASK")
        return {"form": "ASK", "body": serialize_boolean(value, media_type), "truncated": False}
    if isinstance(result, ox.QuerySolutions):
        vars_ = [v.value for v in result.variables]
        rows, truncated = [], False
        for solution in result:
            if limit is not None and len(rows) >= limit:
                truncated = True
                break
            row = {}
            for i, var in enumerate(vars_):
                value = solution[i]
                if value is not None:
                    row[var] = _term(value)
            rows.append(row)
        if op == "rows":
            return {"form": "SELECT", "vars": vars_, "rows": rows, "truncated": truncated}
        if media_type not in RESULT_TYPES:
            raise _NotAcceptable("SELECT")
        body = serialize_select(vars_, rows, media_type, truncated, limit)
        return {"form": "SELECT", "body": body, "truncated": truncated}
    triples, truncated = [], False
    for triple in result:
        if limit is not None and len(triples) >= limit:
            truncated = True
            break
        triples.append(triple)
    if op == "rows":
        media_type = "application/n-triples"
    elif media_type not in GRAPH_TYPES:
        raise _NotAcceptable("CONSTRUCT")
    body = ox.serialize(triples, format=_rdf_format(media_type))
    return {"form": "CONSTRUCT", "body": body, "truncated": truncated}


class _NotAcceptable(Exception):
    pass


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the server that started it dies, even mid-query."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: an orphan still exits at its next request, when the socket is closed


def worker_main(path: str, conn: Connection, memory_limit: int | None) -> None:
    import pyoxigraph as ox

    _die_with_parent()
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    store = None
    if path != CHECKER:
        try:
            store = ox.Store.read_only(path)
        # RocksDB reports damaged files as RuntimeError("Corruption: ...")
        except (OSError, RuntimeError) as e:
            conn.send(("error", f"cannot open the store at {path}: {e}"))
            return
        _NAMED_GRAPHS.extend(g for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    conn.send(("ready", None))
    threading.stack_size(QUERY_STACK)
    thread = threading.Thread(target=_serve, args=(store, conn), name="og-query")
    thread.start()
    thread.join()


def _serve(store, conn: Connection) -> None:
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        try:
            reply = ("ok", _handle(store, request))
        except SyntaxError as e:  # the engine's own parser: "error at LINE:COLUMN: ..."
            reply = ("query-error", f"SPARQL syntax error: {e}")
        except _NotAcceptable as e:
            reply = ("not-acceptable", f"{e} results cannot be given as {request.get('media_type')}")
        except MemoryError:
            reply = ("error", "the query needed more memory than a query worker may use")
        except (OSError, RuntimeError) as e:  # the database's own failure (damaged or missing files)
            if _NETWORK.search(str(e)):  # or a request the engine tried: a worker has no network
                reply = ("query-error", f"the query tried to reach the network, which is refused: {e}")
            else:
                reply = ("store-error", f"{type(e).__name__}: {e}")
        except Exception as e:  # the engine's own evaluation errors (type errors, bad IRIs, ...)
            reply = ("query-error", f"{type(e).__name__}: {e}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


# ---- the pool (runs in the server process) -------------------------------------------------------


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

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.conn.close()


class WorkerPool:
    def __init__(
        self, path: str, size: int = 2, memory_limit: int | None = DEFAULT_MEMORY_LIMIT, nice: int = 0
    ):
        """`nice`: how much lower the workers' CPU priority is than the server's (0: the same)."""
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.path, self.size, self.memory_limit, self.nice = path, size, memory_limit, nice
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.killed = 0  # workers killed for overrunning: observable in tests and logs
        self.isolation, self.isolation_note = isolation()  # how workers are kept off the network
        self.isolated = bool(self.isolation)
        self.refused_long = 0  # workers killed when a query overran its budget and was not promoted
        self._broken: str | None = None  # why a replacement worker could not start, if one could not
        # Every worker is started from this one long-lived thread: Linux's parent-death signal follows
        # the thread that started a process, so a worker started from a short-lived thread would die
        # with it.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="og-query-spawn")
        # start all, then wait: they boot in parallel
        started = [self._spawner.submit(self._start).result() for _ in range(size)]
        try:
            for worker in started:
                self._idle.put(self._ready(worker))
        except StoreError:
            for worker in started:
                worker.kill()
            self._spawner.shutdown(wait=False)
            raise
        atexit.register(self.close)

    def _start(self) -> _Worker:
        ours, theirs = socket.socketpair()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        command = [
            *self.isolation,
            sys.executable,
            "-m",
            __name__,
            str(theirs.fileno()),
            self.path,
            str(self.memory_limit or 0),
        ]
        try:
            process = subprocess.Popen(
                command, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=env, close_fds=True
            )
        finally:
            theirs.close()
        if self.nice:
            try:  # user-written queries yield the CPU to the server's threads and the project's queries
                os.setpriority(os.PRIO_PROCESS, process.pid, os.getpriority(os.PRIO_PROCESS, 0) + self.nice)
            except (OSError, AttributeError):
                pass
        return _Worker(process, Connection(ours.detach()))

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
                self._idle.put(fresh)

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
        if self._broken and self._idle.empty():
            with self._lock:
                alive = len(self._all)
            if not alive:  # every worker is gone and none can be started: waiting would only hang
                raise StoreError(STORE_DAMAGED, status=503)
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(
                f"all {self.size} query workers stayed busy for the whole time limit ({timeout:g} s); "
                "try again shortly"
            ) from None
        release = None
        try:
            worker.conn.send(request)
            long_possible = budget is not None and budget < deadline - time.monotonic()
            if long_possible and promote is not None and not worker.conn.poll(budget):
                try:
                    release = promote()
                except BaseException:
                    self.refused_long += 1
                    self._retire(worker)
                    raise
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self.killed += 1
                self._retire(worker)
                raise QueryTimeout(
                    f"the query ran past the time limit of {timeout:g} s and was stopped; "
                    "narrow it (a LIMIT, more specific patterns) or ask for a longer limit"
                )
            status, payload = worker.conn.recv()
        except (EOFError, OSError):
            self._retire(worker)
            raise StoreError(
                "the query worker died while running the query (most likely it ran out of memory)"
            ) from None
        finally:
            if release is not None:
                release()
        self._idle.put(worker)
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


if __name__ == "__main__":  # a worker: python -m outcome_graph.store.workers FD STORE_PATH MEMORY_LIMIT
    fd, store_path, limit = sys.argv[1:4]
    worker_main(store_path, Connection(int(fd)), int(limit) or None)
