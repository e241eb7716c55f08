"""serve.fastpath answers the plain /sparql request without Flask: byte for byte what the view gives.

The same corpus of requests goes to an app with the fast path and to one without it (every request
through Flask); status, headers (all but Date) and body must be equal, for answers and for every kind
of failure, including the ones that happen after the query was handed to the engine (which the fast
path must not run twice).
"""

from __future__ import annotations

import urllib.parse

import pytest

from outcome_graph.serve.app import create_app

P = "PREFIX og: <https://w3id.org/outcome-graph/def#>\n"
OFF_TARGET = P + "SELECT ?o WHERE { ?o og:status og:OffTarget } ORDER BY ?o"
JSON, CSV = "application/sparql-results+json", "text/csv"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

GETS = [
    (OFF_TARGET, JSON),
    (OFF_TARGET, CSV),
    (OFF_TARGET, "application/sparql-results+xml"),
    (OFF_TARGET, "text/tab-separated-values"),
    (OFF_TARGET, "image/png"),  # 406
    (OFF_TARGET, ""),  # no Accept: the first offer
    ("ASK { ?s ?p ?o }", JSON),
    ("ASK { ?s ?p ?o }", CSV),  # 406 for ASK
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3", "text/turtle"),
    ("DESCRIBE <https://w3id.org/outcome-graph/id/midlothian>", "application/n-triples"),
    ("SELECT * WHERE { ?s ?p ?o }", JSON),  # cut at max_rows: the truncation header
    ("SELECT ?s WHERE {", JSON),  # the check's syntax error
    (P + "SELECT ?s WHERE { ?s og:code }", JSON),  # the engine's syntax error, at the client's position
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", JSON),  # refused
    ("INSERT DATA { <a:b> <a:c> <a:d> }", JSON),  # an update
    ("SELECT * FROM <https://w3id.org/outcome-graph/graph/none> WHERE { ?s ?p ?o }", JSON),  # dataset
    ("SELECT (1/0 AS ?x) WHERE {}", JSON),
    (RUNAWAY, JSON),  # stopped at the time limit, after running
]


@pytest.fixture(scope="module")
def apps(built_store):
    config = {"timeout": 1, "max_rows": 5, "cache": False}
    return (
        create_app(store=built_store, config={**config, "fast_path": True}),
        create_app(store=built_store, config={**config, "fast_path": False}),
    )


def _same(fast, slow) -> None:
    assert fast.status == slow.status, (fast.status, slow.status, slow.get_data(as_text=True)[:300])
    assert fast.get_data() == slow.get_data()
    a = {k.lower(): v for k, v in fast.headers.items() if k.lower() != "date"}
    b = {k.lower(): v for k, v in slow.headers.items() if k.lower() != "date"}
    assert a == b


@pytest.mark.parametrize("query, accept", GETS, ids=[f"{i}" for i in range(len(GETS))])
def test_a_get_is_answered_the_same_by_both_paths(apps, query, accept):
    headers = {"Accept": accept} if accept else {}
    url = "/sparql?" + urllib.parse.urlencode({"query": query})
    # distinct client addresses: the runaway's penalty (429 for the next query) stays with its sender
    fast = apps[0].test_client().get(url, headers=headers, environ_base={"REMOTE_ADDR": "10.1.0.1"})
    slow = apps[1].test_client().get(url, headers=headers, environ_base={"REMOTE_ADDR": "10.1.0.2"})
    _same(fast, slow)


@pytest.mark.parametrize("query", [OFF_TARGET, "ASK {", RUNAWAY])
def test_a_direct_post_is_answered_the_same_by_both_paths(apps, query):
    kwargs = {"data": query.encode(), "content_type": "application/sparql-query", "headers": {"Accept": JSON}}
    fast = apps[0].test_client().post("/sparql", environ_base={"REMOTE_ADDR": "10.2.0.1"}, **kwargs)
    slow = apps[1].test_client().post("/sparql", environ_base={"REMOTE_ADDR": "10.2.0.2"}, **kwargs)
    _same(fast, slow)


def test_the_plain_case_never_reaches_flask_and_a_failure_after_running_runs_once(built_store):
    app = create_app(store=built_store, config={"timeout": 1, "cache": False})
    reached: list[str] = []
    app.before_request(lambda: reached.append("flask") and None)
    client = app.test_client()
    ran = built_store.pool.answered
    ok = client.get(
        "/sparql?" + urllib.parse.urlencode({"query": "ASK {} # plain"}), headers={"Accept": JSON}
    )
    assert ok.status_code == 200 and reached == [] and built_store.pool.answered == ran + 1
    engine_error = P + "SELECT ?s WHERE { ?s og:code } # x"  # passes the check; the engine refuses it
    bad = client.get("/sparql?" + urllib.parse.urlencode({"query": engine_error}))
    assert reached == ["flask"] and built_store.pool.answered == ran + 2, "answered by Flask, run once"
    assert bad.status_code == 400 and "SPARQL syntax error" in bad.get_data(as_text=True)
    killed = built_store.pool.killed
    stopped = client.get("/sparql?" + urllib.parse.urlencode({"query": RUNAWAY + " # once"}))
    assert stopped.status_code == 503 and b"time limit of 1 s" in stopped.data
    assert built_store.pool.killed == killed + 1, "the runaway ran once, not again in Flask"


def test_a_fast_path_answer_is_cached_like_the_views(built_store):
    app = create_app(store=built_store, config={"timeout": 10})
    client, ran = app.test_client(), built_store.pool.answered
    url = "/sparql?" + urllib.parse.urlencode({"query": OFF_TARGET + " # cached once"})
    first = client.get(url, headers={"Accept": JSON})
    again = client.get(url, headers={"Accept": JSON})
    assert first.status_code == again.status_code == 200 and again.data == first.data
    assert first.headers["ETag"] == again.headers["ETag"] and "public" in first.headers["Cache-Control"]
    assert built_store.pool.answered == ran + 1, "the repeat was a cache hit: nothing ran"
