"""The query check as the server runs it: the language's own check (`outcome_graph.sparql`), in this
process for a short text and in a checker process for a long one.

The check is linear in the length of the text, but a long text still holds the interpreter's lock for
milliseconds; past IN_PROCESS characters it is checked in a checker process that is killed at the
query's own time limit (QueryTimeout), so that what a huge text costs falls on its sender.
"""

from __future__ import annotations

import threading

from ..sparql import QueryInfo, Refused, check_dataset
from ..sparql import check_query as _check_query
from ..sparql.check import IN_PROCESS, _check

__all__ = ["PARSER_LOCK", "QueryInfo", "Refused", "check_dataset", "check_here", "check_query"]

# pySHACL parses SPARQL with rdflib, whose pyparsing grammar is not thread-safe on first use: the
# validation view holds this lock around it. No request's query check takes it.
PARSER_LOCK = threading.Lock()


def check_query(text: str, timeout: float | None = None) -> QueryInfo:
    """The query's form, dataset and canonical text, or Refused (see `sparql.check`).

    With a `timeout` (the query's own time limit), a text longer than IN_PROCESS characters is checked
    in the checker process, killed at that limit.
    """
    if len(text) <= IN_PROCESS or timeout is None:
        return _check_query(text)
    reply = _checker().run({"op": "check", "query": text}, timeout)
    if "refused" in reply:
        raise Refused(*reply["refused"])
    return reply["info"]


def check_here(text: str) -> QueryInfo:
    """The check in this process, whatever the length, uncached (a checker process's side)."""
    return _check(text)


_checker_pool = None
_checker_lock = threading.Lock()


def _checker():
    """The one checker process (started on first need; only long texts ever wait for it)."""
    global _checker_pool
    with _checker_lock:
        if _checker_pool is None or _checker_pool._closed:
            from ..store.workers import CHECKER, WorkerPool

            _checker_pool = WorkerPool(CHECKER, size=1, memory_limit=2 * 1024**3)
        return _checker_pool
