"""Validation results as a performance officer needs them: which rule, how serious, which record
(its code, report and line) and what to fix. Built from pySHACL's sh:ValidationReport graph."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from ..namespaces import OG, OGR, QB

SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ValidationResult:
    rule: str  # the shape's label ("action progress"), or its local name
    shape: str  # the shape's IRI (or the blank node's parent shape IRI)
    severity: str  # "Violation", "Warning" or "Info"
    focus: str  # the IRI of the record that failed
    code: str | None  # the record's code ("CS.S.01.02"), or its indicator's code for an observation
    report: str | None  # the report's year, "2016-2017"
    line: int | None  # first line of the record's excerpt in that report
    value: str | None  # the offending value, as written in the graph
    message: str
    path: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ValidationSummary:
    conforms: bool  # no violations (warnings and infos do not count)
    results: list[ValidationResult] = field(default_factory=list)
    report_graph: Graph = field(default_factory=Graph)
    seconds: float = 0.0

    @property
    def violations(self) -> int:
        return sum(r.severity == "Violation" for r in self.results)

    @property
    def warnings(self) -> int:
        return sum(r.severity == "Warning" for r in self.results)

    @property
    def infos(self) -> int:
        return sum(r.severity == "Info" for r in self.results)

    def by_rule(self) -> dict[str, list[ValidationResult]]:
        out: dict[str, list[ValidationResult]] = {}
        for r in self.results:
            out.setdefault(r.rule, []).append(r)
        return out


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1]
    return iri


def _year(report: URIRef | None) -> str | None:
    return str(report).rsplit("/", 1)[1] if report is not None else None


class Context:
    """Looks up, for a focus node, the code, report and line a reader needs to find it in the source."""

    def __init__(self, data: Graph):
        self.g = data

    def code(self, node) -> str | None:
        g = self.g
        code = g.value(node, OG.code)
        if code is not None:
            return str(code)
        if (node, RDF.type, OG.Observation) in g:
            ind = g.value(node, OG.indicator)
            period = g.value(node, OG.period)
            name = self.code(ind) if ind is not None else None
            return f"{name} {_local(str(period))}" if period is not None else name
        if (node, RDF.type, OG.Link) in g:
            subject = g.value(node, RDF.subject)
            pred = g.value(node, RDF.predicate)
            name = self.code(subject) if subject is not None else None
            return f"{name} {_local(str(pred))}" if pred is not None else name
        if (node, RDF.type, OG.ReportedTotal) in g:
            return str(g.value(node, OG.totalOf))
        title = g.value(node, OG.title)
        if title is not None and any((node, RDF.type, c) in g for c in (OG.Action, OG.Indicator, OG.Risk)):
            text = " ".join(str(title).split())
            return f"(no code) {text[:60]}" + ("…" if len(text) > 60 else "")
        if isinstance(node, URIRef) and str(node).startswith(str(OGR)):
            return str(node)[len(str(OGR)) :]
        return None

    def excerpt(self, node):
        g = self.g
        if (node, RDF.type, OG.Excerpt) in g:
            return node
        evidence = sorted(g.objects(node, OG.evidence), key=lambda e: int(g.value(e, OG.firstLine) or 0))
        if evidence:
            return evidence[0]
        if (node, RDF.type, OG.Link) in g:
            subject = g.value(node, RDF.subject)
            return self.excerpt(subject) if subject is not None and subject != node else None
        return None

    def where(self, node) -> tuple[str | None, int | None]:
        g = self.g
        ex = self.excerpt(node)
        if ex is not None:
            line = g.value(ex, OG.firstLine)
            return _year(g.value(ex, OG.report)), int(line) if line is not None else None
        if (node, RDF.type, OG.Report) in g:
            return _year(node), None
        report = g.value(node, OG.report)
        return _year(report), None

    def value_of(self, node) -> str | None:
        """For a node-level failure (no sh:value beyond the node itself) the figure is what a reader
        wants to see."""
        for prop in (OG.value, OG.rawValue):
            v = self.g.value(node, prop)
            if v is not None:
                return str(v)
        return None


def parse_report(report: Graph, shapes: Graph, data: Graph) -> list[ValidationResult]:
    ctx = Context(data)
    out = []
    # Only top-level results: those nested under sh:detail explain a result, they are not more findings.
    top = {
        r for node in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(node, SH.result)
    }
    for res in sorted(top):
        focus = report.value(res, SH.focusNode)
        source = report.value(res, SH.sourceShape)
        severity = SEVERITY_NAMES.get(report.value(res, SH.resultSeverity), "Violation")
        value = report.value(res, SH.value)
        messages = sorted(str(m) for m in report.objects(res, SH.resultMessage))
        path = report.value(res, SH.resultPath)
        rule, shape_iri = _rule_name(shapes, source)
        if value is None or value == focus:
            shown = ctx.value_of(focus)
        else:
            shown = str(value) if isinstance(value, Literal) else _short(value)
        report_year, line = ctx.where(focus)
        out.append(
            ValidationResult(
                rule=rule,
                shape=shape_iri,
                severity=severity,
                focus=str(focus),
                code=ctx.code(focus),
                report=report_year,
                line=line,
                value=shown,
                message=messages[0] if messages else "",
                path=_short(path) if isinstance(path, URIRef) else None,
            )
        )
    out.sort(key=lambda r: (SEVERITY_ORDER[r.severity], r.rule, r.report or "", r.line or 0, r.code or ""))
    return out


def _short(iri) -> str:
    text = str(iri)
    for prefix, ns in (("og:", str(OG)), ("ogr:", str(OGR)), ("qb:", str(QB))):
        if text.startswith(ns):
            return prefix + text[len(ns) :]
    return text


def _rule_name(shapes: Graph, source) -> tuple[str, str]:
    """A blank property shape takes the name of the node shape it belongs to."""
    node = source
    suffix = ""
    own = shapes.value(node, RDFS.label) if node is not None else None
    if own is not None:
        return str(own), _named(shapes, node)
    if not isinstance(node, URIRef):
        path = shapes.value(node, SH.path)
        parent = next(shapes.subjects(SH.property, node), None) or next(
            shapes.subjects(SH.sparql, node), None
        )
        if parent is None:
            for p in (SH["or"], SH["not"], SH.node):
                parent = next(shapes.subjects(p, node), None)
                if parent is not None:
                    break
        # Name a property shape after its node shape, plus the property where the node shape has several.
        if (
            parent is not None
            and isinstance(path, URIRef)
            and len(set(shapes.objects(parent, SH.property))) > 1
        ):
            suffix = f" {_local(str(path))}"
        node = parent if parent is not None else node
    label = shapes.value(node, RDFS.label) if node is not None else None
    if label is not None:
        return str(label) + suffix, _named(shapes, node)
    return (_local(str(node)) if node is not None else "unnamed rule") + suffix, _named(shapes, node)


def _named(shapes: Graph, node) -> str:
    """The IRI of the named shape a blank shape sits in (a blank node's own label is random, so it
    would make the same finding read differently on each run)."""
    seen = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        parents = sorted(shapes.subjects(None, node), key=lambda n: (isinstance(n, BNode), str(n)))
        if not parents:
            break
        node = parents[0]
    return str(node) if isinstance(node, URIRef) else "(unnamed shape)"
