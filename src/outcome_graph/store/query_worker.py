"""One query worker process: what runs inside it (started by store.workers.WorkerPool).

It opens the store read-only and answers one request at a time over its socket: a query run on the
dataset the server checked, its results cut at the row limit and serialized; or, in a checker process
(no store), a long query text's check under its deadline. It runs in a network namespace of its own
(see store.workers), dies with the server that started it, and runs queries on a thread with a large
stack: the engine recurses per level of a deeply nested or very long expression and would otherwise
overflow a normal stack and crash the worker.

    python -m outcome_graph.store.query_worker FD STORE_PATH MEMORY_LIMIT
"""

from __future__ import annotations

import itertools
import os
import re
import resource
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection

from .protocol import StoreError
from .results import GRAPH_TYPES, RESULT_TYPES, serialize_boolean, serialize_select, wire_term

# The store path that starts a worker without a store, which only checks query texts.
CHECKER = "-"

# How the engine reports a request to the network that failed (SERVICE, which the check refuses: only
# a gap in the check gets here), in a worker that has no network: no route, no name resolution, a port
# or scheme its HTTP client will not use. Not a damaged store, and never reported as one.
_NETWORK = re.compile(
    r"os error (101|104|110|111|113)\b|unreachable|connection (refused|reset)|not allowed for HTTP"
    r"|lookup address|name resolution|name or service not known|URL scheme|dns error|error trying to connect"
    r"|tcp connect|timed out|certificate|tls",
    re.I,
)

# The query thread's stack: virtual memory, touched only as deep as a query recurses.
QUERY_STACK = 512 * 1024**2

# A store whose files take up to this many bytes is copied into the worker's memory at start and
# queried there: the engine's in-memory store answers the same queries 1.2-6x faster than its read-only
# RocksDB files (BENCHMARKS.md, the cold path). Measured by its files, which costs nothing to find out
# (counting the quads means reading them, seconds for a national store at every worker's start): about
# 200 bytes a quad on disk (the bundled graph: 17,388 quads, 3.4 MB) and 800 in memory, so the copy is
# at most ~130 MB per worker, within its memory limit. A larger store (a national one) stays on disk.
IN_MEMORY_BYTES = 32 * 1024**2

# The parse guard's stack (see store.remote): smaller than the Oxigraph server's, so that a text it
# parses is one the server parses too (measured: 4 MB parses 3,000 chained `+`, not 5,000; the server
# survives 6,750), and far larger than any text within the check's bounds needs.
GUARD_STACK = 4 * 1024**2


def _parse_on_small_stack(text: str) -> bool:
    """Parse (and plan) `text` over an empty store on a thread with GUARD_STACK: False for a syntax
    error; a text that overflows the stack kills this process, which the caller sees as its death."""
    import pyoxigraph as ox

    outcome: list[bool] = []

    def parse() -> None:
        try:
            ox.Store().query(text)  # parsed and planned; no row is read
            outcome.append(True)
        except SyntaxError:
            outcome.append(False)
        except Exception:  # an evaluation error found while planning: the text parsed
            outcome.append(True)

    previous = threading.stack_size(GUARD_STACK)
    try:
        thread = threading.Thread(target=parse, name="og-parse-guard")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    return bool(outcome and outcome[0])


def _rdf_format(media_type: str):
    from .results import RDF_FORMATS

    return RDF_FORMATS[media_type]


_NAMED_GRAPHS: list = []  # the store's named graphs, read once: the store is read-only
_ALL_GRAPHS_NAMED: list[bool] = [False]  # whether every graph of the store is in _NAMED_GRAPHS (no blank one)
# FROM as a word anywhere in the text (in a string or an IRI too: such a text only takes the slower way)
_FROM = re.compile(r"\bFROM\b", re.I)


