"""The store protocol: what every store answers and the errors it raises. Its own module so that the
store's modules import it and not the package (whose `open_store` imports them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..errors import OutcomeGraphError

if TYPE_CHECKING:  # not at run time: a query worker imports this module, and must start fast
    import rdflib
    from rdflib.term import Node


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

    - `select`/`ask`/`construct` bind `bindings` as typed terms (see `bindings.bind`); `select`'s
      `named_graphs` names the parts a GRAPH pattern may read (a remote dataset's named graphs); `construct`
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
        named_graphs: list[str] | None = None,
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
