"""The embedded store: a persistent pyoxigraph database queried through killable worker processes."""

from __future__ import annotations

from pathlib import Path

import rdflib

from . import Bindings, QueryError, Response, SelectResult
from .bindings import bind
from .results import to_nodes
from .workers import WorkerPool

DEFAULT_TIMEOUT = 10.0


class EmbeddedStore:
    def __init__(self, db_path: Path, *, workers: int = 2, timeout: float | None = None):
        self.path = Path(db_path)
        self.name = f"embedded:{self.path}"
        self.timeout = timeout or DEFAULT_TIMEOUT
        self.pool = WorkerPool(str(self.path), size=workers)

    def _run(self, request: dict, timeout: float | None) -> dict:
        return self.pool.run(request, timeout or self.timeout)

    def select(
        self,
        query: str,
        *,
        bindings: Bindings | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> SelectResult:
        out = self._run({"op": "rows", "query": bind(query, bindings), "max_rows": max_rows}, timeout)
        if out["form"] != "SELECT":
            raise QueryError(f"expected a SELECT query, got {out['form']}")
        return SelectResult(out["vars"], to_nodes(out["rows"]), out["truncated"])

    def ask(self, query: str, *, bindings: Bindings | None = None, timeout: float | None = None) -> bool:
        out = self._run({"op": "rows", "query": bind(query, bindings)}, timeout)
        if out["form"] != "ASK":
            raise QueryError(f"expected an ASK query, got {out['form']}")
        return out["boolean"]

    def construct(
        self,
        query: str,
        *,
        bindings: Bindings | None = None,
        timeout: float | None = None,
        max_triples: int | None = None,
    ) -> rdflib.Graph:
        out = self._run({"op": "rows", "query": bind(query, bindings), "max_rows": max_triples}, timeout)
        if out["form"] != "CONSTRUCT":
            raise QueryError(f"expected a CONSTRUCT or DESCRIBE query, got {out['form']}")
        graph = rdflib.Graph()
        graph.parse(data=out["body"], format="nt")
        graph.truncated = out["truncated"]  # type: ignore[attr-defined]
        return graph

    def execute(
        self,
        query: str,
        accept: str,
        *,
        timeout: float | None = None,
        max_rows: int | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Response:
        request = {
            "op": "execute",
            "query": query,
            "media_type": accept,
            "max_rows": max_rows,
            "default_graphs": default_graphs,
            "named_graphs": named_graphs,
        }
        out = self._run(request, timeout)
        return Response(out["body"], accept, out["truncated"], out["form"])

    def triple_count(self) -> int:
        return self._run({"op": "len"}, None)["count"]

    def graph_names(self) -> set[str]:
        return set(self._run({"op": "graphs"}, None)["graphs"])

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
