"""Issue 9, part 3: for every table row of both reports, every mutant that deletes one cell or inserts one
empty cell either yields exactly the original values (losing some, never changing any) or names its
line; never a changed value in silence. The harness and its rules are in mutants.py; `pytest -s` prints
the tally (also `python tests/extract/mutants.py`). Every row and every cell position is tried
(identical mutant lines, from deleting one of a run of empty cells, are tried once)."""

from __future__ import annotations

from collections import Counter

import pytest

from outcome_graph.extract import extract_report
from outcome_graph.extract.sections import Line
from outcome_graph.paths import REPORTS_DIR

from .mutants import REPORTS, run, table_rows, tally

ALLOWED = {"kept out, named", "read by form, named", "read whole"}


@pytest.mark.parametrize("name", REPORTS)
def test_no_mutant_of_a_table_row_changes_a_value_in_silence(name):
    outcomes = run(name)
    print(f"\n{name}: {tally(outcomes)}")
    bad = [o for o in outcomes if o.ending not in ALLOWED]
    assert not bad, "\n".join(
        f"line {o.mutant.line} {o.mutant.kind} cell {o.mutant.position}: {o.ending}: {o.detail}"
        for o in bad[:10]
    )
    # Every table row was mutated, at every cell position, both ways.
    x = extract_report(REPORTS_DIR / name)
    text = (REPORTS_DIR / name).read_text(encoding="utf-8").split("\n")
    lines = [Line(i + 1, t) for i, t in enumerate(text)]
    rows = table_rows(x, lines)
    assert sorted({o.mutant.line for o in outcomes}) == rows and len(rows) > 80
    tried = Counter((o.mutant.line, o.mutant.kind) for o in outcomes)
    for n in rows:
        cells = lines[n - 1].text.split("\t")
        distinct_deletions = {"\t".join(cells[:i] + cells[i + 1 :]) for i in range(len(cells))}
        assert tried[(n, "delete")] == len(distinct_deletions)
