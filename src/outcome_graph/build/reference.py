"""The static part of the graph: the vocabulary (ontology/) and the curated reference data
(graph/reference/)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph

from ..errors import OutcomeGraphError
from ..paths import CURATED_DIR, ONTOLOGY_DIR, QUERIES_DIR, REFERENCE_DIR


def turtle_files() -> list[Path]:
    # Curated Turtle (e.g. how a corporate PI is computed from its feeder data) is part of the static
    # graph too; curated CSVs are read by curate.py and applied by the builder.
    return [p for d in (ONTOLOGY_DIR, REFERENCE_DIR, CURATED_DIR) for p in sorted(d.glob("*.ttl"))]


@cache
def static_graph() -> Graph:
    """Parsed once per process; callers must copy before adding to it."""
    g = Graph()
    for path in turtle_files():
        try:
            g.parse(path, format="turtle")
        except Exception as e:  # rdflib raises several parser exception types
            raise OutcomeGraphError(f"{path}: not valid Turtle: {e}") from None
    for triple in g.query((QUERIES_DIR / "derived" / "within.rq").read_text(encoding="utf-8")):
        g.add(triple)  # type: ignore[arg-type]
    return g
