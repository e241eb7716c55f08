"""The result cache (issue 8 part 6): keyed on the store generation and the exact request, ETag/304,
bytes passed through unchanged, and a hit answered before Flask (so before admission and the check)."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from outcome_graph.serve.app import create_app

PREFIX = "PREFIX og: <https://w3id.org/outcome-graph/def#>\n"
OFF_TARGET = PREFIX + "SELECT ?o WHERE { ?o og:status og:OffTarget } ORDER BY ?o"
JSON = "application/sparql-results+json"


@pytest.fixture
def cached_app(built_store):
    # every request through Flask (no serve.fastpath), so that `seen` counts what the cache let by
    app = create_app(store=built_store, config={"timeout": 10, "max_rows": 10000, "fast_path": False})
    seen: list[str] = []
    app.before_request(lambda: seen.append(app.name) and None)  # counts requests that reach Flask
    app.config["seen"] = seen
    return app


def _url(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def test_a_repeated_request_is_answered_from_the_cache_with_the_same_bytes(cached_app, built_store):
    client, seen = cached_app.test_client(), cached_app.config["seen"]
    cache = cached_app.extensions["outcome_graph"]["cache"]
    first = client.get(_url(OFF_TARGET), headers={"Accept": JSON})
    assert first.status_code == 200 and len(seen) == 1
    rows = json.loads(first.data)["results"]["bindings"]
    assert len(rows) == len(built_store.select(OFF_TARGET).rows) > 0
    again = client.get(_url(OFF_TARGET), headers={"Accept": JSON})
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert len(seen) == 1, "a hit never reaches Flask: no admission, no check, no worker"
    assert cache.hits >= 1
    assert first.headers["Cache-Control"].startswith("public")
    assert again.headers["Content-Type"] == first.headers["Content-Type"]


def test_the_key_is_the_exact_request(cached_app, built_store):
    client, seen = cached_app.test_client(), cached_app.config["seen"]
    json_answer = client.get(_url(OFF_TARGET), headers={"Accept": JSON})
    csv_answer = client.get(_url(OFF_TARGET), headers={"Accept": "text/csv"})
    other_text = client.get(_url(OFF_TARGET + " # another text"), headers={"Accept": JSON})
    assert csv_answer.headers["Content-Type"].startswith("text/csv")
    assert csv_answer.data.count(b"\n") == 1 + len(built_store.select(OFF_TARGET).rows)
    assert json_answer.headers["ETag"] != csv_answer.headers["ETag"]
    assert json.loads(other_text.data) == json.loads(json_answer.data)
    assert len(seen) == 3, "another Accept or another text is another entry"


def test_if_none_match_gets_304_without_a_body(cached_app):
    client = cached_app.test_client()
    first = client.get(_url(OFF_TARGET), headers={"Accept": JSON})
    etag = first.headers["ETag"]
    again = client.get(_url(OFF_TARGET), headers={"Accept": JSON, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    stale = client.get(_url(OFF_TARGET), headers={"Accept": JSON, "If-None-Match": '"not-it"'})
    assert stale.status_code == 200 and stale.data == first.data


def test_post_bodies_are_keyed_by_their_bytes(cached_app):
    client, seen = cached_app.test_client(), cached_app.config["seen"]
    headers = {"Accept": JSON, "Content-Type": "application/sparql-query"}
    first = client.post("/sparql", data=OFF_TARGET.encode(), headers=headers)
    again = client.post("/sparql", data=OFF_TARGET.encode(), headers=headers)
    assert first.status_code == 200 and again.data == first.data
    assert len(seen) == 1
    form = client.post("/sparql", data={"query": OFF_TARGET}, headers={"Accept": JSON})
    assert form.status_code == 200 and len(seen) == 2


def test_errors_and_refusals_are_not_cached(cached_app):
    client, seen = cached_app.test_client(), cached_app.config["seen"]
    for _ in range(2):
        bad = client.get(_url("SELECT WHERE {"), headers={"Accept": JSON})
        assert bad.status_code == 400 and "ETag" not in bad.headers
    assert len(seen) == 2


def test_saved_query_results_are_cached_but_not_its_html_page(cached_app):
    client, seen = cached_app.test_client(), cached_app.config["seen"]
    a = client.get("/queries/off-target-indicators?format=csv")
    b = client.get("/queries/off-target-indicators?format=csv")
    assert a.status_code == 200 and a.data == b.data and "ETag" in a.headers
    assert len(seen) == 1
    client.get("/queries/off-target-indicators?format=html")
    client.get("/queries/off-target-indicators?format=html")
    assert len(seen) == 3


def test_a_remote_store_is_not_cached(remote_store):
    app = create_app(store=remote_store, config={"timeout": 10})
    assert "cache" not in app.extensions["outcome_graph"]


def test_a_post_is_keyed_on_its_accept_too(cached_app, built_store):
    """The same body POSTed asking for JSON, then CSV: two answers, each in the type asked for."""
    client, seen = cached_app.test_client(), cached_app.config["seen"]
    body, kind = OFF_TARGET.encode(), "application/sparql-query"
    as_json = client.post("/sparql", data=body, content_type=kind, headers={"Accept": JSON})
    as_csv = client.post("/sparql", data=body, content_type=kind, headers={"Accept": "text/csv"})
    assert as_json.headers["Content-Type"].startswith(JSON)
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    assert as_csv.data.count(b"\n") == 1 + len(built_store.select(OFF_TARGET).rows)
    assert len(seen) == 2
    again = client.post("/sparql", data=body, content_type=kind, headers={"Accept": "text/csv"})
    assert again.data == as_csv.data and len(seen) == 2


class _Regenerating:
    """The store, whose generation (the version of its data) is changed by the test while serving."""

    def __init__(self, store):
        self._store, self.generation = store, "gen-a"

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_a_new_generation_under_a_running_cache_is_never_answered_from_the_old(built_store):
    store = _Regenerating(built_store)
    app = create_app(store=store, config={"timeout": 10, "fast_path": False})
    seen: list[str] = []
    app.before_request(lambda: seen.append(store.generation) and None)
    client = app.test_client()
    for _ in range(2):
        assert client.get(_url(OFF_TARGET), headers={"Accept": JSON}).status_code == 200
    assert seen == ["gen-a"]
    store.generation = "gen-b"
    for _ in range(2):
        assert client.get(_url(OFF_TARGET), headers={"Accept": JSON}).status_code == 200
    assert seen == ["gen-a", "gen-b"], "the first request on the new data ran; the second was a hit"
    store.generation = None  # a store that cannot say which data it holds: nothing cached
    client.get(_url(OFF_TARGET), headers={"Accept": JSON})
    client.get(_url(OFF_TARGET), headers={"Accept": JSON})
    assert seen == ["gen-a", "gen-b", None, None]
