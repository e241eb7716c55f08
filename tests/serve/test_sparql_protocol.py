"""/sparql speaks the SPARQL 1.1 Protocol, the same over the embedded store and a real Oxigraph server."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from outcome_graph.namespaces import OG
from outcome_graph.serve.app import create_app

# plain IRIs: pytest probes module attributes, and rdflib's closed XSD namespace warns when it does
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
RES = "{http://www.w3.org/2005/sparql-results#}"
PREFIX = "PREFIX og: <https://w3id.org/outcome-graph/def#>\n"
# Line 74 of the 2016/17 report: performance against revenue budget 2016/17 = £15.431m.
BUDGET = "https://w3id.org/outcome-graph/id/midlothian/report/2016-2017/observation/corporate/revenue-budget/2016-2017"
BUDGET_QUERY = (
    PREFIX + f"SELECT ?value ?unit ?line WHERE {{ <{BUDGET}> og:value ?value ; og:unit ?unit ; "
    "og:evidence/og:firstLine ?line }"
)
BUDGET_ROW = {
    "value": {"type": "literal", "value": "15431000", "datatype": str(XSD_DECIMAL)},
    "unit": {"type": "uri", "value": str(OG.GBP)},
    "line": {"type": "literal", "value": "74", "datatype": str(XSD_INTEGER)},
}
JSON = "application/sparql-results+json"


def bindings(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json(force=True)["results"]["bindings"]


def test_get_post_form_and_post_direct_give_the_same_answer(each_client):
    by_get = each_client.get("/sparql", query_string={"query": BUDGET_QUERY})
    by_form = each_client.post("/sparql", data={"query": BUDGET_QUERY})
    by_body = each_client.post("/sparql", data=BUDGET_QUERY.encode(), content_type="application/sparql-query")
    assert by_get.mimetype == JSON
    assert bindings(by_get) == bindings(by_form) == bindings(by_body) == [BUDGET_ROW]


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/sparql-results+xml"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ],
)
def test_select_content_negotiation(each_client, accept, expected):
    headers = {"Accept": accept} if accept else {}
    response = each_client.get("/sparql", query_string={"query": BUDGET_QUERY}, headers=headers)
    assert response.status_code == 200 and response.mimetype == expected
    assert response.headers["Vary"] == "Accept"


def test_select_in_every_results_format(each_client):
    def get(fmt):
        response = each_client.get("/sparql", query_string={"query": BUDGET_QUERY, "format": fmt})
        assert response.status_code == 200
        return response

    xml = ET.fromstring(get("xml").data)
    literal = xml.find(f"{RES}results/{RES}result/{RES}binding[@name='value']/{RES}literal")
    assert literal.text == "15431000" and literal.get("datatype") == str(XSD_DECIMAL)
    rows = list(csv.reader(io.StringIO(get("csv").get_data(as_text=True))))
    assert rows == [["value", "unit", "line"], ["15431000", str(OG.GBP), "74"]]
    tsv = get("tsv").get_data(as_text=True).splitlines()
    assert tsv[0] == "?value\t?unit\t?line"
    assert tsv[1] == f'"15431000"^^<{XSD_DECIMAL}>\t<{OG.GBP}>\t"74"^^<{XSD_INTEGER}>'


def test_ask(each_client):
    yes = each_client.get(
        "/sparql", query_string={"query": PREFIX + f"ASK {{ <{BUDGET}> og:value ?v FILTER(?v = 15431000) }}"}
    )
    no = each_client.get(
        "/sparql", query_string={"query": PREFIX + f"ASK {{ <{BUDGET}> og:value ?v FILTER(?v = 0) }}"}
    )
    assert yes.get_json(force=True)["boolean"] is True
    assert no.get_json(force=True)["boolean"] is False
    xml = each_client.get("/sparql", query_string={"query": "ASK {}", "format": "xml"})
    assert ET.fromstring(xml.data).find(f"{RES}boolean").text == "true"


@pytest.mark.parametrize(
    "accept, fmt, parse_as",
    [
        ("text/turtle", None, "turtle"),
        ("application/n-triples", None, "nt"),
        ("application/ld+json", None, "json-ld"),
        (None, "ttl", "turtle"),
        (None, "nt", "nt"),
        (None, "jsonld", "json-ld"),
    ],
)
def test_construct_and_describe_as_rdf(each_client, accept, fmt, parse_as):
    query = f"CONSTRUCT {{ <{BUDGET}> ?p ?o }} WHERE {{ <{BUDGET}> ?p ?o }}"
    params = {"query": query} | ({"format": fmt} if fmt else {})
    response = each_client.get("/sparql", query_string=params, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.data
    graph = Graph().parse(data=response.data, format=parse_as)
    assert (URIRef(BUDGET), OG.value, Literal(Decimal("15431000"), datatype=XSD_DECIMAL)) in graph
    described = each_client.get("/sparql", query_string={"query": f"DESCRIBE <{BUDGET}>", "format": "nt"})
    assert (URIRef(BUDGET), RDF.type, OG.Observation) in Graph().parse(data=described.data, format="nt")


def test_nothing_acceptable_is_406_and_names_what_is_offered(each_client):
    png = each_client.get("/sparql", query_string={"query": BUDGET_QUERY}, headers={"Accept": "image/png"})
    assert png.status_code == 406 and "application/sparql-results+json" in png.get_data(as_text=True)
    ask_csv = each_client.get("/sparql", query_string={"query": "ASK {}", "format": "csv"})
    assert ask_csv.status_code == 406
    construct_csv = each_client.get(
        "/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"}
    )
    assert construct_csv.status_code == 406 and "text/turtle" in construct_csv.get_data(as_text=True)
    unknown = each_client.get("/sparql", query_string={"query": BUDGET_QUERY, "format": "pdf"})
    assert unknown.status_code == 400 and "unknown format 'pdf'" in unknown.get_data(as_text=True)


def test_service_description(each_client, each_store):
    response = each_client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    service = URIRef("http://localhost/sparql")
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    formats = set(graph.objects(service, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV") in formats and len(formats) == 7
    assert len(set(graph.objects(service, SD.feature))) == 4
    dataset = graph.value(service, SD.defaultDataset)
    default_graph = graph.value(dataset, SD.defaultGraph)
    triples = graph.value(default_graph, URIRef("http://rdfs.org/ns/void#triples"))
    assert int(triples) == each_store.triple_count()


def test_cors_for_reads(each_client):
    response = each_client.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://x.example"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = each_client.options(
        "/sparql", headers={"Origin": "https://x.example", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    error = each_client.get("/sparql", query_string={"query": "SELECT"})
    assert error.status_code == 400 and error.headers["Access-Control-Allow-Origin"] == "*"


@pytest.fixture(scope="module", params=["embedded", pytest.param("remote", marks=pytest.mark.server)])
def small_limits(request):
    store = request.getfixturevalue("built_store" if request.param == "embedded" else "remote_store")
    return create_app(store=store, config={"max_rows": 5, "max_body": 2000}).test_client()


def test_results_beyond_the_row_limit_are_cut_with_a_signal(small_limits):
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    response = small_limits.get("/sparql", query_string={"query": query})
    doc = response.get_json(force=True)
    assert response.headers["X-Outcome-Graph-Truncated"] == "true"
    assert (
        len(doc["results"]["bindings"]) == 5
        and doc["head"]["truncated"] is True
        and doc["head"]["maxRows"] == 5
    )
    xml = small_limits.get("/sparql", query_string={"query": query, "format": "xml"})
    assert (
        b"truncated: only the first 5 rows" in xml.data and xml.headers["X-Outcome-Graph-Truncated"] == "true"
    )
    csv_rows = small_limits.get("/sparql", query_string={"query": query, "format": "csv"})
    assert len(csv_rows.get_data(as_text=True).splitlines()) == 6
    whole = small_limits.get("/sparql", query_string={"query": query + " LIMIT 5"})
    assert (
        "X-Outcome-Graph-Truncated" not in whole.headers
        and "truncated" not in whole.get_json(force=True)["head"]
    )
    graph = small_limits.get(
        "/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"}
    )
    assert graph.headers["X-Outcome-Graph-Truncated"] == "true" and len(graph.data.splitlines()) == 5


def test_request_bodies_are_size_limited(small_limits):
    padding = "#" + "x" * 3000 + "\n"
    direct = small_limits.post(
        "/sparql", data=(padding + "ASK {}").encode(), content_type="application/sparql-query"
    )
    form = small_limits.post("/sparql", data={"query": padding + "ASK {}"})
    assert direct.status_code == 413 and form.status_code == 413
    assert small_limits.post("/sparql", data={"query": "ASK {}"}).status_code == 200


def test_a_post_without_a_query_is_400(each_client):
    response = each_client.post("/sparql", data={"default-graph-uri": "http://example.org/"})
    assert response.status_code == 400 and "no `query`" in response.get_data(as_text=True)


def test_unknown_request_type_is_415(each_client):
    response = each_client.post("/sparql", data=b"ASK {}", content_type="text/plain")
    assert response.status_code == 415 and "application/sparql-query" in response.get_data(as_text=True)


def test_a_dataset_naming_a_document_elsewhere_is_refused(each_client):
    for params in (
        {"query": "SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }"},
        {"query": "SELECT * FROM NAMED <http://example.org/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }"},
        {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "http://example.org/data.ttl"},
        {"query": "SELECT * WHERE { ?s ?p ?o }", "named-graph-uri": "http://example.org/data.ttl"},
    ):
        response = each_client.get("/sparql", query_string=params)
        assert response.status_code == 400, params
        assert "<http://example.org/data.ttl>" in response.get_data(as_text=True)


def test_two_queries_in_one_request_are_refused(each_client):
    response = each_client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert response.status_code == 400 and "exactly one" in response.get_data(as_text=True)


# ---- the two stores agree ---------------------------------------------------------------------

AGREEMENT = [
    BUDGET_QUERY,
    PREFIX + "SELECT ?code WHERE { ?i a og:Indicator ; og:code ?code } ORDER BY ?code",
    PREFIX
    + "SELECT ?report (COUNT(?o) AS ?n) WHERE { ?o a og:Observation ; og:report ?report } GROUP BY ?report",
    PREFIX
    + "SELECT ?o ?status WHERE { ?o og:status ?status . OPTIONAL { ?o og:value ?v } FILTER(!BOUND(?v)) }",
    PREFIX + "SELECT ?r ?score WHERE { ?r a og:Risk ; og:score ?score } ORDER BY DESC(?score) ?r",
    PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    PREFIX + "SELECT ?first ?text WHERE { ?e og:firstLine ?first ; og:text ?text FILTER(?first = 74) }",
    PREFIX + "ASK { ?o og:value ?v FILTER(?v < 0) }",
]


def normalised(client, query: str):
    doc = client.get("/sparql", query_string={"query": query}).get_json(force=True)
    if "boolean" in doc:
        return doc["boolean"]
    return sorted(json.dumps(row, sort_keys=True) for row in doc["results"]["bindings"])


@pytest.mark.server
@pytest.mark.parametrize("query", AGREEMENT)
def test_embedded_and_oxigraph_server_give_identical_results(built_store, remote_store, query):
    embedded = create_app(store=built_store).test_client()
    remote = create_app(store=remote_store).test_client()
    answer = normalised(embedded, query)
    assert answer == normalised(remote, query)
    assert answer not in ([], None), "each agreement query must have an answer to compare"
