"""The static part of the graph: the vocabulary (ontology/) and the curated reference data
(graph/reference/)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph

from ..errors import OutcomeGraphError
from ..paths import ONTOLOGY_DIR, REFERENCE_DIR


def turtle_files() -> list[Path]:
    return sorted(ONTOLOGY_DIR.glob("*.ttl")) + sorted(REFERENCE_DIR.glob("*.ttl"))


@cache
def static_graph() -> Graph:
    """Parsed once per process; callers must copy before adding to it."""
    g = Graph()
    for path in turtle_files():
        try:
            g.parse(path, format="turtle")
        except Exception as e:  # rdflib raises several parser exception types
            raise OutcomeGraphError(f"{path}: not valid Turtle: {e}") from None
    return g
