"""Making validation fast must not change what it finds. Every finding (rule, severity, record, code,
report, line, value, message, path) on the two bundled reports and on deterministic mutations of them
(every 7th, 11th or 5th figure changed, which trips the arithmetic, totals, shares, ranges and status
rules: 8 graphs, 299 findings) is compared with the findings recorded in golden/results.json before the
speed-ups of issue 17 part 3 (main at eff8c0c): the memoised SPARQL check in validate/engine.py and the
candidates-first PercentageOfAStatedCount in shapes/rules/consistency.ttl.

A deliberate change to a rule changes this file: write it again with
`python tests/validate/test_same_results.py --write` and review the diff of golden/results.json.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from outcome_graph.build import build_from_extractions
from outcome_graph.extract import extract_report
from outcome_graph.paths import REPORTS_DIR
from outcome_graph.validate import validate_graph

GOLDEN = Path(__file__).parent / "golden" / "results.json"
MUTATIONS = ((7, 1), (11, -1), (5, 3))  # (every nth figure, changed by)
FIGURE = re.compile(r"(?<![\w.\-/])\d{1,4}(?:\.\d+)?(?![\w\-/])")


def mutate(text: str, every: int, delta: int) -> str:
    """Every `every`-th figure of the report changed by `delta`; years (19xx, 20xx) and the LGBF table's
    header of years are left alone, so the report still reads."""
    n = 0

    def change(m: re.Match) -> str:
        nonlocal n
        n += 1
        s = m.group(0)
        if n % every or (len(s) == 4 and s.startswith(("19", "20"))):
            return s
        whole, _, decimals = s.partition(".")
        return f"{int(whole) + delta}" + (f".{decimals}" if decimals else "")

    return "\n".join(
        line if line.startswith("Code\t") else FIGURE.sub(change, line) for line in text.split("\n")
    )


def variants(folder: Path) -> list[tuple[str, Path]]:
    out = []
    for report in sorted(REPORTS_DIR.glob("*.txt")):
        out.append((report.name, report))
        text = report.read_text(encoding="utf-8")
        for every, delta in MUTATIONS:
            path = folder / f"{report.stem}-every{every}{delta:+d}.txt"
            path.write_text(mutate(text, every, delta), encoding="utf-8")
            out.append((path.name, path))
    return out


def findings(path: Path) -> list[dict]:
    summary = validate_graph(build_from_extractions([extract_report(path)]).graph)
    return sorted((r.as_dict() for r in summary.results), key=lambda d: json.dumps(d, sort_keys=True))


@pytest.fixture(scope="module")
def golden() -> dict[str, list[dict]]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_the_golden_file_has_findings_of_every_kind(golden):
    # the comparison below is only as strong as what the mutations trip
    results = [r for rs in golden.values() for r in rs]
    assert len(golden) == 8
    assert sum(r["severity"] == "Violation" for r in results) >= 50
    rules = {r["rule"] for r in results}
    for rule in (
        "percentage against the count it is a share of",
        "reported PI totals",
        "feeder arithmetic",
        "status against target",
        "quarters against the year (counts per quarter)",
    ):
        assert rule in rules


def test_every_finding_is_the_one_found_before(golden, tmp_path):
    for name, path in variants(tmp_path):
        assert findings(path) == golden[name], name


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/validate/test_same_results.py --write")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        found = {name: findings(path) for name, path in variants(Path(tmp))}
    GOLDEN.parent.mkdir(exist_ok=True)
    text = json.dumps(found, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    GOLDEN.write_text(text, encoding="utf-8")
    print(f"{GOLDEN}: {sum(map(len, found.values()))} findings of {len(found)} graphs")
