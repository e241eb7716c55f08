"""A first-seen /sparql query over the embedded store is checked in the query worker that runs it.

The check (`sparql.check`) runs in the worker, which gives the engine only the canonical text that
check wrote; the serving process, which every request shares, no longer runs it (BENCHMARKS.md, the
cold path). A text the worker's check refuses is never run there, and the view answers it with the
check's own message. Over a remote store (`serve --endpoint`) the engine is someone else's: the server
checks the query itself and sends only the canonical text, as before.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest

import outcome_graph.sparql.check as check_module
from outcome_graph.serve.app import create_app
from outcome_graph.store import QueryError

P = "PREFIX og: <https://w3id.org/outcome-graph/def#>\n"
LOOKUP = P + 'SELECT ?i WHERE { ?i og:code "CSPC.P.1.2a" }'
JSON = "application/sparql-results+json"
GLUED = (
    "PREFIX x: <http://127.0.0.1:9/ssrf> PREFIX SERVICEx: <urn:x:> SELECT ?x WHERE { SERVICEx: { ?x ?y ?z } }"
)
SERVICE = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"


@pytest.fixture
def server_checks(monkeypatch) -> list[str]:
    """The texts this process checks (the workers are other processes: their checks are not seen)."""
    seen: list[str] = []
    real = check_module._check

    def counting(text: str):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(check_module, "_check", counting)
    return seen


def _get(client, query: str, address: str):
    url = "/sparql?" + urllib.parse.urlencode({"query": query})
    return client.get(url, headers={"Accept": JSON}, environ_base={"REMOTE_ADDR": address})


def test_a_first_seen_query_is_checked_in_its_worker_not_in_the_server(built_store, server_checks):
    app = create_app(store=built_store, config={"timeout": 10, "cache": False})
    ran = built_store.pool.answered
    answer = _get(app.test_client(), LOOKUP + " # first seen in the worker", "10.7.0.1")
    assert answer.status_code == 200
    rows = json.loads(answer.data)["results"]["bindings"]
    assert [r["i"]["value"].rsplit("/", 1)[1] for r in rows] == ["CSPC.P.1.2a"]
    assert server_checks == [], "the serving process ran the check"
    assert built_store.pool.answered == ran + 1, "checked and run in one round trip to one worker"
    # control: the view's path (no fast path) checks here, so the count above can see a check
    slow = create_app(store=built_store, config={"timeout": 10, "cache": False, "fast_path": False})
    again = _get(slow.test_client(), LOOKUP + " # first seen in the view", "10.7.0.2")
    assert again.status_code == 200 and json.loads(again.data)["results"]["bindings"] == rows
    assert len(server_checks) == 1


@pytest.mark.parametrize("query", [SERVICE, GLUED, "INSERT DATA { <a:b> <a:c> <a:d> }"])
def test_what_the_worker_check_refuses_is_not_run_there(built_store, query):
    """The worker answers "unchecked" and runs nothing (a syntax error from the canonical text, a
    refusal); the view then answers it, with the same status and message as without the fast path."""
    media_types = {"SELECT": JSON, "ASK": JSON, "CONSTRUCT": None, "DESCRIBE": None}
    request = {"op": "check-execute", "query": query, "media_types": media_types}
    if query == GLUED:  # the check reads `SERVICEx:` as a prefixed name: the engine gets `<urn:x:> {`
        with pytest.raises(QueryError, match="SPARQL syntax error") as refused:
            built_store.pool.run(request, 10)
        # the engine read `<urn:x:> {` (no SERVICE, nothing fetched), told at the client's own column
        at = GLUED.index("SERVICEx: {") + len("SERVICEx: ") + 1  # the `{` after the prefixed name
        assert refused.value.message.startswith(f"SPARQL syntax error at line 1, column {at}:")
        assert "another server" not in refused.value.message
    else:
        assert built_store.pool.run(request, 10) == {"unchecked": True}
    fast = create_app(store=built_store, config={"timeout": 10, "cache": False})
    slow = create_app(store=built_store, config={"timeout": 10, "cache": False, "fast_path": False})
    a, b = _get(fast.test_client(), query, "10.7.1.1"), _get(slow.test_client(), query, "10.7.1.2")
    assert (a.status_code, a.data) == (b.status_code, b.data)
    assert a.status_code in (400, 403)


def test_a_form_the_client_cannot_take_is_not_run_by_the_worker(built_store):
    media_types = {"SELECT": JSON, "ASK": JSON, "CONSTRUCT": None, "DESCRIBE": None}
    ran = built_store.pool.killed
    reply = built_store.pool.run(
        {"op": "check-execute", "query": "CONSTRUCT WHERE { ?s ?p ?o }", "media_types": media_types}, 10
    )
    assert reply == {"unchecked": True} and built_store.pool.killed == ran


def test_the_engine_error_points_at_the_clients_own_text_from_the_worker(built_store, server_checks):
    app = create_app(store=built_store, config={"timeout": 10, "cache": False})
    bad = _get(app.test_client(), P + "SELECT ?s WHERE {\n  ?s og:code }", "10.7.2.1")
    assert bad.status_code == 400
    message = bad.get_data(as_text=True)
    assert message.startswith("SPARQL syntax error at line 3, column "), message
    assert "  ?s og:code }" in message  # the client's own line, not the canonical text's


@pytest.mark.server
def test_over_a_remote_store_the_server_checks_and_sends_the_canonical_text(remote_store, server_checks):
    app = create_app(store=remote_store, config={"timeout": 10})
    answer = _get(app.test_client(), LOOKUP + " # remote, first seen", "10.7.3.1")
    assert answer.status_code == 200
    assert [t for t in server_checks if "remote, first seen" in t] != [], "the server's check ran"
    refused = _get(app.test_client(), GLUED, "10.7.3.2")
    at = GLUED.index("SERVICEx: {") + len("SERVICEx: ") + 1  # the remote engine read `<urn:x:> {`
    assert refused.status_code == 400
    assert refused.get_data(as_text=True).startswith(f"SPARQL syntax error at line 1, column {at}:")


def test_a_direct_post_is_checked_in_its_worker_too(built_store, server_checks):
    app = create_app(store=built_store, config={"timeout": 10, "cache": False})
    answer = app.test_client().post(
        "/sparql",
        data=(LOOKUP + " # posted").encode(),
        content_type="application/sparql-query",
        headers={"Accept": JSON},
        environ_base={"REMOTE_ADDR": "10.7.4.1"},
    )
    assert answer.status_code == 200 and len(json.loads(answer.data)["results"]["bindings"]) == 1
    assert server_checks == []


def test_a_text_longer_than_the_worker_checks_is_answered_as_the_view_answers_it(built_store):
    """Past IN_PROCESS characters the fast path checks the text itself (in the checker process, under
    the query's time limit), as before: the same answer, and nothing sent to a query worker unchecked."""
    from outcome_graph.serve.safety import IN_PROCESS

    long_text = LOOKUP + "\n" + "#" + "x" * IN_PROCESS
    app = create_app(store=built_store, config={"timeout": 10, "cache": False})
    slow = create_app(store=built_store, config={"timeout": 10, "cache": False, "fast_path": False})
    a = _get(app.test_client(), long_text, "10.7.5.1")
    b = _get(slow.test_client(), long_text, "10.7.5.2")
    assert a.status_code == b.status_code == 200 and a.data == b.data
    assert len(json.loads(a.data)["results"]["bindings"]) == 1
