"""`outcome-graph diff` and the audit's "what changed" section: on the two bundled reports, and on a copy
of the 2020/21 report moved on a year with a few cells changed (made here from the real file)."""

from __future__ import annotations

import json
import re

import pytest

from outcome_graph.cli import main
from outcome_graph.paths import REPORTS_DIR

R20 = REPORTS_DIR / "midlothian-cspc-2020-21.txt"
LGBF_FROM = 443  # the LGBF table keeps its own year columns


def _next(a: str, b: str) -> tuple[str, str] | None:
    x, y = int(a[-2:]), int(b[-2:])
    if (x + 1) % 100 != y:
        return None
    return str(int(a) + 1).zfill(len(a)), str(int(b) + 1).zfill(len(b))


def move_on(line: str) -> str:
    """Every government year a year later: 2020/21, 2020/ 21, 20/21, 2021/2022, and due dates."""

    def pair(m: re.Match) -> str:
        moved = _next(m["a"], m["b"])
        return m[0] if moved is None else f"{moved[0]}{m['sep']}{moved[1]}"

    line = re.sub(r"(?<![\d/])(?P<a>(?:20)?\d\d)(?P<sep>\s*/\s*)(?P<b>(?:20)?\d\d)(?![\d/])", pair, line)
    return re.sub(r"(-[A-Z][a-z]{2}-)(20\d\d)", lambda m: f"{m[1]}{int(m[2]) + 1}", line)


def edit(lines: list[str], number: int, old: str, new: str) -> None:
    assert old in lines[number - 1], (number, old, lines[number - 1])
    lines[number - 1] = lines[number - 1].replace(old, new, 1)


@pytest.fixture(scope="module")
def next_year(tmp_path_factory):
    lines = R20.read_text(encoding="utf-8").split("\n")
    moved = [move_on(t) if i + 1 < LGBF_FROM else t for i, t in enumerate(lines)]
    assert moved[0].endswith("Annual Performance Report 2021/22")
    edit(moved, 269, "80%\t21/22: Off Target", "100%\t21/22: Complete")  # CSPC.P.2.1 done
    edit(moved, 312, "CSPC.P.9.1\t", "CSPC.P.9.3\t")  # a new action in place of CSPC.P.9.1
    moved[312] = ""  # CSPC.P.9.2 (line 313) dropped
    edit(moved, 374, "offer\t100%", "offer\t95%")  # CSPC.P.4.1b's annual target lowered
    edit(moved, 253, "75%\t", "92.9%\t")  # stage 2 complaints: 2020/21 as the 2020/21 report says
    path = tmp_path_factory.mktemp("next") / "midlothian-cspc-2021-22.txt"
    path.write_text("\n".join(moved), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def changes(next_year):
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["diff", str(R20), str(next_year), "--format", "json"]) == 0
    return json.loads(out.getvalue())


def test_a_year_moved_on(changes):
    assert (changes["old"], changes["new"]) == ("2020-2021", "2021-2022")
    a = changes["actions"]
    assert len(a["carried_over"]) == 21  # 23 actions less the renamed and the dropped one
    [new] = a["new"]
    assert (new["code"], new["progress"], new["status"], new["lines"]) == (
        "CSPC.P.9.3",
        "100",
        "Complete",
        "312",
    )
    dropped = {x["code"]: x for x in a["dropped"]}
    assert set(dropped) == {"CSPC.P.9.1", "CSPC.P.9.2"}
    # a dropped action with its last progress and status, from the old report's line
    assert (
        dropped["CSPC.P.9.2"]["progress"],
        dropped["CSPC.P.9.2"]["status"],
        dropped["CSPC.P.9.2"]["lines"],
    ) == (
        "0",
        "NotAvailable",
        "313",
    )
    carried = {x["code"]: x for x in a["carried_over"]}
    assert carried["CSPC.P.2.1"]["2020-2021"]["progress"] == "80"
    assert carried["CSPC.P.2.1"]["2021-2022"]["progress"] == "100"


def test_statuses_and_targets(changes):
    moved = {(x["kind"], x["code"]): (x["2020-2021"], x["2021-2022"]) for x in changes["statuses_moved"]}
    assert moved[("action", "CSPC.P.2.1")] == ("OffTarget", "Complete")
    targets = {x["code"]: x for x in changes["targets_changed"]}
    assert list(targets) == ["CSPC.P.4.1b"]
    t = targets["CSPC.P.4.1b"]
    assert (t["2020-2021"]["target"], t["2021-2022"]["target"], t["2021-2022"]["lines"]) == (
        "100",
        "95",
        "374",
    )


def test_figures_restated_quote_both_lines(changes):
    restated = {(x["code"] or x["title"], x["period"]): x for x in changes["restated"]}
    # the copy's "previous year" column holds what the real report gave for 2019/20
    x = restated[("Percentage of complaints at stage 1 complete within 5 working days", "2020/21")]
    assert (x["2020-2021"]["value"], x["2021-2022"]["value"]) == ("83.3%", "71.43%")
    assert x["2020-2021"]["lines"] == x["2021-2022"]["lines"] == "252"
    assert "5 out of 6 Stage 1 Complaints" in x["2020-2021"]["text"]
    # the cell made to agree is not a restatement
    assert ("Percentage of complaints at stage 2 complete within 20 working days", "2020/21") not in restated
    # every restatement is the same indicator and period with two different figures, both quoted
    for x in changes["restated"]:
        assert x["2020-2021"]["value"] != x["2021-2022"]["value"]
        assert x["2020-2021"]["text"] and x["2021-2022"]["text"]


def test_indicators_unchanged_set(changes):
    assert changes["indicators"]["appeared"] == [] and changes["indicators"]["disappeared"] == []


def test_the_bundled_reports_four_years_apart(store):
    from outcome_graph.trace.changes import compare_reports
    from outcome_graph.trace.graph import load

    c = compare_reports(load(store), "2016-2017", "2020-2021", store)
    assert c["actions"]["carried_over"] == []  # the 2020/21 plan renumbered every action (CSPC.P.*)
    assert len(c["actions"]["dropped"]) == 10 and len(c["actions"]["new"]) == 23
    restated = {(x["code"], x["period"]): x for x in c["restated"]}
    x = restated[("CHN8a", "2015/16")]
    assert (x["2016-2017"]["value"], x["2016-2017"]["lines"]) == ("£2,951.54", "211")
    assert (x["2020-2021"]["value"], x["2020-2021"]["lines"]) == ("£3,225.80", "450")
    targets = {x["title"]: x for x in c["targets_changed"]}
    sick = targets["Average number of working days lost due to sickness absence (cumulative)"]
    assert (sick["2016-2017"]["target"], sick["2020-2021"]["target"]) == ("8.5", "9")


def test_diff_text_and_errors(capsys, next_year):
    assert main(["diff", str(R20), str(next_year)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Changes from the 2020/21 report to the 2021/22 report")
    assert (
        "CSPC.P.9.2 Develop new learning activities" in out and "0%, Not Available (line 313)" in out
    )  # labels from the vocabulary
    assert "action CSPC.P.2.1: Off Target -> Complete" in out
    assert main(["diff", str(R20), str(R20)]) == 1
    assert "both reports for 2020-2021" in capsys.readouterr().err
    assert main(["diff", str(R20), str(next_year.with_name("missing.txt"))]) == 1
    assert "missing.txt: no such report file" in capsys.readouterr().err
