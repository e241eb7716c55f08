"""The embedded store: a persistent pyoxigraph database queried through killable worker processes."""

from __future__ import annotations

from pathlib import Path

import rdflib

from ..sparql import Canonical
from .bindings import engine_text
from .lanes import EXPRESS, RESERVED, current_lane
from .protocol import Bindings, QueryError, Response, SelectResult
from .results import to_nodes
from .workers import WorkerPool

DEFAULT_TIMEOUT = 10.0


class EmbeddedStore:
    """`workers` processes answer user-written queries (and everything when no lane is set);
    `reserved_workers` more, if any, answer only the project's own queries (lane RESERVED), so that
    those never queue behind a user's slow query."""

    def __init__(
        self, db_path: Path, *, workers: int = 2, timeout: float | None = None, reserved_workers: int = 0
    ):
        self.path = Path(db_path)
        self.name = f"embedded:{self.path}"
        # The store is read-only and each build is a new gen-* directory: its name is the version of
        # the data, which result caches are keyed on.
        self.generation = self.path.parent.name if self.path.name == "db" else str(self.path)
        self.timeout = timeout or DEFAULT_TIMEOUT
        # With a reserved pool, the main pool serves users' own queries: they run at a lower CPU
        # priority, so a runaway one cannot slow the server's threads or the reserved workers.
        # Users' runaways are stopped by killing their worker: a spare takes its place at once. One
        # more worker is kept for light clients (EXPRESS: serve.fairness), so that their cheap queries
        # never wait behind heavier clients' runaways holding every other worker.
        express = EXPRESS if reserved_workers else 0
        self.pool = WorkerPool(
            str(self.path),
            size=workers + express,
            nice=10 if reserved_workers else 0,
            spare=bool(reserved_workers),
            express=express,
        )
        try:
            self.reserved = WorkerPool(str(self.path), size=reserved_workers) if reserved_workers else None
        except BaseException:
            self.pool.close()
            raise

    # serve.fastpath sends a first-seen query to `check_and_execute`: the worker checks it
    checks_in_worker = True

    def _run(self, request: dict, timeout: float | None) -> dict:
        # see bindings.engine_text; "check-execute" carries the client's text to the worker's own check,
        # which gives the engine only the canonical text it wrote (store.query_worker)
        checked_there = request["op"] == "check-execute"
        if "query" in request and type(request["query"]) is not Canonical and not checked_there:
            raise TypeError("an engine is given only the query check's canonical text")
        lane = current_lane()
        timeout = timeout or self.timeout
        if lane is None:
            return self.pool.run(request, timeout)
        if lane.name == RESERVED and self.reserved is not None:
            return self.reserved.run(request, timeout)
        return self.pool.run(request, timeout, budget=lane.budget, promote=lane.promote)

    def select(
        self,
        query: str,
        *,
        bindings: Bindings | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
        named_graphs: list[str] | None = None,
    ) -> SelectResult:
        # named_graphs (the parts a query's GRAPH patterns read, for a remote server's dataset): the
        # embedded store's named graphs are its parts alone, and the query binds which ones it reads
        out = self._run({"op": "rows", "query": engine_text(query, bindings), "max_rows": max_rows}, timeout)
        if out["form"] != "SELECT":
            raise QueryError(f"expected a SELECT query, got {out['form']}")
        return SelectResult(out["vars"], to_nodes(out["rows"]), out["truncated"])

    def ask(self, query: str, *, bindings: Bindings | None = None, timeout: float | None = None) -> bool:
        out = self._run({"op": "rows", "query": engine_text(query, bindings)}, timeout)
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
        out = self._run(
            {"op": "rows", "query": engine_text(query, bindings), "max_rows": max_triples}, timeout
        )
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
            "query": engine_text(query),
            "media_type": accept,
            "max_rows": max_rows,
            "default_graphs": default_graphs,
            "named_graphs": named_graphs,
        }
        out = self._run(request, timeout)
        return Response(out["body"], accept, out["truncated"], out["form"])

    def check_and_execute(
        self,
        query: str,
        media_types: dict[str, str | None],
        *,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> Response | None:
        """`query` (the client's text) checked and run in a worker, on the whole store, as `execute` runs
        the check's canonical text; `media_types` maps each query form to the media type to answer it
        in. None, with nothing run, for a text the check refuses, one that names a dataset (FROM), or one
        whose form has no media type: the caller checks it itself and answers why. Checking in the worker
        takes the check off the serving process, which every request shares (BENCHMARKS.md, the cold
        path); its CPU counts against the sender as the query's does (store.lanes.charge)."""
        request = {"op": "check-execute", "query": query, "media_types": media_types, "max_rows": max_rows}
        out = self._run(request, timeout)
        if out.get("unchecked"):
            return None
        return Response(out["body"], out["media_type"], out["truncated"], out["form"])

    def triple_count(self) -> int:
        return self._run({"op": "len"}, None)["count"]

    def graph_names(self) -> set[str]:
        return set(self._run({"op": "graphs"}, None)["graphs"])

    def close(self) -> None:
        self.pool.close()
        if self.reserved is not None:
            self.reserved.close()

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
