"""Links between records, each with the basis it was made on (a qualified og:Link node).

- og:mentions: an excerpt names a statute, part, framework or element by one of the names the
  reference graph gives it (skos:prefLabel / skos:altLabel in graph/reference/) — matching is data.
- og:implements / og:relatesTo from the report's text: an action (risk) whose own excerpt names a
  provision or framework element; basis og:ReportText with that excerpt.
- og:action from the code structure: CS.S.01.01a measures CS.S.01.01; basis og:CodeStructure.
- og:priority: the table the record sits in; basis og:ReportText.
- curated links from graph/curated/links.csv; basis og:Curation with the analyst's rationale.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ..curate import CuratedLink
from ..errors import OutcomeGraphError
from ..namespaces import OG, OGR, indicator_iri, priority_iri, segment

MENTIONABLE = (OG.Statute, OG.Provision, OG.Framework, OG.FrameworkElement)
PARTS = (OG.Provision, OG.FrameworkElement)


def link_node(
    graph: Graph,
    council: str,
    s: URIRef,
    p: URIRef,
    o,
    basis: URIRef,
    evidence: URIRef | None = None,
    rationale: str | None = None,
) -> URIRef:
    """Adds the link itself and its qualification; the node's IRI is a digest of the triple."""
    digest = hashlib.sha1(f"{s}|{p}|{o}".encode()).hexdigest()[:16]
    node = OGR[f"{segment(council)}/link/{digest}"]
    graph.add((s, p, o))
    graph.add((node, RDF.type, OG.Link))
    graph.add((node, RDF.subject, s))
    graph.add((node, RDF.predicate, p))
    graph.add((node, RDF.object, o))
    graph.add((node, OG.basis, basis))
    if evidence is not None:
        graph.add((node, OG.evidence, evidence))
    if rationale:
        graph.add((node, OG.rationale, Literal(rationale)))
    return node


def mention_matcher(reference: Graph) -> tuple[re.Pattern[str], dict[str, set[URIRef]]]:
    """One regex over every name of every mentionable thing; longest names tried first."""
    names: dict[str, set[URIRef]] = {}
    for cls in MENTIONABLE:
        for thing in reference.subjects(RDF.type, cls):
            for prop in (SKOS.prefLabel, SKOS.altLabel):
                for label in reference.objects(thing, prop):
                    key = " ".join(str(label).lower().split())
                    if len(key) >= 4:
                        names.setdefault(key, set()).add(thing)
    alternatives = sorted(names, key=lambda n: (-len(n), n))
    body = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE), names


def mentions_in(text: str, matcher: tuple[re.Pattern[str], dict[str, set[URIRef]]]) -> set[URIRef]:
    pattern, names = matcher
    found: set[URIRef] = set()
    for m in pattern.finditer(text):
        found |= names.get(" ".join(m.group(0).lower().split()), set())
    return found


def add_mentions(graph: Graph, matcher) -> dict[URIRef, set[URIRef]]:
    """og:mentions for every excerpt in the graph; returns excerpt -> things mentioned."""
    out = {}
    for ex in sorted(set(graph.subjects(RDF.type, OG.Excerpt))):
        text = graph.value(ex, OG.text)
        found = mentions_in(str(text), matcher) if text else set()
        for thing in found:
            graph.add((ex, OG.mentions, thing))
        if found:
            out[ex] = found
    return out


def _council_of(iri: URIRef) -> str:
    return str(iri)[len(str(OGR)) :].split("/")[0]


def add_text_links(graph: Graph, mentioned: dict[URIRef, set[URIRef]]) -> None:
    """implements (actions) and relatesTo (risks) wherever a record's own excerpt names the target.

    Where the excerpt names a part of a statute or framework, the link goes to the part; where it names
    only the whole statute or framework, to the whole — never guessed down to a part.
    """
    for cls, prop in ((OG.Action, OG.implements), (OG.Risk, OG.relatesTo)):
        for rec in sorted(set(graph.subjects(RDF.type, cls))):
            for ex in graph.objects(rec, OG.evidence):
                things = mentioned.get(ex, set())
                parts = {t for t in things if any((t, RDF.type, c) in graph for c in PARTS)}
                covered = {graph.value(p, OG.partOf) for p in parts}
                for target in sorted(parts | {t for t in things if t not in parts and t not in covered}):
                    link_node(graph, _council_of(rec), rec, prop, target, OG.ReportText, evidence=ex)


