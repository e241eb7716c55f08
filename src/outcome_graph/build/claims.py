"""Build: claims, their figures and their checks -> RDF (ontology/claims.ttl). Pure apart from reading
the curated comparisons (graph/curated/claim-comparisons.csv).

Per claim `ogr:{council}/report/{year}/claim/L{line}-{n}`: og:Claim with og:report, og:evidence (the
excerpt of the record whose text it is), og:statement, og:about, og:statedPeriod, og:claimSource,
og:noteOf, og:verdict and og:reason; its figures `.../figure/{n}` and checks `.../check/{n}`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from ..curate import aggregations, read_csv
from ..extract.claims import claims_of
from ..extract.claims_check import rows_of
from ..extract.claims_compare import Comparison, check_claims, verdict
from ..extract.claims_records import Check, Claim
from ..extract.records import Extraction, Observation
from ..namespaces import (
    OG,
    OGR,
    action_iri,
    excerpt_iri,
    indicator_iri,
    observation_iri,
    period_iri,
    report_iri,
    risk_iri,
    segment,
)
from ..paths import CURATED_DIR
from .records import _dec

ROLE = {
    r: OG[f"{r.capitalize()}Role"]
    for r in ("value", "from", "to", "change", "difference", "rate", "comparator", "part", "whole")
}


@cache
def comparisons(directory: Path = CURATED_DIR) -> tuple[Comparison, ...]:
    path = directory / "claim-comparisons.csv"
    rows = read_csv(path, ("report", "claim", "role", "against", "rationale"))
    return tuple(
        Comparison(r["report"], r["claim"], r["role"], r["against"], r["rationale"], n) for n, r in rows
    )


def claim_iri(council: str, year: str, key: str) -> URIRef:
    return OGR[f"{segment(council)}/report/{year}/claim/{key}"]


def _period(p) -> URIRef:
    return period_iri(p.year, p.quarter)


def _record(council: str, c: Claim) -> URIRef | None:
    if not c.record:
        return None
    if c.source == "observation note":
        return indicator_iri(council, c.record)
    if c.source == "action note":
        return action_iri(council, c.report, c.record if "/L" not in c.record else c.record.split("/")[-1])
    return risk_iri(council, c.report, c.record)


def _against(council: str, k: Check) -> URIRef | None:
    if not k.against:
        return None
    kind, _, ref = k.against.partition(":")
    if kind == "claim":
        year, key = ref.split("/")
        return claim_iri(council, year, key)
    ind, _, period = ref.partition("@")
    return observation_iri(council, k.against_report or k.report, ind, segment(period))


def add_claims(
    g: Graph, extractions: list[Extraction], curated: tuple[Comparison, ...] | None = None
) -> list[str]:
    """Adds every claim of the extractions (each council's reports checked together) to g; returns the
    build warnings (curated comparisons that name a claim or cell the build does not have)."""
    curated = comparisons() if curated is None else curated
    warnings: list[str] = []
    for council in sorted({x.report.council for x in extractions}):
        xs = [x for x in extractions if x.report.council == council]
        claims = [c for x in xs for c in claims_of(x)]
        rows = {x.report.id: rows_of(x.of(Observation)) for x in xs}
        source = str(CURATED_DIR / "claim-comparisons.csv")
        # how quarters make a year (curated), for figures stated for a span of months
        aggregation = {key: kind for key, (kind, _) in aggregations().items()}
        checks = check_claims(claims, rows, curated, source, warnings, aggregation)
        for c in claims:
            _add(g, council, c, checks[(c.report, c.key)])
    return warnings


def _add(g: Graph, council: str, c: Claim, checks: list[Check]) -> None:
    s = claim_iri(council, c.report, c.key)
    ex = c.excerpt
    e = excerpt_iri(council, ex.report, ex.first_line, ex.last_line)
    g.add((e, RDF.type, OG.Excerpt))
    g.add((e, OG.report, report_iri(council, ex.report)))
    g.add((e, OG.firstLine, Literal(ex.first_line, datatype=XSD.integer)))
    g.add((e, OG.lastLine, Literal(ex.last_line, datatype=XSD.integer)))
    g.add((e, OG.text, Literal(ex.text)))
    g.add((s, RDF.type, OG.Claim))
    g.add((s, OG.report, report_iri(council, c.report)))
    g.add((s, OG.evidence, e))
    g.add((s, OG.statement, Literal(c.statement)))
    if c.about:
        g.add((s, OG.about, Literal(c.about)))
    if c.period:
        g.add((s, OG.statedPeriod, _period(c.period)))
    g.add((s, OG.claimSource, Literal(c.source)))
    record = _record(council, c)
    if record is not None:
        g.add((s, OG.noteOf, record))
    for n, f in enumerate(c.figures, 1):
        fig = URIRef(f"{s}/figure/{n}")
        g.add((s, OG.figure, fig))
        g.add((fig, RDF.type, OG.ClaimFigure))
        g.add((fig, OG.role, ROLE[f.role]))
        g.add((fig, OG.value, _dec(f.value)))
        g.add((fig, OG.unit, OG[f.unit]))
        g.add((fig, OG.rawValue, Literal(f.raw)))
        g.add((fig, OG.position, Literal(n, datatype=XSD.integer)))
        if f.period:
            g.add((fig, OG.period, _period(f.period)))
    name, why = verdict(checks)
    g.add((s, OG.verdict, OG[name]))
    g.add((s, OG.reason, Literal(why)))
    for n, k in enumerate(checks, 1):
        ck = URIRef(f"{s}/check/{n}")
        g.add((s, OG.check, ck))
        g.add((ck, RDF.type, OG.ClaimCheck))
        g.add((ck, OG.checkKind, OG[k.kind]))
        g.add((ck, OG.verdict, OG[k.verdict]))
        g.add((ck, OG.reason, Literal(k.reason)))
        if k.stated:
            g.add((ck, OG.statedValue, Literal(k.stated)))
        if k.expected:
            g.add((ck, OG.expectedValue, Literal(k.expected)))
        other = _against(council, k)
        if other is not None:
            g.add((ck, OG.comparedWith, other))
