"""A result-cache hit is answered in the server's event loop (serve.bridge asks serve.cache first): it
needs no request thread, so it is answered at once even while every request thread is busy.

A real `outcome-graph serve --threads 1`: its one request thread is held by a query that runs until
the time limit; the repeated query is answered meanwhile, with the same bytes and headers as the
first time, and a 304 for a client that holds it. Before, every answer (hits too) went through a
request thread and waited behind the runaway.
"""

from __future__ import annotations

import http.client
import threading
import time
import urllib.parse

import pytest
from conftest import serving

from outcome_graph.serve.headers import SECURITY_HEADERS

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
QUERY = 'SELECT ?i WHERE { ?i <https://w3id.org/outcome-graph/def#code> "CSPC.P.1.2a" }'


@pytest.fixture(scope="module")
def one_thread_server(tmp_path_factory):
    with serving(tmp_path_factory, "one-thread", "--threads", "1", "--timeout", "5") as port:
        yield port


def _get(port: int, path: str, headers: dict | None = None, timeout: float = 30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_a_cached_answer_needs_no_request_thread(one_thread_server):
    port = one_thread_server
    path = "/sparql?" + urllib.parse.urlencode({"query": QUERY})
    accept = {"Accept": "application/sparql-results+json"}
    status, first_headers, first = _get(port, path, accept)  # run once: now cached
    assert status == 200 and b"CSPC.P.1.2a" in first

    runaway = threading.Thread(
        target=_get, args=(port, "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY}), accept), daemon=True
    )
    runaway.start()
    time.sleep(0.5)  # not a bound: lets the runaway take the one request thread
    started = time.monotonic()
    status, headers, again = _get(port, path, accept)
    took = time.monotonic() - started
    assert took < 1.0, f"a cached answer waited {took:.2f} s behind the query holding the one thread"
    assert runaway.is_alive(), "the runaway should still hold the request thread"
    assert status == 200 and again == first
    for name in ("content-type", "etag", "cache-control", "vary", *map(str.lower, SECURITY_HEADERS)):
        assert headers.get(name) == first_headers.get(name), name
    status, headers, body = _get(port, path, {**accept, "If-None-Match": first_headers["etag"]})
    assert status == 304 and body == b"" and headers["etag"] == first_headers["etag"]
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower()) == value, name
    runaway.join(15)
