"""What extraction yields: plain, immutable records, each carrying the excerpt it was read from.

These are the contract between the extract stage and the build stage. They hold values as the report
shows them (decimals, dates, status words) and never RDF: building is a separate, pure step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# Status words as the report writes them in its notes ("16/17: Off Target"), mapped by the
# extractor to these names, which are the local names of the og: Status concepts.
STATUSES = ("OnTarget", "OffTarget", "Complete", "DataOnly", "NotAvailable")

# Indicator sets (local names of og: IndicatorSet concepts).
INDICATOR_SETS = ("ServicePriorityPI", "CorporatePI", "BalancedScorecard", "Complaints", "LGBF", "FeederData")

# Units (local names of og: Unit concepts).
UNITS = ("Percent", "GBP", "Number", "WorkingDay")  # WorkingDay: given by the build, from the title


@dataclass(frozen=True)
class Excerpt:
    """A span of a report file: 1-based, inclusive line numbers and the verbatim lines."""

    report: str  # the report's id, its government year, e.g. "2016-2017"
    first_line: int
    last_line: int
    text: str


@dataclass(frozen=True)
class Period:
    """A government year ('2016-2017'), or one of its quarters (1-4)."""

    year: str
    quarter: int | None = None

    @property
    def key(self) -> str:
        return self.year if self.quarter is None else f"{self.year}-Q{self.quarter}"


@dataclass(frozen=True)
class Priority:
    report: str
    code: str  # the service plan's number, as written: "01"
    title: str | None  # None only where fragments of it could not be read (actions.py)
    excerpt: Excerpt


@dataclass(frozen=True)
class Action:
    report: str
    code: str | None  # None when the report gives none and it cannot be derived unambiguously
    code_derived: bool  # True when the code was derived from the action's position, not read
    priority: str  # the priority's code, "01"
    title: str
    due_date: date | None
    progress: Decimal | None  # percent
    status: str | None  # one of STATUSES
    note: str | None
    excerpt: Excerpt

    @property
    def key(self) -> str:
        """Identifies the action within its council: its code, or its report and line."""
        return self.code or f"{self.report}/L{self.excerpt.first_line}"


@dataclass(frozen=True)
class Indicator:
    report: str
    key: str  # code as written ("CS.S.01.01a"); "lgbf/CHN8a"; a curated slug for uncoded corporate PIs
    code: str | None
    code_derived: bool
    title: str
    indicator_set: str  # one of INDICATOR_SETS
    excerpt: Excerpt
    priority: str | None = None  # service-plan priority code this PI sits under, "01"
    group: str | None = (
        None  # the table grouping the report puts it in (corporate: "Manage budget effectively")
    )
    feeds: str | None = None  # for feeder data: the key of the indicator it feeds
    benchmark: str | None = None  # the report's "Benchmark" cell, verbatim
    alt_codes: tuple[str, ...] = ()  # other codes the report uses for it (LGBF "CHN08a" for CHN8a)


@dataclass(frozen=True)
class Observation:
    """One table cell: an indicator's figure for one period, as one report states it."""

    report: str
    indicator: str  # Indicator.key
    period: Period
    raw: str  # the cell as written, after glyph clean-up
    value: Decimal | None  # None for N/A and other non-figures: never 0
    unit: str | None  # one of UNITS
    excerpt: Excerpt
    status: str | None = None
    note: str | None = None
    target: Decimal | None = None
    target_raw: str | None = None
    rank: int | None = None
    quartile: int | None = None
    # Why the figure's column was inferred rather than read (a figure the extraction pushed into a
    # column another line of the row fills): None when the cell sat in its own column.
    placement: str | None = None


@dataclass(frozen=True)
class Risk:
    report: str
    code: str
    title: str
    score: int | None
    excerpt: Excerpt
    identification: str | None = None
    control_measures: str | None = None
    evaluation: str | None = None
    related_action: str | None = None
    latest_note: str | None = None
    matrix: str | None = None  # "Impact"


@dataclass(frozen=True)
class ReportedTotal:
    """A total the report states about itself ("4 Medium Risks", "Total number of PI's 32")."""

    report: str
    name: str  # "risks.medium", "actions.total", "pis.total", ...
    value: Decimal
    excerpt: Excerpt


@dataclass(frozen=True)
class Narrative:
    """A paragraph of the report's prose, kept so that what it says (and the statutes it names) can
    be quoted and linked."""

    report: str
    heading: str | None  # the sub-heading it sits under ("The Promise/UNCRC"), if any
    excerpt: Excerpt


@dataclass(frozen=True)
class Unplaced:
    """A non-blank line no record used, and why: reported, never silently dropped."""

    report: str
    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Problem:
    """A line whose figures were kept out because they could not be placed (a row whose cells do not
    fit its table's columns, a file cut short): listed in the build output and, as an
    og:ExtractionProblem, made a SHACL violation so that `validate` fails."""

    report: str
    line: int
    text: str  # the line, verbatim (it becomes the problem's evidence)
    reason: str


@dataclass(frozen=True)
class UnknownWord:
    """A status or unit word close to one the vocabulary knows but not one ("Off Traget"): the record keeps
    no status (or the cell no figure); an og:UnrecognisedWord in the graph, which the shapes make a
    violation naming the file, line and word with the nearest known word."""

    report: str
    line: int
    text: str  # the line, verbatim (its evidence)
    kind: str  # "status", "unit" or "period"
    word: str  # as written
    suggestion: str  # the nearest known word


@dataclass(frozen=True)
class Dropped:
    """A fragment left in an icon column (Status, Short Trend, Icon) by an icon the PDF extraction broke,
    e.g. "47" where a status icon was: never read as a figure, always listed."""

    report: str
    line: int
    column: int  # 1-based, as the build output names it
    column_name: str
    fragment: str


Record = Priority | Action | Indicator | Observation | Risk | ReportedTotal | Narrative


@dataclass(frozen=True)
class ReportInfo:
    id: str  # government year, "2016-2017"
    council: str  # "midlothian"
    service: str  # "childrens-services"
    title: str  # the report's first line
    source: str  # canonical file name, council-service-year (identity.py), never the name it was given
    line_count: int
    file: str = ""  # the path it was read from, for messages only: never part of the graph


@dataclass
class Extraction:
    report: ReportInfo
    records: list[Record] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    # Records kept but worth a reader's attention (a code missing in the report that could not be
    # derived, a cell that is not a figure): reported by `build` beside the unplaced lines.
    warnings: list[Unplaced] = field(default_factory=list)
    # Lines understood as structure rather than content: headings, table headers, legends.
    structural: set[int] = field(default_factory=set)
    # Rows kept out because their cells could not be placed; their lines are also in `unplaced`.
    problems: list[Problem] = field(default_factory=list)
    # Icon leftovers dropped from icon columns.
    dropped: list[Dropped] = field(default_factory=list)
    # Status and unit words close to known ones but not known ("Off Traget"), never guessed.
    unknown_words: list[UnknownWord] = field(default_factory=list)

    def of(self, kind: type) -> list:
        return [r for r in self.records if isinstance(r, kind)]
