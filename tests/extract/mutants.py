"""Mutation check of the column rule over the real reports (issue 9, part 3).

For every table row of a report, each mutant deletes one cell or inserts one empty cell; the mutated
report is extracted and compared with the original. A mutant ends one of three ways:

- "kept out, named": the mutated line is named (listed as not understood, recorded as a problem, or
  given a warning the original did not have), and every value the extraction still yields is the
  original's: values may be lost (a record kept out, a field now empty, a code that can no longer be
  derived from its neighbours), never changed - except that where the report states a cell twice
  (the 2016/17 scorecard restates LGBF and PI figures), the other line's statement stands when the
  mutated line's is kept out, citing its own line;
- "read by form, named": as above, but the row was read, each cell placed by its form (the action
  table's codes, dates, percentages and status notes) and the line named by a warning;
- "read whole": the line is not named and every value is the original's, except the figure of the cell
  the mutant deleted, if any;
- "changed": a value differs from the original's or a record appears that the original does not have;
  or, unnamed, a value is lost. That is the failure the rule exists to prevent; a named mutant that
  changes a value is reported as "named, changed", an unnamed one as "SILENT".

Table rows are the lines of the table sections with two or more cells that are not headings or headers
(a one-cell line in a table section is a heading above a table).

Extraction is pure: only the section holding the mutated line is parsed again (the others' results are
memoised). Run it as a script for the tally: `python tests/extract/mutants.py`.
"""

from __future__ import annotations

import functools
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from outcome_graph.extract import _read, extract_lines, parse_section
from outcome_graph.extract.records import (
    Action,
    Extraction,
    Indicator,
    Narrative,
    Observation,
    Priority,
    ReportedTotal,
    Risk,
)
from outcome_graph.extract.sections import Line, split_sections
from outcome_graph.paths import REPORTS_DIR

TABLE_KINDS = ("indicators", "complaints", "actions", "service_pis", "scorecard", "risks", "benchmarks")
REPORTS = ("midlothian-childrens-services-2016-17.txt", "midlothian-cspc-2020-21.txt")

parse = functools.lru_cache(maxsize=None)(parse_section)


@dataclass(frozen=True)
class Mutant:
    line: int
    kind: str  # "delete" or "insert"
    position: int  # 0-based cell index
    text: str  # the mutated line
    deleted: str | None  # the cell a deletion removed


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    ending: str  # "kept out, named" | "read by form, named" | "read whole" | "named, changed" | "SILENT"
    detail: str = ""


def values(x: Extraction) -> dict[tuple, tuple]:
    """What the extraction says, record by record, without excerpt texts (a mutated line's text differs
    by construction). A record whose code was derived from its neighbours is keyed by its line, as it
    would be without the code, so that a code no longer derivable shows as a loss, not a new record."""
    out: dict[tuple, tuple] = {}
    derived = {r.key: f"{r.report}/L{r.excerpt.first_line}" for r in x.of(Indicator) if r.code_derived}
    for r in x.records:
        if isinstance(r, Observation):
            k = ("observation", derived.get(r.indicator, r.indicator), r.period.key)
            v = (r.raw, r.value, r.unit, r.status, r.note, r.target, r.target_raw, r.rank, r.quartile)
            v += (r.placement, r.excerpt.first_line)
        elif isinstance(r, Indicator):
            k = ("indicator", derived.get(r.key, r.key), r.indicator_set, r.excerpt.first_line)
            v = (r.title, r.code, r.code_derived, r.group, r.feeds, r.benchmark, r.priority, r.alt_codes)
        elif isinstance(r, Action):
            k = ("action", r.excerpt.first_line)
            v = (r.code, r.code_derived, r.priority, r.title, r.due_date, r.progress, r.status, r.note)
        elif isinstance(r, Priority):
            k, v = ("priority", r.code), (r.title,)
        elif isinstance(r, Risk):
            k = ("risk", r.code)
            v = (r.title, r.score, r.identification, r.control_measures, r.evaluation)
            v += (r.related_action, r.latest_note, r.matrix)
        elif isinstance(r, ReportedTotal):
            k, v = ("total", r.name), (r.value,)
        elif isinstance(r, Narrative):
            k, v = ("narrative", r.excerpt.first_line), (r.heading,)
        else:  # pragma: no cover - a new record kind must be compared too
            raise TypeError(type(r))
        out[k] = v
    return out


def table_rows(x: Extraction, lines: list[Line]) -> list[int]:
    """The rows of every table: non-blank lines of the table sections that are not headings or headers."""
    rows = []
    for section in split_sections(lines):
        if section.kind in TABLE_KINDS:
            rows += [
                ln.number for ln in section.nonblank() if ln.number not in x.structural and len(ln.cells) >= 2
            ]
    return rows


