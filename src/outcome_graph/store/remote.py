"""A store behind a SPARQL 1.1 server (Oxigraph, Virtuoso, ...), spoken to with the SPARQL 1.1 Protocol.

- Scope: the dataset is named by one graph on the server (`graph`, default `DEFAULT_GRAPH`, or
  $OUTCOME_GRAPH_GRAPH). It holds either the whole graph or, as `load` writes it, the catalogue of its
  parts (store/layout.py: one named graph per report, `<graph> og:graphPart <part>`) and of their union
  (store/union.py: `<graph> og:unionGraph <graph>/union`, kept in step by `load` and `add`). Every
  request names the union (or, with no union, the graph and every part) as the dataset's default graph
  (one `default-graph-uri` each) and, when the query has a GRAPH pattern, the parts as its named graphs
  (else, or when there are none, an empty graph: `reads_named_graphs`), so that neither the default
  graph nor `GRAPH ?g` ever reaches another graph on the server (Virtuoso's default graph is the union
  of all its graphs, its system graphs included). One default graph, not 356: Virtuoso plans badly over
  many (store/union.py). The catalogue is read at the
  first request and again after PARTS_TTL seconds, so a report replaced on the server (`add
  --endpoint`) is seen.
- Forms: SELECT and ASK ask for SPARQL XML or JSON results (XML first: results_xml.py), CONSTRUCT and
  DESCRIBE for N-Triples; an answer in another form is an error that says what came back.
- Nothing is passed on unchecked: every body is parsed in full before use (a server that stops on its
  own timeout may still answer 200 with a cut-off body), Virtuoso's draft `typed-literal` term type is
  normalised to the standard `literal`, and a result the server cut is detected — Virtuoso's
  `X-SPARQL-MaxRows` header, its partial-result `X-SQL-State` headers, or a row count equal to the
  server's known row limit (`server_max_rows`, $OUTCOME_GRAPH_SERVER_MAX_ROWS). A cut result is marked
  truncated where the caller accepts a cut result (a `max_rows` was given) and is an error otherwise.
- Logins (digest or basic) come from `credentials.resolve`; they are never part of a message.

This module asks (the dataset, the request); store/remote_reply.py reads and judges what came back.

Requests are made with urllib rather than SPARQLWrapper: SPARQLWrapper's digest authentication installs
a process-wide urllib opener, which is wrong in a threaded server talking to one server with a login.
"""

from __future__ import annotations

import http.client
import os
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import rdflib

from ..sparql import Canonical
from ..sparql.lexer import tokens
from .bindings import engine_text
from .credentials import Credentials, opener, resolve
from .parse_guard import parse_guard
from .protocol import Bindings, QueryError, Response, SelectResult, StoreError
from .remote_reply import GRAPH, RESULTS, TABLE, Reply, cut, parse_reply, read_body, refusal
from .results import (
    CSV,
    GRAPH_TYPES,
    JSON,
    NTRIPLES,
    RDF_FORMATS,
    RESULT_TYPES,
    XML,
    serialize_boolean,
    serialize_select,
    to_nodes,
)
from .server_headers import check_partial, cut_at
from .virtuoso_text import for_virtuoso

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 256 * 1024**2  # an answer is read whole before use; beyond this it is refused
DEFAULT_GRAPH = "https://w3id.org/outcome-graph/graph/main"
GRAPH_VARIABLE = "OUTCOME_GRAPH_GRAPH"
SERVER_MAX_ROWS_VARIABLE = "OUTCOME_GRAPH_SERVER_MAX_ROWS"
# The dataset's only named graph: one that holds nothing, so GRAPH ?g {...} matches nothing, as it does
# in the embedded store, instead of ranging over every graph on the server.
NO_NAMED_GRAPHS = "urn:x-outcome-graph:no-named-graphs"
PARTS_TTL = 30.0
# XML first: Virtuoso writes it about four times faster than JSON (store/results_xml.py)
RESULTS_ACCEPT = f"{XML}, {JSON};q=0.9, application/json;q=0.8"
GRAPH_ACCEPT = f"{NTRIPLES}, text/plain;q=0.9"
TABLE_ACCEPT = f"{CSV}, {RESULTS_ACCEPT}"  # select_values
VIRTUOSO_LIMIT_QUERY = (
    "SELECT (bif:cfg_item_value(bif:virtuoso_ini_path(), 'SPARQL', 'ResultSetMaxRows') AS ?max) WHERE { }"
)


