"""Build: reports -> extracted records -> curated links -> one RDF graph (rdflib), deterministically.

`build(reports)` returns the graph with the extractions it came from (for the build report);
`build_graph(reports)` just the graph; `to_ntriples(graph)` its canonical, sorted N-Triples.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.plugins.serializers.nt import _nt_row  # the serializer's own line for one triple

from .. import __version__
from ..curate import aggregations, councils, curated_links, polarities, same_indicators, shares
from ..extract import extract_report
from ..extract.records import Extraction
from ..namespaces import OG, PREFIXES
from ..paths import CURATED_DIR, GRAPH_DIR, ONTOLOGY_DIR, ROOT, bundled_reports
from . import claims, continuity, inspection, links
from .records import RecordBuilder, finish_titles
from .reference import static_graph
from .units import add_title_units


@dataclass
class BuildResult:
    graph: Graph
    extractions: list[Extraction]
    warnings: list[str] = field(default_factory=list)  # build-level notes (duplicate cells, ...)


def build_from_extractions(extractions: list[Extraction]) -> BuildResult:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g += static_graph()
    titles: dict[URIRef, list[tuple[str, int, str]]] = {}
    warnings: list[str] = []
    council_rows = councils()
    for x in sorted(extractions, key=lambda e: (e.report.council, e.report.id)):
        row = council_rows.get(x.report.council, {})
        builder = RecordBuilder(g, x, row.get("name", x.report.council.title()), row.get("geography"), titles)
        builder.add_all(x.records)
        warnings.extend(builder.duplicates)
    finish_titles(g, titles)
    add_title_units(g)  # "33.5" in a days column is 33.5 days (og:titlePattern)
    matcher = links.mention_matcher(static_graph())
    mentioned = links.add_mentions(g, matcher)
    links.add_text_links(g, mentioned)
    links.add_structure_links(g)
    for council in sorted({x.report.council for x in extractions}):
        warnings += links.add_curated_links(g, curated_links(), council, str(CURATED_DIR / "links.csv"))
        links.add_polarities(g, polarities(), council)
        links.add_polarities(g, aggregations(), council, OG.aggregation)  # how quarters make a year
        links.add_shares(g, shares(), council)  # which percentage is a share of which stated count
    links.add_alt_code_links(g, same_indicators())
    warnings += continuity.add_continuity(g, extractions)  # crosswalk, suggestions, near duplicates
    warnings += claims.add_claims(g, extractions)  # figures stated in words, and their checks
    for council in sorted({x.report.council for x in extractions}):
        warnings += inspection.add_bearings(g, council)  # records -> key questions and duties
    return BuildResult(g, extractions, warnings)


def build(reports: list[Path] | None = None, council: str | None = None) -> BuildResult:
    paths = reports or bundled_reports()
    return build_from_extractions([extract_report(p, council) for p in paths])


def build_graph(reports: list[Path] | None = None) -> Graph:
    return build(reports).graph


def to_ntriples(graph: Graph) -> bytes:
    """Canonical N-Triples: blank nodes (only in the vocabulary, e.g. OWL lists) get stable labels,
    and lines are sorted, so the same input always gives the same bytes."""
    # Only the triples that hold a blank node are canonicalised (rdflib's canonical labels depend on
    # those triples alone): canonicalising the whole graph cost a council's build half its time.
    blank = Graph()
    lines = []
    for triple in graph:
        if any(isinstance(t, BNode) for t in triple):
            blank.add(triple)
        else:
            lines.append(_nt_row(triple).encode())
    if len(blank):
        lines += to_canonical_graph(blank).serialize(format="nt", encoding="utf-8").splitlines()
    return b"\n".join(sorted(set(ln.rstrip(b"\n") for ln in lines if ln.strip()))) + b"\n"


def sources_fingerprint(reports: list[Path] | None = None) -> str:
    """A digest of every input of the build: reports, vocabulary, curated data and the code itself,
    so that a store built from older sources is known to be stale."""
    h = hashlib.sha256(__version__.encode())
    files = list(reports or bundled_reports())
    files += sorted(ONTOLOGY_DIR.rglob("*")) + sorted(GRAPH_DIR.rglob("*"))
    files += sorted((ROOT / "src" / "outcome_graph").rglob("*.py"))
    for path in sorted(set(files)):
        if path.is_file():
            h.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


__all__ = [
    "build",
    "build_graph",
    "build_from_extractions",
    "to_ntriples",
    "sources_fingerprint",
    "BuildResult",
]
