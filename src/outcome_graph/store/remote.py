"""A store behind any SPARQL 1.1 server, queried through SPARQLWrapper.

Every answer is parsed in full before it is used: a server that stops on its own timeout may still
answer 200 with a cut-off body (the Oxigraph server does), so a body that does not parse is a
StoreError and never data. Results are always fetched as SPARQL JSON or N-Triples and re-serialized
here, so the row limit and its signal work as they do for the embedded store.
"""

from __future__ import annotations

import http.client
import time
import urllib.error

import pyoxigraph as ox
import rdflib
from SPARQLWrapper import POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from . import Bindings, QueryError, Response, SelectResult, StoreError
from .bindings import bind
from .results import (
    GRAPH_TYPES,
    JSON,
    NTRIPLES,
    RESULT_TYPES,
    parse_json,
    serialize_boolean,
    serialize_select,
    to_nodes,
)

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 256 * 1024**2  # an answer is read whole before use; beyond this it is refused
_ACCEPT = f"{JSON}, {NTRIPLES};q=0.9"
_RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def _message(body) -> str:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return " ".join(str(body).split())[:500]


class RemoteStore:
    def __init__(self, endpoint: str, *, timeout: float | None = None, max_bytes: int = DEFAULT_MAX_BYTES):
        self.endpoint = endpoint
        self.name = f"remote:{endpoint}"
        self.timeout = timeout or DEFAULT_TIMEOUT
        self.max_bytes = max_bytes

    # ---- one HTTP exchange ----------------------------------------------------------------------

    def _fetch(
        self,
        query: str,
        timeout: float | None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> tuple[str, bytes]:
        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setOnlyConneg(True)  # no non-standard format= parameter: Accept alone says what we want
        client.setTimeout(int(max(1, round(timeout or self.timeout))))
        client.addCustomHttpHeader("Accept", _ACCEPT)
        for graph in default_graphs or []:
            client.addDefaultGraph(graph)
        for graph in named_graphs or []:
            client.addNamedGraph(graph)
        client.setQuery(query)
        limit = timeout or self.timeout
        deadline = time.monotonic() + limit
        try:
            response = client.query().response
            media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            body = self._read(response, deadline, limit)
        except QueryBadFormed as e:
            raise QueryError(
                f"the SPARQL server refused the query: {_message(e.args[0] if e.args else e)}"
            ) from e
        except SPARQLWrapperException as e:
            raise StoreError(f"the SPARQL server at {self.endpoint} failed: {_message(e)}") from e
        except urllib.error.HTTPError as e:
            raise StoreError(
                f"the SPARQL server at {self.endpoint} answered HTTP {e.code}: {_message(e.read())}"
            ) from e
        except TimeoutError as e:
            raise StoreError(
                f"the SPARQL server at {self.endpoint} did not answer within {limit:g} s", 504
            ) from e
        except http.client.IncompleteRead as e:
            raise StoreError(f"the SPARQL server at {self.endpoint} broke off its answer ({e!r})") from e
        except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
            raise StoreError(f"cannot reach the SPARQL server at {self.endpoint}: {e}") from e
        return media_type, body

    def _answer(self, query: str, timeout: float | None, **dataset) -> tuple[str, object]:
        """('rows', doc) | ('boolean', doc) | ('triples', [Triple]) — each parsed and checked in full."""
        media_type, body = self._fetch(query, timeout, **dataset)
        if media_type == JSON or media_type == "application/json":
            doc = parse_json(body)
            return ("boolean" if "boolean" in doc else "rows"), doc
        if media_type in (NTRIPLES, "text/plain"):
            try:
                return "triples", [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
            except SyntaxError as e:
                raise StoreError(f"the SPARQL server sent malformed or cut-off N-Triples ({e})") from e
        raise StoreError(
            f"the SPARQL server answered with {media_type or 'no media type'}, not SPARQL results"
        )

    def _read(self, response, deadline: float, limit: float) -> bytes:
        """The whole body, within the time limit and the size limit.

        A socket timeout bounds each read, not the whole answer: a server that keeps streaming rows
        (the Oxigraph server does, past its own --timeout-s) must be cut off here.
        """
        chunks, total = [], 0
        try:
            while True:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"the SPARQL server at {self.endpoint} still sending after {limit:g} s",
                        504,
                    )
                chunk = response.read1(65536)
                if not chunk:
                    return b"".join(chunks)
                total += len(chunk)
                if total > self.max_bytes:
                    raise StoreError(
                        f"the SPARQL server's answer is larger than {self.max_bytes} bytes; "
                        "narrow the query (LIMIT) or raise the limit"
                    )
                chunks.append(chunk)
        finally:
            response.close()

    # ---- the Store protocol ---------------------------------------------------------------------

    def select(
        self,
        query: str,
        *,
        bindings: Bindings | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> SelectResult:
        kind, doc = self._answer(bind(query, bindings), timeout)
        if kind != "rows":
            raise QueryError("expected a SELECT query")
        rows = doc["results"]["bindings"]
        truncated = max_rows is not None and len(rows) > max_rows
        rows = rows[:max_rows] if truncated else rows
        return SelectResult(list(doc["head"].get("vars", [])), to_nodes(rows), truncated)

    def ask(self, query: str, *, bindings: Bindings | None = None, timeout: float | None = None) -> bool:
        kind, doc = self._answer(bind(query, bindings), timeout)
        if kind != "boolean":
            raise QueryError("expected an ASK query")
        return doc["boolean"]

    def construct(
        self,
        query: str,
        *,
        bindings: Bindings | None = None,
        timeout: float | None = None,
        max_triples: int | None = None,
    ) -> rdflib.Graph:
        kind, triples = self._answer(bind(query, bindings), timeout)
        if kind != "triples":
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        truncated = max_triples is not None and len(triples) > max_triples
        data = ox.serialize(triples[:max_triples] if truncated else triples, format=ox.RdfFormat.N_TRIPLES)
        graph = rdflib.Graph()
        graph.parse(data=data, format="nt")
        graph.truncated = truncated  # type: ignore[attr-defined]
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
        kind, answer = self._answer(query, timeout, default_graphs=default_graphs, named_graphs=named_graphs)
        if kind == "boolean":
            if accept not in RESULT_TYPES[:2]:
                raise QueryError(f"ASK results cannot be given as {accept}", status=406)
            return Response(serialize_boolean(answer["boolean"], accept), accept, False, "ASK")
        if kind == "rows":
            if accept not in RESULT_TYPES:
                raise QueryError(f"SELECT results cannot be given as {accept}", status=406)
            rows = answer["results"]["bindings"]
            truncated = max_rows is not None and len(rows) > max_rows
            rows = rows[:max_rows] if truncated else rows
            vars_ = list(answer["head"].get("vars", []))
            return Response(serialize_select(vars_, rows, accept, truncated, max_rows), accept, truncated)
        if accept not in GRAPH_TYPES:
            raise QueryError(f"CONSTRUCT results cannot be given as {accept}", status=406)
        truncated = max_rows is not None and len(answer) > max_rows
        triples = answer[:max_rows] if truncated else answer
        return Response(ox.serialize(triples, format=_RDF_FORMATS[accept]), accept, truncated, "CONSTRUCT")

    def triple_count(self) -> int:
        result = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(result.rows[0]["n"])

    def graph_names(self) -> set[str]:
        result = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return {str(row["g"]) for row in result.rows if "g" in row}

    def close(self) -> None:
        pass