# Headers a server sends besides its echo of the dataset's graphs (http.client's own limit is 100).
HEADERS_BESIDE_GRAPHS = 100


def reads_named_graphs(query: str) -> bool:
    """Whether a query text has a GRAPH pattern (the keyword as a token, at any depth, in any case): the
    only way a query reads the dataset's named graphs. A GRAPH inside a string or an IRI is no token."""
    if "graph" not in query.lower():  # most texts: no lexing
        return False
    return any(t.kind == "word" and t.value.upper() == "GRAPH" for t in tokens(query))


class RemoteStore:
    def __init__(
        self,
        endpoint: str,
        *,
        graph: str | None = None,
        user: str | None = None,
        password: str | None = None,
        credentials: Credentials | None = None,
        timeout: float | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        server_max_rows: int | None = None,
    ):
        if credentials is not None:
            self.endpoint = resolve(endpoint)[0]
            self.credentials: Credentials | None = credentials
        else:
            self.endpoint, self.credentials = resolve(endpoint, user, password)
        self.graph = graph or os.environ.get(GRAPH_VARIABLE) or DEFAULT_GRAPH
        limit = server_max_rows or os.environ.get(SERVER_MAX_ROWS_VARIABLE)
        self.server_max_rows = int(limit) if limit else None
        self.name = f"remote:{self.endpoint} graph <{self.graph}>"
        self.timeout = timeout or DEFAULT_TIMEOUT
        self.max_bytes = max_bytes
        self.server_software = ""  # the Server header of the last answer (tells Virtuoso from Oxigraph)
        self._asked_limit = False
        self._opener = opener(self.endpoint, self.credentials)
        self._parts: list[str] | None = None
        self._union: str | None = None  # the catalogue's union graph of the parts, if it names one
        self._parts_read = 0.0

    def parts(self, timeout: float | None = None) -> list[str]:
        """The dataset's named graphs, from the catalogue in its graph (store/layout.py)."""
        if self._parts is None or time.monotonic() - self._parts_read > PARTS_TTL:
            from .layout import GRAPH_PART
            from .union import UNION_GRAPH

            query = (
                f"SELECT ?g ?union WHERE {{ {{ <{self.graph}> <{GRAPH_PART}> ?g }} "
                f"UNION {{ <{self.graph}> <{UNION_GRAPH}> ?union }} }}"
            )
            reply = self._fetch(
                engine_text(query), timeout, RESULTS, dataset=[("default-graph-uri", self.graph)]
            )
            rows = reply.answer["results"]["bindings"]  # type: ignore[index]
            self._parts = sorted(r["g"]["value"] for r in rows if r.get("g", {}).get("type") == "uri")
            unions = sorted(r["union"]["value"] for r in rows if r.get("union", {}).get("type") == "uri")
            self._union = unions[0] if len(unions) == 1 and self._parts else None
            self._parts_read = time.monotonic()
        return self._parts

    def union(self, timeout: float | None = None) -> str | None:
        """The graph holding every part's triples, if the catalogue names one (store/union.py)."""
        self.parts(timeout)
        return self._union

    def _dataset(
        self, timeout: float | None, named: bool = True, only: list[str] | None = None
    ) -> list[tuple[str, str]]:
        """The request's dataset; `named`: the query reads named graphs (a GRAPH pattern), so the parts
        are named too. A query without GRAPH never reads them, and naming 1,538 parts cost Virtuoso
        0.45 s a request at 10 M triples (5 ms with the union alone): it is given the empty graph.
        `only`: the parts a query of the project's own reads (`select(named_graphs=...)`), named alone."""
        parts = self.parts(timeout)
        union = self._union
        out = [("default-graph-uri", g) for g in ([union] if union else [self.graph, *parts])]
        if named and only is not None:
            if not set(only) <= set(parts):
                raise QueryError(
                    f"not a part of the dataset <{self.graph}>: {', '.join(sorted(set(only) - set(parts)))}"
                )
            parts = sorted(set(only))
        return out + [("named-graph-uri", g) for g in (parts if named else []) or [NO_NAMED_GRAPHS]]

    def is_virtuoso(self, timeout: float | None = None) -> bool:
        """Whether the server is Virtuoso (its Server header), asked with the catalogue's read if no
        answer has said yet."""
        if not self.server_software:
            self.parts(timeout)
        return self.server_software.lower().startswith("virtuoso")

    def _text(self, query: str, bindings: Bindings | None, timeout: float | None) -> Canonical:
        """The text this server is given: the check's (`engine_text`), and for Virtuoso the forms it
        cannot compile written as forms it can, with the same rows (store/virtuoso_text.py)."""
        text = engine_text(query, bindings)
        return for_virtuoso(text) if self.is_virtuoso(timeout) else text

    # ---- one HTTP exchange ----------------------------------------------------------------------

    def _fetch(
        self, query: str, timeout: float | None, expect: str, dataset: list[tuple[str, str]] | None = None
    ) -> Reply:
        # Only the check's canonical text goes out (see bindings.engine_text), or this module's own
        # fixed question to Virtuoso about its row limit; and only a text the embedded engine parses in
        # a sandboxed worker on a stack smaller than the server's (`parse_guard`).
        if query is not VIRTUOSO_LIMIT_QUERY:
            if type(query) is not Canonical:
                raise TypeError("a remote store sends only the query check's canonical text")
            parse_guard(query, timeout or self.timeout)
        limit = timeout or self.timeout
        if dataset is None:
            dataset = self._dataset(timeout, named=reads_named_graphs(query))
        # Virtuoso answers with one header per graph the request names (X-SPARQL-default-graph,
        # X-SPARQL-named-graph): a national dataset names two per report (2 x 320), and http.client
        # refuses a response of more than 100 headers ("got more than 100 headers"). Its limit is a
        # module setting: raised to what this request can bring back, never lowered.
        http.client._MAXHEADERS = max(http.client._MAXHEADERS, len(dataset) + HEADERS_BESIDE_GRAPHS)
        form = urllib.parse.urlencode(
            [
                ("query", query),
                *dataset,
                # Virtuoso's own time limit for this query (ms, a little under ours): it stops there rather
                # than run on after this client has given up (its answer is then partial: refused below)
                ("timeout", str(int(limit * 800))),
            ]
        ).encode()
        request = urllib.request.Request(
            self.endpoint,
            data=form,
            method="POST",
            headers={
                "Accept": {RESULTS: RESULTS_ACCEPT, TABLE: TABLE_ACCEPT}.get(expect, GRAPH_ACCEPT),
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": "outcome-graph",
            },
        )
        deadline = time.monotonic() + limit
        try:
            response = self._opener.open(request, timeout=limit)
            headers = response.headers
            self.server_software = headers.get("Server", "")
            media_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
            body = read_body(response, deadline, limit, self.endpoint, self.max_bytes)
        except urllib.error.HTTPError as e:
            self.server_software = e.headers.get("Server", "") if e.headers else ""
            raise refusal(e, self.endpoint, self.credentials) from None
        except (TimeoutError, urllib.error.URLError) as e:
            if isinstance(e, TimeoutError) or isinstance(getattr(e, "reason", None), TimeoutError):
                raise StoreError(
                    f"the SPARQL server at {self.endpoint} did not answer within {limit:g} s", 504
                ) from None
            raise StoreError(f"cannot reach the SPARQL server at {self.endpoint}: {e.reason}") from None
        except http.client.IncompleteRead as e:
            raise StoreError(f"the SPARQL server at {self.endpoint} broke off its answer ({e!r})") from None
        except (OSError, http.client.HTTPException) as e:
            raise StoreError(f"cannot reach the SPARQL server at {self.endpoint}: {e}") from None
        check_partial(headers)
        reply = parse_reply(media_type, body, expect)
        if self.server_software.lower().startswith("virtuoso") and self.server_max_rows is None:
            self._learn_virtuoso_limit(headers)
        known_limit = None if reply.kind == "boolean" else self.server_max_rows  # an ASK is never cut
        reply.cut_at = cut_at(headers, reply.size, known_limit)
        return reply

    def _learn_virtuoso_limit(self, headers) -> None:
        """Virtuoso's ResultSetMaxRows, asked of the server once.

        Virtuoso says when it cut a SELECT (X-SPARQL-MaxRows) but cuts a CONSTRUCT silently, at its
        limit plus one; knowing the limit, a graph of that size is recognised as cut.
        """
        if self._asked_limit:
            return
        self._asked_limit = True
        declared = headers.get("X-SPARQL-MaxRows")
        if declared and declared.isdigit():
            self.server_max_rows = int(declared)
            return
        try:
            reply = self._fetch(
                VIRTUOSO_LIMIT_QUERY, None, RESULTS, dataset=[("default-graph-uri", self.graph)]
            )
            value = reply.answer["results"]["bindings"][0]["max"]["value"]  # type: ignore[index]
        except (StoreError, QueryError, LookupError, TypeError):
            return  # the server does not say (a login without the right): only its headers tell
        self.server_max_rows = int(value) if value.strip().isdigit() and int(value) > 0 else None

    # ---- the Store protocol ---------------------------------------------------------------------

    def select(
        self,
        query: str,
        *,
        bindings: Bindings | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
        named_graphs: list[str] | None = None,
    ) -> SelectResult:
        """`named_graphs`: the parts the query's GRAPH patterns read, when the caller knows them (a
        report's own and shared graphs): only those are named. Virtuoso 7.2 answered a join across two
        GRAPH patterns with some rows missing when all 1,538 parts of the 10 M store were named, and
        took three times as long (query_layer.report_graphs; tests/store/test_report_shared.py)."""
        text = self._text(query, bindings, timeout)
        named = reads_named_graphs(text)
        dataset = self._dataset(timeout, named, named_graphs) if named_graphs is not None else None
        reply = self._fetch(text, timeout, RESULTS, dataset=dataset)
        if reply.kind != "rows":
            raise QueryError("expected a SELECT query")
        rows, truncated, _ = cut(reply, max_rows, max_rows is not None)
        return SelectResult(list(reply.answer["head"].get("vars", [])), to_nodes(rows), truncated)  # type: ignore[index]

    def select_values(self, query: str, *, timeout: float | None = None) -> list[dict[str, str]]:
        """A SELECT's rows as plain values (an IRI's text, a literal's lexical form; an unbound or empty
        value left out), asked as CSV: for reads of many rows whose values are used as text (the search
        index, remote_index.py), three times cheaper for Virtuoso to write than XML and for this client
        to read. A result the server cut is an error."""
        reply = self._fetch(self._text(query, None, timeout), timeout, TABLE)
        return cut(reply, None, False)[0]

    def ask(self, query: str, *, bindings: Bindings | None = None, timeout: float | None = None) -> bool:
        reply = self._fetch(self._text(query, bindings, timeout), timeout, RESULTS)
        if reply.kind != "boolean":
            raise QueryError("expected an ASK query")
        return reply.answer["boolean"]  # type: ignore[index]

    def construct(
        self,
        query: str,
        *,
        bindings: Bindings | None = None,
        timeout: float | None = None,
        max_triples: int | None = None,
    ) -> rdflib.Graph:
        reply = self._fetch(self._text(query, bindings, timeout), timeout, GRAPH)
        triples, truncated, _ = cut(reply, max_triples, max_triples is not None)
        graph = rdflib.Graph()
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
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
        if default_graphs or named_graphs:
            # the dataset on a shared server is this store's graph; another graph there is not ours to read
            raise QueryError(
                f"this store serves the graph <{self.graph}> only: "
                "leave out default-graph-uri / named-graph-uri"
            )
        expect = GRAPH if accept in GRAPH_TYPES else RESULTS
        reply = self._fetch(self._text(query, None, timeout), timeout, expect)
        if reply.kind == "boolean":
            if accept not in RESULT_TYPES[:2]:
                raise QueryError(f"ASK results cannot be given as {accept}", status=406)
            return Response(serialize_boolean(reply.answer["boolean"], accept), accept, False, "ASK")  # type: ignore[index]
        items, truncated, limit = cut(reply, max_rows, True)
        if reply.kind == "rows":
            if accept not in RESULT_TYPES:
                raise QueryError(f"SELECT results cannot be given as {accept}", status=406)
            vars_ = list(reply.answer["head"].get("vars", []))  # type: ignore[index]
            return Response(serialize_select(vars_, items, accept, truncated, limit), accept, truncated)
        return Response(ox.serialize(items, format=RDF_FORMATS[accept]), accept, truncated, "CONSTRUCT")

    def triple_count(self) -> int:
        result = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(result.rows[0]["n"])

    def graph_names(self) -> set[str]:
        """None: the served dataset is the store's graph as the default graph, with no named graphs."""
        return set()

    def close(self) -> None:
        pass
