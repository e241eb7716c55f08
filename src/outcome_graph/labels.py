"""What a person reads for a term: one helper for every page, the printed audit, the CLI and the human CSV.

Labels are data: skos:prefLabel (else rdfs:label) of the ontology's terms and code lists, read from the
served graph (which holds the ontology) or, outside a server, from `ontology/`; a code list's
skos:notation names its concept too ("pis.total" -> "Performance indicators in the report"). How a
sentence reads a link is the property's og:reading ("is part of"). Periods and figures are written
the way the reports write them: "2020/21", "Q2 2020/21", "85%", "£15.56m", "1,385".
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass, field
from functools import lru_cache

from . import units as units_mod
from .namespaces import GOV_QUARTER, GOV_YEAR, OG, PREFIXES

LABELS_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX og: <https://w3id.org/outcome-graph/def#>
SELECT ?term ?pref ?label ?notation ?reading ?plural ?scheme WHERE {
  ?term ?any ?x .
  FILTER (isIRI(?term) && STRSTARTS(STR(?term), "https://w3id.org/outcome-graph/def#"))
  FILTER (?any IN (skos:prefLabel, rdfs:label, skos:notation, og:reading, og:pluralLabel))
  OPTIONAL { ?term skos:prefLabel ?pref FILTER (LANGMATCHES(LANG(?pref), "en") || LANG(?pref) = "") }
  OPTIONAL { ?term rdfs:label ?label FILTER (LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") }
  OPTIONAL { ?term skos:notation ?notation }
  OPTIONAL { ?term og:reading ?reading }
  OPTIONAL { ?term og:pluralLabel ?plural FILTER (LANGMATCHES(LANG(?plural), "en") || LANG(?plural) = "") }
  OPTIONAL { ?term skos:inScheme ?scheme }
}
"""

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def local_name(iri: str) -> str:
    s = str(iri)
    return s.rsplit("#", 1)[-1] if "#" in s else s.rstrip("/").rsplit("/", 1)[-1]


def humanise(name: str) -> str:
    """A vocabulary term the data gives no label for (rdf:type, dcterms:title): its local name in words."""
    words = _CAMEL.sub(" ", name).replace("_", " ").split()
    # lower-case words, acronyms as written ("alt label", "ID of GIRFEC")
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)


@dataclass
class Labels:
    """Labels of the vocabulary's terms (by IRI) and of code-list notations."""

    by_iri: dict[str, str] = field(default_factory=dict)
    by_notation: dict[str, str] = field(default_factory=dict)
    readings: dict[str, str] = field(default_factory=dict)
    statuses: frozenset[str] = frozenset()  # the og:Status concepts, for in_text
    plurals: dict[str, str] = field(default_factory=dict)  # og:pluralLabel of classes, by IRI

    def term(self, iri_or_name: str | None) -> str:
        """The label of a term given as an IRI, a prefixed name (og:dueDate) or an og: local name
        (OffTarget, as the trace graph keeps statuses and units)."""
        if not iri_or_name:
            return ""
        text = str(iri_or_name)
        prefix, sep, rest = text.partition(":")
        if sep and prefix in PREFIXES and not rest.startswith("//"):
            text = PREFIXES[prefix] + rest
        elif "://" not in text:
            if text in self.by_notation:
                return self.by_notation[text]
            text = str(OG) + text
        if text in self.by_iri:
            return self.by_iri[text]
        return humanise(local_name(text))

    def plural(self, iri_or_name: str | None) -> str:
        """The term's label for more than one ("Priorities"): its og:pluralLabel, else its label as it is.
        Never a label with an "s" added ("Prioritys")."""
        label = self.term(iri_or_name)
        text = str(iri_or_name or "")
        iri = text if "://" in text else str(OG) + text.split(":")[-1]
        return self.plurals.get(iri, label)

    def counted(self, n: int, iri_or_name: str | None) -> str:
        """'1 priority', '2 priorities': a count of members of a class, in lower case as a sentence reads."""
        words = self.term(iri_or_name) if n == 1 else self.plural(iri_or_name)
        return f"{n} {words[:1].lower() + words[1:] if not words[:2].isupper() else words}"

    def reading(self, iri_or_name: str) -> str:
        """How a sentence reads a link of this property: its og:reading ("is part of", "implements"),
        else "has <label>" ("has polarity")."""
        text = str(iri_or_name)
        iri = text if "://" in text else str(OG) + text.split(":")[-1]
        return self.readings.get(iri) or f"has {self.term(iri)}"

    def in_text(self, text: str) -> str:
        """Statuses named by their local names inside generated text ("Complete / DataOnly") as labels."""
        statuses = [iri for iri in self.by_iri if iri.startswith(str(OG)) and _is_status(iri, self)]
        for iri in sorted(statuses, key=len, reverse=True):
            name = local_name(iri)
            text = re.sub(rf"\b{re.escape(name)}\b", self.by_iri[iri], text)
        # keys of code lists that are plainly keys ("pis.on_target_or_complete"), never ordinary words
        for key in sorted((k for k in self.by_notation if "." in k or "_" in k), key=len, reverse=True):
            text = re.sub(rf"(?<![\w.]){re.escape(key)}(?![\w.])", f"“{self.by_notation[key]}”", text)
        return text

    def notation(self, key: str | None) -> str:
        """A code-list notation's label (a reported total's key); the key itself where none is defined."""
        return self.by_notation.get(key or "", key or "")


