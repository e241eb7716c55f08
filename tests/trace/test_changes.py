"""`outcome-graph diff` and the audit's "what changed" section: on the two bundled reports, and on a copy
of the 2020/21 report moved on a year with a few cells changed (made here from the real file)."""

from __future__ import annotations

import json
import re

import pytest

from outcome_graph.cli import main
from outcome_graph.paths import REPORTS_DIR

R20 = REPORTS_DIR / "midlothian-cspc-2020-21.txt"
R16 = REPORTS_DIR / "midlothian-childrens-services-2016-17.txt"
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
    # CSPC.P.9.3 has CSPC.P.9.1's words under a new code: not "new" but a possible continuation, scored
    assert a["new"] == [] and a["continued"] == []
    [s] = a["suggested"]
    old, new = s["2020-2021"], s["2021-2022"]
    assert (old["code"], old["lines"], new["code"], new["progress"], new["status"], new["lines"]) == (
        "CSPC.P.9.1",
        "312",
        "CSPC.P.9.3",
        "100",
        "Complete",
        "312",
    )
    assert (float(s["score"]), float(s["threshold"]), s["basis"]) == (100.0, 65.0, "TextSimilarity")
    [dropped] = a["dropped"]
    # a dropped action with its last progress and status, from the old report's line
    assert (dropped["code"], dropped["progress"], dropped["status"], dropped["lines"]) == (
        "CSPC.P.9.2",
        "0",
        "NotAvailable",
        "313",
    )
    # the register is carried over under its codes, each entry with its score in both reports
    risks = {
        x["2021-2022"]["code"]: (x["2020-2021"]["score"], x["2021-2022"]["score"])
        for x in changes["risks"]["carried_over"]
    }
    assert risks == {
        "C.RR.01-09": (9, 9),
        "C.RR.01-10": (9, 9),
        "C.RR.01-23": (12, 12),
        "C.RR.01-25": (12, 12),
    }
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
    from outcome_graph.trace.source import load

    c = compare_reports(load(store), "2016-2017", "2020-2021", store)
    a = c["actions"]
    assert a["carried_over"] == []  # the 2020/21 plan renumbered every action (CSPC.P.*)
    # ... but CS.S.02.03 (line 107, the champions board) continues as CSPC.P.11.6 (line 331), curated
    [x] = a["continued"]
    assert (x["2016-2017"]["code"], x["2016-2017"]["lines"], x["2016-2017"]["status"]) == (
        "CS.S.02.03",
        "107",
        "Complete",
    )
    assert (x["2020-2021"]["code"], x["2020-2021"]["lines"], x["kind"], x["basis"]) == (
        "CSPC.P.11.6",
        "331",
        "Continues",
        "Curation",
    )
    assert "champions board" in x["rationale"]
    assert a["suggested"] == [] and len(a["dropped"]) == 9 and len(a["new"]) == 22
    # feeder figures reworded or redefined continue their 2016/17 counterparts instead of appearing anew
    ind = c["indicators"]
    cont = {x["2020-2021"]["title"]: (x["2016-2017"]["title"], x["kind"]) for x in ind["continued"]}
    assert cont["Number of days lost"] == ("Number of days lost (cumulative)", "Renamed")
    assert cont["Number on tgt/complete or Data Only"] == ("Number on tgt/ tgt achieved", "Redefined")
    titles = {x["title"] for x in ind["appeared"] + ind["disappeared"]}
    assert not titles & {"Number of days lost", "Number of days lost (cumulative)"}
    # a change of definition is reported as one, with both statuses, and is not a status move
    redefined = {x["2020-2021"]["iri"].rsplit("/indicator/", 1)[1]: x for x in c["redefined"]}
    pis = redefined["corporate/pis-on-target"]
    assert (pis["2016-2017"]["status"], pis["2020-2021"]["status"], pis["2020-2021"]["lines"]) == (
        "OffTarget",
        "OnTarget",
        "221-222",
    )
    assert "does not include Corporate Pls" in pis["new_wording"]
    moved = {x["title"] for x in c["statuses_moved"]}
    assert not any("PIs that are on target" in t or "audit actions" in t for t in moved)
    assert "% of service priority Actions on target / completed, of the total number" in moved
    # risks: 2016/17 kept no register; its narrative named two of the 2020/21 register's risks
    r = c["risks"]
    assert r["carried_over"] == [] and r["dropped"] == []
    assert [x["code"] for x in r["new"]] == ["C.RR.01-23"]
    continued = {
        x["2020-2021"]["code"]: (x["2016-2017"]["kind"], x["2016-2017"]["lines"]) for x in r["continued"]
    }
    assert continued == {
        "C.RR.01-09": ("excerpt", "47"),
        "C.RR.01-10": ("excerpt", "53"),
        "C.RR.01-25": ("excerpt", "47"),
    }
    # rounding is not a restatement: CHN9 2012/13 is 91% (line 213) then 91.25% (line 452)
    rounded = {(x["code"], x["period"]): x for x in c["rounded"]}
    assert set(rounded) == {("CHN9", "2012/13"), ("CHN9", "2013/14"), ("CHN9", "2014/15")}
    x = rounded[("CHN9", "2012/13")]
    assert (
        x["2016-2017"]["value"],
        x["2016-2017"]["lines"],
        x["2020-2021"]["value"],
        x["2020-2021"]["lines"],
    ) == (
        "91%",
        "213",
        "91.25%",
        "452",
    )
    assert not {(y["code"], y["period"]) for y in c["restated"]} & set(rounded)
    # ranks moved for the same year between the reports (lines 212/451, 213/452)
    ranks = {
        (x["code"], x["period"]): (x["2016-2017"]["rank"], x["2020-2021"]["rank"]) for x in c["ranks_moved"]
    }
    assert ranks == {("CHN8b", "2014/15"): (24, 23), ("CHN9", "2015/16"): (18, 15)}
    restated = {(x["code"], x["period"]): x for x in c["restated"]}
    x = restated[("CHN8a", "2015/16")]
    assert (x["2016-2017"]["value"], x["2016-2017"]["lines"]) == ("£2,951.54", "211")
    assert (x["2020-2021"]["value"], x["2020-2021"]["lines"]) == ("£3,225.80", "450")
    targets = {x["title"]: x for x in c["targets_changed"]}
    sick = targets["Average number of working days lost due to sickness absence (cumulative)"]
    assert (sick["2016-2017"]["target"], sick["2020-2021"]["target"]) == ("8.5", "9")
    # for people, in the unit the title gives (og:WorkingDay): lines 76 and 200
    assert (sick["2016-2017"]["target_label"], sick["2020-2021"]["target_label"]) == ("8.5 days", "9 days")