def _dataset(store, request: dict) -> dict:
    """The dataset, always given to the engine: it overrides the query's own FROM / FROM NAMED, so a
    query reads the graphs the server checked and no others. Without one given: the default graph is the
    union of the store's default graph and every named graph (one per report, store.layout; each triple
    is in one graph only, so the union has no duplicates), and every named graph is named."""
    import pyoxigraph as ox

    default, named = request.get("default_graphs"), request.get("named_graphs")
    if default is None and named is None:
        # the engine's own union (five times faster than listing the graphs), which takes in the unnamed
        # default graph too (a store loaded before the layout, or by hand)
        union: dict = {"use_default_graph_as_union": True}
        # Listing the named graphs (1,539 at 10 M triples) made every query about twice as slow, one that
        # has no GRAPH pattern too (evidence-by-code 1.5 -> 3.5 s). The engine names every graph of the
        # store by default, so the list is given only where it changes what is read: a FROM NAMED in the
        # text, which the list overrides, or a blank-node graph, which the list leaves out.
        if _FROM.search(request.get("query") or "") or not _ALL_GRAPHS_NAMED[0]:
            union["named_graphs"] = list(_NAMED_GRAPHS)
        return union
    return {
        "default_graph": [ox.NamedNode(g) for g in default or []],
        "named_graphs": [ox.NamedNode(g) for g in named or []],
    }


def _check_and_execute(store, request: dict, seen: dict) -> dict:
    """The fast path's first-seen query (serve.fastpath), checked here rather than in the server: the
    check (`sparql.check`, the same function the server runs) reads the client's text, and the engine is
    given only the canonical text that check wrote, in this process, so what is checked is exactly what
    runs. A text the check refuses, one that names a dataset (FROM), or one whose form has no media type
    the client accepts (`media_types`: form -> type, from the server's content negotiation) is not run:
    {"unchecked": True}, and the server answers it its own way (the view, which checks it again and
    says why)."""
    from ..sparql.check import IN_PROCESS, Refused, _check

    text = request["query"]
    if len(text) > IN_PROCESS:  # a longer one is checked in a checker process, under its deadline
        return {"unchecked": True}
    try:
        info = _check(text)
    except Refused:
        return {"unchecked": True}
    media_type = request["media_types"].get(info.form)
    if info.has_dataset or media_type is None:
        return {"unchecked": True}
    seen["info"] = info  # an engine error is told at the client's own line and column (QueryInfo.explain)
    run = {"op": "execute", "query": info.text, "media_type": media_type, "max_rows": request.get("max_rows")}
    return {**_handle(store, run, seen), "media_type": media_type}


def _handle(store, request: dict, seen: dict) -> dict:
    import pyoxigraph as ox

    op = request["op"]
    if op == "check-execute":
        return _check_and_execute(store, request, seen)
    if op == "check":  # a checker process (no store): a long query text's check, under its deadline
        from ..sparql.check import Refused, _check

        try:
            return {"info": _check(request["query"])}
        except Refused as e:
            return {"refused": (e.message, e.status)}
    if op == "parse":  # a checker process: would the embedded engine parse this text on a small stack?
        return {"parsed": _parse_on_small_stack(request["query"])}
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
                    row[var] = wire_term(value)
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

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: an orphan still exits at its next request, when the socket is closed


def worker_main(path: str, conn: Connection, memory_limit: int | None) -> None:
    import pyoxigraph as ox

    _die_with_parent()
    # A terminal's Ctrl-C reaches the whole process group: the server stops its workers itself (or
    # they die with it), so a worker ignores it rather than dying mid-answer with a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    holder: list = [None]
    if path != CHECKER:
        try:
            holder[0] = ox.Store.read_only(path)
        # RocksDB reports damaged files as RuntimeError("Corruption: ...")
        except (OSError, RuntimeError) as e:
            conn.send(("error", f"cannot open the store at {path}: {e}"))
            return
        graphs = list(holder[0].named_graphs())
        _NAMED_GRAPHS.extend(g for g in graphs if isinstance(g, ox.NamedNode))
        _ALL_GRAPHS_NAMED[0] = len(_NAMED_GRAPHS) == len(graphs)
    threading.stack_size(QUERY_STACK)
    go = threading.Event()
    thread = threading.Thread(target=_serve, args=(holder, conn, go), name="og-query")
    thread.start()
    threading.stack_size(0)
    # The query thread's id: the pool reads that thread's CPU counter while a query runs (not the
    # process's, which counts the copy below too)
    conn.send(("ready", thread.native_id))
    go.set()
    if holder[0] is not None:
        # the copy into memory is made after the worker says it is ready, while it answers from the
        # files: a start never waits for it (on a loaded machine it took tens of seconds)
        copying = threading.Thread(target=_move_into_memory, args=(holder, path), name="og-copy", daemon=True)
        copying.start()
    thread.join()


