"""Small helpers shared by the section parsers."""

from __future__ import annotations

import re

from .records import Excerpt
from .sections import Line
from .words import word_at_start

_NOTE_HEAD = re.compile(r"^(?:Q\d\s*)?\d\d/\d\d\s*:\s*")


def note_head(note: str | None) -> str | None:
    """What follows a note's year ("16/17: Off Target ..." -> "Off Target ..."), or None without one."""
    if not note:
        return None
    m = _NOTE_HEAD.match(note.strip())
    return note.strip()[m.end() :].lstrip(". ") if m else None


def status_of(note: str | None) -> str | None:
    """The status a note states in its opening words ("16/17: Off Target ..."), or None: the words are the
    labels of og:StatusScheme (ontology/codelists.ttl), not a list in code."""
    head = note_head(note)
    return word_at_start(head, "StatusScheme") if head else None


def excerpt(report: str, lines: list[Line]) -> Excerpt:
    """The span from the first to the last of `lines`, with the verbatim text of every line in it."""
    first, last = lines[0].number, lines[-1].number
    return Excerpt(report, first, last, "\n".join(ln.text for ln in lines))


def excerpt_span(report: str, all_lines: dict[int, Line], first: int, last: int) -> Excerpt:
    return Excerpt(report, first, last, "\n".join(all_lines[n].text for n in range(first, last + 1)))