def add_structure_links(graph: Graph) -> None:
    """Indicator -> action by code (CS.S.01.01a measures CS.S.01.01); record -> priority by its table.

    Actions are per report, indicators are not: an indicator measures, for each report it is read from,
    that report's action of the code, with that report's excerpt as the evidence."""
    actions: dict[tuple[str, URIRef, str], URIRef] = {}
    for a in graph.subjects(RDF.type, OG.Action):
        code = graph.value(a, OG.code)
        if code:
            actions[(_council_of(a), graph.value(a, OG.report), str(code))] = a
    for ind in sorted(set(graph.subjects(RDF.type, OG.Indicator))):
        code = graph.value(ind, OG.code)
        m = re.match(r"^(.*\d)[a-z]$", str(code)) if code else None
        if not m:
            continue
        for ex in sorted(graph.objects(ind, OG.evidence)):
            target = actions.get((_council_of(ind), graph.value(ex, OG.report), m[1]))
            if target is not None:
                link_node(graph, _council_of(ind), ind, OG.action, target, OG.CodeStructure, evidence=ex)
    for cls in (OG.Action, OG.Indicator):
        for rec in sorted(set(graph.subjects(RDF.type, cls))):
            for prio in sorted(graph.objects(rec, OG.priority)):
                # the excerpt of the report the priority belongs to
                report = graph.value(prio, OG.report)
                for ex in sorted(graph.objects(rec, OG.evidence)):
                    if graph.value(ex, OG.report) == report:
                        link_node(graph, _council_of(rec), rec, OG.priority, prio, OG.ReportText, evidence=ex)


def add_curated_links(graph: Graph, links: Iterable[CuratedLink], council: str, source: str) -> list[str]:
    """Adds the curated links whose records are in this build; returns a note for each one that is not
    (a build of some reports only). A link to a target that does not exist is an error: that is a
    mistake in the curated file, whatever was built."""
    by_code: dict[str, list[URIRef]] = {}
    for cls in (OG.Action, OG.Risk):
        for rec in graph.subjects(RDF.type, cls):
            code = graph.value(rec, OG.code)
            if code and _council_of(rec) == council:
                by_code.setdefault(str(code), []).append(rec)
    skipped = []
    for link in links:
        # A link keyed by code holds for the record of that code in every report built (actions and
        # risks are per report); one to a priority, which belongs to one report, for that report's only.
        subjects = sorted(by_code.get(link.subject, []))
        if link.object.startswith("priority:"):
            year, _, number = link.object.removeprefix("priority:").partition("/")
            target = priority_iri(council, year, number)
            report = graph.value(target, OG.report)
            subjects = [s for s in subjects if graph.value(s, OG.report) == report]
        else:
            target = URIRef(link.object)
            if (target, None, None) not in graph:
                raise OutcomeGraphError(
                    f"{source}:{link.line}: {link.object} is not in the graph; link only "
                    "to provisions, framework elements and priorities that exist"
                )
        if not subjects or (target, None, None) not in graph:
            skipped.append(
                f"{source}:{link.line}: curated link {link.subject} {link.predicate} {link.object} "
                "not added: its record is not in the reports built"
            )
            continue
        for subject in subjects:
            link_node(
                graph, council, subject, OG[link.predicate], target, OG.Curation, rationale=link.rationale
            )
    return skipped


def add_alt_code_links(graph: Graph, same: dict[str, tuple[str, str]]) -> None:
    """The curated equivalence of codes (CHN08a is CHN8a) stays visible with its rationale."""
    for ind in sorted(set(graph.subjects(RDF.type, OG.Indicator))):
        for alt in sorted(graph.objects(ind, OG.altCode)):
            canonical, rationale = same.get(str(alt), (None, None))
            if canonical:
                link_node(
                    graph,
                    _council_of(ind),
                    ind,
                    OG.altCode,
                    Literal(str(alt)),
                    OG.Curation,
                    rationale=rationale,
                )


def add_shares(graph: Graph, shares: tuple, council: str) -> None:
    """Curated: a percentage indicator is a share of the cases another indicator's figure (og:shareOfCount)
    or note (og:shareOfNoteCount) counts; each a qualified link with its rationale. Rows naming indicators
    this council's reports do not have are skipped, as for polarities."""
    for s in sorted(shares, key=lambda s: (s.percentage, s.count, s.count_in)):
        pct, cnt = indicator_iri(council, s.percentage), indicator_iri(council, s.count)
        if (pct, RDF.type, OG.Indicator) in graph and (cnt, RDF.type, OG.Indicator) in graph:
            prop = OG.shareOfCount if s.count_in == "figure" else OG.shareOfNoteCount
            link_node(graph, council, pct, prop, cnt, OG.Curation, rationale=s.rationale)


def add_polarities(
    graph: Graph, polarity: dict[str, tuple[str, str]], council: str, prop: URIRef = OG.polarity
) -> None:
    """Curated concept per indicator (its polarity, or another `prop` such as og:aggregation), each a
    qualified link with its rationale."""
    for key, (value, rationale) in sorted(polarity.items()):
        ind = indicator_iri(council, key)
        if (ind, RDF.type, OG.Indicator) in graph:
            link_node(graph, council, ind, prop, OG[value], OG.Curation, rationale=rationale)
