"""The parse guard of `serve --endpoint`: a query is parsed by the embedded engine in a sandboxed checker
process before it is sent to a remote SPARQL server, so that nothing reaches the server that could crash
its parser (issue 16 part 2)."""

from __future__ import annotations

import threading

from .protocol import QueryError, StoreError

_guard_pool = None
_guard_lock = threading.Lock()


def parse_guard(query: str, timeout: float) -> None:
    """Nothing reaches a remote engine that the embedded engine could not parse in a sandboxed worker
    (issue 16 part 2): the canonical text is parsed first in a checker process (no network, killable)
    on a stack smaller than the Oxigraph server's. If that overflows, the worker dies, and the query is
    refused here rather than sent to abort the server. A syntax error is left to the server to report
    in its own words."""
    global _guard_pool
    from .workers import CHECKER, WorkerPool

    with _guard_lock:
        if _guard_pool is None or _guard_pool._closed:
            _guard_pool = WorkerPool(CHECKER, size=1, memory_limit=2 * 1024**3)
        pool = _guard_pool
    try:
        pool.run({"op": "parse", "query": query}, timeout)
    except StoreError:
        raise QueryError(
            "the query is nested or chained too deeply for a SPARQL parser's stack (the embedded "
            "engine could not parse it in a sandbox): it is not sent to the SPARQL server; simplify it"
        ) from None
