"""Consistency within a report, on both real reports (issue 18 part 3): quarters against the year for every
additive row of every table, and every LGBF rank against its quartile. The findings are compared with an
independent reading of the extracted cells, row by row, so a row the rules skip or misread fails here."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from outcome_graph.curate import aggregations
from outcome_graph.extract import extract_report
from outcome_graph.extract.records import Observation
from outcome_graph.namespaces import OG, observation_iri, segment
from outcome_graph.paths import REPORTS_DIR
from outcome_graph.validate import validate_graph

QUARTER_RULES = {
    "QuarterlyCount": "quarters against the year (counts per quarter)",
    "YearToDate": "quarters against the year (year to date)",
    "CountOverPeriod": "quarters against the year (count over the period)",
    "PooledProportion": "quarters against the year (percentage of the period's cases)",
}


@pytest.fixture(scope="module")
def extractions():
    return {x.report.id: x for x in (extract_report(p) for p in sorted(REPORTS_DIR.glob("*.txt")))}


def additive_rows(extractions):
    """(report, indicator key, aggregation, year cell, {quarter: cell}) for every row whose indicator is
    curated additive and that has a year figure and at least one quarter figure."""
    agg = aggregations()
    out = []
    for year, x in sorted(extractions.items()):
        cells: dict[str, dict] = {}
        for o in x.of(Observation):
            if o.period.year == year and o.value is not None:
                cells.setdefault(o.indicator, {})[o.period.quarter] = o
        for key, row in sorted(cells.items()):
            kind = agg.get(key, (None,))[0]
            quarters = {q: o for q, o in row.items() if q}
            if kind in QUARTER_RULES and None in row and quarters:
                out.append((year, key, kind, row[None], quarters))
    return out


def inconsistent(kind: str, year_cell, quarters: dict) -> bool:
    """The test's own reading of each aggregation (ontology/consistency.ttl's definitions)."""
    y, vs = year_cell.value, [quarters[q].value for q in sorted(quarters)]
    if kind == "QuarterlyCount":
        return sum(vs) != y if len(vs) == 4 else sum(vs) > y
    if kind == "YearToDate":
        falls = any(later < max(vs[:i]) for i, later in enumerate(vs) if i)
        return falls or y < max(vs) or (4 in quarters and quarters[4].value != y)
    if kind == "PooledProportion":  # within the year's rounding: half a unit of its last decimal
        raw = year_cell.raw.replace("%", "").strip()
        tol = Decimal(5) * Decimal(10) ** -((len(raw.split(".")[1]) if "." in raw else 0) + 1)
        zero = any(v > 0 for v in vs) and y == 0
        full = any(0 < v < 100 for v in vs) and y == 100
        return zero or full or (len(vs) == 4 and not min(vs) - tol <= y <= max(vs) + tol)
    return any(v > y for v in vs)  # CountOverPeriod


def test_every_additive_row_of_every_table_is_checked(extractions, real_summary):
    rows = additive_rows(extractions)
    # 23 rows: 2016/17 complaints received, BS.CS.02-04, .08, .10-13, M.G.CS.01.06a and the two complaints
    # percentages (lines 65, 67) (12); 2020/21 the six complaints counts per quarter (lines 244-248, 255),
    # the three complaints percentages (lines 252-254), CSPC.P.7.3a and CSPC.P.9.1a (11)
    assert {(r[0], r[2]) for r in rows} >= {
        ("2016-2017", "YearToDate"),
        ("2016-2017", "QuarterlyCount"),
        ("2016-2017", "CountOverPeriod"),
        ("2020-2021", "QuarterlyCount"),
    }
    assert len(rows) == 23
    expected = {
        (QUARTER_RULES[kind], str(observation_iri("midlothian", year, key, segment(year))))
        for year, key, kind, y, qs in rows
        if inconsistent(kind, y, qs)
    }
    found = {(r.rule, r.focus) for r in real_summary.results if r.rule in QUARTER_RULES.values()}
    assert found == expected
    assert len(found) == 6  # 2016/17 lines 171, 174; 2020/21 lines 245, 248, 254, 255


def test_each_finding_names_both_lines_and_both_figures(extractions, real_summary):
    texts = {
        year: (REPORTS_DIR / name).read_text(encoding="utf-8").split("\n")
        for year, name in (
            ("2016-2017", "midlothian-childrens-services-2016-17.txt"),
            ("2020-2021", "midlothian-cspc-2020-21.txt"),
        )
    }
    findings = [r for r in real_summary.results if r.rule in QUARTER_RULES.values()]
    assert findings
    for r in findings:
        [(line, year_raw)] = [
            (o.excerpt.first_line, o.raw)
            for o in extractions[r.report].of(Observation)
            if str(observation_iri("midlothian", r.report, o.indicator, segment(o.period.key))) == r.focus
        ]
        assert f"line {line}" in r.message and year_raw in r.message
        cells = texts[r.report][line - 1].split("\t")
        assert year_raw in cells  # the figure named is the report's own cell on that line


def test_the_complaints_closed_in_2020_21(real_summary):
    [r] = [
        r
        for r in real_summary.results
        if r.rule == QUARTER_RULES["QuarterlyCount"] and r.focus.endswith("complaints/closed/2020-2021")
    ]
    assert (r.report, r.line, r.severity) == ("2020-2021", 245, "Warning")
    assert "the quarters Q1 1 + Q2 7 + Q3 6 + Q4 6 add up to 20 (line 245)" in r.message
    assert "the year's figure is 22 (line 245)" in r.message


def test_every_row_with_quarters_has_an_aggregation(real_graph, real_summary):
    """No row with quarters and a year goes unclassified; take one away and the Info names it."""
    assert [r for r in real_summary.results if r.rule.startswith("aggregation known")] == []
    g = real_graph
    ind = next(s for s, o in g.subject_objects(OG.aggregation) if str(s).endswith("/complaints/not-upheld"))
    agg = g.value(ind, OG.aggregation)
    g.remove((ind, OG.aggregation, agg))
    try:
        infos = [r for r in validate_graph(g).results if r.rule.startswith("aggregation known")]
    finally:
        g.add((ind, OG.aggregation, agg))
    assert [r.focus for r in infos] == [str(ind)]
    assert "add it to graph/curated/aggregation.csv" in infos[0].message


def test_rank_against_quartile_on_every_lgbf_figure(extractions, real_summary):
    """Every LGBF figure with a rank and a quartile: a finding exactly where the quartile is not
    ceil(rank / 8) (32 councils); the reports have one, 2016/17 line 212."""
    checked, wrong = 0, set()
    for year, x in extractions.items():
        for o in x.of(Observation):
            if o.rank is not None and o.quartile is not None:
                checked += 1
                if math.ceil(Decimal(o.rank) / 8) != o.quartile:
                    wrong.add(str(observation_iri("midlothian", year, o.indicator, segment(o.period.key))))
    assert checked == 36  # 2016/17 lines 211-213: 3 × 2 years; 2020/21 lines 450-454: 5 × 6 years
    found = [r for r in real_summary.results if r.rule == "rank against quartile"]
    assert {r.focus for r in found} == wrong
    [r] = found
    assert (r.report, r.line) == ("2016-2017", 212)
    assert (
        "rank 24 and the bottom quartile (line 212)" in r.message
        and "third quartile (ranks 17-24)" in r.message
    )
