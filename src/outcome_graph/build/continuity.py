"""Continuity across reports, in the graph (issue 18): which record of a later report continues which of
an earlier one, on what basis, and at what precision each figure is stated.

- curated: graph/curated/crosswalk.csv (old record, new record, kind, rationale quoting both reports'
  lines) -> `new og:continues old`, an og:Link with basis og:Curation. A row of kind 'distinct' records
  that an analyst looked at a suggested pair and rejected it: no link, and no suggestion either.
- wording: a record of the same code (or indicator key) in both reports whose title is worded
  differently -> an og:Link of kind og:Renamed with basis og:ReportText and the two excerpts.
- suggested: records that neither carry over nor are curated, alike by title (build.similarity) ->
  `new og:mayContinue old`, an og:Link with basis og:TextSimilarity, og:similarity and og:threshold.
- near duplicates within one report -> `b og:nearDuplicateOf a`, basis og:TextSimilarity.
- og:precision on every figure: the place value of its last written digit.

Counting and presenting them is for queries/changes/*.rq; this module only states the facts.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from ..curate import read_csv
from ..errors import OutcomeGraphError
from ..extract.records import Action, Excerpt, Extraction, Indicator, Observation, Risk
from ..extract.values import _FIGURE, _INNER_SPACE
from ..namespaces import (
    OG,
    OGR,
    action_iri,
    excerpt_iri,
    indicator_iri,
    observation_iri,
    report_iri,
    risk_iri,
    segment,
)
from ..paths import CURATED_DIR
from . import similarity

KINDS = {
    "continues": OG.Continues,
    "split": OG.Split,
    "merged": OG.Merged,
    "renamed": OG.Renamed,
    "redefined": OG.Redefined,
}
DISTINCT = "distinct"  # reviewed and rejected: not a continuation
REF = re.compile(r"^(?P<kind>action|indicator|risk|excerpt):(?P<year>\d{4}-\d{4})/(?P<key>.+)$")
CROSSWALK = "crosswalk.csv"


@dataclass(frozen=True)
class Row:
    council: str
    old: str  # "action:2016-2017/CS.S.02.03", "indicator:2016-2017/<key>", "risk:..", "excerpt:2016-2017/53"
    new: str
    kind: str
    rationale: str
    line: int
    source: str


@cache
def crosswalk(directory: Path = CURATED_DIR) -> tuple[Row, ...]:
    """The curated crosswalk, checked for form (the records themselves are checked when built)."""
    path = directory / CROSSWALK
    out = []
    for line, r in read_csv(path, ("council", "old", "new", "kind", "rationale")):
        if r["kind"] not in KINDS and r["kind"] != DISTINCT:
            raise OutcomeGraphError(
                f"{path}:{line}: kind {r['kind']!r} is not one of {', '.join([*KINDS, DISTINCT])}"
            )
        for column in ("old", "new"):
            if not REF.match(r[column]):
                raise OutcomeGraphError(
                    f"{path}:{line}: {column} {r[column]!r} is not a record reference "
                    "(action:YEAR/CODE, indicator:YEAR/KEY, risk:YEAR/CODE or excerpt:YEAR/LINE[-LINE])"
                )
        old_year, new_year = REF.match(r["old"])["year"], REF.match(r["new"])["year"]
        if old_year >= new_year:
            raise OutcomeGraphError(
                f"{path}:{line}: the old record's report ({old_year}) must be the earlier"
            )
        out.append(Row(r["council"], r["old"], r["new"], r["kind"], r["rationale"], line, str(path)))
    return tuple(out)


@dataclass(frozen=True)
class Record:
    iri: URIRef
    kind: str  # action, indicator, risk, excerpt
    key: str
    title: str
    note: str
    group: str  # what it may be compared with (build.similarity)
    excerpt: Excerpt | None


def records(x: Extraction) -> dict[tuple[str, str], Record]:
    """The report's actions, indicators and risks by (kind, key); an indicator read from two tables of
    one report is taken from the first."""
    council, year = x.report.council, x.report.id
    notes = {
        o.indicator: o.note or ""
        for o in x.records
        if isinstance(o, Observation) and o.period.quarter is None and o.period.year == year
    }
    out: dict[tuple[str, str], Record] = {}
    for r in sorted(
        (r for r in x.records if isinstance(r, (Action, Indicator, Risk))), key=lambda r: r.excerpt.first_line
    ):
        if isinstance(r, Action):
            key = r.code or f"L{r.excerpt.first_line}"
            rec = Record(
                action_iri(council, year, key), "action", key, r.title, r.note or "", "action", r.excerpt
            )
        elif isinstance(r, Indicator):
            group = f"indicator/{r.indicator_set}" + (f"/{r.feeds}" if r.feeds else "")
            rec = Record(
                indicator_iri(council, r.key),
                "indicator",
                r.key,
                r.title,
                notes.get(r.key, ""),
                group,
                r.excerpt,
            )
        else:
            rec = Record(
                risk_iri(council, year, r.code),
                "risk",
                r.code,
                r.title,
                r.identification or "",
                "risk",
                r.excerpt,
            )
        out.setdefault((rec.kind, rec.key), rec)
    return out


def stated_precision(raw: str | None) -> Decimal | None:
    """The place value of the last digit of a figure as written, in the unit its value is kept in:
    '91%' -> 1, '91.25 %' -> 0.01, '£ 15.43 1m' -> 1000. None for what is not a figure."""
    if not raw:
        return None
    compact = _INNER_SPACE.sub("", " ".join(raw.split()).replace("£ ", "£"))
    m = _FIGURE.match(compact)
    if not m:
        return None
    decimals = len(m["num"].partition(".")[2])
    place = Decimal(1).scaleb(-decimals)
    return place * 1_000_000 if m["m"] else place


def _dec(value: float | Decimal) -> Literal:
    return Literal(format(Decimal(str(value)), "f"), datatype=XSD.decimal)


class Linker:
    def __init__(self, graph: Graph, council: str):
        self.g, self.council = graph, council

    def link(self, s, p, o, basis, old_doc, new_doc, **props) -> URIRef:
        digest = hashlib.sha1(f"{s}|{p}|{o}|{old_doc}|{new_doc}".encode()).hexdigest()[:16]
        node = OGR[f"{segment(self.council)}/link/{digest}"]
        g = self.g
        if s != o:  # a same-record wording change is stated on the link only
            g.add((s, p, o))
        for prop, value in (
            (RDF.type, OG.Link),
            (RDF.subject, s),
            (RDF.predicate, p),
            (RDF.object, o),
            (OG.basis, basis),
            (OG.fromReport, old_doc),
            (OG.toReport, new_doc),
        ):
            g.add((node, prop, value))
        for prop, value in props.items():
            for v in value if isinstance(value, list) else [value]:
                if v is not None:
                    g.add((node, OG[prop], v))
        return node


def _ev(council: str, rec: Record) -> URIRef | None:
    ex = rec.excerpt
    return excerpt_iri(council, ex.report, ex.first_line, ex.last_line) if ex else None


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _resolve(graph: Graph, row: Row, ref: str, index: dict[str, dict], year: str) -> Record | None:
    """The record a reference names, in the report of `year` (its own year, or a later or earlier report
    of the pair the row is applied to). A record missing from the row's own report is an error in the
    crosswalk; one missing from another report only means the row does not apply to it (None)."""
    m = REF.match(ref)
    assert m is not None  # checked by crosswalk()
    kind, own, key = m["kind"], m["year"], m["key"]
    if kind == "excerpt":
        if year != own:
            return None  # lines are lines of one report
        first, _, last = key.partition("-")
        iri = excerpt_iri(row.council, own, int(first), int(last or first))
        if (iri, RDF.type, OG.Excerpt) not in graph:
            raise OutcomeGraphError(
                f"{row.source}:{row.line}: {ref}: the {own} report has no excerpt of those lines"
            )
        text = str(graph.value(iri, OG.text) or "")
        return Record(iri, "excerpt", key, text, "", "excerpt", None)
    rec = index[year].get((kind, key))
    if rec is None and year == own:
        raise OutcomeGraphError(f"{row.source}:{row.line}: {ref}: the {own} report has no such {kind}")
    return rec


def applies(row: Row, y0: str, y1: str) -> bool:
    """A row from the report of year O to that of year N holds for any pair of reports (y0, y1) with
    O <= y0 < N <= y1: the records keep their codes in between (2016/17's CS.S.02.03 is continued by
    CSPC.P.11.6 in the 2020/21 report and in a later one that carries CSPC.P.11.6 over)."""
    old_year, new_year = REF.match(row.old)["year"], REF.match(row.new)["year"]
    return old_year <= y0 < new_year <= y1


def add_continuity(graph: Graph, extractions: list[Extraction], directory: Path = CURATED_DIR) -> list[str]:
    """Adds the continuity links of every pair of reports of a council built together; returns a note
    for each crosswalk row that applied to no pair of the reports built."""
    notes: list[str] = []
    by_council: dict[str, list[Extraction]] = defaultdict(list)
    for x in extractions:
        by_council[x.report.council].append(x)
    rows = crosswalk(directory)
    applied: set[Row] = set()
    for council in sorted(by_council):
        xs = sorted(by_council[council], key=lambda x: x.report.id)
        index = {x.report.id: records(x) for x in xs}
        linker = Linker(graph, council)
        for i, old in enumerate(xs):
            for new in xs[i + 1 :]:
                applied |= _pair(graph, linker, council, old.report.id, new.report.id, index, rows)
        for x in xs:
            _duplicates(linker, council, x.report.id, index[x.report.id])
            _precisions(graph, x)
    for row in rows:
        if row.council in by_council and row not in applied:
            notes.append(
                f"{row.source}:{row.line}: crosswalk row {row.old} -> {row.new} not added: "
                "no two reports built hold its records"
            )
    return notes


def _pair(graph, linker: Linker, council: str, y0: str, y1: str, index, rows) -> set[Row]:
    """The links between the reports of years y0 < y1; returns the crosswalk rows that applied."""
    old_doc, new_doc = report_iri(council, y0), report_iri(council, y1)
    a, b = index[y0], index[y1]
    curated_old, curated_new, rejected, curated_pairs = set(), set(), set(), set()
    applied: set[Row] = set()
    for row in rows:
        if row.council != council or not applies(row, y0, y1):
            continue
        was, item = _resolve(graph, row, row.old, index, y0), _resolve(graph, row, row.new, index, y1)
        if was is None or item is None:
            continue
        applied.add(row)
        if row.kind == DISTINCT:
            rejected.add((was.iri, item.iri))
            continue
        curated_old.add(was.iri)
        curated_new.add(item.iri)
        curated_pairs.add((was.iri, item.iri))
        worded = was.kind != "excerpt" and not _same_words(was.title, item.title)
        linker.link(
            item.iri,
            OG.continues,
            was.iri,
            OG.Curation,
            old_doc,
            new_doc,
            continuityKind=KINDS[row.kind],
            rationale=Literal(row.rationale),
            oldWording=Literal(was.title) if worded else None,
            newWording=Literal(item.title) if worded else None,
        )
    # the same code or key in both reports, worded differently: the reports' own texts say so
    for k in sorted(set(a) & set(b)):
        was, item = a[k], b[k]
        if _same_words(was.title, item.title) or (was.iri, item.iri) in curated_pairs:
            continue
        linker.link(
            item.iri,
            OG.continues,
            was.iri,
            OG.ReportText,
            old_doc,
            new_doc,
            continuityKind=OG.Renamed,
            evidence=[_ev(council, was), _ev(council, item)],
            oldWording=Literal(was.title),
            newWording=Literal(item.title),
        )

    # suggestions among what neither carries over nor is curated
    def open_(mine: dict, other: dict, curated: set) -> dict[str, Record]:
        return {f"{k[0]}:{k[1]}": r for k, r in mine.items() if k not in other and r.iri not in curated}

    olds, news = open_(a, b, curated_old), open_(b, a, curated_new)
    reject = {(ka, kb) for ka in olds for kb in news if (olds[ka].iri, news[kb].iri) in rejected}
    for was_c, item_c, s in similarity.suggestions(_candidates(olds), _candidates(news), exclude=reject):
        was, item = olds[was_c.key], news[item_c.key]
        linker.link(
            item.iri,
            OG.mayContinue,
            was.iri,
            OG.TextSimilarity,
            old_doc,
            new_doc,
            similarity=_dec(s),
            threshold=_dec(similarity.SUGGEST_AT),
            oldWording=Literal(was.title),
            newWording=Literal(item.title),
        )
    return applied


def _candidates(recs: dict[str, Record]) -> list[similarity.Candidate]:
    return [similarity.Candidate(k, r.group, r.title, r.note) for k, r in sorted(recs.items())]


def _duplicates(linker: Linker, council: str, year: str, recs: dict[tuple[str, str], Record]) -> None:
    doc = report_iri(council, year)
    by_key = {f"{k[0]}:{k[1]}": r for k, r in recs.items()}
    for first, second, s in similarity.near_duplicates(_candidates(by_key)):
        a, b = by_key[first.key], by_key[second.key]
        linker.link(
            b.iri,
            OG.nearDuplicateOf,
            a.iri,
            OG.TextSimilarity,
            doc,
            doc,
            similarity=_dec(s),
            threshold=_dec(similarity.DUPLICATE_AT),
            evidence=[_ev(council, a), _ev(council, b)],
        )


def _precisions(graph: Graph, x: Extraction) -> None:
    council, year = x.report.council, x.report.id
    for o in x.records:
        if isinstance(o, Observation) and o.value is not None:
            p = stated_precision(o.raw)
            s = observation_iri(council, year, o.indicator, segment(o.period.key))
            if p is not None and (s, OG.value, None) in graph:
                graph.add((s, OG.precision, _dec(p)))
