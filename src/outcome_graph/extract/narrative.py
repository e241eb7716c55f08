"""The report's prose ("Progress in delivery of strategic outcomes", "Challenges and Risks"): one
Narrative record per paragraph, with the sub-heading it sits under.

The text layer puts each paragraph on one line. A sub-heading is a short line of its own (no more
than eight words, no full stop or colon at its end, a single cell: "The Promise/UNCRC") and applies to
every paragraph below it until the next one; heading lines are consumed, not kept as paragraphs.
The 2016/17 report labels paragraphs inline instead ("Family Placement Team: In Q4 we ..."): such a
label is the heading of its own paragraph only, since the paragraphs after it often change subject
("Sickness absence ..." after "Finance: ..."). A paragraph with neither has the heading of the last
sub-heading line above it in the section, or None.
"""

from __future__ import annotations

import re

from . import SectionResult
from .common import excerpt
from .records import Narrative, ReportInfo
from .sections import Line, Section

_MAX_HEADING_WORDS = 8
_MAX_LABEL_WORDS = 10  # "Looked After at home and away from home (LAC/LAAC):" has nine
# "Label: text" or "Label (LAC/LAAC):Text": a capitalised label of a few words, then the paragraph.
_LABEL = re.compile(r"^(?P<label>[A-Z][^.:;!?]{1,70}?)\s*:\s*(?=\S)")


def _is_heading(line: Line) -> bool:
    cells = [c for c in line.cells if c]
    if len(cells) != 1:
        return False
    text = cells[0]
    return len(text.split()) <= _MAX_HEADING_WORDS and not text.endswith((".", ":", ",", ";"))


def inline_label(text: str) -> str | None:
    """'Family Placement Team' from 'Family Placement Team: In Q4 ...'; None when the paragraph has none."""
    m = _LABEL.match(text.strip())
    if not m or len(m["label"].split()) > _MAX_LABEL_WORDS:
        return None
    return m["label"].strip()


def parse(section: Section, report: ReportInfo) -> SectionResult:
    result = SectionResult()
    heading: str | None = None
    for line in section.nonblank():
        if _is_heading(line):
            heading = " ".join(line.text.split())
            result.consumed.add(line.number)
            continue
        label = inline_label(line.text)
        result.records.append(Narrative(report.id, label or heading, excerpt(report.id, [line])))
    return result
