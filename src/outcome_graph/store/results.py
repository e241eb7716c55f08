"""SPARQL results in the four protocol formats, from rows of SPARQL-JSON term objects.

Both stores produce rows in one neutral shape, the SPARQL 1.1 JSON term object
(`{"type": "uri", "value": ...}`), so that the row limit and its signal are applied in one place.
A cut result says so: the JSON head carries `"truncated": true` and `"maxRows": N`, the XML document a
comment before its results, and the HTTP layer adds `X-Outcome-Graph-Truncated: true` for all formats.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from .protocol import StoreError

if TYPE_CHECKING:  # rdflib is imported where rows become nodes, never in a query worker (see workers)
    from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
RESULT_TYPES = (JSON, XML, CSV, TSV)
BOOLEAN_TYPES = (JSON, XML)

TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"  # what rdflib's SPARQLStore and SPARQLWrapper ask for by default
GRAPH_TYPES = (TURTLE, NTRIPLES, JSONLD, RDFXML)
# the engine's writer for each graph media type
RDF_FORMATS = {
    TURTLE: ox.RdfFormat.TURTLE,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    JSONLD: ox.RdfFormat.JSON_LD,
    RDFXML: ox.RdfFormat.RDF_XML,
}

Row = dict[str, dict[str, str]]
VIRTUOSO_ASK = "__ASK_RETVAL"


def wire_term(t) -> dict[str, str]:
    """An Oxigraph term as a SPARQL JSON results term (xsd:string left implicit, as the format writes it)."""
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value not in (XSD_STRING, RDF_LANGSTRING):
            out["datatype"] = t.datatype.value
        return out
    return {"type": "literal", "value": str(t)}  # an RDF-star triple term: shown as its N-Triples text


def to_node(term: dict[str, str]) -> Node:
    from rdflib import BNode, Literal, URIRef  # once imported, a dictionary lookup

    kind = term.get("type")
    value = term.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        lang = term.get("xml:lang")
        datatype = term.get("datatype")
        if lang:
            return Literal(value, lang=lang)
        if datatype and datatype != XSD_STRING:
            return Literal(value, datatype=URIRef(datatype))
        return Literal(value)
    raise StoreError(f"malformed SPARQL JSON results: unknown term type {kind!r}")


def to_nodes(rows: list[Row]) -> list[dict[str, Node]]:
    """Each term made once per answer (terms are immutable): a structure question's rows repeat a few
    predicates and subjects (an audit's 60,000 rows hold about a third as many distinct terms), and an
    rdflib term costs microseconds to make where a dictionary lookup costs a tenth of that."""
    made: dict[tuple, Node] = {}
    out = []
    for row in rows:
        nodes = {}
        for var, term in row.items():
            key = tuple(term.items())
            node = made.get(key)
            if node is None:
                node = made[key] = to_node(term)
            nodes[var] = node
        out.append(nodes)
    return out


def parse_json(body: bytes) -> dict:
    """A SPARQL JSON results document, checked for shape: a cut-off or foreign body is a StoreError."""
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise StoreError(f"the SPARQL server sent a malformed or cut-off JSON body ({e})") from e
    return checked_results(doc)


def checked_results(doc) -> dict:
    """A SPARQL JSON results document (parsed from JSON, or read from XML by results_xml), checked for
    shape, its terms made standard and Virtuoso's ASK-as-SELECT made a boolean."""
    if not isinstance(doc, dict) or "head" not in doc:
        raise StoreError("the SPARQL server's answer is not SPARQL results (no 'head')")
    if "boolean" in doc:
        if not isinstance(doc["boolean"], bool):
            raise StoreError("the SPARQL server's ASK answer has a non-boolean 'boolean'")
        return doc
    bindings = doc.get("results", {}).get("bindings") if isinstance(doc.get("results"), dict) else None
    if not isinstance(bindings, list) or not all(isinstance(b, dict) for b in bindings):
        raise StoreError("the SPARQL server's answer has no 'results.bindings' list")
    if doc["head"].get("vars") == [VIRTUOSO_ASK] and len(bindings) <= 1:
        # Virtuoso 7.2 answers ASK as a SELECT of one integer: one row of 1 for true, no row for false
        value = bool(bindings) and bindings[0].get(VIRTUOSO_ASK, {}).get("value") != "0"
        return {"head": {}, "boolean": value}
    for row in bindings:
        for var, term in row.items():
            row[var] = _standard_term(term)
    return doc


def _standard_term(term) -> dict[str, str]:
    """A SPARQL 1.1 JSON term: Virtuoso's draft "typed-literal" becomes "literal", an explicit
    xsd:string datatype is dropped (a simple literal), and a term without a type or value is an error."""
    if not isinstance(term, dict) or not isinstance(term.get("value"), str):
        raise StoreError(f"malformed SPARQL JSON results: a term without a string value ({str(term)[:80]})")
    kind = term.get("type")
    if kind not in ("uri", "bnode", "literal", "typed-literal"):
        raise StoreError(f"malformed SPARQL JSON results: unknown term type {kind!r}")
    if kind in ("uri", "bnode"):
        return {"type": kind, "value": term["value"]}
    out = {"type": "literal", "value": term["value"]}
    if term.get("xml:lang"):
        out["xml:lang"] = term["xml:lang"]
    elif term.get("datatype") and term["datatype"] != XSD_STRING:
        out["datatype"] = term["datatype"]
    return out


def serialize_select(
    vars_: list[str], rows: list[Row], media_type: str, truncated: bool, limit: int | None
) -> bytes:
    if media_type == JSON:
        head: dict = {"vars": vars_}
        if truncated:
            head["truncated"] = True
            head["maxRows"] = limit
        return json.dumps({"head": head, "results": {"bindings": rows}}, ensure_ascii=False).encode()
    if media_type == XML:
        return _xml_select(vars_, rows, truncated, limit)
    if media_type == CSV:
        return _csv(vars_, rows)
    if media_type == TSV:
        return _tsv(vars_, rows)
    raise ValueError(f"not a SELECT results type: {media_type}")


def serialize_boolean(value: bool, media_type: str) -> bytes:
    if media_type == JSON:
        return json.dumps({"head": {}, "boolean": value}).encode()
    if media_type == XML:
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    raise ValueError(f"not an ASK results type: {media_type}")


def _xml_select(vars_: list[str], rows: list[Row], truncated: bool, limit: int | None) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    out += [f"<variable name={quoteattr(v)}/>" for v in vars_]
    out.append("</head>\n")
    if truncated:
        out.append(f"<!-- outcome-graph: truncated: only the first {limit} rows are given -->\n")
    out.append("<results>\n")
    for row in rows:
        out.append("<result>")
        for var, term in row.items():
            out.append(f"<binding name={quoteattr(var)}>{_xml_term(term)}</binding>")
        out.append("</result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out).encode()


def _xml_term(term: dict[str, str]) -> str:
    value = escape(term["value"])
    if term["type"] == "uri":
        return f"<uri>{value}</uri>"
    if term["type"] == "bnode":
        return f"<bnode>{value}</bnode>"
    if "xml:lang" in term:
        return f"<literal xml:lang={quoteattr(term['xml:lang'])}>{value}</literal>"
    if term.get("datatype"):
        return f"<literal datatype={quoteattr(term['datatype'])}>{value}</literal>"
    return f"<literal>{value}</literal>"


def _csv(vars_: list[str], rows: list[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(vars_)
    for row in rows:
        writer.writerow([_csv_value(row.get(v)) for v in vars_])
    return buffer.getvalue().encode()


def _csv_value(term: dict[str, str] | None) -> str:
    if term is None:
        return ""
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    return term["value"]


def _tsv(vars_: list[str], rows: list[Row]) -> bytes:
    lines = ["\t".join(f"?{v}" for v in vars_)]
    for row in rows:
        lines.append("\t".join(_tsv_value(row.get(v)) for v in vars_))
    return ("\n".join(lines) + "\n").encode()


def _tsv_value(term: dict[str, str] | None) -> str:
    if term is None:
        return ""
    if term["type"] == "uri":
        return f"<{term['value']}>"
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    text = (
        term["value"]
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    if "xml:lang" in term:
        return f'"{text}"@{term["xml:lang"]}'
    if term.get("datatype") and term["datatype"] != XSD_STRING:
        return f'"{text}"^^<{term["datatype"]}>'
    return f'"{text}"'
