"""The vocabulary contract's namespaces and the rules that mint instance IRIs, and an IRI written short
with the project's prefixes (ogr:..., as tables show it).

IRIs are public interface (analysts' queries depend on them), so every IRI the build makes is minted
here and nowhere else.
"""

from __future__ import annotations

from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

OG = Namespace("https://w3id.org/outcome-graph/def#")
OGR = Namespace("https://w3id.org/outcome-graph/id/")
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIM = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
LEG = "http://www.legislation.gov.uk/id/"
GOV_YEAR = "http://reference.data.gov.uk/id/government-year/"
GOV_QUARTER = "http://reference.data.gov.uk/id/government-quarter/"
GEOGRAPHY = "http://statistics.gov.scot/id/statistical-geography/"

PREFIXES: dict[str, str] = {
    "og": str(OG),
    "ogr": str(OGR),
    "qb": str(QB),
    "prov": str(PROV),
    "skos": str(SKOS),
    "org": str(ORG),
    "dcterms": str(DCTERMS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
}

__all__ = [
    "OG",
    "OGR",
    "QB",
    "PROV",
    "SKOS",
    "ORG",
    "DCTERMS",
    "RDF",
    "RDFS",
    "OWL",
    "XSD",
    "SDMX_DIM",
    "PREFIXES",
    "sparql_prefixes",
    "shorten",
    "segment",
    "council_iri",
    "report_iri",
    "service_iri",
    "priority_iri",
    "action_iri",
    "indicator_iri",
    "observation_iri",
    "risk_iri",
    "excerpt_iri",
    "period_iri",
    "dataset_iri",
    "link_iri",
]


def sparql_prefixes() -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def shorten(term: Node) -> str:
    """A term as people read it in a table: an IRI as a prefixed name where one of PREFIXES fits, any
    other term as its text on one line."""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, ns in PREFIXES.items():
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns) :]}"
        return text
    return str(term).replace("\n", " ")


def segment(text: str) -> str:
    """An IRI path: codes keep their dots and letters, keys keep their slashes; the rest is %-encoded."""
    return quote(text, safe="/-._~")


def council_iri(council: str) -> URIRef:
    return OGR[segment(council)]


def report_iri(council: str, year: str) -> URIRef:
    return OGR[f"{segment(council)}/report/{year}"]


def service_iri(council: str, service: str) -> URIRef:
    return OGR[f"{segment(council)}/service/{segment(service)}"]


def dataset_iri(council: str, year: str) -> URIRef:
    return OGR[f"{segment(council)}/report/{year}/dataset"]


def priority_iri(council: str, year: str, code: str) -> URIRef:
    # Priorities are numbered afresh in each service plan, so the number alone does not identify one.
    return OGR[f"{segment(council)}/report/{year}/priority/{segment(code)}"]


def action_iri(council: str, year: str, key: str) -> URIRef:
    # Per report: a council carries actions over from year to year under the same code, and each
    # year's record has its own progress and status. `key` is the code, or "L{line}" for an uncoded one.
    return OGR[f"{segment(council)}/report/{year}/action/{segment(key)}"]


def indicator_iri(council: str, key: str) -> URIRef:
    # LGBF indicators are national definitions shared by all 32 councils.
    if key.startswith("lgbf/"):
        return OGR[f"lgbf/indicator/{segment(key[5:])}"]
    return OGR[f"{segment(council)}/indicator/{segment(key)}"]


def indicator_iri_key(indicator: URIRef) -> str:
    """An indicator's og:key: the rest of its IRI after /indicator/, as written there (CHN8a for an LGBF
    indicator, where graph/curated/ names it lgbf/CHN8a)."""
    return str(indicator).split("/indicator/", 1)[1]


def figure_iri(council: str, indicator_key: str, period: str) -> URIRef:
    """One council's figure for one indicator and period: the same IRI from every report that states it."""
    return OGR[f"{segment(council)}/figure/{segment(indicator_key)}/{period}"]


def observation_iri(council: str, year: str, indicator_iri_key: str, period: str) -> URIRef:
    return OGR[f"{segment(council)}/report/{year}/observation/{segment(indicator_iri_key)}/{period}"]


def risk_iri(council: str, year: str, code: str) -> URIRef:
    # Per report, as actions: a risk register carries its entries over, each year with its own score.
    return OGR[f"{segment(council)}/report/{year}/risk/{segment(code)}"]


def excerpt_iri(council: str, year: str, first: int, last: int) -> URIRef:
    return OGR[f"{segment(council)}/report/{year}/lines/{first}-{last}"]


def link_iri(council: str, subject_key: str, obj: str) -> URIRef:
    return OGR[f"{segment(council)}/link/{segment(subject_key)}/{segment(obj)}"]


def period_iri(year: str, quarter: int | None = None) -> URIRef:
    """`year` is a government year as '2016-2017'."""
    if quarter is None:
        return URIRef(GOV_YEAR + year)
    return URIRef(f"{GOV_QUARTER}{year}/Q{quarter}")
