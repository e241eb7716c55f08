"""Where the graph is queried: an embedded Oxigraph store or any SPARQL 1.1 server.

Both kinds answer the same `Store` protocol so that the server, saved queries, trace and audit never
know which one they talk to. Query parameters are bound as typed RDF terms (see `bindings`), and a
server's error, timeout or cut-off body is raised as `StoreError`, never returned as data.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..errors import OutcomeGraphError

if TYPE_CHECKING:  # not at run time: a query worker imports this package, and must start fast
    import rdflib
    from rdflib.term import Node

__all__ = [
    "Store",
    "SelectResult",
    "Response",
    "QueryError",
    "QueryTimeout",
    "StoreError",
    "open_store",
    "default_store_dir",
]


class QueryError(OutcomeGraphError):
    """The query itself is wrong (syntax, unknown prefix, bad binding): the client must change it."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


class QueryTimeout(OutcomeGraphError):
    """The query ran past its time limit and was stopped (its worker process was killed)."""

    def __init__(self, message: str, status: int = 503):
        super().__init__(message)
        self.message, self.status = message, status


class StoreError(OutcomeGraphError):
    """The store failed: a remote server's HTTP error, timeout or malformed body, or a broken store."""

    def __init__(self, message: str, status: int = 502):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class SelectResult:
    vars: list[str]
    rows: list[dict[str, Node]] = field(default_factory=list)  # an unbound variable is absent
    truncated: bool = False  # True when max_rows cut the result


@dataclass
class Response:
    """A protocol answer ready to send: the serialized body, its media type, and whether it was cut."""

    body: bytes
    media_type: str
    truncated: bool = False
    form: str = "SELECT"  # SELECT, ASK, CONSTRUCT or DESCRIBE


Bindings = dict[str, "Node"]


@runtime_checkable
class Store(Protocol):
    """What every store answers.

    - `select`/`ask`/`construct` bind `bindings` as typed terms (see `bindings.bind`); `construct`
      returns an rdflib Graph with a `truncated` attribute set when `max_triples` cut it.
    - `execute` is the raw protocol path for /sparql: `accept` is one concrete media type from
      `results.RESULT_TYPES` (SELECT), `results.BOOLEAN_TYPES` (ASK) or `results.GRAPH_TYPES`
      (CONSTRUCT/DESCRIBE); a type that does not fit the query's form is a QueryError with status 406.
      `max_rows` cuts rows or triples and sets `Response.truncated`.
    - `graph_names` lists the store's named graphs (the graph itself is in the default graph).
    - Errors: QueryError (the query's fault), QueryTimeout (stopped at its time limit), StoreError.
    """

    name: str

    def select(
        self,
        query: str,
        *,
        bindings: Bindings | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> SelectResult: ...

    def ask(self, query: str, *, bindings: Bindings | None = None, timeout: float | None = None) -> bool: ...

    def construct(
        self,
        query: str,
        *,
        bindings: Bindings | None = None,
        timeout: float | None = None,
        max_triples: int | None = None,
    ) -> rdflib.Graph: ...

    def execute(
        self,
        query: str,
        accept: str,
        *,
        timeout: float | None = None,
        max_rows: int | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Response: ...

    def triple_count(self) -> int: ...

    def graph_names(self) -> set[str]: ...

    def close(self) -> None: ...


def default_store_dir() -> Path:
    """$OUTCOME_GRAPH_STORE, else the per-user data directory (XDG_DATA_HOME or ~/.local/share)."""
    env = os.environ.get("OUTCOME_GRAPH_STORE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "outcome-graph" / "store"


def open_store(
    store_dir: Path | None = None,
    endpoint: str | None = None,
    *,
    build_if_missing: bool = True,
    progress: Callable[[str], None] | None = print,
    workers: int = 2,
    timeout: float | None = None,
    reserved_workers: int = 0,
) -> Store:
    """The embedded store in `store_dir` (built or rebuilt from the sources as needed), or a remote one.

    The embedded store is rebuilt when the sources' fingerprint changes; the rebuild happens in a new
    directory that replaces the old one only when it is complete.
    """
    if endpoint:
        from .remote import RemoteStore

        return RemoteStore(endpoint, timeout=timeout)
    from .build import ensure_built
    from .embedded import EmbeddedStore

    directory = Path(store_dir) if store_dir else default_store_dir()
    db = ensure_built(directory, build_if_missing=build_if_missing, progress=progress)
    try:
        return EmbeddedStore(db, workers=workers, timeout=timeout, reserved_workers=reserved_workers)
    except StoreError as e:  # the database cannot be opened: the store is a cache of the reports
        if not build_if_missing:
            raise
        db = ensure_built(directory, progress=progress, damaged=f"its database cannot be opened: {e}")
        return EmbeddedStore(db, workers=workers, timeout=timeout, reserved_workers=reserved_workers)
