"""Claims of the real reports, read once per session."""

from __future__ import annotations

from functools import cache

import pytest

from outcome_graph.build.claims import comparisons
from outcome_graph.curate import aggregations
from outcome_graph.extract import extract_lines, extract_report, read_report_lines
from outcome_graph.extract.claims import claims_of
from outcome_graph.extract.claims_check import rows_of
from outcome_graph.extract.claims_compare import check_claims
from outcome_graph.extract.records import Observation
from outcome_graph.paths import REPORTS_DIR

R16 = REPORTS_DIR / "midlothian-childrens-services-2016-17.txt"
R20 = REPORTS_DIR / "midlothian-cspc-2020-21.txt"


@cache
def real():
    xs = [extract_report(R16), extract_report(R20)]
    claims = [c for x in xs for c in claims_of(x)]
    rows = {x.report.id: rows_of(x.of(Observation)) for x in xs}
    aggregation = {key: kind for key, (kind, _) in aggregations().items()}
    return claims, check_claims(claims, rows, comparisons(), aggregation=aggregation)


def changed(path, edits: dict[int, tuple[str, str]]):
    """The report at `path` with text replaced on the named lines (line: (old, new)); the old text must
    be there, so that a test never passes because its edit missed."""
    lines = read_report_lines(path)
    out = []
    for ln in lines:
        if ln.number in edits:
            old, new = edits[ln.number]
            assert old in ln.text, f"line {ln.number} has no {old!r}"
            ln = type(ln)(ln.number, ln.text.replace(old, new))
        out.append(ln)
    return extract_lines(out, str(path))


@pytest.fixture(scope="session")
def claims():
    return real()[0]


@pytest.fixture(scope="session")
def checks():
    return real()[1]


@pytest.fixture(scope="session")
def claim(claims):
    def get(report: str, line: int, n: int = 1):
        found = [c for c in claims if c.report == report and c.key == f"L{line}-{n}"]
        assert found, f"no claim {n} on line {line} of {report}"
        return found[0]

    return get
