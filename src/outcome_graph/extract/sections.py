"""Splitting a report into the sections it is made of, by their headings.

Each section kind has a parser module of its own in this package (narrative, indicators, complaints,
actions, service_pis, scorecard, risks, benchmarks, summary). Headings are matched on their letters
alone, because the PDF extraction scatters spaces and tabs through them ("Servic e Priority Performa
nce India ators").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (section kind, pattern over the heading's lower-case letters only). First match wins; a line is a
# heading only if it has no more than six cells and matches one of these from its start.
HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    ("narrative", re.compile(r"^(\d+)?progressindeliveryofstrategicoutcomes$")),
    ("narrative", re.compile(r"^(\d+)?(emerging)?challengesandrisks$")),
    ("summary", re.compile(r"^successesandchallenges$")),
    (
        "indicators",
        re.compile(r"^childrensservices(,?partnerships?andcommunities)?(performanceindicator|pi)summary$"),
    ),
    ("complaints", re.compile(r"^childrensservices,?partnershipandcommunitiescomplaintsindicatorsummary$")),
    ("actions", re.compile(r"^childrensservices(,?partnershipandcommunities)?actionreport$")),
    ("service_pis", re.compile(r"^servi\w*priorityperforma\w*$")),
    ("service_pis", re.compile(r"^childrensservices,?partnershipandcommunitiespireport$")),
    ("scorecard", re.compile(r"^balancedscorecardindicators$")),
    ("risks", re.compile(r"^childrensservices,?partnershipandcommunitiesrisks$")),
    ("benchmarks", re.compile(r"^publishedlocalgovernmentbenchmarkingframework\w*$")),
]


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, as in the file
    text: str  # verbatim, without the line ending

    @property
    def cells(self) -> list[str]:
        """Tab-separated cells, stripped; empty cells kept so that column positions hold."""
        return [c.strip() for c in self.text.split("\t")]

    @property
    def blank(self) -> bool:
        """Nothing but spaces. A line of tabs alone is not blank: it is a table row whose cells are all
        empty (or whose only text was lost), which the table's parser must account for."""
        return "\t" not in self.text and not self.text.strip()


@dataclass(frozen=True)
class Section:
    kind: str
    heading: Line | None  # None for the lines before the first heading (the report's title block)
    lines: tuple[Line, ...]  # the lines after the heading, up to the next heading

    def nonblank(self) -> list[Line]:
        return [ln for ln in self.lines if not ln.blank]


def heading_kind(line: Line) -> str | None:
    cells = [c for c in line.cells if c]
    if not cells or len(cells) > 6:
        return None
    letters = re.sub(r"[^a-z0-9,]", "", "".join(cells).lower())
    letters = re.sub(r"^\d+", "", letters)
    for kind, pattern in HEADINGS:
        if pattern.match(letters):
            return kind
    return None


def split_sections(lines: list[Line]) -> list[Section]:
    sections: list[Section] = []
    kind, heading, body = "title", None, []
    for line in lines:
        k = heading_kind(line)
        if k:
            sections.append(Section(kind, heading, tuple(body)))
            kind, heading, body = k, line, []
        else:
            body.append(line)
    sections.append(Section(kind, heading, tuple(body)))
    return sections
