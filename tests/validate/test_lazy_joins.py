"""Every SHACL-SPARQL text in shapes/ lets rdflib join its groups lazily (the right side evaluated with the
left side's row bound). rdflib marks a join lazy only when neither side holds another join (its
`algebra.analyse`): one UNION branch of PercentageOfAStatedCount with a group after an OPTIONAL made its
join eager, and rdflib then evaluated that branch over every note of the graph for each focus node (half
of the rule's time). A rule written that way again fails here, by name."""

from __future__ import annotations

from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from outcome_graph.validate.shapes import load_shapes


def _eager_joins(node, found: list) -> list:
    if isinstance(node, CompValue):
        if node.name == "Join" and not node.get("lazy"):
            found.append(node)
        for value in node.values():
            _eager_joins(value, found)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _eager_joins(value, found)
    return found


def _prefixes(shapes) -> str:
    return "".join(f"PREFIX {p}: <{n}>\n" for p, n in sorted(shapes.namespace_manager.namespaces()) if p)


def test_every_rule_joins_lazily():
    shapes = load_shapes()
    prefixes = _prefixes(shapes)
    texts = sorted(shapes.subject_objects(SH.select))
    assert len(texts) >= 60  # every constraint and target, not a lookup that found none
    eager = []
    for node, text in texts:
        if _eager_joins(prepareQuery(prefixes + str(text)).algebra, []):
            owner = next(shapes.subjects(SH.sparql, node), None) or next(
                shapes.subjects(SH.target, node), node
            )
            eager.append(str(owner))
    assert eager == []


def test_the_check_sees_an_eager_join():
    # the shape of the rule before the fix: a group (a join) after an OPTIONAL inside a UNION branch
    text = """SELECT ?this WHERE { ?this og:indicator ?ind .
        { ?ind og:shareOfCount ?c } UNION { ?ind og:shareOfNoteCount ?c . OPTIONAL { ?c og:rawValue ?r }
          { ?c og:role og:WholeRole } UNION { ?c og:role og:ValueRole } } }"""
    shapes = load_shapes()
    assert _eager_joins(prepareQuery(_prefixes(shapes) + text).algebra, [])
