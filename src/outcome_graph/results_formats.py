"""A SELECT result in the SPARQL 1.1 results formats (JSON, XML, CSV, TSV), as the saved queries and
the query page download them, and the saved-query TSV made from the engine's own JSON."""

from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .parameter_terms import ParameterError

FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


def _json_term(term: Node) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{xml_escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{xml_escape(str(term))}</bnode>"
    attrs = ""
    if term.language:
        attrs = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype and term.datatype != XSD.string:
        attrs = f" datatype={quoteattr(str(term.datatype))}"
    return f"<literal{attrs}>{xml_escape(str(term))}</literal>"


def _tsv_term(term: Node) -> str:
    if isinstance(term, Literal) and term.datatype in (XSD.integer, XSD.decimal, XSD.double, XSD.boolean):
        return str(term)
    return term.n3()


def serialize(result, fmt: str) -> bytes:
    """A SelectResult in one of FORMATS, as the SPARQL 1.1 results formats define them."""
    names, rows = list(result.vars), result.rows
    if fmt == "json":
        doc = {
            "head": {"vars": names},
            "results": {"bindings": [{v: _json_term(r[v]) for v in names if v in r} for r in rows]},
        }
        if getattr(result, "truncated", False):
            doc["head"]["link"] = ["#truncated"]
            doc["head"]["truncated"] = True  # where /sparql says it (store/results.py)
            doc["truncated"] = True
        return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in names]
        out.append("</head>\n<results>")
        for r in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(v)}>{_xml_term(r[v])}</binding>" for v in names if v in r]
            out.append("</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(names)
        for r in rows:
            writer.writerow([str(r[v]) if v in r else "" for v in names])
        return buf.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in names)]
        lines += ["\t".join(_tsv_term(r[v]) if v in r else "" for v in names) for r in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ParameterError(f"unknown results format {fmt!r}; use one of {', '.join(FORMATS)}")


_BARE_TSV = {str(XSD.integer), str(XSD.decimal), str(XSD.double), str(XSD.boolean)}
_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_json_term(term: dict[str, str]) -> str:
    kind, value = term["type"], term["value"]
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    datatype = term.get("datatype")
    if datatype in _BARE_TSV:
        return value
    text = '"' + value.translate(_TSV_ESCAPES) + '"'
    if "xml:lang" in term:
        return f"{text}@{term['xml:lang']}"
    if datatype and datatype != str(XSD.string):
        return f"{text}^^<{datatype}>"
    return text


def tsv_from_json(body: bytes) -> bytes:
    """The saved-query TSV of a SPARQL JSON results body (as `serialize` writes it from a SelectResult).

    The store's own TSV gives every literal in quotes with its datatype; the saved queries' TSV has always
    written numbers and booleans bare, as the SPARQL 1.1 TSV format allows, so that a spreadsheet reads
    them as numbers. Converting the engine's JSON keeps that without building a Python term per cell.
    """
    doc = json.loads(body)
    names = doc["head"]["vars"]
    lines = ["\t".join("?" + v for v in names)]
    lines += [
        "\t".join(_tsv_json_term(row[v]) if v in row else "" for v in names)
        for row in doc["results"]["bindings"]
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")
