"""Small helpers shared by the section parsers."""

from __future__ import annotations

import re

from .records import Excerpt
from .sections import Line

# Status words in a note ("16/17: Off Target", "20/21 : Data only", "16/17: Complete").
_STATUS = [
    (re.compile(r"\bon\s*target\b", re.I), "OnTarget"),
    (re.compile(r"\boff\s*target\b", re.I), "OffTarget"),
    (re.compile(r"\bcomplete\b", re.I), "Complete"),
    (re.compile(r"\bdata\s*only\b", re.I), "DataOnly"),
    (re.compile(r"\b(n/a|data not (yet )?available)\b", re.I), "NotAvailable"),
]
_NOTE_HEAD = re.compile(r"^(?:Q\d\s*)?\d\d/\d\d\s*:\s*")


def status_of(note: str | None) -> str | None:
    """The status a note states in its opening words ("16/17: Off Target ..."), or None."""
    if not note:
        return None
    m = _NOTE_HEAD.match(note.strip())
    if not m:
        return None
    head = note.strip()[m.end() :][:40]
    for pattern, status in _STATUS:
        if pattern.match(head) or pattern.match(head.lstrip(". ")):
            return status
    return None


def excerpt(report: str, lines: list[Line]) -> Excerpt:
    """The span from the first to the last of `lines`, with the verbatim text of every line in it."""
    first, last = lines[0].number, lines[-1].number
    return Excerpt(report, first, last, "\n".join(ln.text for ln in lines))


def excerpt_span(report: str, all_lines: dict[int, Line], first: int, last: int) -> Excerpt:
    return Excerpt(report, first, last, "\n".join(all_lines[n].text for n in range(first, last + 1)))