COPY_BATCH = 500  # quads copied into memory at a time (see _in_memory)


def _move_into_memory(holder: list, path: str) -> None:
    """Replace the files in `holder` by their copy in memory (`_in_memory`); a query running on the files
    meanwhile finishes there."""
    try:
        holder[0] = _in_memory(holder[0], path)
    except (OSError, RuntimeError):  # the files' own failure: the queries on them report it
        return


def _in_memory(store, path: str):
    """`store` copied into memory if its files at `path` take at most IN_MEMORY_BYTES, else `store`
    itself. The copy is the same quads in the same graphs: every query answers the same."""
    import pyoxigraph as ox

    if sum(e.stat().st_size for e in os.scandir(path) if e.is_file()) > IN_MEMORY_BYTES:
        return store
    try:
        copy = ox.Store()
        quads = iter(store)
        # In batches: one bulk_extend over the whole store holds the interpreter's lock until it ends
        # (0.3 s for the bundled graph, seconds on a loaded machine), and the query thread, which answers
        # from the files meanwhile, could not answer anything until then: a first-seen query sent to a
        # fresh worker (a spare, a killed one's replacement) took 0.7-2.8 s on the clock for 0.2 ms of
        # CPU (benchmarks/admission.py, 40 attackers). Between batches the query thread gets the lock.
        while batch := list(itertools.islice(quads, COPY_BATCH)):
            copy.bulk_extend(batch)
    except MemoryError:  # a memory limit set lower than the copy needs: the files will do
        return store
    return copy


def _serve(holder: list, conn: Connection, go: threading.Event) -> None:
    go.wait()  # the worker has said it is ready: the connection is this thread's from now on
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        started = time.thread_time()  # CPU seconds, which the load of the machine does not inflate
        seen: dict = {}
        try:
            reply = ("ok", _handle(holder[0], request, seen))
        except SyntaxError as e:  # the engine's own parser: "error at LINE:COLUMN: ..."
            reply = ("query-error", f"SPARQL syntax error: {e}")
        except _NotAcceptable as e:
            reply = ("not-acceptable", f"{e} results cannot be given as {request.get('media_type')}")
        except MemoryError:
            reply = ("error", "the query needed more memory than a query worker may use")
        except (OSError, RuntimeError) as e:  # the database's own failure (damaged or missing files)
            if _NETWORK.search(str(e)):  # or a request the engine tried: a worker has no network
                reply = (
                    "query-error",
                    "the query tried to send a request to another server, which this server never does "
                    f"({e})",
                )
            else:
                reply = ("store-error", f"{type(e).__name__}: {e}")
        except Exception as e:  # the engine's own evaluation errors (type errors, bad IRIs, ...)
            reply = ("query-error", f"{type(e).__name__}: {e}")
        if reply[0] == "query-error" and "info" in seen:
            reply = ("query-error", seen["info"].explain(reply[1]))
        try:
            # what this query took of the CPU, and this thread's total (the pool's budget reads the
            # thread's CPU counter while a query runs, against this)
            conn.send((*reply, time.thread_time() - started, time.thread_time()))
        except (OSError, ValueError):
            return


if __name__ == "__main__":  # python -m outcome_graph.store.query_worker FD STORE_PATH MEMORY_LIMIT
    fd, store_path, limit = sys.argv[1:4]
    worker_main(store_path, Connection(int(fd)), int(limit) or None)
