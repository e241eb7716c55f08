"""Build: which records bear on which key question or duty (graph/curated/inspection-map.csv) ->
og:bearsOn links, each qualified with og:Curation and the analyst's rationale. Pure apart from reading
the CSV; a row naming a record the build does not have is a build warning, never applied elsewhere.

Record forms in the CSV: `action:CODE` (that action in every report that has it), `action:YEAR/L318`
(an uncoded action by its line), `indicator:KEY` (`lgbf/CHN22` for LGBF), `risk:CODE`,
`claim:YEAR/L59-1`, `excerpt:YEAR/FIRST-LAST` (a paragraph), `report:YEAR`, `priority:YEAR/NN`.
Targets: `kq1`..`kq5` (graph/reference/inspection.ttl's key questions) or `duty:<name>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from ..curate import read_csv
from ..errors import OutcomeGraphError
from ..namespaces import (
    OG,
    OGR,
    action_iri,
    excerpt_iri,
    indicator_iri,
    priority_iri,
    report_iri,
)
from ..paths import CURATED_DIR
from .claims import claim_iri
from .links import link_node

KEY_QUESTION = OGR["framework/joint-inspection/key-question/"]
DUTY = OGR["framework/duty/"]


@dataclass(frozen=True)
class Bearing:
    record: str
    target: str
    rationale: str
    line: int


@cache
def bearings(directory: Path = CURATED_DIR) -> tuple[Bearing, ...]:
    rows = read_csv(directory / "inspection-map.csv", ("record", "bears_on", "rationale"))
    return tuple(Bearing(r["record"], r["bears_on"], r["rationale"], n) for n, r in rows)


def target_iri(target: str) -> URIRef:
    if target.startswith("kq") and target[2:].isdigit():
        return URIRef(f"{KEY_QUESTION}{target[2:]}")
    if target.startswith("duty:"):
        return URIRef(f"{DUTY}{target[5:]}")
    raise ValueError(f"bears_on {target!r} is neither kq1..kq5 nor duty:<name>")


def records_of(g: Graph, council: str, record: str) -> list[URIRef]:
    """The IRIs a CSV record names in this graph (none if the build does not have it)."""
    kind, _, ref = record.partition(":")
    year, _, rest = ref.partition("/")
    if kind in ("action", "risk") and "/" not in ref:
        cls = OG.Action if kind == "action" else OG.Risk
        found = [s for s in g.subjects(OG.code, Literal(ref)) if (s, RDF.type, cls) in g]
        return sorted(s for s in found if str(s).startswith(str(OGR[f"{council}/"])))
    candidates = {
        "action": lambda: action_iri(council, year, rest),
        "indicator": lambda: indicator_iri(council, ref),
        "claim": lambda: claim_iri(council, year, rest),
        "excerpt": lambda: excerpt_iri(council, year, *(int(x) for x in rest.split("-"))),
        "report": lambda: report_iri(council, ref),
        "priority": lambda: priority_iri(council, year, rest),
    }
    if kind not in candidates:
        raise ValueError(
            f"record {record!r}: kind must be action, indicator, risk, claim, excerpt, report or priority"
        )
    iri = candidates[kind]()
    return [iri] if (iri, RDF.type, None) in g else []


def add_bearings(g: Graph, council: str, rows: tuple[Bearing, ...] | None = None) -> list[str]:
    """Adds the curated og:bearsOn links of one council's records; returns the build warnings."""
    rows = bearings() if rows is None else rows
    source = CURATED_DIR / "inspection-map.csv"
    warnings = []
    for b in rows:
        try:
            target = target_iri(b.target)
            found = records_of(g, council, b.record)
        except ValueError as e:
            raise OutcomeGraphError(f"{source}:{b.line}: {e}") from None
        if (target, RDF.type, None) not in g:
            raise OutcomeGraphError(
                f"{source}:{b.line}: no key question or duty {b.target!r} in graph/reference/"
            )
        if not found:
            warnings.append(f"{source}:{b.line}: no {b.record} in {council}'s reports; not linked")
        for s in found:
            link_node(g, council, s, OG.bearsOn, target, OG.Curation, rationale=b.rationale)
    return warnings
