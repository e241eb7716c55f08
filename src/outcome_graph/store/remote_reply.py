"""What a SPARQL server answered, read and judged (store/remote.py asks): the body read whole within the
time and size limits, parsed in full as the form asked for, a cut result recognised, and an HTTP refusal
turned into the error that says what it was (a bad query, a time limit, a login, another failure).
"""

from __future__ import annotations

import csv
import io
import re
import time
import urllib.error
from dataclasses import dataclass

import pyoxigraph as ox

from .credentials import Credentials
from .protocol import QueryError, StoreError
from .results import CSV, JSON, NTRIPLES, XML, checked_results, parse_json
from .results_xml import parse_xml
from .server_headers import message

RESULTS, GRAPH = "SELECT or ASK", "CONSTRUCT or DESCRIBE"
TABLE = "SELECT, as plain values"  # select_values: SPARQL CSV, each value its lexical form or IRI
# what a server may answer a CONSTRUCT with, parsed in full (N-Triples is what is asked for)
_GRAPH_REPLIES = {
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
_RESULT_REPLIES = (XML, JSON, "application/json")


@dataclass
class Reply:
    kind: str  # 'rows', 'boolean' or 'triples'
    answer: object  # the JSON document, or the list of triples
    cut_at: int | None = None  # the row limit the server says it applied, or the known limit reached

    @property
    def size(self) -> int:
        if self.kind == "rows":
            return len(self.answer["results"]["bindings"])  # type: ignore[index]
        return len(self.answer) if self.kind == "triples" else 1  # type: ignore[arg-type]


_VIRTUOSO_ERROR = re.compile(rb"Virtuoso [0-9A-Z]{5} Error")


def server_words(body: bytes) -> str:
    """An error answer's words. Virtuoso may stream rows and then stop at its time limit: HTTP 500 whose
    body is the rows so far (67 MB for implementing-records at 10 M triples) with its error after them
    ("Virtuoso S1TAT Error ... query interrupted by result timeout"): its words are the last such error."""
    starts = [m.start() for m in _VIRTUOSO_ERROR.finditer(body)]
    return message(body[starts[-1] :] if starts else body)


def refusal(e: urllib.error.HTTPError, endpoint: str, credentials: Credentials | None) -> Exception:
    """The error an HTTP error answer stands for, with the server's own words."""
    detail = server_words(e.read())
    if e.code == 400:
        return QueryError(f"the SPARQL server refused the query: {detail}")
    # Virtuoso at its MaxQueryExecutionTime (S1T00), or cancelled at the time this client gave it
    # (the `timeout` parameter: HY008 "Async statement killed by SQLCancel"): a time limit either way
    # or S1TAT: rows streamed, then cut at its time limit ("query interrupted by result timeout")
    if any(word in detail for word in ("S1T00", "S1TAT", "timed out", "HY008")):
        return StoreError(f"the query ran past the SPARQL server's time limit (HTTP {e.code}): {detail}", 504)
    if "estimated execution time" in detail and "exceeds the limit" in detail:
        # Virtuoso refuses, before running it, a query its planner expects to overrun
        # (MaxQueryCostEstimationTime in virtuoso.ini): the same time limit, met early
        return StoreError(
            f"the SPARQL server expects the query to run past its time limit (HTTP {e.code}; "
            f"Virtuoso: MaxQueryCostEstimationTime in virtuoso.ini): {detail}",
            504,
        )
    if e.code in (401, 403):
        who = f"the login from {credentials.source}" if credentials else "no login"
        return StoreError(
            f"the SPARQL server at {endpoint} refused access with {who} (HTTP {e.code}); "
            "give a login with --user and OUTCOME_GRAPH_PASSWORD, or in ~/.netrc",
            502,
        )
    return StoreError(f"the SPARQL server at {endpoint} answered HTTP {e.code}: {detail}")


def parse_reply(media_type: str, body: bytes, expect: str) -> Reply:
    """A body parsed in full as what was asked for (`expect`): rows or a boolean, or triples."""
    if expect == TABLE:
        return _table(media_type, body)
    if expect == RESULTS:
        if media_type not in _RESULT_REPLIES:
            raise StoreError(
                f"the SPARQL server answered a {RESULTS} query with "
                f"{media_type or 'no media type'}, not SPARQL results (JSON or XML)"
            )
        doc = checked_results(parse_xml(body)) if media_type == XML else parse_json(body)
        return Reply("boolean" if "boolean" in doc else "rows", doc)
    rdf_format = _GRAPH_REPLIES.get(media_type)
    if rdf_format is None:
        raise StoreError(
            f"the SPARQL server answered a {GRAPH} query with {media_type or 'no media type'}, not RDF "
            f"(asked for {NTRIPLES})"
        )
    try:
        return Reply("triples", [q.triple for q in ox.parse(body, format=rdf_format)])
    except SyntaxError as e:
        raise StoreError(f"the SPARQL server sent malformed or cut-off {media_type} ({e})") from None


def _table(media_type: str, body: bytes) -> Reply:
    """SPARQL CSV read into rows of plain values ({variable: text}, an unbound or empty value left out).
    CSV because Virtuoso writes it about three times faster than XML and it parses without building a
    term per value (the search index's pages: remote_index.py); a server that answers XML or JSON instead
    is read as ever and its values taken."""
    if media_type in _RESULT_REPLIES:
        doc = parse_reply(media_type, body, RESULTS).answer
        rows = [{k: v["value"] for k, v in b.items() if v["value"]} for b in doc["results"]["bindings"]]  # type: ignore[index]
        return Reply("rows", {"head": doc["head"], "results": {"bindings": rows}})  # type: ignore[index]
    if media_type != CSV:
        raise StoreError(
            f"the SPARQL server answered a SELECT query asked as {CSV} with {media_type or 'no media type'}"
        )
    try:
        reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""), strict=True)
        head = next(reader, [])
        rows = []
        for values in reader:
            if len(values) != len(head):
                raise StoreError(
                    f"the SPARQL server sent a CSV row of {len(values)} values under {len(head)} "
                    f"variables (line {reader.line_num}): cut off or malformed"
                )
            rows.append({k: v for k, v in zip(head, values, strict=True) if v})
    except (UnicodeDecodeError, csv.Error) as e:
        raise StoreError(f"the SPARQL server sent malformed CSV ({e})") from None
    return Reply("rows", {"head": {"vars": head}, "results": {"bindings": rows}})


