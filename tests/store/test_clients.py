"""The usual Python clients with their own defaults against our own server (`outcome-graph serve`, run as
a user runs it): SPARQLWrapper (which sends `format=` besides Accept, and asks for RDF/XML for CONSTRUCT
and DESCRIBE), rdflib's SPARQLStore, and rdflib fetching an instance IRI as linked data."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

OG = "https://w3id.org/outcome-graph/def#"
RISK = "https://w3id.org/outcome-graph/id/midlothian/report/2020-2021/risk/C.RR.01-23"
SELECT = f"SELECT ?code WHERE {{ <{RISK}> <{OG}code> ?code }}"
ASK = f"ASK {{ <{RISK}> <{OG}code> ?code }}"
CONSTRUCT = f"CONSTRUCT WHERE {{ <{RISK}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{RISK}>"


def wrapper(server: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)  # also sent as format=, output= and results= (onlyConneg is off)
    return client


@pytest.mark.parametrize("fmt", [XML, JSON, CSV, TSV])
def test_sparqlwrapper_select_in_each_results_format(server, fmt):
    result = wrapper(server, SELECT, fmt).query()
    body = result.response.read()
    assert b"C.RR.01-23" in body
    if fmt == JSON:
        assert wrapper(server, SELECT, fmt).queryAndConvert()["results"]["bindings"] == [
            {"code": {"type": "literal", "value": "C.RR.01-23"}}
        ]


@pytest.mark.parametrize("fmt", [XML, JSON])
def test_sparqlwrapper_ask(server, fmt):
    answer = wrapper(server, ASK, fmt).queryAndConvert()
    if fmt == JSON:
        assert answer["boolean"] is True
    else:
        assert answer.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
@pytest.mark.parametrize("fmt", [XML, RDFXML, TURTLE, N3, JSONLD])
def test_sparqlwrapper_construct_and_describe_with_its_defaults(server, query, fmt):
    result = wrapper(server, query, fmt).query()
    media_type = result.response.headers["Content-Type"].split(";")[0]
    body = result.response.read()
    expected = {XML: "application/rdf+xml", RDFXML: "application/rdf+xml", JSONLD: "application/ld+json"}
    assert media_type == expected.get(fmt, "text/turtle")
    graph = rdflib.Graph().parse(data=body, format={"application/rdf+xml": "xml"}.get(media_type, media_type))
    assert (URIRef(RISK), URIRef(OG + "code"), Literal("C.RR.01-23")) in graph


def test_sparqlwrapper_s_default_conversion_of_a_construct_is_a_graph(server):
    graph = wrapper(server, CONSTRUCT, XML).queryAndConvert()  # parsed by rdflib as RDF/XML
    assert (URIRef(RISK), URIRef(OG + "code"), Literal("C.RR.01-23")) in graph


def test_rdflib_sparqlstore_select_ask_construct_describe(server):
    store = SPARQLStore(f"{server}/sparql")
    graph = rdflib.Graph(store=store)
    assert [str(row.code) for row in graph.query(SELECT)] == ["C.RR.01-23"]
    assert graph.query(ASK).askAnswer is True
    for query in (CONSTRUCT, DESCRIBE):
        answer = graph.query(query).graph
        assert (URIRef(RISK), URIRef(OG + "code"), Literal("C.RR.01-23")) in answer


def test_an_instance_iri_gives_rdf_to_rdflib_never_html(server):
    url = f"{server}/id/midlothian/report/2020-2021/risk/C.RR.01-23"
    for accept in ("application/rdf+xml", "application/rdf+xml, */*;q=0.1", "text/n3, */*;q=0.1"):
        request = urllib.request.Request(url, headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["Content-Type"].split(";")[0] != "text/html", accept
            body = response.read()
        assert b"C.RR.01-23" in body
    for fmt in (None, "xml"):  # rdflib's own Accept: every format it can parse, or RDF/XML, and */*;q=0.1
        graph = rdflib.Graph().parse(url, format=fmt)
        assert (URIRef(RISK), URIRef(OG + "code"), Literal("C.RR.01-23")) in graph
    trig_only = urllib.request.Request(url, headers={"Accept": "application/trig"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(trig_only, timeout=30)
    assert refused.value.code == 406
