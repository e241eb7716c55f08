"""Curate: the analysts' data that the reports do not say themselves, each row with its rationale.

Reads the CSV files in graph/curated/ (I/O at the edge); the builder consumes the returned tables.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import OutcomeGraphError
from .paths import CURATED_DIR


@dataclass(frozen=True)
class CuratedLink:
    subject: str  # an action or risk code, as normalised
    predicate: str  # "implements" or "relatesTo"
    object: str  # an IRI, or "priority:<year>/<NN>"
    rationale: str
    line: int  # the CSV line, so a bad row can be pointed at


def read_csv(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows with their 1-based file line numbers; a missing column or empty required cell is an error."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise OutcomeGraphError(f"{path}: missing column(s) {', '.join(missing)}")
        rows = []
        for row in reader:
            line = reader.line_num
            if not any((v or "").strip() for v in row.values()):
                continue
            for c in required:
                if not (row.get(c) or "").strip():
                    raise OutcomeGraphError(f"{path}:{line}: empty {c!r}; every curated row needs one")
            rows.append((line, {k: (v or "").strip() for k, v in row.items()}))
        return rows


@cache
def curated_links(directory: Path = CURATED_DIR) -> tuple[CuratedLink, ...]:
    rows = read_csv(directory / "links.csv", ("subject_code", "predicate", "object", "rationale"))
    out = []
    for line, r in rows:
        if r["predicate"] not in ("implements", "relatesTo"):
            raise OutcomeGraphError(
                f"{directory / 'links.csv'}:{line}: predicate {r['predicate']!r} "
                "is not 'implements' or 'relatesTo'"
            )
        out.append(CuratedLink(r["subject_code"], r["predicate"], r["object"], r["rationale"], line))
    return tuple(out)


@cache
def polarities(directory: Path = CURATED_DIR) -> dict[str, tuple[str, str]]:
    """indicator key -> (polarity concept local name, rationale)."""
    rows = read_csv(directory / "polarity.csv", ("indicator_key", "polarity", "rationale"))
    return {r["indicator_key"]: (r["polarity"], r["rationale"]) for _, r in rows}


@cache
def aggregations(directory: Path = CURATED_DIR) -> dict[str, tuple[str, str]]:
    """indicator key -> (og:Aggregation concept local name, rationale): how its quarters make its year."""
    path = directory / "aggregation.csv"
    out = {}
    for line, r in read_csv(path, ("indicator_key", "aggregation", "rationale")):
        if r["indicator_key"] in out:
            raise OutcomeGraphError(f"{path}:{line}: indicator {r['indicator_key']!r} is listed twice")
        out[r["indicator_key"]] = (r["aggregation"], r["rationale"])
    return out


@dataclass(frozen=True)
class Share:
    percentage: str  # the percentage indicator's key
    count: str  # the key of the indicator whose figure (or note) states the cases it is a share of
    count_in: str  # "figure": the count indicator's own figure; "note": the count its note states
    rationale: str


@cache
def shares(directory: Path = CURATED_DIR) -> tuple[Share, ...]:
    """Which percentage is a share of which stated count (graph/curated/shares.csv), so that a percentage
    a whole number of those cases cannot give is found (shapes/rules/consistency.ttl)."""
    path = directory / "shares.csv"
    out = []
    for line, r in read_csv(path, ("percentage_key", "count_key", "count_in", "rationale")):
        if r["count_in"] not in ("figure", "note"):
            raise OutcomeGraphError(f"{path}:{line}: count_in {r['count_in']!r} is not 'figure' or 'note'")
        out.append(Share(r["percentage_key"], r["count_key"], r["count_in"], r["rationale"]))
    return tuple(out)


@cache
def same_indicators(directory: Path = CURATED_DIR) -> dict[str, tuple[str, str]]:
    """code as a report writes it -> (canonical code, rationale)."""
    rows = read_csv(directory / "same-indicator.csv", ("code", "same_as", "rationale"))
    return {r["code"]: (r["same_as"], r["rationale"]) for _, r in rows}


@cache
def councils(directory: Path = CURATED_DIR) -> dict[str, dict[str, str]]:
    rows = read_csv(directory / "councils.csv", ("council", "name", "geography"))
    return {r["council"]: r for _, r in rows}
