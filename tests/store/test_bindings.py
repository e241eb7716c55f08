"""Parameters become a VALUES block at the top of the outermost WHERE group, written from typed terms."""

from __future__ import annotations

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.plugins.sparql.parser import parseQuery

from outcome_graph.store import QueryError
from outcome_graph.store.bindings import bind, where_group_start

CODE = {"code": Literal("CSPC.P.2.1a")}


@pytest.mark.parametrize(
    "query, before",
    [
        ("SELECT ?i WHERE { ?i ?p ?code }", "SELECT ?i WHERE {"),
        ("select ?i { ?i ?p ?code }", "select ?i {"),
        ("CONSTRUCT { ?i ?p ?code } WHERE { ?i ?p ?code }", "CONSTRUCT { ?i ?p ?code } WHERE {"),
        ("CONSTRUCT { ?i <http://x/p> '}' } { ?i ?p ?code }", "CONSTRUCT { ?i <http://x/p> '}' } {"),
        ("ASK { ?i ?p ?code }", "ASK {"),
        (
            "SELECT (EXISTS { ?a ?b ?c } AS ?e) WHERE { ?i ?p ?code }",
            "SELECT (EXISTS { ?a ?b ?c } AS ?e) WHERE {",
        ),
        ("# SELECT { not here\nSELECT ?i WHERE { ?i ?p ?code }", "# SELECT { not here\nSELECT ?i WHERE {"),
        ('PREFIX e: <http://e/where> SELECT ("{" AS ?x) WHERE { ?i ?p ?code }', "AS ?x) WHERE {"),
        ("SELECT ?i WHERE { { SELECT ?i WHERE { ?i ?p ?code } } }", "SELECT ?i WHERE {"),
        ('SELECT ?i WHERE { ?i ?p """a } \\""" b""" . ?i ?q ?code }', "SELECT ?i WHERE {"),
    ],
)
def test_values_go_first_in_the_outer_where_group(query, before):
    at = where_group_start(query)
    assert query[:at].endswith(before)
    bound = bind(query, CODE)
    parseQuery(bound)  # still a query
    assert 'VALUES (?code) { ("CSPC.P.2.1a") }' in bound


@pytest.mark.parametrize(
    "query", ["CONSTRUCT WHERE { ?i ?p ?code }", "construct from <http://g/> where { ?i ?p ?code }"]
)
def test_construct_where_short_form_gets_a_trailing_values_clause(query):
    bound = bind(query, CODE)
    parseQuery(bound)
    assert bound.rstrip().endswith('VALUES (?code) { ("CSPC.P.2.1a") }')


def test_describe_without_where_gets_a_trailing_values_clause():
    bound = bind("DESCRIBE ?i", {"i": URIRef("http://example.org/x")})
    parseQuery(bound)
    assert bound.rstrip().endswith("VALUES (?i) { (<http://example.org/x>) }")


def test_typed_literals_keep_their_type_and_language():
    bound = bind(
        "SELECT * WHERE { ?s ?p ?v }",
        {
            "v": Literal("15431000", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")),
            "p": URIRef("https://w3id.org/outcome-graph/def#value"),
        },
    )
    assert '("15431000"^^<http://www.w3.org/2001/XMLSchema#decimal> ' in bound
    assert (
        bind("SELECT * WHERE { ?s ?p ?l }", {"l": Literal("Promise", lang="en")}).count('"Promise"@en') == 1
    )


def test_hostile_text_stays_inside_its_literal():
    bound = bind("SELECT * WHERE { ?s ?p ?code }", {"code": Literal('" } ; DROP ALL #\n}')})
    tree = parseQuery(bound)
    assert tree[1].name == "SelectQuery"
    assert '("\\" } ; DROP ALL #\\n}")' in bound


@pytest.mark.parametrize(
    "bindings, message",
    [
        ({"s": URIRef("http://x/> } DROP ALL #")}, "not allowed in an IRI"),
        ({"s": BNode()}, "blank node"),
        ({"bad name": Literal("x")}, "not a SPARQL variable name"),
        ({"s": "plain string"}, "must be an IRI or a literal"),
    ],
)
def test_unsafe_bindings_are_refused(bindings, message):
    with pytest.raises(QueryError, match=message):
        bind("SELECT * WHERE { ?s ?p ?o }", bindings)
