"""Every route that returns rows, run with a small row limit, says that it cut them: the header
X-Outcome-Graph-Truncated: true on every format, and in JSON `head.truncated`. The routes are taken from
the app's own url_map, so a new route is either run here or listed, with the reason, as one that does not
return query rows; the saved queries and download formats are taken from their own lists."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse

import pytest

from outcome_graph.results_formats import FORMATS
from outcome_graph.saved_queries import load_queries
from outcome_graph.serve.app import create_app

LIMIT = 3
HEADER = "X-Outcome-Graph-Truncated"
MANY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"

# Routes that return no query rows (or the whole of a report the tool makes itself, never cut by the
# row limit), and why. A route not here and not run below fails the test.
NOT_ROWS = {
    "static": "files",
    "pages.static": "files",
    "sparql.preflight": "CORS preflight, no body",
    "queries.list_queries": "the list of saved queries",
    "queries.openapi": "the OpenAPI document",
    "lookup.resource": "one resource's page: its neighbours are capped by the page and say 'more'",
    "lookup.any_resource": "as lookup.resource",
    "search.search_page": "search hits, capped by the page's own bound (serve/search.py), not the row limit",
    "trace_views.trace_page": "a trace, computed whole from the trace graph (not a query's rows)",
    "trace_views.gaps_page": "the gap analysis, whole",
    "trace_views.audit_page": "the audit, whole",
    "trace_views.audit_csv": "the audit's tables, whole",
    "validation.validation_page": "the validation report, whole",
    "catalogue.index": "the index of what the graph holds: one row a council, report and code list",
    "catalogue.vocabulary_page": "the vocabulary's terms, from ontology/, whole",
}
ROW_ROUTES = {"sparql.sparql", "queries.run", "pages.index", "pages.download", "compare.compare_page"}


@pytest.fixture(scope="module")
def small(built_store):
    return create_app(store=built_store, config={"timeout": 10, "max_rows": LIMIT}).test_client()


@pytest.fixture(scope="module")
def whole(built_store):
    return create_app(store=built_store, config={"timeout": 10, "max_rows": 100000}).test_client()


def test_every_route_is_either_run_here_or_listed_as_not_returning_rows(small):
    endpoints = {r.endpoint for r in small.application.url_map.iter_rules()}
    unknown = endpoints - set(NOT_ROWS) - ROW_ROUTES
    assert not unknown, f"routes neither run for truncation nor listed in NOT_ROWS: {sorted(unknown)}"
    assert ROW_ROUTES <= endpoints


def assert_cut(r, fmt: str, where: str) -> None:
    assert r.status_code == 200, f"{where}: {r.status_code} {r.get_data(as_text=True)[:300]}"
    assert r.headers.get(HEADER) == "true", f"{where}: no {HEADER} header"
    body = r.get_data()
    if fmt == "json":
        doc = json.loads(body)
        assert doc["head"].get("truncated") is True, f"{where}: JSON head.truncated missing"
        assert len(doc["results"]["bindings"]) == LIMIT, where
    elif fmt == "csv":
        assert len(list(csv.reader(io.StringIO(body.decode())))) == LIMIT + 1, where
    elif fmt == "tsv":
        assert len(body.decode().strip().split("\n")) == LIMIT + 1, where
    elif fmt == "xml":
        assert body.count(b"<result>") == LIMIT, where


def assert_whole(r, where: str) -> None:
    assert r.status_code == 200 and HEADER not in r.headers, f"{where}: marked cut though it was not"


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_sparql_endpoint(small, fmt):
    r = small.get("/sparql", query_string={"query": MANY}, headers={"Accept": FORMATS[fmt]})
    assert_cut(r, fmt, f"/sparql {fmt}")
    r = small.get("/sparql", query_string={"query": GRAPH}, headers={"Accept": "application/n-triples"})
    assert r.headers.get(HEADER) == "true" and len(r.get_data().strip().splitlines()) == LIMIT


def test_every_saved_query_in_every_format(small, whole):
    cut = 0
    for name, q in load_queries().items():
        params = {p.name: "2016-2017" for p in q.parameters if p.type == "year"}
        params.update({p.name: "CHN8a" for p in q.parameters if p.required and p.type == "code"})
        full = whole.get(f"/queries/{name}", query_string={**params, "format": "json"})
        if full.status_code != 200:
            continue  # a required parameter of another type: run with its own test's values elsewhere
        rows = len(full.get_json()["results"]["bindings"])
        for fmt in [*FORMATS, "html"]:
            r = small.get(f"/queries/{name}", query_string={**params, "format": fmt})
            where = f"/queries/{name}?format={fmt}"
            if rows > LIMIT:
                assert_cut(r, fmt, where)
                if fmt == "html":
                    assert re.search(r"truncated|first \d+ rows|cut", r.get_data(as_text=True), re.I), where
            else:
                assert_whole(r, where)
        cut += rows > LIMIT
    assert cut >= 8, "most saved queries give more rows than the limit: the test must exercise them"


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_page_download(small, fmt):
    r = small.get(f"/download.{fmt}", query_string={"query": MANY})
    assert_cut(r, fmt, f"/download.{fmt}")


def test_the_query_page(small, whole):
    r = small.get("/", query_string={"query": MANY})
    assert_cut(r, "html", "/ (query page)")
    r = small.get("/", query_string={"query": GRAPH})
    assert_cut(r, "html", "/ (query page, CONSTRUCT)")
    few = "SELECT ?s WHERE { ?s a <https://w3id.org/outcome-graph/def#Report> }"
    assert_whole(small.get("/", query_string={"query": few}), "/ with 2 rows")
    assert_whole(small.get("/download.csv?" + urllib.parse.urlencode({"query": few})), "/download.csv 2 rows")


def test_the_comparison_page(small, whole):
    # CHN9: more years with figures than the small server's limit (the page reads the years, then the
    # charted year's rows), and it says it cut them
    cut = small.get("/compare", query_string={"code": "CHN9", "format": "json"}).get_json()
    full = whole.get("/compare", query_string={"code": "CHN9", "format": "json"}).get_json()
    assert len(full["years"]) > LIMIT and full["truncated"] is False
    assert cut["truncated"] is True and cut["years"] == full["years"][:LIMIT]
