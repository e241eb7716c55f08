"""SPARQL XML results read into the SPARQL JSON document shape (`parse_json`'s), so that the rest of the
remote store never knows which of the two a server sent.

Why XML at all: Virtuoso 7.2 writes SPARQL JSON results about four times slower than XML (11,000 rows
of one report's records on the 32 x 10 national graph: 1.8-2.1 s as JSON, 0.55 s as XML, the same
query's COUNT 0.07 s), and the views move tens of thousands of rows.

Read by pyoxigraph's parser (Rust, already the embedded engine): about three times faster than the
standard library's ElementTree walked in Python (36,000 rows of a council's links: 0.43 s against 1.36 s;
BENCHMARKS.md, "Reading a SPARQL server's answers"). Where pyoxigraph reads an answer otherwise than the
XML standard (listed below), the answer is read by ElementTree, as is one pyoxigraph finds fault with,
so that what an unusual or broken answer gives never depends on the reader; both give the same document
(tests/store/test_results_xml.py). Language tags come lower-case from both, as RDF 1.1 allows and the
embedded store gives them (rdflib compares them without case). A document type declaration (the way to
entity expansion) is refused before either runs, as SPARQL XML results never have one.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pyoxigraph as ox

from .protocol import StoreError

NS = "{http://www.w3.org/2005/sparql-results#}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse_xml(body: bytes) -> dict:
    """A SPARQL XML results document as the SPARQL JSON document of the same answer; a cut-off or
    foreign body is a StoreError."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise StoreError("the SPARQL server's XML results declare a document type, which they never need")
    if _needs_tree(body):
        return parse_tree(body)
    return _parse_fast(_EDGES.sub(_as_references, body))


# What pyoxigraph 0.5 reads otherwise than the XML standard and ElementTree do (each held by
# tests/store/test_results_xml.py): a blank node label it refuses; a comment or processing instruction
# inside a literal, after which it keeps only the rest of the text; a carriage return it does not make
# a line feed. An answer holding any of these (none of the views' answers does) is read by the tree.
_TREE_ONLY = (b"bnode", b"\r", b"<!--")


def _needs_tree(body: bytes) -> bool:
    prolog = body.index(b"?>") + 2 if body.lstrip().startswith(b"<?xml") else 0  # the XML declaration
    return any(mark in body for mark in _TREE_ONLY) or body.find(b"<?", prolog) >= 0


# It also trims white space at the ends of a literal's text, but not white space written as character
# references, which it reads after trimming: a report line's cells begin and end with tabs.
_EDGES = re.compile(rb"(<literal[^>]*>)([ \t\n][^<]*|[^<]*[ \t\n])(?=</literal>)")


def _as_references(match: re.Match) -> bytes:
    text = match.group(2)
    core = text.strip(b" \t\n")
    start = text.find(core) if core else len(text)
    ends = text[:start], text[start + len(core) :]
    lead, trail = (b"".join(b"&#%d;" % c for c in end) for end in ends)
    return match.group(1) + lead + core + trail


def _parse_fast(body: bytes) -> dict:
    try:
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)
        if isinstance(parsed, ox.QueryBoolean):
            return {"head": {"vars": []}, "boolean": bool(parsed)}
        names = [v.value for v in parsed.variables]
        bindings = []
        for solution in parsed:
            row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = _fast_term(term)
            bindings.append(row)
    except SyntaxError:
        # pyoxigraph also refuses terms ElementTree takes as written (an IRI with a space, a language
        # tag it does not know): the tree reader decides, and says what is wrong with a broken body
        return parse_tree(body)
    return {"head": {"vars": names}, "results": {"bindings": bindings}}


_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _fast_term(term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if not isinstance(term, ox.Literal):  # a blank node never gets here; a triple term is not SPARQL 1.1
        raise StoreError(f"malformed SPARQL XML results: an unexpected term {term!r}")
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _STRING:
        out["datatype"] = term.datatype.value
    return out


def parse_tree(body: bytes) -> dict:
    """The same document read with ElementTree (an answer with blank nodes)."""
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
        out["xml:lang"] = node.get(XML_LANG).lower()  # as pyoxigraph and the embedded store give it
    elif node.get("datatype"):
        out["datatype"] = node.get("datatype")
    return out
