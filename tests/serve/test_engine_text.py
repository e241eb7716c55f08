"""What reaches an engine (issue 16 part 1, part 4, part 5; issue 19 part 2): only the check's canonical
text, by every path; SPARQL 1.2 refused as such; messages that name the problem."""

from __future__ import annotations

import http.server
import threading
import urllib.parse

import pytest

from outcome_graph.sparql import Canonical, Refused, check_query, for_engine
from outcome_graph.store import QueryError, StoreError
from outcome_graph.store.workers import STORE_DAMAGED

OG = "https://w3id.org/outcome-graph/def#"
V12 = "SPARQL 1.2 is not offered here"


# ---- the stores send only canonical text ----------------------------------------------------------


def test_an_engine_is_never_handed_a_text_the_check_did_not_write(built_store):
    with pytest.raises(TypeError, match="canonical text"):
        built_store._run({"op": "rows", "query": "ASK {}"}, 5)
    assert built_store.ask("ASK {}") is True  # the public methods write it first


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Stands for a remote SPARQL server: records each request's form and answers no rows."""

    sent: list[dict] = []

    def do_POST(self):  # noqa: N802 (the name http.server calls)
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.sent.append(urllib.parse.parse_qs(body))
        answer = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def test_a_remote_store_sends_the_canonical_text_and_nothing_else():
    """A recorder stands for the remote server and keeps what it is sent: no PREFIX, no prefixed name,
    the SERVICE-like prefix written as the IRI it names; a refused query is never sent at all."""
    from outcome_graph.store.remote import RemoteStore

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        store = RemoteStore(f"http://127.0.0.1:{server.server_address[1]}/sparql", timeout=5)
        store.select(f"PREFIX SERVICEx: <{OG}> SELECT ?s WHERE {{ ?s a SERVICEx:Risk }}")
        sent = [form["query"][0] for form in _Recorder.sent]
        assert f"SELECT ?s WHERE {{ ?s a <{OG}Risk> }}" in sent
        # the store's own questions (the dataset's parts) go out as canonical text too
        assert all(check_query(text).text == text and "PREFIX" not in text for text in sent), sent
        with pytest.raises(TypeError):
            store._fetch("ASK {}", 5, "SELECT or ASK")
        with pytest.raises(QueryError, match="SERVICE is refused"):
            store.select("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        assert len(_Recorder.sent) == len(sent)
    finally:
        server.shutdown()
        server.server_close()


def test_the_canonical_text_is_idempotent_and_marked():
    text = check_query(f"PREFIX og: <{OG}>\nSELECT ?r # c\rWHERE {{ ?r a og:Risk }}").text
    assert type(text) is Canonical and for_engine(text) is text
    assert check_query(str(text)).text == text


# ---- a refused outbound attempt is said as such, never as a damaged store --------------------------


@pytest.mark.parametrize(
    "url", ["http://example.org/sparql", "http://10.0.0.1/sparql", "http://127.0.0.1:9/x", "ftp://a/b"]
)
def test_an_outbound_attempt_in_a_worker_is_not_a_damaged_store(built_store, url):
    """Past every check, straight to a worker: the engine tries and fails (no route, no name
    resolution, a port or scheme it will not use), and the message says what was tried."""
    query = Canonical(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
    with pytest.raises((QueryError, StoreError)) as failed:
        built_store.pool.run({"op": "rows", "query": query}, timeout=20)
    assert isinstance(failed.value, QueryError), failed.value
    assert "tried to send a request to another server" in str(failed.value)
    assert STORE_DAMAGED not in str(failed.value)


# ---- SPARQL 1.2 -------------------------------------------------------------------------------------

SPARQL_12 = [
    ("SELECT * WHERE { <<( ?s ?p ?o )>> ?q ?z }", "a triple term"),
    ("SELECT * WHERE { << ?s ?p ?o >> ?q ?z }", "a reified triple"),
    ("SELECT * WHERE { <<?s ?p ?o ~ ?r>> ?q ?z }", "a reified triple"),
    ("SELECT * WHERE { ?s ?p ?o ~ <http://example.org/r> }", "a reifier"),
    ("SELECT * WHERE { ?s ?p ?o {| <http://example.org/q> ?z |} }", "an annotation"),
    ('VERSION "1.2" SELECT * WHERE { ?s ?p ?o }', "VERSION"),
    ('SELECT * WHERE { ?s ?p "x"@en--ltr }', "a base direction"),
    ("PREFIX e: <http://example.org/> SELECT * WHERE { ?s ?p ?o VERSION }", "VERSION"),
]


@pytest.mark.parametrize(("query", "what"), SPARQL_12)
def test_sparql_12_is_refused_as_sparql_12_never_as_a_syntax_error(client, query, what):
    with pytest.raises(Refused) as refused:
        check_query(query)
    assert what in refused.value.message and V12 in refused.value.message
    assert "syntax error" not in refused.value.message.split("\n")[0]
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400 and V12 in response.get_data(as_text=True)


def test_sparql_12_functions_on_sparql_11_terms_are_read(client):
    response = client.get(
        "/sparql",
        query_string={"query": 'SELECT (isTRIPLE(?x) AS ?t) (LANGDIR("a"@en) AS ?d) WHERE { BIND(1 AS ?x) }'},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_less_than_before_an_iri_written_against_it_says_how_to_write_it():
    with pytest.raises(Refused, match="write a space: `< <"):
        check_query("SELECT * WHERE { ?s ?p ?o FILTER(?o<<http://example.org/x>) }")
    assert check_query("SELECT * WHERE { ?s ?p ?o FILTER(?o < <http://example.org/x>) }")


# ---- messages that send the reader the right way -----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "iri"),
    [
        (
            "PREFIX ogr: <https://w3id.org/outcome-graph/id/>\n"
            "SELECT * WHERE { ogr:midlothian/report/2020-2021 ?p ?o }",
            "<https://w3id.org/outcome-graph/id/midlothian/report/2020-2021>",
        ),
        (
            "PREFIX ogr: <https://w3id.org/outcome-graph/id/>\nSELECT * WHERE { ?s ?p ogr:midlothian/2020 }",
            "<https://w3id.org/outcome-graph/id/midlothian/2020>",
        ),
    ],
)
def test_a_prefixed_name_with_a_slash_is_told_to_write_the_iri_in_full(client, query, iri):
    with pytest.raises(Refused) as refused:
        check_query(query)
    message = refused.value.message
    assert "cannot hold a '/'" in message and iri in message and "line 2" in message
    assert "is not a word of SPARQL" not in message
    body = client.get("/sparql", query_string={"query": query}).get_data(as_text=True)
    assert iri in body


def test_a_property_path_of_prefixed_names_is_still_a_path():
    info = check_query(f"PREFIX og: <{OG}> SELECT * WHERE {{ ?s og:priority/og:code ?c }}")
    assert f"<{OG}priority> / <{OG}code>" in info.text


def test_a_relative_iri_without_base_is_refused_with_its_place():
    with pytest.raises(Refused, match=r"line 1, column 18: <s> is a relative IRI and the query has no BASE"):
        check_query("SELECT * WHERE { <s> ?p ?o }")
    info = check_query("BASE <http://example.org/a/b> SELECT * WHERE { <../c> <#p> <?q> }")
    assert "<http://example.org/c> <http://example.org/a/b#p> <http://example.org/a/b?q>" in info.text
