"""The remote store: a server's error, timeout or cut-off body is an error, never data; GSP loading.

Misbehaving servers are tiny loopback http.server instances started here; the timeout and loading
tests use the real Oxigraph server binary.
"""

from __future__ import annotations

import http.server
import threading
import time
from decimal import Decimal

import pytest
from conftest import free_port, start_oxigraph, stop
from rdflib import Literal, URIRef

from outcome_graph.cli import main as cli_main
from outcome_graph.serve.app import create_app
from outcome_graph.store import QueryError, StoreError
from outcome_graph.store.gsp import graph_store_url, put_graph
from outcome_graph.store.remote import DEFAULT_GRAPH, RemoteStore

# plain IRIs: pytest probes module attributes, and rdflib's closed XSD namespace warns when it does
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")

JSON = "application/sparql-results+json"
GOOD = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://example.org/a"}}]}}'
XML = "application/sparql-results+xml"
GOOD_XML = (
    b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="s"/>'
    b'<variable name="o"/></head><results><result><binding name="s"><uri>http://example.org/a</uri></binding>'
    b'<binding name="o"><literal xml:lang="en">a &amp; b</literal></binding></result></results></sparql>'
)
LAUGHS = (  # entity expansion: a few hundred bytes that expat would make into gigabytes
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="s"/></head><results>'
    b'<result><binding name="s"><literal>&b;</literal></binding></result></results></sparql>'
)
BUDGET = URIRef(
    "https://w3id.org/outcome-graph/id/midlothian/report/2016-2017/observation/corporate/revenue-budget/2016-2017"
)


