"""What a SPARQL server's response headers say about its answer: an incomplete result (Virtuoso's
"anytime" answer) or a result cut at a row limit. Read before the body is used as data."""

from __future__ import annotations

from collections.abc import Mapping

from .protocol import StoreError


def message(body: bytes | str) -> str:
    """A server's words on one line, bounded: for an error message, never for data."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return " ".join(str(body).split())[:500]


def check_partial(headers: Mapping[str, str]) -> None:
    """Virtuoso's "anytime" answer: at its MaxQueryExecutionTime it sends what it has with 200 OK and
    X-SQL-State: S1TAT — an arbitrary part of the result, so never usable as data."""
    state = headers.get("X-SQL-State")
    if state:
        raise StoreError(
            f"the SPARQL server sent an incomplete result (X-SQL-State: {state}: "
            f"{message(headers.get('X-SQL-Message', ''))[:160]}); the query ran past the server's "
            "time limit (Virtuoso: MaxQueryExecutionTime in virtuoso.ini)",
            504,
        )


def cut_at(headers: Mapping[str, str], size: int, server_max_rows: int | None) -> int | None:
    """The row limit at which the server cut a result of `size` rows or triples, or None if it did not:
    Virtuoso says so for a SELECT (X-SPARQL-MaxRows) but cuts a CONSTRUCT silently at its limit."""
    declared = headers.get("X-SPARQL-MaxRows")
    if declared:
        try:
            return int(declared)
        except ValueError:
            return size
    if server_max_rows and size >= server_max_rows:
        return server_max_rows
    return None
