"""Shared fixtures: the real two-report graph, built and validated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from outcome_graph.build import build_graph
from outcome_graph.paths import ONTOLOGY_DIR
from outcome_graph.validate import validate_graph

FIXTURES = Path(__file__).parent / "fixtures"
TEST = "https://w3id.org/outcome-graph/id/testshire/"


@pytest.fixture(scope="session")
def real_graph() -> Graph:
    return build_graph()


@pytest.fixture(scope="session")
def real_summary(real_graph):
    return validate_graph(real_graph)


@pytest.fixture(scope="session")
def vocabulary() -> Graph:
    g = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def fixture_graph(vocabulary: Graph, *names: str) -> Graph:
    """The vocabulary, the minimal valid base graph and the named fixture files."""
    g = Graph()
    g += vocabulary
    g.parse(FIXTURES / "base.ttl", format="turtle")
    for name in names:
        g.parse(FIXTURES / name, format="turtle")
    return g
