"""SHACL-SPARQL targets (sh:SPARQLTarget's sh:select) answered by an in-memory Oxigraph copy of the data
graph instead of rdflib's evaluator.

Why: a target query runs once per validation over the whole report graph (it finds the candidates in one
pass; the constraint then says what is wrong with each), and rdflib evaluates its FILTERs and
NOT EXISTS row by row in Python: the targets were about a third of pySHACL's time on a report (0.3 CPU s),
most of it in four targets that find nothing on a sound report. Oxigraph answers all 30 of them in under
10 ms; copying the report's graph into it costs about 0.06-0.09 s. The constraints (run once per focus
node with $this pre-bound) stay on rdflib: a finding's message and values come from them, unchanged.

pySHACL sends a target's text with nothing pre-bound (`initBindings=None`) and reads only the `this`
column of its rows; every constraint query comes with $this bound. That is how a target is told apart.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# A blank node's label is copied hex-encoded behind a letter that is not a hex digit: labels from a SPARQL
# server ("nodeID://b10006" from Virtuoso) are not labels Oxigraph accepts, and a focus node found in the
# copy must come back as the very rdflib BNode of the data graph. Oxigraph's own new labels are hex only.
_BLANK = "n"


def _label(value: str) -> str:
    if value.startswith(_BLANK):
        try:
            return bytes.fromhex(value[len(_BLANK) :]).decode()
        except ValueError:
            pass
    return value


def _to_ox(term: Node, cache: dict):
    found = cache.get(term)
    if found is not None:
        return found
    if isinstance(term, URIRef):
        found = ox.NamedNode(str(term))
    elif isinstance(term, BNode):
        found = ox.BlankNode(_BLANK + str(term).encode().hex())
    elif isinstance(term, Literal) and term.language:
        found = ox.Literal(str(term), language=term.language)
    elif isinstance(term, Literal) and term.datatype is not None:
        found = ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    elif isinstance(term, Literal):
        found = ox.Literal(str(term))
    else:
        raise TypeError(f"cannot copy {term!r} into Oxigraph")
    cache[term] = found
    return found


def _to_rdflib(term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(_label(term.value))
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        # RDF 1.1: a plain literal is an xsd:string, and Oxigraph writes it so; rdflib's plain literal (what
        # the build writes) is not equal to a typed one
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def oxigraph_copy(graph: Graph) -> ox.Store:
    """The triples of `graph` in a new in-memory Oxigraph store (default graph); a blank node's label is
    kept (encoded, `_BLANK`), so a focus node found there is the same rdflib BNode."""
    cache: dict = {}
    store = ox.Store()
    store.extend([ox.Quad(_to_ox(s, cache), _to_ox(p, cache), _to_ox(o, cache)) for s, p, o in graph])
    return store


def select_on(store: ox.Store, text: str) -> Result:
    """A SELECT's rows from Oxigraph as an rdflib Result (what pySHACL reads from a target query)."""
    solutions = store.query(text)
    if not isinstance(solutions, ox.QuerySolutions):
        raise ValueError(f"a SHACL target must be a SELECT query: {text[:200]}")
    names = [Variable(v.value) for v in solutions.variables]
    rows = []
    for solution in solutions:
        row = {}
        for name in names:
            value = solution[str(name)]
            if value is not None:
                row[name] = _to_rdflib(value)
        rows.append(row)
    result = Result("SELECT")
    result.vars = names
    result.bindings = rows
    return result
