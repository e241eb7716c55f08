"""The SPARQL 1.1 Service Description of /sparql, answered to a GET without a query."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD

from .. import __version__
from . import Settings

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
# Service features that sd: has no term for; named here, not in the og: vocabulary (which is data).
FEATURE = Namespace("https://w3id.org/outcome-graph/service#")


def service_description(endpoint: str, settings: Settings, triples: int | None) -> Graph:
    g = Graph()
    g.bind("sd", SD)
    g.bind("formats", FORMATS)
    g.bind("void", VOID)
    g.bind("ogs", FEATURE)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
    ):
        g.add((service, SD.resultFormat, FORMATS[fmt]))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    features = {
        "ReadOnly": "Updates (INSERT, DELETE, LOAD, CLEAR, ...) are refused with 403.",
        "NoOutboundRequests": "SERVICE, LOAD and FROM/FROM NAMED naming a document not in the store are "
        "refused with 400, and queries run in worker processes that have no network: the server never "
        "fetches anything on a user's behalf.",
        "QueryTimeLimit": f"A query is stopped after {settings.timeout:g} s (503).",
        "ResultRowLimit": f"Results beyond {settings.max_rows} rows or triples are cut; the response then "
        "carries the header X-Outcome-Graph-Truncated: true (and, in JSON, head.truncated = true).",
    }
    for name, comment in features.items():
        g.add((service, SD.feature, FEATURE[name]))
        g.add((FEATURE[name], RDFS.comment, Literal(comment, lang="en")))
    g.add((FEATURE.QueryTimeLimit, RDF.value, Literal(settings.timeout, datatype=XSD.decimal)))
    g.add((FEATURE.ResultRowLimit, RDF.value, Literal(settings.max_rows)))
    dataset, default_graph = BNode("dataset"), BNode("defaultGraph")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default_graph))
    g.add((default_graph, RDF.type, SD.Graph))
    if triples is not None:
        g.add((default_graph, VOID.triples, Literal(triples)))
    g.add((service, RDFS.label, Literal(f"outcome-graph {__version__} SPARQL endpoint", lang="en")))
    return g
