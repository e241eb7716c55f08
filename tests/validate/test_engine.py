"""The validator evaluates basic graph patterns in its own join order (fewest matches first). The
answers must be exactly rdflib's: every rule's query, on real focus nodes, gives the same rows with the
ordering hook as without it."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, SH

from outcome_graph.namespaces import OG, sparql_prefixes
from outcome_graph.validate import engine, load_shapes

OGR = "https://w3id.org/outcome-graph/id/midlothian/"


def _rows(graph, query, bindings):
    return sorted(tuple(str(v) for v in row) for row in graph.query(query, initBindings=bindings))


def _rule_queries():
    shapes = load_shapes()
    return sorted(str(q) for q in shapes.objects(None, SH.select))


@pytest.mark.parametrize("text", _rule_queries(), ids=lambda t: " ".join(t.split())[:60])
def test_each_rule_query_gives_rdflibs_answer(real_graph, text):
    query = engine._prepared(sparql_prefixes() + text)
    focus_nodes = [
        URIRef(OGR + "report/2016-2017/observation/BS.CS.26/2016-2017"),
        URIRef(OGR + "report/2016-2017/observation/corporate/invoices-paid-within-30-days/2016-2017"),
        URIRef(OGR + "report/2020-2021/total/actions.on_target_or_complete"),
        URIRef(OGR + "report/2016-2017/total/pis.total"),
        URIRef(OGR + "report/2020-2021/action/CSPC.P.2.1"),
        URIRef(OGR + "report/2020-2021/risk/C.RR.01-23"),
    ]
    uses_this = "$this" in text
    for focus in focus_nodes if uses_this else [None]:
        bindings = {"this": focus} if focus is not None else {}
        plain = _rows(real_graph, query, bindings)
        with engine._bound_first_bgps():
            ordered = _rows(real_graph, query, bindings)
        assert ordered == plain


def test_a_path_an_optional_and_a_negation_agree(real_graph):
    query = engine._prepared(
        sparql_prefixes()
        + """SELECT ?o ?code ?note WHERE {
            ?o og:indicator/og:indicatorSet og:CorporatePI ; og:period ?p .
            OPTIONAL { ?o og:indicator/og:code ?code }
            OPTIONAL { ?o og:note ?note }
            FILTER NOT EXISTS { ?o og:value ?v }
        }"""
    )
    plain = _rows(real_graph, query, {})
    with engine._bound_first_bgps():
        ordered = _rows(real_graph, query, {})
    assert ordered == plain
    assert plain  # the N/A corporate cells (e.g. revenue budget 2020/21) are there


def test_the_hook_is_removed_after_validation(real_graph):
    from rdflib.plugins.sparql import CUSTOM_EVALS

    engine.validate_graph(real_graph)
    assert engine._EVAL_KEY not in CUSTOM_EVALS
    assert (URIRef(OGR + "report/2020-2021/action/CSPC.P.2.1"), RDF.type, OG.Action) in real_graph


def test_the_sparql_check_made_once_still_refuses_a_bad_text_every_time():
    # pySHACL's check of a constraint's text is remembered only when it passes (engine._checked_once)
    from pyshacl.errors import ValidationFailure
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    engine.import_pyshacl()
    assert getattr(SPARQLQueryHelper.check_invalid_sparql, "_outcome_graph_once", False)
    helper = SPARQLQueryHelper.__new__(SPARQLQueryHelper)  # the check reads only the class's patterns
    check = SPARQLQueryHelper.check_invalid_sparql
    bad = "SELECT $this WHERE { VALUES ?x { 1 } $this ?p ?x }"
    for _ in range(2):
        with pytest.raises(ValidationFailure, match="VALUES"):
            check(helper, bad)
    good = "SELECT $this WHERE { $this ?p ?x }"
    assert check(helper, good) is True
    assert check(helper, good) is True
