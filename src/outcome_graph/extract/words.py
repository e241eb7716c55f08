"""The words the reports use for statuses and units, as the vocabulary labels them, and the nearest known
word to one it does not know.

Known words are the labels of the concepts of og:StatusScheme and og:UnitScheme in ontology/codelists.ttl
(skos:prefLabel, skos:altLabel and skos:hiddenLabel: "Off Target", "N/A", "%"), never a list in code: a
report that writes a status another way is taught by a label. A word that is not known but is close to
one ("Off Traget") is not guessed: the caller records it as unrecognised, with the nearest known word as
a suggestion (rapidfuzz, a maintained edit-distance library: its normalised Indel similarity, the share
of characters two strings have in common in order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz
from rdflib import Graph
from rdflib.namespace import SKOS

from ..namespaces import OG
from ..paths import ONTOLOGY_DIR

CODELISTS = ONTOLOGY_DIR / "codelists.ttl"
# How close an unknown word must be to a known one (0-100) to be taken for a misspelling of it rather than
# for ordinary text: "Off Traget" scores 90 against "Off Target"; the real reports' notes that open with
# text rather than a status ("There are no high risks", "This is an ongoing piece of work") score at most 44.
NEAR = 80


@dataclass(frozen=True)
class Unknown:
    word: str  # as written
    suggestion: str  # the nearest known word (a label of the vocabulary)
    score: float


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


@cache
def known_words(scheme: str, path: Path = CODELISTS) -> tuple[tuple[str, str], ...]:
    """(label, concept local name) for every label of the scheme's concepts, longest first, so that "Data
    not available" is tried before a shorter label it starts with."""
    g = Graph().parse(path, format="turtle")
    out = set()
    for concept in g.subjects(SKOS.inScheme, OG[scheme]):
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for label in g.objects(concept, prop):
                out.add((str(label), str(concept).rsplit("#", 1)[-1]))
    return tuple(sorted(out, key=lambda lc: (-len(lc[0]), lc[0].lower(), lc[1])))


def _opening(text: str, n: int) -> str:
    return " ".join(text.split()[:n]).rstrip(".,:;")


def word_at_start(text: str, scheme: str) -> str | None:
    """The concept whose label `text` opens with (whole words, any case), or None."""
    low = _norm(text)
    for label, concept in known_words(scheme):
        lab = _norm(label)
        if low == lab or (low.startswith(lab) and not low[len(lab)].isalnum()):
            return concept
    return None


def near_word_at_start(text: str, scheme: str) -> Unknown | None:
    """The opening words of `text` where they are close to, but not, a label of the scheme: the nearest
    label, compared word for word with as many opening words as the label has."""
    if word_at_start(text, scheme) is not None:
        return None
    best: Unknown | None = None
    for label, _ in known_words(scheme):
        written = _opening(text, len(label.split()))
        if not written:
            continue
        score = fuzz.ratio(_norm(written), _norm(label))
        if score >= NEAR and (best is None or score > best.score):
            best = Unknown(written, label, score)
    return best


_UNIT_WORD = re.compile(r"^[£$]?\s*\d[\d,.]*\s*(?P<word>[^\d\s][^\d]*?)\s*$")


def near_unit(cell: str) -> Unknown | None:
    """A cell that is a figure followed by a word ("85 precent") whose word is near a unit's label but is
    not one: the word and the nearest unit label."""
    m = _UNIT_WORD.match(cell.strip())
    if not m:
        return None
    word = m["word"]
    known = {_norm(label) for label, _ in known_words("UnitScheme")}
    if _norm(word) in known:
        return None
    best: Unknown | None = None
    for label, _ in known_words("UnitScheme"):
        score = fuzz.ratio(_norm(word), _norm(label))
        if score >= NEAR and (best is None or score > best.score):
            best = Unknown(word, label, score)
    return best
