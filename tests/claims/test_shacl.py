"""The claims in the validated graph: the disagreements are SHACL warnings naming lines and figures, and
SHACL recomputes a stated change itself, so a wrong recorded verdict does not pass unseen."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from outcome_graph.build import build_graph
from outcome_graph.namespaces import OG, OGR
from outcome_graph.validate import validate_graph


@pytest.fixture(scope="module")
def graph():
    return build_graph()


def test_disagreements_are_warnings_naming_lines_and_figures(graph):
    s = validate_graph(graph)
    got = sorted((r.report, r.line, r.message) for r in s.results if r.rule == "claim against the report")
    assert [(y, n) for y, n, _ in got] == [
        ("2016-2017", 141),
        ("2016-2017", 190),
        ("2016-2017", 201),
        ("2020-2021", 59),
        ("2020-2021", 73),
        ("2020-2021", 301),
    ]
    msg = dict(((y, n), m) for y, n, m in got)
    # a period that is not a quarter or a year, read and checked against the year it makes up
    assert msg[("2016-2017", 201)].startswith(
        "against the tables: line 201 states 306 + 383 = 689; line 201 gives 649."
    )
    assert msg[("2020-2021", 59)].startswith("against the tables: line 59 states 10; line 342 gives 9.")
    assert msg[("2020-2021", 73)].startswith(
        "against other claims: line 73 states 94.7%; line 301 gives 94.4%."
    )
    assert all(r.severity == "Warning" for r in s.results if r.rule == "claim against the report")
    assert not [r for r in s.results if r.rule == "claim arithmetic"]


def test_a_figure_changed_under_its_verdict_is_a_violation(graph):
    g = graph + graph.__class__()  # a copy: the module's graph stays as built
    to = URIRef(str(OGR) + "midlothian/report/2016-2017/claim/L23-2/figure/3")
    assert g.value(to, OG.role) == OG.ToRole and g.value(to, OG.value).toPython() == Decimal(63)
    g.set((to, OG.value, Literal("64", datatype=XSD.decimal)))
    g.set((to, OG.rawValue, Literal("64")))
    s = validate_graph(g)
    [r] = [r for r in s.results if r.rule == "claim arithmetic"]
    assert (r.severity, r.report, r.line) == ("Violation", "2016-2017", 23)
    assert "from 56 to 64 is a change of 14.29, stated as 12.5%" in r.message
    assert not s.conforms
