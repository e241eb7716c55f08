"""Web hygiene on every route (issue 8, part 5): HEAD answers as GET without a body, the Host header never
reaches output, every response carries the security headers, /sparql keeps CORS open.

Routes come from the app's own url_map, so a route added later is covered (and fails here until it is
given an example below).
"""

from __future__ import annotations

import pytest

from outcome_graph.serve.headers import SECURITY_HEADERS

EVIL = "evil.example"


@pytest.fixture(scope="module")
def examples(app):
    """An example URL for every GET route, by endpoint; the IRIs come from the served graph."""
    client = app.test_client()
    query = (
        "PREFIX og: <https://w3id.org/outcome-graph/def#> "
        "SELECT ?i WHERE { ?i a og:Indicator ; og:code ?c } ORDER BY ?c LIMIT 1"
    )
    row = client.get("/sparql", query_string={"query": query, "format": "json"}).get_json(force=True)
    indicator = row["results"]["bindings"][0]["i"]["value"]
    rest = indicator.split("/id/", 1)[1]
    sparql = "/sparql?query=ASK%7B%7D"
    return {
        "static": ["/static/style.css"],
        "pages.static": ["/static/outcome-graph/app.js", "/static/outcome-graph/style.css"],
        "sparql.sparql": [sparql, "/sparql"],
        "queries.list_queries": ["/queries"],
        "queries.run": ["/queries/risks?format=json", "/queries/risks?format=html"],
        "queries.openapi": ["/openapi.json"],
        "pages.index": ["/", "/?query=ASK%7B%7D"],
        "pages.download": ["/download.csv?query=SELECT%20*%7B%7D%20LIMIT%201"],
        "lookup.resource": [f"/id/{rest}"],
        "lookup.any_resource": [f"/resource?iri={indicator}"],
        "trace_views.trace_page": ["/trace", f"/trace?node={indicator}"],
        "trace_views.gaps_page": ["/gaps"],
        "trace_views.audit_page": ["/audit"],
        "trace_views.audit_csv": ["/audit.csv"],
        "validation.validation_page": ["/validation"],
        "search.search_page": ["/search", "/search?q=looked+after"],
        "catalogue.index": ["/id/", "/id/?format=json", "/id"],
        "catalogue.vocabulary_page": ["/def", "/def?format=csv"],
        "compare.compare_page": ["/compare", "/compare?code=CHN9"],
    }


def get_routes(app) -> list[str]:
    return sorted({r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods})


def test_every_get_route_has_an_example(app, examples):
    missing = [e for e in get_routes(app) if e not in examples]
    assert not missing, f"give these routes an example URL in this test: {missing}"


def urls(app, examples) -> list[str]:
    return [u for endpoint in get_routes(app) for u in examples.get(endpoint, [])]


def test_head_answers_as_get_without_a_body_on_every_get_route(app, client, examples):
    for url in urls(app, examples):
        got, head = client.get(url), client.head(url)
        assert got.status_code < 500 and got.status_code not in (405, 415), (url, got.status_code)
        assert head.status_code == got.status_code, (url, head.status_code, got.status_code)
        assert head.get_data() == b"", url
        assert head.headers.get("Content-Type") == got.headers.get("Content-Type"), url


def test_every_response_carries_the_security_headers(app, client, examples):
    responses = {url: client.get(url) for url in urls(app, examples)}
    responses["404"] = client.get("/no/such/page")
    responses["400 /sparql"] = client.get("/sparql", query_string={"query": "SELECT"})
    responses["415 /sparql"] = client.post("/sparql", data=b"x", content_type="text/plain")
    responses["OPTIONS /sparql"] = client.options("/sparql")
    responses["403 update"] = client.post("/sparql", data={"update": "CLEAR ALL"})
    for url, response in responses.items():
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (url, name, response.headers.get(name))
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp


def test_sparql_keeps_cors_open(client):
    for response in (
        client.get("/sparql", query_string={"query": "ASK {}"}),
        client.get("/sparql", query_string={"query": "SELECT"}),
        client.options("/sparql"),
    ):
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_the_host_header_never_reaches_output(app, client, examples):
    for url in urls(app, examples):
        response = client.get(url, headers={"Host": EVIL})
        assert EVIL not in response.get_data(as_text=True), url
        assert all(EVIL not in v for _, v in response.headers.items()), url
    for accept in ("text/turtle", "application/n-triples", "application/ld+json"):
        described = client.get("/sparql", headers={"Host": EVIL, "Accept": accept})
        assert described.status_code == 200 and EVIL not in described.get_data(as_text=True)
    doc = client.get("/openapi.json", headers={"Host": EVIL}).get_json()
    assert doc["servers"] == [{"url": "/"}]


def test_the_service_description_names_the_configured_public_url(built_store):
    from outcome_graph.serve.app import create_app

    app = create_app(store=built_store, config={"public_url": "https://data.example.org/og/"})
    body = (
        app.test_client()
        .get("/sparql", headers={"Host": EVIL, "Accept": "text/turtle"})
        .get_data(as_text=True)
    )
    assert "<https://data.example.org/og/sparql>" in body and EVIL not in body
