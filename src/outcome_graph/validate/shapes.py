"""The SHACL shapes graph: every Turtle file under shapes/, parsed once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph

from ..errors import OutcomeGraphError
from ..paths import SHAPES_DIR


def shape_files(directory: Path = SHAPES_DIR) -> list[Path]:
    return sorted(directory.rglob("*.ttl"))


@cache
def load_shapes(directory: Path = SHAPES_DIR) -> Graph:
    """Callers must not modify the returned graph (it is shared)."""
    g = Graph()
    files = shape_files(directory)
    if not files:
        raise OutcomeGraphError(f"{directory}: no SHACL shapes (*.ttl) found")
    for path in files:
        try:
            g.parse(path, format="turtle")
        except Exception as e:  # rdflib raises several parser exception types
            raise OutcomeGraphError(f"{path}: not valid Turtle: {e}") from None
    from .totals import add_total_constraints

    add_total_constraints(g)
    return g