def read_body(response, deadline: float, limit: float, endpoint: str, max_bytes: int) -> bytes:
    """The whole body, within the time limit and the size limit.

    A socket timeout bounds each read, not the whole answer: a server that keeps streaming rows
    (the Oxigraph server does, past its own --timeout-s) must be cut off here.
    """
    chunks, total = [], 0
    try:
        while True:
            if time.monotonic() > deadline:
                raise StoreError(
                    f"the SPARQL server at {endpoint} still sending after {limit:g} s",
                    504,
                )
            chunk = response.read1(65536)
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > max_bytes:
                raise StoreError(
                    f"the SPARQL server's answer is larger than {max_bytes} bytes; "
                    "narrow the query (LIMIT) or raise the limit"
                )
            chunks.append(chunk)
    finally:
        response.close()


def cut(reply: Reply, max_rows: int | None, accept_cut: bool) -> tuple[list, bool, int | None]:
    """(items, truncated, the limit to report): the caller's limit and the server's, applied.

    A result the server cut is an error unless the caller accepts a cut result (and says so on).
    """
    items = reply.answer["results"]["bindings"] if reply.kind == "rows" else reply.answer  # type: ignore[index]
    if reply.cut_at is not None and not accept_cut:
        raise StoreError(
            f"the SPARQL server cut its answer at {reply.size} rows (its row limit is {reply.cut_at}), "
            "so it is incomplete; raise the server's limit above the graph's size (Virtuoso: "
            "ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)"
        )
    if max_rows is not None and len(items) > max_rows:  # type: ignore[arg-type]
        return items[:max_rows], True, max_rows  # type: ignore[index]
    if reply.cut_at is not None:
        return items, True, min(reply.cut_at, max_rows) if max_rows is not None else reply.cut_at  # type: ignore[return-value]
    return items, False, max_rows  # type: ignore[return-value]