def test_diff_text_and_errors(capsys, next_year):
    assert main(["diff", str(R20), str(next_year)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Changes from the 2020/21 report to the 2021/22 report")
    assert (
        "CSPC.P.9.2 Develop new learning activities" in out and "0%, Not Available (line 313)" in out
    )  # labels from the vocabulary
    assert "action CSPC.P.2.1: Off Target -> Complete" in out
    assert "possible continuation (suggested, score 100" in out
    assert main(["diff", str(R20), str(R20)]) == 1
    assert "both reports for 2020-2021" in capsys.readouterr().err
    assert main(["diff", str(R20), str(next_year.with_name("missing.txt"))]) == 1
    assert "missing.txt: no such report file" in capsys.readouterr().err


def test_the_crosswalk_holds_for_a_later_report_that_carries_the_codes_over(next_year):
    """A crosswalk row from 2016/17 to 2020/21 also holds from 2016/17 to a later report that keeps the
    2020/21 codes (O <= old < N <= new): the champions board action continues, the PI definition still
    differs from 2016/17's, and the narrative risks of 2016/17 still continue in the register."""
    from outcome_graph.build import build, to_ntriples
    from outcome_graph.trace.changes import compare_reports
    from outcome_graph.trace.source import load
    from outcome_graph.trace.store import MemoryStore

    store = MemoryStore(to_ntriples(build([R16, next_year]).graph), name="memory:2016+2021")
    c = compare_reports(load(store), "2016-2017", "2021-2022", store)
    [x] = c["actions"]["continued"]
    assert (x["2016-2017"]["code"], x["2021-2022"]["code"], x["kind"]) == (
        "CS.S.02.03",
        "CSPC.P.11.6",
        "Continues",
    )
    assert "corporate/pis-on-target" in {
        x["2021-2022"]["iri"].rsplit("/indicator/", 1)[1] for x in c["redefined"]
    }
    assert not any("PIs that are on target" in (x["title"] or "") for x in c["statuses_moved"])
    assert {x["2021-2022"]["code"] for x in c["risks"]["continued"]} == {
        "C.RR.01-09",
        "C.RR.01-10",
        "C.RR.01-25",
    }
