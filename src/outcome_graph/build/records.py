"""Build: extracted records -> RDF triples in the contract's vocabulary. Pure: no I/O.

Every record gets og:report and og:evidence (its excerpt); N/A cells become observations without
og:value. Observations with a figure are also qb:Observations in the report's qb:DataSet; those
without one are not, because Data Cube IC-14 requires the measure on every qb:Observation.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from ..extract.records import (
    Action,
    Excerpt,
    Extraction,
    Indicator,
    Narrative,
    Observation,
    Priority,
    Problem,
    ReportedTotal,
    Risk,
    UnknownWord,
)
from ..namespaces import (
    GEOGRAPHY,
    OG,
    OGR,
    QB,
    action_iri,
    council_iri,
    dataset_iri,
    excerpt_iri,
    figure_iri,
    indicator_iri,
    indicator_iri_key,
    observation_iri,
    period_iri,
    priority_iri,
    report_iri,
    risk_iri,
    segment,
    service_iri,
)

Triple = tuple[URIRef, URIRef, URIRef | Literal]


def _dec(value: Decimal) -> Literal:
    # Canonical lexical form so the same figure is the same literal in every build.
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return Literal(text, datatype=XSD.decimal)


def _text(value: str | None) -> Literal | None:
    return Literal(value) if value else None


class RecordBuilder:
    """Adds one extraction's records to a graph. Holds only the council/report context."""

    def __init__(
        self,
        graph: Graph,
        extraction: Extraction,
        council_name: str,
        geography: str | None,
        titles: dict[URIRef, list[tuple[str, int, str]]],
    ):
        self.g = graph
        self.titles = titles
        self.x = extraction
        info = extraction.report
        self.council, self.year = info.council, info.id
        self.report = report_iri(info.council, info.id)
        self.council_name, self.geography = council_name, geography
        self.seen_observations: set[URIRef] = set()
        self.duplicates: list[str] = []

    def add(self, s: URIRef, p: URIRef, o) -> None:
        if o is not None:
            self.g.add((s, p, o))

    # -- context --------------------------------------------------------------------------------
    def add_report(self) -> None:
        info, g = self.x.report, self.g
        council = council_iri(self.council)
        g.add((council, RDF.type, OG.Organisation))
        g.add((council, SKOS.prefLabel, Literal(self.council_name, lang="en")))
        if self.geography:
            g.add((council, OG.area, URIRef(GEOGRAPHY + self.geography)))
        service = service_iri(self.council, info.service)
        g.add((service, RDF.type, OG.Service))
        g.add((service, OG.title, Literal(info.title.split(" Annual Performance Report")[0])))
        g.add((service, OG.organisation, council))
        r = self.report
        g.add((r, RDF.type, OG.Report))
        g.add((r, OG.title, Literal(info.title)))
        g.add((r, OG.period, period_iri(info.id)))
        g.add((r, OG.service, service))
        g.add((r, OG.organisation, council))
        g.add((r, OG.sourceFile, Literal(info.source)))
        g.add((r, OG.lineCount, Literal(info.line_count, datatype=XSD.integer)))
        ds = dataset_iri(self.council, self.year)
        g.add((ds, RDF.type, QB.DataSet))
        g.add((ds, QB.structure, OG.ReportDSD))
        g.add((ds, DCTERMS.title, Literal(f"Figures in {info.title}", lang="en")))
        g.add((ds, OG.report, r))

    def excerpt(self, ex: Excerpt) -> URIRef:
        e = excerpt_iri(self.council, ex.report, ex.first_line, ex.last_line)
        g = self.g
        g.add((e, RDF.type, OG.Excerpt))
        g.add((e, OG.report, report_iri(self.council, ex.report)))
        g.add((e, OG.firstLine, Literal(ex.first_line, datatype=XSD.integer)))
        g.add((e, OG.lastLine, Literal(ex.last_line, datatype=XSD.integer)))
        g.add((e, OG.text, Literal(ex.text)))
        return e

    def _code(self, s: URIRef, code: str | None, derived: bool) -> None:
        if code:
            self.add(s, OG.code, Literal(code))
            if derived:
                self.add(s, OG.codeDerived, Literal(True))

    def _record(self, s: URIRef, cls: URIRef, ex: Excerpt) -> None:
        self.g.add((s, RDF.type, cls))
        self.g.add((s, OG.report, self.report))
        self.g.add((s, OG.evidence, self.excerpt(ex)))

    # -- records --------------------------------------------------------------------------------
    def priority(self, p: Priority) -> None:
        s = priority_iri(self.council, self.year, p.code)
        self._record(s, OG.Priority, p.excerpt)
        self.add(s, OG.code, Literal(p.code))
        self.add(s, OG.title, _text(p.title))

    def action(self, a: Action) -> URIRef:
        s = action_iri(self.council, self.year, a.code or f"L{a.excerpt.first_line}")
        self._record(s, OG.Action, a.excerpt)
        self._code(s, a.code, a.code_derived)
        self.add(s, OG.title, Literal(a.title))
        self.add(s, OG.priority, priority_iri(self.council, self.year, a.priority))
        if a.due_date:
            self.add(s, OG.dueDate, Literal(a.due_date.isoformat(), datatype=XSD.date))
        if a.progress is not None:
            self.add(s, OG.progress, _dec(a.progress))
        if a.status:
            self.add(s, OG.status, OG[a.status])
        self.add(s, OG.note, _text(a.note))
        return s

    def indicator(self, i: Indicator) -> URIRef:
        s = indicator_iri(self.council, i.key)
        self._record(s, OG.Indicator, i.excerpt)
        self._code(s, i.code, i.code_derived)
        # The key is data, not a computation a query makes over every indicator
        # (queries/indicator-history.rq).
        self.g.add((s, OG["key"], Literal(indicator_iri_key(s))))
        for alt in i.alt_codes:
            self.add(s, OG.altCode, Literal(alt))
        # Titles: the build picks one og:title per indicator afterwards (see finish_titles).
        self.add(s, SKOS.altLabel, Literal(i.title))
        self.titles.setdefault(s, []).append((i.report, i.excerpt.first_line, i.title))
        self.add(s, OG.indicatorSet, OG[i.indicator_set])
        if i.priority:
            self.add(s, OG.priority, priority_iri(self.council, self.year, i.priority))
        self.add(s, OG.group, _text(i.group))
        if i.feeds:
            self.add(s, OG.feeds, indicator_iri(self.council, i.feeds))
        self.add(s, OG.benchmark, _text(i.benchmark))
        return s

    def observation(self, o: Observation) -> URIRef | None:
        s = observation_iri(self.council, self.year, o.indicator, segment(o.period.key))
        if s in self.seen_observations:
            self.duplicates.append(
                f"{self.year} line {o.excerpt.first_line}: a second figure for "
                f"{o.indicator} {o.period.key} ({o.raw!r}) was not added"
            )
            return None
        self.seen_observations.add(s)
        self._record(s, OG.Observation, o.excerpt)
        g = self.g
        g.add((s, OG.indicator, indicator_iri(self.council, o.indicator)))
        g.add((s, OG.figure, figure_iri(self.council, o.indicator, segment(o.period.key))))
        g.add((s, OG.period, period_iri(o.period.year, o.period.quarter)))
        self.add(s, OG.rawValue, _text(o.raw))
        if o.value is not None:
            g.add((s, RDF.type, QB.Observation))
            g.add((s, QB.dataSet, dataset_iri(self.council, self.year)))
            g.add((s, OG.value, _dec(o.value)))
        if o.unit:
            g.add((s, OG.unit, OG[o.unit]))
        if o.status:
            g.add((s, OG.status, OG[o.status]))
        self.add(s, OG.note, _text(o.note))
        if o.target is not None:
            g.add((s, OG.target, _dec(o.target)))
        if o.rank is not None:
            g.add((s, OG.rank, Literal(o.rank, datatype=XSD.integer)))
        if o.quartile is not None:
            g.add((s, OG.quartile, Literal(o.quartile, datatype=XSD.integer)))
        if o.placement:
            # A figure whose column was inferred says so in the graph, not only in the build output.
            g.add((s, OG.placement, OG.InferredPlacement))
            g.add((s, OG.placementReason, Literal(o.placement)))
        return s

    def problem(self, p: Problem, index: int) -> URIRef:
        """A line whose figures were kept out: its own node, with the line as evidence and the reason;
        the shapes make it a violation. `index` tells apart two problems on one line."""
        suffix = f"L{p.line}" if index == 1 else f"L{p.line}-{index}"
        s = OGR[f"{segment(self.council)}/report/{self.year}/problem/{suffix}"]
        lines = Excerpt(p.report, p.line, p.line, p.text)
        self._record(s, OG.ExtractionProblem, lines)
        self.add(s, OG.reason, Literal(p.reason))
        return s

    def unknown_word(self, w: UnknownWord, index: int) -> URIRef:
        """A status or unit word the vocabulary does not know: its own node with the line as evidence,
        the word and the nearest known word; the shapes make it a violation."""
        suffix = f"L{w.line}" if index == 1 else f"L{w.line}-{index}"
        s = OGR[f"{segment(self.council)}/report/{self.year}/unrecognised-word/{suffix}"]
        self._record(s, OG.UnrecognisedWord, Excerpt(w.report, w.line, w.line, w.text))
        self.add(s, OG.word, Literal(w.word))
        self.add(s, OG.wordKind, Literal(w.kind))
        self.add(s, OG.suggestion, Literal(w.suggestion))
        return s

    def risk(self, r: Risk) -> URIRef:
        s = risk_iri(self.council, self.year, r.code)
        self._record(s, OG.Risk, r.excerpt)
        self.add(s, OG.code, Literal(r.code))
        self.add(s, OG.title, Literal(r.title))
        if r.score is not None:
            self.add(s, OG.score, Literal(r.score, datatype=XSD.integer))
        for prop, value in (
            (OG.identification, r.identification),
            (OG.controlMeasures, r.control_measures),
            (OG.evaluation, r.evaluation),
            (OG.relatedAction, r.related_action),
            (OG.latestNote, r.latest_note),
            (OG.riskMatrix, r.matrix),
        ):
            self.add(s, prop, _text(value))
        return s

    def total(self, t: ReportedTotal) -> URIRef:
        s = OGR[f"{segment(self.council)}/report/{self.year}/total/{segment(t.name)}"]
        if (s, RDF.type, OG.ReportedTotal) in self.g:
            # the same total stated again elsewhere (a summary line, then a note): its own node, by line
            s = URIRef(f"{s}/L{t.excerpt.first_line}")  # s is already a full IRI: OGR[...] would nest it
        self._record(s, OG.ReportedTotal, t.excerpt)
        self.add(s, OG.totalOf, Literal(t.name))
        self.add(s, OG.value, _dec(t.value))
        return s

    def narrative(self, n: Narrative) -> URIRef:
        e = self.excerpt(n.excerpt)
        self.add(e, OG.heading, _text(n.heading))
        return e

    def add_all(self, records: Iterable) -> None:
        self.add_report()
        handlers = {
            Priority: self.priority,
            Action: self.action,
            Indicator: self.indicator,
            Observation: self.observation,
            Risk: self.risk,
            ReportedTotal: self.total,
            Narrative: self.narrative,
        }
        for rec in records:
            handlers[type(rec)](rec)
        seen: dict[int, int] = {}
        for p in self.x.problems:
            seen[p.line] = seen.get(p.line, 0) + 1
            self.problem(p, seen[p.line])
        words: dict[int, int] = {}
        for w in self.x.unknown_words:
            words[w.line] = words.get(w.line, 0) + 1
            self.unknown_word(w, words[w.line])


def finish_titles(graph: Graph, titles: dict[URIRef, list[tuple[str, int, str]]]) -> None:
    """One og:title per indicator: the wording of its latest report; the other wordings stay as
    skos:altLabel. An indicator read from two reports or two tables may be worded differently in each;
    analysts' queries want one title, and nothing the reports say is dropped."""
    for ind, seen in titles.items():
        chosen = max(seen)[2]
        graph.add((ind, OG.title, Literal(chosen)))
        graph.remove((ind, SKOS.altLabel, Literal(chosen)))
