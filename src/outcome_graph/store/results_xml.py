"""SPARQL XML results read into the SPARQL JSON document shape (`parse_json`'s), so that the rest of the
remote store never knows which of the two a server sent.

Why XML at all: Virtuoso 7.2 writes SPARQL JSON results about four times slower than XML (11,000 rows
of one report's records on the 32 x 10 national graph: 1.8-2.1 s as JSON, 0.55 s as XML, the same
query's COUNT 0.07 s), and the views move tens of thousands of rows. The standard library's expat
parser is used; a document type declaration (the way to entity expansion) is refused, as SPARQL XML
results never have one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .protocol import StoreError

NS = "{http://www.w3.org/2005/sparql-results#}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse_xml(body: bytes) -> dict:
    """A SPARQL XML results document as the SPARQL JSON document of the same answer; a cut-off or
    foreign body is a StoreError."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise StoreError("the SPARQL server's XML results declare a document type, which they never need")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise StoreError(f"the SPARQL server sent a malformed or cut-off XML body ({e})") from e
    if root.tag != f"{NS}sparql" or root.find(f"{NS}head") is None:
        raise StoreError("the SPARQL server's answer is not SPARQL XML results (no sparql/head)")
    head = {"vars": [v.get("name") for v in root.iterfind(f"{NS}head/{NS}variable")]}
    boolean = root.find(f"{NS}boolean")
    if boolean is not None:
        text = (boolean.text or "").strip()
        if text not in ("true", "false"):
            raise StoreError(f"the SPARQL server's ASK answer is not true or false ({text[:20]!r})")
        return {"head": head, "boolean": text == "true"}
    results = root.find(f"{NS}results")
    if results is None:
        raise StoreError("the SPARQL server's answer has no results element")
    bindings = []
    for result in results.iterfind(f"{NS}result"):
        row = {}
        for binding in result.iterfind(f"{NS}binding"):
            row[binding.get("name")] = _term(binding)
        bindings.append(row)
    return {"head": head, "results": {"bindings": bindings}}


def _term(binding: ET.Element) -> dict[str, str]:
    if len(binding) != 1:
        raise StoreError(f"malformed SPARQL XML results: binding {binding.get('name')!r} holds no one term")
    node = binding[0]
    kind = node.tag[len(NS) :] if node.tag.startswith(NS) else node.tag
    value = node.text or ""
    if kind in ("uri", "bnode"):
        return {"type": kind, "value": value}
    if kind != "literal":
        raise StoreError(f"malformed SPARQL XML results: unknown term element {kind!r}")
    out = {"type": "literal", "value": value}
    if node.get(XML_LANG):
        out["xml:lang"] = node.get(XML_LANG)
    elif node.get("datatype"):
        out["datatype"] = node.get("datatype")
    return out
