"""benchmarks/synthetic.py: the real records under other councils and years, valid as the real graph is,
with the same warnings once per council (the scaling benchmark relies on it)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from outcome_graph.validate import validate_graph

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from synthetic import synthetic_extractions, synthetic_graph  # noqa: E402


def test_councils_and_years_are_parameters():
    xs = synthetic_extractions(2, years=2)
    assert sorted({x.report.council for x in xs}) == ["synthetic-001", "synthetic-002"]
    assert sorted({x.report.id for x in xs}) == ["2016-2017", "2020-2021", "2021-2022", "2025-2026"]
    moved = next(x for x in xs if x.report.id == "2025-2026")
    assert all(r.report == "2025-2026" for r in moved.records)
    assert all(r.excerpt.report == "2025-2026" for r in moved.records)


def test_two_synthetic_councils_validate_like_the_real_graph(real_summary):
    summary = validate_graph(synthetic_graph(2))
    assert summary.violations == 0
    real = Counter(r.rule for r in real_summary.results if r.severity == "Warning")
    assert Counter(r.rule for r in summary.results if r.severity == "Warning") == Counter(
        {rule: 2 * n for rule, n in real.items()}
    )
    assert {r.focus.split("/id/")[1].split("/")[0] for r in summary.results} == {
        "synthetic-001",
        "synthetic-002",
    }