class Misbehaving(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mode = "good"

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        mode = self.server.mode  # type: ignore[attr-defined]
        if mode == "good":
            self._send(200, JSON, GOOD)
        elif mode == "good-xml":
            self._send(200, XML, GOOD_XML)
        elif mode == "cut-xml":  # a complete HTTP message whose XML stops half-way
            self._send(200, XML, GOOD_XML[: len(GOOD_XML) // 2])
        elif mode == "doctype-xml":
            self._send(200, XML, LAUGHS)
        elif mode == "cut-json":  # a complete HTTP message whose JSON stops half-way
            self._send(200, JSON, GOOD[: len(GOOD) // 2])
        elif mode == "cut-ntriples" and body.startswith(b"query=SELECT"):
            # the store's own question for its catalogue of named graphs (store/layout.py): none
            self._send(200, JSON, b'{"head":{"vars":["g"]},"results":{"bindings":[]}}')
        elif mode == "cut-ntriples":
            self._send(200, "application/n-triples", b'<http://example.org/a> <http://example.org/b> "unfini')
        elif mode == "html":
            self._send(200, "text/html", b"<html><body>Welcome to nginx</body></html>")
        elif mode == "error-500":
            self._send(500, "text/plain", b"java.lang.OutOfMemoryError")
        elif mode == "virtuoso-cancelled":  # Virtuoso stopped at the `timeout` this client gave it
            self._send(500, "text/plain", b"Virtuoso HY008 Error SR203: Async statement killed by SQLCancel.")
        elif mode == "virtuoso-interrupted":  # rows streamed, then Virtuoso's time limit, as HTTP 500
            row = b'<result><binding name="s"><uri>http://example.org/a</uri></binding></result>\n'
            self._send(
                500,
                "text/plain",
                b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="s"/></head>'
                b"<results>" + row * 200 + b"Virtuoso S1TAT Error RC...: Returning incomplete results, "
                b"query interrupted by result timeout.  Activity:  1.268M rnd\n\nSPARQL query:\nSELECT ?s",
            )
        elif mode == "error-400":
            self._send(400, "text/plain", b"Parse error: Encountered <EOF> at line 1, column 9")
        elif mode == "chunked-cut":  # what the Oxigraph server does when its own timeout fires
            self.send_response(200)
            self.send_header("Content-Type", JSON)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = GOOD[:40]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
            self.close_connection = True
        elif mode == "endless":  # keeps streaming rows, never finishing
            self.send_response(200)
            self.send_header("Content-Type", JSON)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            row = b'{"s":{"type":"uri","value":"http://example.org/a"}},'
            try:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(GOOD[:35]), GOOD[:35]))
                for _ in range(2000):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(row), row))
                    self.wfile.flush()
                    time.sleep(0.01)
            except OSError:
                pass
            self.close_connection = True
        elif mode == "silent":
            time.sleep(8)
            self.close_connection = True
        elif mode == "virtuoso-partial":  # Virtuoso's "anytime" answer: well-formed, 200, and partial
            self.send_response(200)
            self.send_header("Content-Type", JSON)
            self.send_header("Content-Length", str(len(GOOD)))
            self.send_header("X-SQL-State", "S1TAT")
            self.send_header(
                "X-SQL-Message", "RC...: Returning incomplete results, query interrupted by result timeout"
            )
            self.send_header("Server", "Virtuoso/08.03.3330 (Linux) x86_64-generic-linux-glibc25  VDB")
            self.end_headers()
            self.wfile.write(GOOD)

    def _send(self, status: int, media_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def fake():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    server.daemon_threads = True
    server.mode = "good"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def endpoint(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/query"


def test_a_well_formed_answer_is_data(fake):
    result = RemoteStore(endpoint(fake)).select("SELECT ?s WHERE { ?s ?p ?o }")
    assert result.rows == [{"s": URIRef("http://example.org/a")}]


def test_xml_results_are_the_same_data_as_json(fake):
    """Virtuoso is asked for XML first (it writes JSON four times slower): its terms, language tags and
    escapes read as the JSON answer's would."""
    from rdflib import Literal

    fake.mode = "good-xml"
    result = RemoteStore(endpoint(fake)).select("SELECT ?s ?o WHERE { ?s ?p ?o }")
    assert result.rows == [{"s": URIRef("http://example.org/a"), "o": Literal("a & b", lang="en")}]


@pytest.mark.parametrize(
    "mode, message",
    [
        ("cut-json", "malformed or cut-off JSON"),
        ("cut-xml", "malformed or cut-off XML"),
        ("doctype-xml", "XML results declare a document type"),
        ("chunked-cut", "broke off its answer"),
        ("html", "answered a SELECT or ASK query with text/html, not SPARQL results \\(JSON or XML\\)"),
        ("error-500", "OutOfMemoryError"),
    ],
)
def test_a_broken_answer_is_a_store_error(fake, mode, message):
    fake.mode = mode
    with pytest.raises(StoreError, match=message):
        RemoteStore(endpoint(fake)).select("SELECT ?s WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("call", ["select", "execute"])
def test_virtuosos_partial_answer_is_an_error_though_its_body_is_well_formed(fake, call):
    """The body parses and holds a row: only the X-SQL-State header says it is an arbitrary part."""
    fake.mode = "virtuoso-partial"
    store = RemoteStore(endpoint(fake))
    with pytest.raises(StoreError) as failed:
        if call == "select":
            store.select("SELECT ?s WHERE { ?s ?p ?o }")
        else:
            store.execute("SELECT ?s WHERE { ?s ?p ?o }", JSON)
    assert failed.value.status == 504
    assert (
        "incomplete result (X-SQL-State: S1TAT: RC...: Returning incomplete results" in failed.value.message
    )
    assert "MaxQueryExecutionTime" in failed.value.message


def test_cut_off_ntriples_is_a_store_error(fake):
    fake.mode = "cut-ntriples"
    with pytest.raises(StoreError, match="malformed or cut-off application/n-triples"):
        RemoteStore(endpoint(fake)).construct("CONSTRUCT WHERE { ?s ?p ?o }")


def test_a_400_is_the_query_s_fault_and_carries_the_server_s_message(fake):
    fake.mode = "error-400"
    with pytest.raises(QueryError, match="line 1, column 9"):
        RemoteStore(endpoint(fake)).select("SELECT ?s")


@pytest.mark.parametrize("mode", ["endless", "silent"])
def test_a_server_that_does_not_finish_in_time_is_a_timeout_error(fake, mode):
    fake.mode = mode
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        RemoteStore(endpoint(fake), timeout=1).select("SELECT ?s WHERE { ?s ?p ?o }")
    assert caught.value.status == 504
    assert time.monotonic() - started < 30  # stopped, not left waiting (a generous bound)


def test_an_oversized_answer_is_refused(fake):
    fake.mode = "endless"
    with pytest.raises(StoreError, match="larger than 1000 bytes"):
        RemoteStore(endpoint(fake), timeout=10, max_bytes=1000).select("SELECT ?s WHERE { ?s ?p ?o }")


def test_through_the_endpoint_a_broken_answer_is_502_not_data(fake):
    fake.mode = "cut-json"
    client = create_app(store=RemoteStore(endpoint(fake))).test_client()
    response = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
    assert response.status_code == 502
    assert "cut-off JSON" in response.get_data(as_text=True)


def test_an_unreachable_server_is_a_store_error():
    with pytest.raises(StoreError, match="cannot reach"):
        RemoteStore(f"http://127.0.0.1:{free_port()}/query", timeout=2).ask("ASK {}")


def test_the_remote_store_answers_like_the_graph(remote_store, graph_ntriples):
    assert remote_store.triple_count() == graph_ntriples.count(b"\n")
    result = remote_store.select(
        "PREFIX og: <https://w3id.org/outcome-graph/def#> SELECT ?v WHERE { ?o og:value ?v }",
        bindings={"o": BUDGET},
    )
    assert result.rows == [{"v": Literal(Decimal("15431000"), datatype=XSD_DECIMAL)}]


# ---- the real Oxigraph server ------------------------------------------------------------------


@pytest.mark.server
def test_the_oxigraph_servers_own_timeout_is_an_error_not_data(tmp_path, graph_ntriples):
    process, base = start_oxigraph(tmp_path, "--timeout-s", "1")
    try:
        put_graph(f"{base}/store", graph_ntriples, graph=DEFAULT_GRAPH)
        store = RemoteStore(f"{base}/query", timeout=3)
        started = time.monotonic()
        for query in (
            "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
        ):
            with pytest.raises(StoreError):
                store.select(query)
        assert time.monotonic() - started < 60  # both stopped by the time limit (a generous bound)
    finally:
        stop(process)


def test_the_graph_store_url_must_be_given_where_it_cannot_be_told(capsys, fake):
    assert graph_store_url("http://127.0.0.1:7878/query", "Oxigraph/0.5.13") == "http://127.0.0.1:7878/store"
    assert (
        graph_store_url("http://127.0.0.1:8890/sparql", "Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu")
        == "http://127.0.0.1:8890/sparql-graph-crud-auth"
    )
    with pytest.raises(StoreError, match="--graph-store URL .Oxigraph: http://HOST:PORT/store; Virtuoso"):
        graph_store_url("http://127.0.0.1:3030/dataset/sparql", "Apache Jena Fuseki (4.9.0)")
    # an unknown server (here a tiny http.server) at an endpoint whose layout says nothing
    sparql = f"http://127.0.0.1:{fake.server_address[1]}/dataset/sparql"
    assert cli_main(["load", "--endpoint", sparql]) == 1
    err = capsys.readouterr().err
    assert "cannot tell the Graph Store Protocol URL" in err and "give it with --graph-store URL" in err


def test_a_query_virtuoso_cancelled_at_the_given_time_is_a_timeout_error(fake):
    fake.mode = "virtuoso-cancelled"
    with pytest.raises(StoreError, match="time limit") as caught:
        RemoteStore(endpoint(fake)).select("SELECT ?s WHERE { ?s ?p ?o }")
    assert caught.value.status == 504


def test_virtuoso_s_rows_cut_by_its_time_limit_are_a_timeout_naming_its_words(fake):
    """Virtuoso streamed implementing-records' rows for 25 s at 10 M triples, then stopped at its limit
    and answered HTTP 500: the rows first, its error last. A time limit (504), with the server's words
    (not the first rows of XML), never a 502 as a broken server."""
    fake.mode = "virtuoso-interrupted"
    with pytest.raises(StoreError, match="time limit") as caught:
        RemoteStore(endpoint(fake)).select("SELECT ?s WHERE { ?s ?p ?o }")
    assert caught.value.status == 504
    assert "S1TAT Error RC...: Returning incomplete results" in str(caught.value)
    assert "<binding" not in str(caught.value)


@pytest.mark.parametrize(
    "query, reads",
    [
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", True),
        ("select * where { graph<urn:x:g> { ?s ?p ?o } }", True),
        ("SELECT * { { SELECT ?s { OPTIONAL { Graph ?g { ?s ?p ?o } } } } }", True),
        ("ASK { FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }", True),
        ('SELECT * WHERE { ?s <urn:x:GRAPH> "GRAPH" }', False),
        ("SELECT ?graph WHERE { ?graph ?p ?o }", False),
        ("PREFIX g: <urn:x:> SELECT * WHERE { ?s g:graph ?o }", False),
        ("SELECT * WHERE { ?s ?p ?o } # GRAPH ?g", False),
    ],
)
def test_the_parts_are_named_for_a_graph_pattern_only(query, reads):
    """A GRAPH keyword anywhere in the query names the parts; the word in a string, an IRI, a variable, a
    prefixed name or a comment does not (naming them costs a many-part server per request)."""
    from outcome_graph.store.remote import reads_named_graphs

    assert reads_named_graphs(query) is reads