def mutants_of(line: Line) -> Iterator[Mutant]:
    cells = line.text.split("\t")
    for i in range(len(cells)):
        yield Mutant(line.number, "delete", i, "\t".join(cells[:i] + cells[i + 1 :]), cells[i].strip())
    for i in range(len(cells) + 1):
        yield Mutant(line.number, "insert", i, "\t".join([*cells[:i], "", *cells[i:]]), None)


def judge(mutant: Mutant, original: Extraction, before: dict[tuple, tuple], x: Extraction) -> Outcome:
    after = values(x)
    changed = sorted(k for k in before.keys() & after.keys() if not _only_lost(before[k], after[k]))
    new = sorted(after.keys() - before.keys())
    missing = sorted(before.keys() - after.keys())
    missing += [k for k in before.keys() & after.keys() if before[k] != after[k] and k not in changed]
    old_warnings = {(w.line, w.reason) for w in original.warnings}
    named = (
        any(u.line == mutant.line for u in x.unplaced)
        or any(p.line == mutant.line for p in x.problems)
        or any(w.line == mutant.line and (w.line, w.reason) not in old_warnings for w in x.warnings)
    )
    # A figure the report states twice (the scorecard restates LGBF and service-priority figures): with the
    # statement kept out (the mutated row's, or a neighbour's kept out with it), the other line's
    # statement of the same cell stands, citing its own line.
    listed = {u.line for u in x.unplaced}
    restated = [
        k for k in changed if k[0] == "observation" and before[k][-1] in listed and after[k][-1] not in listed
    ]
    changed = [k for k in changed if k not in restated]
    if not changed and not new:
        if named and any(u.line == mutant.line for u in x.unplaced):
            return Outcome(mutant, "kept out, named")
        if named:
            return Outcome(mutant, "read by form, named")
        # Unnamed: only the deleted cell's own record may be gone (an empty cell deleted: nothing).
        gone = [k for k in missing if not _held_by(k, before, mutant)]
        if not gone:
            return Outcome(mutant, "read whole")
        return Outcome(mutant, "SILENT", f"missing {gone[:3]}")
    detail = f"changed {[(k, before[k], after[k]) for k in changed[:2]]} new {new[:2]}"
    return Outcome(mutant, "named, changed" if named else "SILENT", detail)


def _only_lost(before: tuple, after: tuple) -> bool:
    """Every field that differs is now empty: the value was lost, not changed."""
    return all(a == b or b in (None, False, ()) for a, b in zip(before, after, strict=True))


def _held_by(key: tuple, before: dict[tuple, tuple], mutant: Mutant) -> bool:
    return mutant.kind == "delete" and key[0] == "observation" and before[key][0] == mutant.deleted


def run(name: str) -> list[Outcome]:
    path = REPORTS_DIR / name
    lines, ended = _read(path)
    original = extract_lines(lines, str(path), last_line_ended=ended, parse=parse)
    before = values(original)
    outcomes = []
    for number in table_rows(original, lines):
        seen: set[str] = set()
        for m in mutants_of(lines[number - 1]):
            if m.text in seen:  # deleting any one of a run of empty cells gives the same line
                continue
            seen.add(m.text)
            mutated = [*lines[: number - 1], Line(number, m.text), *lines[number:]]
            x = extract_lines(mutated, str(path), last_line_ended=ended, parse=parse)
            outcomes.append(judge(m, original, before, x))
    return outcomes


def tally(outcomes: list[Outcome]) -> str:
    counts = Counter(o.ending for o in outcomes)
    kinds = Counter((o.mutant.kind, o.ending) for o in outcomes)
    rows = len({o.mutant.line for o in outcomes})
    parts = [f"{len(outcomes)} distinct mutants of {rows} table rows"]
    parts += [f"{n} {ending}" for ending, n in sorted(counts.items())]
    by_kind = ", ".join(f"{kind} {ending}: {n}" for (kind, ending), n in sorted(kinds.items()))
    return "; ".join(parts) + f" ({by_kind})"


def main() -> int:
    bad = 0
    for name in REPORTS:
        outcomes = run(name)
        print(f"{name}: {tally(outcomes)}")
        for o in outcomes:
            if o.ending in ("SILENT", "named, changed"):
                m = o.mutant
                print(f"  line {m.line} {m.kind} cell {m.position}: {o.ending}: {o.detail}")
                bad += o.ending == "SILENT"
    return 1 if bad else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    sys.exit(main())
