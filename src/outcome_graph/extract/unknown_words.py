"""Words the vocabulary does not know, found after every section is read: a status word in a note ("20/21:
Off Traget ...") or a unit word in a cell ("85 precent") that is close to a known word but is not one.
Nothing is guessed: the record keeps no status (or the cell no figure), and the word is listed as a build
warning and recorded as an og:UnrecognisedWord, which the shapes make a violation naming the file, the
line and the word, with the nearest known word as a suggestion (extract/words.py).
"""

from __future__ import annotations

from .common import note_head
from .records import Action, Excerpt, Extraction, Observation, UnknownWord, Unplaced
from .words import Unknown, near_unit, near_word_at_start


def _line_of(excerpt: Excerpt, word: str) -> tuple[int, str]:
    """The line of the excerpt that holds the word (a note may run over several lines), and its text."""
    rows = excerpt.text.split("\n")
    for offset, text in enumerate(rows):
        if word.lower() in text.lower():
            return excerpt.first_line + offset, text
    return excerpt.first_line, rows[0]


def find_unknown_words(x: Extraction) -> None:
    """Adds an UnknownWord and a warning for every near-miss status or unit word of the extraction."""
    found: dict[tuple[int, str, str], tuple[UnknownWord, str]] = {}
    for r in x.records:
        hits: list[tuple[str, Unknown]] = []
        if isinstance(r, (Observation, Action)) and r.note and r.status is None:
            head = note_head(r.note)
            near = near_word_at_start(head, "StatusScheme") if head else None
            if near:
                hits.append(("status", near))
        if isinstance(r, Observation) and r.value is None and r.raw:
            near = near_unit(r.raw)
            if near:
                hits.append(("unit", near))
        for kind, near in hits:
            line, text = _line_of(r.excerpt, near.word)
            w = UnknownWord(x.report.id, line, text, kind, near.word, near.suggestion)
            why = (
                f"unrecognised {kind} word {near.word!r} (nearest known: {near.suggestion!r}, "
                f"ontology/codelists.ttl); kept with no {'status' if kind == 'status' else 'figure'}"
            )
            found.setdefault((line, kind, near.word), (w, why))
    for (line, _, _), (w, why) in sorted(found.items()):
        x.unknown_words.append(w)
        x.warnings.append(Unplaced(x.report.id, line, w.text.strip(), why))
