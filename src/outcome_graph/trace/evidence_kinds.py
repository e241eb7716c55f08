"""Evidence kinds for the audit's duty and key-question sections: how a record evidences a duty
(og:EvidenceKind, ontology/inspection.ttl: implements, mentions, risk, claim, narrative, figure), the claims
that bear on a duty through the records and lines already found, and the kinds' labels from the vocabulary.
"No evidence" means none of any kind.
"""

from __future__ import annotations

import rdflib
from rdflib import URIRef

from ..namespaces import OG
from .gaps import evidence_of
from .graph import TraceGraph, local

# Evidence kinds: og:EvidenceKind concepts (ontology/inspection.ttl), by local name; shown by their labels.
IMPLEMENTS, MENTIONS, RISK, CLAIM, NARRATIVE, FIGURE_KIND = (
    "ImplementsEvidence",
    "MentionsEvidence",
    "RiskEvidence",
    "ClaimEvidence",
    "NarrativeEvidence",
    "FigureEvidence",
)
# the kind of a curated (og:bearsOn) record, by its list
CURATED_KIND = {
    "actions": IMPLEMENTS,
    "indicators": FIGURE_KIND,
    "claims": CLAIM,
    "risks": RISK,
    "words": NARRATIVE,
}


def claims_on(rdf: rdflib.Graph, tg: TraceGraph, items: dict, claims: dict[str, dict]) -> list[str]:
    """The claims whose text is the note of a record already evidencing the duty, or that are read from a
    line that names it: a figure stated about the duty is evidence of it too."""
    records = {x["iri"] for k in ("actions", "risks", "indicators") for x in items[k]}
    lines = {x["iri"] for x in items["words"]}
    records |= {e for r in records if r in tg.g for e in evidence_of(tg, r)}
    found = []
    for c in claims:
        note_of, excerpt = rdf.value(URIRef(c), OG.noteOf), rdf.value(URIRef(c), OG.evidence)
        if (note_of is not None and str(note_of) in records) or str(excerpt) in lines:
            found.append(c)
    return sorted(found)


KIND_ORDER = (IMPLEMENTS, MENTIONS, RISK, CLAIM, NARRATIVE, FIGURE_KIND)


def label_kinds(rdf: rdflib.Graph, items: dict) -> list[str]:
    """Labels each item's evidence kind from the vocabulary; returns the labels of the kinds present, in
    the scheme's order ("no evidence" must mean none of any kind)."""
    labels = _labels(rdf)
    for v in items.values():
        for x in v:
            x["kind_label"] = labels.get(x["kind"], x["kind"])
    present = {x["kind"] for v in items.values() for x in v}
    return [labels.get(k, k) for k in KIND_ORDER if k in present]


def _labels(rdf: rdflib.Graph) -> dict[str, str]:
    # sorted: the graph's triple order is the store's answer order, which differs between stores
    pairs = sorted(
        (local(s), str(o))
        for s, o in rdf.subject_objects(rdflib.SKOS.prefLabel)
        if str(s).startswith(str(OG))
    )
    return dict(pairs)
