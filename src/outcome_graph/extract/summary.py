"""The "Successes and Challenges" dashboard (2020/21 lines 97-186).

The dashboard has four panels of counts (corporate PIs, service plan actions, service plan PIs, service
risks), lists of what is off target, a sentence on risks, and a key. In the PDF each count sits beside a
status icon; the extraction dropped the icons or turned them into stray glyphs, so a line such as
"5 2 18 0" no longer says which count is which. Those lines are reported as not understood, with that
reason, rather than guessed at. What can be read honestly is kept:

- the off-target lists, one Narrative per name, under the list's heading, so each stays quotable;
- "There are 4 Medium Risks and no High Risks" as ReportedTotal records (risks.medium, risks.high),
  which the graph can check against the risk register;
- the key (legend) at the end: its lines only name the icons' meanings, so they are consumed as
  legend without records; a line in it that is not legend vocabulary is still reported.
"""

from __future__ import annotations

import re
from decimal import Decimal

from . import SectionResult
from .common import excerpt_span
from .records import Narrative, ReportedTotal, ReportInfo, Unplaced
from .sections import Line, Section

# Panel headings ("Corporate Performance Indicators (latest)"): their count lines follow.
_PANEL = re.compile(r"\(latest\)\s*$", re.I)
# List headings ("Corporate Pls Off Target", "High Risks").
_LIST = re.compile(r"^(.+ off target|high risks)$", re.I)
# A line of counts whose labels were icons: numbers and glyphs ("<u>^</u>"), at most one leading word
# ("Actions 9 5"); see _icon_counts.
_WORD = re.compile(r"^[A-Za-z]+$")
# A list's sub-label with its icon and no count ("Pls 🧶").
_SUB_LABEL = re.compile(r"^[A-Za-z]+\s+[^\w\s]+$")
_RISK_SENTENCE = re.compile(
    r"^there are (?P<medium>\d+|no) medium risks? and (?P<high>\d+|no) high risks?\.?$", re.I
)
# The key's vocabulary: status names, icon letters the extraction left ("y", "M"), "Key PIs" etc.
_LEGEND_START = re.compile(r"^key\b", re.I)
_LEGEND = re.compile(
    r"^(?:key(?:\s+(?:pis|actions|risks))?(?:\s*\(\d+\))?\s*)?(?:(?:pis|[a-z])(?:\s+|$))?"
    r"(?:on target(?:/complete)?|off target|data only|data not yet available|high risk/medium risk)?$",
    re.I,
)
ICON_REASON = (
    "dashboard counts whose labels were status icons, lost in text extraction: which count is which "
    "cannot be read from the text"
)


def _icon_counts(text: str) -> bool:
    tokens = text.split()
    if tokens and _WORD.match(tokens[0]):
        tokens = tokens[1:]
    return any(t.isdigit() for t in tokens) and not any(_WORD.match(t) for t in tokens)


def _fix_heading(text: str) -> str:
    """'Pls' is the extraction's reading of 'PIs' (the report writes 'PIs' in its key, line 159)."""
    return re.sub(r"\bPls\b", "PIs", " ".join(text.split()))


def _count(word: str) -> Decimal:
    return Decimal(0) if word.lower() == "no" else Decimal(word)


def parse(section: Section, report: ReportInfo) -> SectionResult:
    result = SectionResult()
    rid = report.id
    all_lines = {ln.number: ln for ln in section.lines}
    heading: str | None = None
    in_legend = False

    def unplaced(ln: Line, reason: str) -> None:
        result.unplaced.append(Unplaced(rid, ln.number, ln.text.strip(), reason))

    for ln in section.nonblank():
        text = " ".join(ln.text.split())
        ex = excerpt_span(rid, all_lines, ln.number, ln.number)
        if in_legend or _LEGEND_START.match(text):
            in_legend = True
            if _LEGEND.match(text):
                result.consumed.add(ln.number)
            else:
                unplaced(ln, "in the dashboard's key, but not a status name the key uses")
        elif _PANEL.search(text):
            heading = None
            result.consumed.add(ln.number)
        elif _LIST.match(text):
            heading = _fix_heading(text)
            result.consumed.add(ln.number)
        elif m := _RISK_SENTENCE.match(text):
            result.records.append(ReportedTotal(rid, "risks.medium", _count(m["medium"]), ex))
            result.records.append(ReportedTotal(rid, "risks.high", _count(m["high"]), ex))
        elif _SUB_LABEL.match(text) and heading:
            result.consumed.add(ln.number)  # the list's own label and icon, repeating its heading
        elif _icon_counts(text):
            unplaced(ln, ICON_REASON)
        elif heading:
            result.records.append(Narrative(rid, heading, ex))
        else:
            unplaced(ln, "not read by the dashboard parser: not a count, list item, heading or key")
    return result
