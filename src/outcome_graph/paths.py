"""Where the project's data lives: the ontology, shapes, saved queries and curated graph sources.

The data directories sit at the top of the source tree (see DESIGN.md) so that analysts can read and
edit them without touching Python. An installed copy finds them through OUTCOME_GRAPH_HOME or by
walking up from this file (an editable install, the supported way to run from a checkout).
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    env = os.environ.get("OUTCOME_GRAPH_HOME")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "ontology").is_dir() and (parent / "graph").is_dir():
            return parent
    raise RuntimeError(
        "cannot find the outcome-graph data directories (ontology/, graph/); "
        "install from a checkout with `pip install -e .` or set OUTCOME_GRAPH_HOME"
    )


ROOT = project_root()
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_DIR = ROOT / "shapes"
QUERIES_DIR = ROOT / "queries"
GRAPH_DIR = ROOT / "graph"
REPORTS_DIR = GRAPH_DIR / "reports"
REFERENCE_DIR = GRAPH_DIR / "reference"
CURATED_DIR = GRAPH_DIR / "curated"


def bundled_reports() -> list[Path]:
    return sorted(REPORTS_DIR.glob("*.txt"))