def _is_status(iri: str, labels: Labels) -> bool:
    # Camel-case local names only (OffTarget, DataOnly): words like "Complete" read the same either way.
    name = local_name(iri)
    return bool(_CAMEL.search(name)) and iri in labels.statuses


def from_rows(rows) -> Labels:
    """Labels from rows of LABELS_QUERY (dicts of variable -> term). Deterministic: where a term has
    several labels of one kind the smallest wins."""
    pref: dict[str, str] = {}
    label: dict[str, str] = {}
    notation: dict[str, str] = {}
    reading: dict[str, str] = {}
    plural: dict[str, str] = {}
    statuses: set[str] = set()
    for row in rows:
        term = str(row["term"])
        if str(row.get("scheme") or "") == str(OG) + "StatusScheme":
            statuses.add(term)
        for key, into in (("pref", pref), ("label", label), ("reading", reading), ("plural", plural)):
            if row.get(key) is not None:
                value = str(row[key])
                into[term] = min(into.get(term, value), value)
        if row.get("notation") is not None:
            notation[term] = str(row["notation"])
    by_iri = {t: pref.get(t) or label[t] for t in sorted(pref.keys() | label.keys())}
    by_notation = {n: by_iri[t] for t, n in sorted(notation.items()) if t in by_iri}
    return Labels(by_iri, by_notation, reading, frozenset(statuses), plural)


@lru_cache(maxsize=1)
def from_ontology() -> Labels:
    """The labels of the project's ontology files (for the CLI and anything outside a server)."""
    from .ontology_rows import ontology_rows

    return from_rows(ontology_rows(LABELS_QUERY))


_BY_STORE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _vocabulary_terms() -> tuple[str, ...]:
    """The terms the ontology files label: what the store is asked about."""
    from .ontology_rows import ontology_rows

    return tuple(sorted({str(r["term"]) for r in ontology_rows(LABELS_QUERY)}))


def _for_terms(terms: tuple[str, ...]) -> str:
    """LABELS_QUERY bound to `terms`: its cost follows the vocabulary, never the graph (unbound, it read
    every label triple of the nation, 9 s at 10 M triples)."""
    from rdflib import URIRef

    from .query_layer.reads import scoped_text

    return scoped_text(LABELS_QUERY, {"term": [URIRef(t) for t in terms]})


def for_store(store) -> Labels:
    """The labels the store's graph gives (read once per store object); the ontology files' labels
    where the store holds none (a remote graph loaded without the ontology)."""
    with _LOCK:
        try:
            got = _BY_STORE.get(store)
        except TypeError:
            got = None
    if got is not None:
        return got
    got = from_rows(store.select(_for_terms(_vocabulary_terms())).rows)
    if not got.by_iri:
        got = from_ontology()
    with _LOCK:
        try:
            _BY_STORE[store] = got
        except TypeError:
            pass
    return got


# -- periods and figures ---------------------------------------------------------------------------

_YEAR = re.compile(r"(\d{4})-(\d{4})")


def year_text(year: str) -> str:
    """'2020-2021' -> '2020/21' (how the reports write a government year)."""
    m = _YEAR.fullmatch(year.strip())
    return f"{m[1]}/{m[2][2:]}" if m else year


_YEAR_IN_TEXT = re.compile(r"\b(\d{4})-(\d{4})\b")
_SPAN = re.compile(r"\b(lines? \d+)-(\d+)\b")


def years_in_text(text: str) -> str:
    """Government years inside generated text as the reports write them ('2020-2021' -> '2020/21'),
    and line spans with an en dash."""
    text = _YEAR_IN_TEXT.sub(lambda m: year_text(m[0]), text)
    return _SPAN.sub(lambda m: f"{m[1]}–{m[2]}", text)


def period_text(period: str | None) -> str:
    """A government year or quarter, as an IRI or as the trace graph keeps it ('2020-2021 Q2'), in the
    reports' own words: '2020/21', 'Q2 2020/21'."""
    if not period:
        return ""
    p = str(period)
    if p.startswith(GOV_QUARTER):
        year, _, quarter = p[len(GOV_QUARTER) :].partition("/")
        return f"{quarter} {year_text(year)}"
    if p.startswith(GOV_YEAR):
        return year_text(p[len(GOV_YEAR) :])
    year, _, quarter = p.partition(" ")
    if _YEAR.fullmatch(year):
        return f"{quarter} {year_text(year)}" if quarter else year_text(year)
    return p


def number_text(value) -> str:
    """A figure as the reports write it: thousands separated, no trailing '.0' (76.92 stays 76.92)."""
    return units_mod.number_text(value)


def value_text(value, unit: str | None = None) -> str:
    """A figure in its unit, written as the ontology says the unit is written (outcome_graph.units):
    '85%' (og:Percent), '£15.56m' / '£2,951.54' (og:GBP), '33.5 days' (og:WorkingDay), '1,385' (a
    number). `unit` is the unit's IRI, prefixed name or local name."""
    return units_mod.figure_text(value, unit)
