"""The regression corpus of issue 8: every way found to hide SERVICE, FROM or LOAD from a check, through
every route that runs a user's query, by every way of sending one; a loopback listener stands for an
internal service and must record no connection at all.

The corpus is data (`data/outbound_corpus.json`): `{URL}`, `{BASE}` and `{HOSTPORT}` become the
listener's address. `expect` is "refused" (a 4xx, the checks or the engine's parser say no) or "any"
(the text, read by SPARQL's own rules, holds no SERVICE: it may run, and must still fetch nothing).
One app and one worker pool per store serve all of it (the session's `each_client`).
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from test_safety import Listener

from outcome_graph.serve.app import create_app

CORPUS = json.loads((Path(__file__).parent / "data" / "outbound_corpus.json").read_text())


@pytest.fixture(scope="module")
def corpus_listener():
    server = Listener()
    yield server
    hits = server.settled()  # a connection still on its way is counted too
    server.close()
    assert hits == [], f"{len(hits)} outbound request(s) reached the listener: {hits[:3]}"


def fill(query: str, listener: Listener) -> str:
    hostport = listener.url.split("/")[2]
    return (
        query.replace("{URL}", listener.url)
        .replace("{BASE}", f"http://{hostport}/")
        .replace("{HOSTPORT}", hostport)
    )


def every_route(client, query: str):
    """(route, response, whether the route runs the text as a query) for each way a user's text reaches
    a query: as the query itself, or as a saved query's parameter or a looked-up IRI (bound as a term)."""
    yield "GET /sparql", client.get("/sparql", query_string={"query": query}), True
    yield "POST /sparql form", client.post("/sparql", data={"query": query}), True
    yield (
        "POST /sparql direct",
        client.post("/sparql", data=query.encode("utf-8"), content_type="application/sparql-query"),
        True,
    )
    yield "GET /", client.get("/", query_string={"query": query}), True
    for fmt in ("csv", "json"):
        yield f"GET /download.{fmt}", client.get(f"/download.{fmt}", query_string={"query": query}), True
    yield (
        "GET /queries/<name>",
        client.get("/queries/indicator-history", query_string={"code": query, "format": "json"}),
        False,
    )
    yield "GET /resource", client.get("/resource", query_string={"iri": query}), False


def test_the_corpus_covers_the_issue_and_its_variants():
    names = {e["name"] for e in CORPUS}
    assert {"issue-comment-ended-by-cr", "issue-escaped-newline-in-comment"} <= names
    text = " ".join(e["query"] for e in CORPUS)
    for needle in ("\r", "\r\n", "\f", "\\u", "\\U", "BASE", "SERVICE ?e", "SILENT", "FROM NAMED", "LOAD"):
        assert needle in text, needle
    for form in ("ASK", "CONSTRUCT", "DESCRIBE", "NOT EXISTS", "{ SELECT"):
        assert any(form in e["query"] and "SERVICE" in e["query"] for e in CORPUS), form


def says_why(entry: dict, body: str) -> bool:
    """Whether a refusal's body names the entry's reason (`reason` in the corpus; see test_check_layers)."""
    from test_check_layers import SAYS

    if entry["reason"] == "engine":  # the check reads no SERVICE there; the engine's parser refuses
        return "SPARQL syntax error" in body
    return SAYS[entry["reason"]] in body or (entry["reason"] == "service" and UPDATE in body)


UPDATE = "this endpoint is read-only: SPARQL updates"


@pytest.mark.parametrize("entry", CORPUS, ids=[e["name"] for e in CORPUS])
def test_no_route_fetches_anything(each_client, corpus_listener, entry):
    query = fill(entry["query"], corpus_listener)
    for route, response, runs_the_text in every_route(each_client, query):
        status = response.status_code
        body = response.get_data(as_text=True)
        assert status < 500, (route, status, body[:300])
        if entry["expect"] == "refused" and runs_the_text:
            assert 400 <= status < 500, (route, status, body[:300])
            assert says_why(entry, body), (route, entry["reason"], body[:300])
        assert corpus_listener.settled() == [], (route, corpus_listener.hits[:1])


# ---- over Virtuoso: an engine whose extensions reach outside the data ----------------------------

VIRTUOSO_ONLY = [e for e in CORPUS if e["name"].startswith("virtuoso-")]


@pytest.fixture(scope="module")
def virtuoso_client(virtuoso_server):
    from outcome_graph.store.remote import RemoteStore

    return create_app(store=RemoteStore(virtuoso_server.endpoint), config={"timeout": 30}).test_client()


def test_virtuoso_itself_fetches_what_these_payloads_ask(virtuoso_server):
    """Control: sent to Virtuoso directly, unchecked, a `bif:` call fetches the listener's URL; so the
    test below, where the same texts go through this server, could fail."""
    from test_safety import Listener

    listener = Listener()
    try:
        for name in ("virtuoso-bif-predefined-prefix", "virtuoso-bif-iri", "virtuoso-bif-declared-prefix"):
            query = fill(next(e["query"] for e in CORPUS if e["name"] == name), listener)
            url = virtuoso_server.endpoint + "?" + urllib.parse.urlencode({"query": query})
            with urllib.request.urlopen(url, timeout=30) as response:
                assert response.status == 200, name
        assert len(listener.settled()) == 3, listener.hits
    finally:
        listener.close()


@pytest.mark.parametrize("entry", CORPUS, ids=lambda e: e["name"])
def test_no_route_fetches_anything_over_virtuoso(virtuoso_client, corpus_listener, entry):
    query = fill(entry["query"], corpus_listener)
    for route, response, runs_the_text in every_route(virtuoso_client, query):
        status = response.status_code
        assert status < 500 or status in (502, 504), (route, status, response.get_data(as_text=True)[:300])
        if entry["expect"] == "refused" and runs_the_text:
            body = response.get_data(as_text=True)
            assert 400 <= status < 500, (route, status, body[:300])
            if entry["reason"] != "engine":  # Virtuoso's own parser words its syntax errors its own way
                assert says_why(entry, body), (route, entry["reason"], body[:300])
        assert corpus_listener.settled() == [], (route, corpus_listener.hits[:1])


def test_the_corpus_has_virtuoso_s_ways_out():
    text = " ".join(e["query"] for e in VIRTUOSO_ONLY)
    for needle in ("bif:", "<bif:", "BIF:", "\\u0062if", "BASE <bif:>", "sql:", "DEFINE", "OPTION"):
        assert needle in text, needle
