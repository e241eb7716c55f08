"""Indicator keys for the uncoded corporate and complaints PIs, from graph/curated/corporate-indicators.csv,
so that the same measure gets the same key in every report (I/O at the edge: `curated_key_rules`)."""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReportError
from ..paths import CURATED_DIR
from .records import INDICATOR_SETS, Unplaced
from .sections import Line
from .tables import warn

KEYS_FILE = CURATED_DIR / "corporate-indicators.csv"


@dataclass(frozen=True)
class KeyRule:
    key: str
    pattern: re.Pattern[str]
    indicator_set: str
    rationale: str


def load_key_rules(path: Path = KEYS_FILE) -> tuple[KeyRule, ...]:
    """The curated keys for uncoded indicators. Errors name the file, line and column at fault."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ReportError(source, f"cannot read the curated indicator keys: {e.strerror}") from None
    rows = list(csv.reader(text.splitlines()))
    expected = ["key", "title_pattern", "indicator_set", "rationale"]
    if not rows or [c.strip() for c in rows[0]] != expected:
        raise ReportError(source, f"the header must be {','.join(expected)}", line=1)
    rules = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != 4:
            raise ReportError(
                source, f"expected 4 columns, found {len(row)}; quote cells that hold commas", line=number
            )
        key, pattern, indicator_set, rationale = (c.strip() for c in row)
        if indicator_set not in INDICATOR_SETS:
            raise ReportError(
                source,
                f"unknown indicator set {indicator_set!r}; use one of {', '.join(INDICATOR_SETS)}",
                line=number,
                field="indicator_set",
            )
        if not key or not rationale:
            raise ReportError(source, "every row needs a key and a rationale", line=number)
        try:
            compiled = re.compile(pattern, re.I)
        except re.error as e:
            raise ReportError(
                source, f"not a valid regular expression: {e}", line=number, field="title_pattern"
            ) from None
        rules.append(KeyRule(key, compiled, indicator_set, rationale))
    return tuple(rules)


@functools.cache
def curated_key_rules() -> tuple[KeyRule, ...]:
    return load_key_rules(KEYS_FILE)


def normalise_title(title: str) -> str:
    return " ".join(title.split())


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


def key_for(title: str, indicator_set: str, rules: tuple[KeyRule, ...]) -> str | None:
    """The curated key of the first rule for this indicator set whose pattern the title matches."""
    norm = normalise_title(title)
    return next((r.key for r in rules if r.indicator_set == indicator_set and r.pattern.search(norm)), None)


def resolve_key(
    title: str,
    indicator_set: str,
    rules: tuple[KeyRule, ...],
    report: str,
    line: Line,
    warnings: list[Unplaced],
) -> str:
    """The curated key, or a key made from the title with a warning asking for a curated row."""
    key = key_for(title, indicator_set, rules)
    if key:
        return key
    prefix = "complaints" if indicator_set == "Complaints" else "corporate"
    key = f"{prefix}/{slug(title)}"
    warnings.append(
        warn(
            report,
            line,
            f"no pattern in {KEYS_FILE.name} matches the {indicator_set} "
            f"indicator {title!r}; keyed {key!r} from its title (add a row to "
            "that file so that other years' reports get the same key)",
        )
    )
    return key
