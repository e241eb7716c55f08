"""Units the tables do not print: an indicator whose title says it counts days.

The tables print "33.5" for "Average time in working days for a full response for escalated complaints":
the cell has no sign, so the extractor reads a plain number (og:Number). A unit concept with an
og:titlePattern (ontology/codelists.ttl) says which titles count in that unit; here every plain-number
figure (and target) of such an indicator takes that unit, so pages, charts and the audit write "33.5 days".
The rule is data: a new unit is a concept with its pattern, not code.
"""

from __future__ import annotations

import re

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from ..namespaces import OG


def title_units(graph: Graph) -> list[tuple[re.Pattern, URIRef]]:
    """(pattern, unit) for every unit concept in the graph's ontology that has an og:titlePattern."""
    found = []
    for unit, pattern in graph.subject_objects(OG.titlePattern):
        if isinstance(unit, URIRef):
            found.append((re.compile(str(pattern), re.IGNORECASE), unit))
    return sorted(found, key=lambda pu: (str(pu[1]), pu[0].pattern))


def add_title_units(graph: Graph) -> int:
    """Give the plain-number observations of each indicator whose title (any wording, og:title or
    skos:altLabel) matches a unit's og:titlePattern that unit. Returns how many observations changed."""
    rules = title_units(graph)
    if not rules:
        return 0
    changed = 0
    for ind in sorted(graph.subjects(RDF.type, OG.Indicator)):
        titles = sorted(str(t) for p in (OG.title, SKOS.altLabel) for t in graph.objects(ind, p))
        unit = next((u for rx, u in rules if any(rx.search(t.strip()) for t in titles)), None)
        if unit is None:
            continue
        for obs in sorted(graph.subjects(OG.indicator, ind)):
            if (obs, OG.unit, OG.Number) in graph:
                graph.remove((obs, OG.unit, OG.Number))
                graph.add((obs, OG.unit, unit))
                changed += 1
    return changed
