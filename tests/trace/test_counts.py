"""One count, one number: each count of queries/counts/ gives the same number, for both reports, in every
view that shows it — the count's own aggregate query, the trace graph's members, `gaps` (text and JSON),
the audit (JSON, HTML, CSV), the /gaps and /audit pages, the saved queries whose rows are a count's
members, the reported-totals saved query and the validation rule for stated totals — and those numbers
reconcile with the totals the reports state, except where a report contradicts its own tables."""

from __future__ import annotations

import json

import pytest
from markupsafe import escape

from outcome_graph.build import build_graph
from outcome_graph.cli import main
from outcome_graph.counts import by_total, load_counts, parse_count, year_label
from outcome_graph.saved_queries import get_query, run_query
from outcome_graph.trace.audit import SUMMARY_COUNTS, audit_tables, build_audit
from outcome_graph.trace.gaps import count_rows
from outcome_graph.validate import validate_graph
from outcome_graph.validate.shapes import load_shapes
from outcome_graph.validate.totals import OGSH, SH

OGR = "https://w3id.org/outcome-graph/id/midlothian/"
YEARS = ("2016-2017", "2020-2021")
# What each report states about itself (og:ReportedTotal), and what its own tables hold.
STATED = {
    ("2016-2017", "actions.total"): (10, 10),  # line 81: "Number of service & corporate priority actions 10"
    ("2016-2017", "actions.on_target_or_complete"): (10, 10),  # line 82
    ("2016-2017", "pis.on_target_or_complete"): (7, 19),  # line 85: "Number on tgt/ tgt achieved 7"
    ("2016-2017", "pis.total"): (9, 24),  # line 86: "Number of PI's 9"
    ("2016-2017", "pis.off_target"): (2, 5),  # line 85's note: "2 of 9 Performance measures ... off target"
    ("2016-2017", "risks.high"): (0, 0),  # line 87's note: "no risks reviewed as High"
    ("2020-2021", "risks.medium"): (4, 4),  # line 155: "4 Medium Risks"
    ("2020-2021", "risks.high"): (0, 0),  # line 155: "no High Risks"; line 228's note: "no high risks"
    ("2020-2021", "actions.total"): (23, 23),  # line 207
    ("2020-2021", "actions.on_target_or_complete"): (18, 17),  # line 208
    ("2020-2021", "pis.on_target_or_complete"): (
        30,
        22,
    ),  # line 221: "Number on tgt/complete or Data Only 30"
    ("2020-2021", "pis.total"): (32, 32),  # line 222: "Total number of PI's 32"
    ("2020-2021", "pis.off_target"): (2, 2),  # line 221's note: "Two PIs off target"
}


@pytest.fixture(scope="module")
def numbers(store):
    """{(count, year): n} from each count's own aggregate query, the reference every view must match."""
    out = {}
    for name, c in load_counts().items():
        got = {str(r["reportDoc"]): int(r["count"]) for r in store.select(c.aggregate()).rows}
        for year in YEARS:
            out[(name, year)] = got.get(f"{OGR}report/{year}", 0)
    return out


def test_the_issue_s_examples_are_one_number_each(numbers):
    # 2016/17 PIs on target or complete and PIs total: 17-19 and 21-24 by hash seed before; the saved
    # query said 19 and 24. 2020/21 off-target indicators: audit 2, saved query 7, /gaps 5 before.
    assert numbers[("pis-on-target-or-complete", "2016-2017")] == 19
    assert numbers[("pis-total", "2016-2017")] == 24
    assert numbers[("pis-off-target", "2020-2021")] == 2  # service-priority PIs (the audit's)
    assert numbers[("indicators-off-target", "2020-2021")] == 7  # every indicator set (the saved query's)


def test_every_count_is_the_same_in_the_trace_graph_gaps_and_audit(tg, numbers):
    for (name, year), n in numbers.items():
        assert len(tg.counts[name].get(f"{OGR}report/{year}", [])) == n, name
    rows = {(r["count"], r["report"]): r for r in count_rows(tg)}
    assert {k: r["value"] for k, r in rows.items()} == numbers
    for year in YEARS:
        a = build_audit(tg, year)
        said = {c["count"]: c["value"] for c in a["summary"]["counts"]}
        assert said == {name: numbers[(name, year)] for name in load_counts()}
        for group, figures in SUMMARY_COUNTS.items():
            for key, name in figures.items():
                assert a["summary"][group][key] == numbers[(name, year)], (year, group, key)
        # The audit's own sections agree: the PIs it lists, by the status it shows for each.
        shown = {i["iri"]: i for p in a["priorities"] for i in p["indicators"]}
        assert len(shown) == numbers[("pis-total", year)]
        for state, name in SUMMARY_COUNTS["indicators"].items():
            if state not in ("total", "no status"):
                assert sum(1 for i in shown.values() if i["status"] == state) == numbers[(name, year)]
        actions = [x for p in a["priorities"] for x in p["actions"]]
        assert len(actions) == numbers[("actions-total", year)]
        header, table = audit_tables(a)["summary"]
        assert header[:2] == ["what is counted", "count"]
        assert {(r[0], r[1]) for r in table} == {
            (load_counts()[name].says(year), numbers[(name, year)]) for name in load_counts()
        }


def test_every_count_is_the_same_in_the_cli_and_says_what_it_counts(store, store_dir, numbers, capsys):
    args = ["--store", str(store_dir)]
    assert main(["gaps", "--format", "json", *args]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {(r["count"], r["report"]): r["value"] for r in doc["record_counts"]} == numbers
    assert main(["gaps", *args]) == 0
    text = capsys.readouterr().out
    for (name, year), n in numbers.items():
        # "service-priority PIs whose 2020/21 annual figure is Off Target: 2 [pis-off-target]"
        assert f"  {load_counts()[name].says(year)}: {n} [{name}]\n" in text
    for year in YEARS:
        assert main(["audit", "--report", year, "--format", "json", "--no-validate", *args]) == 0
        a = json.loads(capsys.readouterr().out)
        assert {c["count"]: c["value"] for c in a["summary"]["counts"]} == {
            name: numbers[(name, year)] for name in load_counts()
        }


def test_every_count_is_the_same_on_the_pages(client, numbers):
    # each report's own gaps page lists its counts (the page of every report, the latest report's)
    seen = {}
    for year in YEARS:
        gaps = client.get(f"/gaps?report={year}&format=json").get_json()
        seen.update({(r["count"], r["report"]): r["value"] for r in gaps["record_counts"]})
    assert seen == numbers
    whole = client.get("/gaps?format=json").get_json()
    assert {(r["count"], r["report"]) for r in whole["record_counts"]} == {
        (n, YEARS[-1]) for n in load_counts()
    }
    for year in YEARS:
        page = client.get(f"/gaps?report={year}").get_data(as_text=True)
        a = client.get(f"/audit?report={year}&format=json&validate=0").get_json()
        assert {c["count"]: c["value"] for c in a["summary"]["counts"]} == {
            name: numbers[(name, year)] for name in load_counts()
        }
        audit_page = client.get(f"/audit?report={year}&validate=0").get_data(as_text=True)
        csv_text = client.get(f"/audit.csv?report={year}&table=summary&validate=0").get_data(as_text=True)
        for name, c in load_counts().items():
            n = numbers[(name, year)]
            cell = f"<td>{escape(c.says(year))}</td><td>{n}</td>"
            assert cell in page and cell in audit_page, (name, year)
            assert f"{c.says(year)},{n}," in csv_text or f'"{c.says(year)}",{n},' in csv_text


def test_a_saved_query_whose_rows_are_a_count_gives_that_count(store, numbers):
    q = get_query("off-target-indicators")
    for year in YEARS:
        rows = run_query(store, q, {"report": year}).rows
        indicators = {str(r["indicator"]) for r in rows}
        assert len(rows) == len(indicators) == numbers[("indicators-off-target", year)], year


def test_the_reported_totals_query_and_the_validation_rule_count_as_the_definitions(store, numbers):
    for r in run_query(store, get_query("reported-totals"), {}).rows:
        year, total = str(r["report"]).rsplit("/", 1)[-1], str(r["totalOf"])
        count = by_total(total)
        assert count is not None, f"no count defines {total}"
        assert int(r["counted"]) == numbers[(count.name, year)], (year, total)
        assert str(r["counts"]) == count.says(year), "the count file's own words"
    found = {
        (r.report, r.code): r
        for r in validate_graph(build_graph()).results
        if r.rule.startswith("reported ") and r.rule.endswith(" totals")
    }
    disagree = {k for k, (stated, counted) in STATED.items() if stated != counted}
    assert set(found) == disagree
    for (year, total), (stated, counted) in STATED.items():
        count = by_total(total)
        # The counts reconcile with the reports' own tables; where the report's stated total differs,
        # the rule says so, with the count's number and its words.
        assert numbers[(count.name, year)] == counted, (year, total)
        if (year, total) in found:
            message = found[(year, total)].message
            assert f"states {stated} for {total}" in message
            assert f"show{'s' if 'action' in total or 'risk' in total else ''} {counted} " in message
            assert f"({count.says(year)})" in message


def test_the_reported_totals_query_is_made_from_the_count_files():
    from outcome_graph.paths import QUERIES_DIR

    written = (QUERIES_DIR / "reported-totals.rq").read_text(encoding="utf-8")
    loaded = get_query("reported-totals").text
    stated = [c for c in load_counts().values() if c.total]
    for c in stated:
        # no pattern written twice: the file names no kind of record, the loaded query holds each count's
        assert f"queries/counts/{c.name}.rq" not in written and f"queries/counts/{c.name}.rq" in loaded
        assert f'?total og:totalOf "{c.total}"' in loaded
    assert "og:Action" not in written and "og:indicatorSet" not in written and "og:Risk" not in written
    assert loaded.count("UNION {") == len(stated)


def test_the_stated_total_rule_is_made_from_the_count_files():
    shapes = load_shapes()
    checked = {str(t) for t in shapes.objects(None, OGSH.countsTotal)}
    assert checked == {c.total for c in load_counts().values() if c.total}, "every total is checked once"
    selects = [str(s) for c in shapes.objects(None, SH.sparql) for s in shapes.objects(c, SH.select)]
    for c in load_counts().values():
        if c.total:
            [text] = [s for s in selects if f"queries/counts/{c.name}.rq" in s]
            assert c.body in text, "the rule's pattern is the count file's, word for word"


def test_a_count_file_must_say_what_it_counts(tmp_path):
    from outcome_graph.counts import CountDefinitionError

    query = "PREFIX og: <https://w3id.org/outcome-graph/def#>\nSELECT DISTINCT ?reportDoc ?item\nWHERE { }\n"
    with pytest.raises(CountDefinitionError, match=r"x\.rq:1: the header has no '# counts: \.\.\.' line"):
        parse_count("# title: X\n" + query, "x", tmp_path / "x.rq")
    with pytest.raises(CountDefinitionError, match="SELECT DISTINCT \\?reportDoc \\?item"):
        parse_count("# title: X\n# counts: things\nSELECT ?a WHERE { }\n", "x")
    with pytest.raises(CountDefinitionError, match=r"\?stated are the validation rule's own"):
        parse_count("# title: X\n# counts: t\n" + query.replace("{ }", "{ ?item og:value ?stated }"), "x")
    assert year_label("2020-2021") == "2020/21"


def test_gap_lists_and_claim_lists_are_their_counts_in_every_view(
    tg, store, store_dir, client, numbers, capsys
):
    from outcome_graph.trace.gaps import GAP_COUNTS, GAP_KINDS, find_gaps, gaps_dict
    from outcome_graph.trace.inspection import CLAIM_COUNTS

    for year in YEARS:
        want = {kind: numbers[(name, year)] for kind, name in GAP_COUNTS.items()}
        # the library, the CLI (JSON and text), the /gaps page (JSON and HTML)
        assert {k: n for k, n in gaps_dict(find_gaps(tg, year))["counts"].items() if k in want} == want
        assert main(["gaps", "--report", year, "--format", "json", "--store", str(store_dir)]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert {k: n for k, n in doc["counts"].items() if k in want} == want
        assert main(["gaps", "--report", year, "--store", str(store_dir)]) == 0
        text = capsys.readouterr().out
        page = client.get(f"/gaps?report={year}").get_data(as_text=True)
        assert {
            k: n
            for k, n in client.get(f"/gaps?report={year}&format=json").get_json()["counts"].items()
            if k in want
        } == want
        # the audit (JSON through the CLI and the page, HTML)
        assert (
            main(
                ["audit", "--report", year, "--format", "json", "--no-validate", *("--store", str(store_dir))]
            )
            == 0
        )
        a = json.loads(capsys.readouterr().out)
        shown = client.get(f"/audit?report={year}&format=json&validate=0").get_json()
        audit_page = client.get(f"/audit?report={year}&validate=0").get_data(as_text=True)
        for kind, n in want.items():
            title = GAP_KINDS[kind]
            assert title == load_counts()[GAP_COUNTS[kind]].title  # the heading is the count file's
            assert f"{title}: {n}\n" in text, (year, kind)
            assert f"<h2>{escape(title)} ({n})</h2>" in page, (year, kind)
            assert f"<h3>{escape(title)} ({n})</h3>" in audit_page, (year, kind)
            for doc in (a, shown):
                assert sum(1 for g in doc["gaps"] if g["kind"] == kind) == n, (year, kind)
        # claims: the section's numbers and list are the claim counts, each said in words
        for doc in (a, shown):
            i = doc["inspection"]
            assert {k: i["claim_counts"][k] for k in CLAIM_COUNTS} == {
                k: numbers[(name, year)] for k, name in CLAIM_COUNTS.items()
            }
            assert len(i["claims"]) == numbers[("claims-total", year)]
            for key, name in CLAIM_COUNTS.items():
                assert (
                    sum(c["verdict"] == key for c in i["claims"]) == numbers[(name, year)] or key == "total"
                )
        for name in CLAIM_COUNTS.values():
            c = load_counts()[name]
            assert f"<td>{escape(c.says(year))}</td><td>{numbers[(name, year)]}</td>" in audit_page
    # the two reports' claims: 45 in 2016/17 (29 agree, 3 disagree, 13 cannot be checked), 38 in 2020/21;
    # counts written as words are figures ("two young people in secure care", lines 33 and 111: agree)
    assert [numbers[(n, "2016-2017")] for n in CLAIM_COUNTS.values()] == [45, 29, 3, 13]
    assert [numbers[(n, "2020-2021")] for n in CLAIM_COUNTS.values()] == [38, 15, 3, 20]


def test_every_change_count_is_the_same_in_diff_and_the_audit(store, store_dir, client, capsys):
    """The changes from the 2016/17 report to the 2020/21 one (queries/changes/*.rq): the query's own
    members for the pair = `diff` text and JSON = the audit's "what changed" (CLI JSON, page JSON, HTML)."""
    from outcome_graph.counts import load_changes

    old, new = f"{OGR}report/2016-2017", f"{OGR}report/2020-2021"
    want = {}
    for name, c in load_changes().items():
        rows = store.select(c.text).rows
        want[name] = len(
            {
                str(r["item"]) + str(r.get("was", ""))
                for r in rows
                if (str(r["oldDoc"]), str(r["newDoc"])) == (old, new)
            }
        )
    # the lists shown are the members: new, dropped and carried-over actions, indicators, targets, ...
    assert main(["diff", "2016-2017", "2020-2021", "--format", "json", "--store", str(store_dir)]) == 0
    doc = json.loads(capsys.readouterr().out)
    shown = {
        "actions-carried-over": len(doc["actions"]["carried_over"]),
        "actions-new": len(doc["actions"]["new"]),
        "actions-dropped": len(doc["actions"]["dropped"]),
        "indicators-appeared": len(doc["indicators"]["appeared"]),
        "indicators-disappeared": len(doc["indicators"]["disappeared"]),
        "indicators-in-both": doc["indicators"]["in_both"],
        "targets-changed": len(doc["targets_changed"]),
        "figures-restated": len(doc["restated"]),
        "statuses-moved": len(doc["statuses_moved"]),
        "actions-continued": len(doc["actions"]["continued"]),
        "actions-suggested": len(doc["actions"]["suggested"]),
        "indicators-continued": len(doc["indicators"]["continued"]),
        "indicators-suggested": len(doc["indicators"]["suggested"]),
        "indicators-redefined": len(doc["redefined"]),
        "records-reworded": len(doc["reworded"]),
        "risks-carried-over": len(doc["risks"]["carried_over"]),
        "risks-continued": len(doc["risks"]["continued"]),
        "risks-suggested": len(doc["risks"]["suggested"]),
        "risks-new": len(doc["risks"]["new"]),
        "risks-dropped": len(doc["risks"]["dropped"]),
        "figures-rounded": len(doc["rounded"]),
        "ranks-moved": len(doc["ranks_moved"]),
    }
    assert shown == want
    assert {x["count"]: x["value"] for x in doc["counts"]} == want
    assert main(["diff", "2016-2017", "2020-2021", "--store", str(store_dir)]) == 0
    text = capsys.readouterr().out
    assert (
        main(
            ["audit", "--report", "2020-2021", "--format", "json", "--no-validate", "--store", str(store_dir)]
        )
        == 0
    )
    cli_audit = json.loads(capsys.readouterr().out)["changes"]
    page_audit = client.get("/audit?report=2020-2021&format=json&validate=0").get_json()["changes"]
    html = client.get("/audit?report=2020-2021&validate=0").get_data(as_text=True)
    for name, c in load_changes().items():
        words = c.says_change("2016-2017", "2020-2021")
        assert f" — {words}: {want[name]}\n" in text, name
        assert f"<td>{escape(words)}</td><td>{want[name]}</td>" in html, name
        for a in (cli_audit, page_audit):
            assert {x["count"]: x["value"] for x in a["counts"]}[name] == want[name]
    # the bundled pair: the 2020/21 plan renumbered every action, and one continues under a new code
    # (CS.S.02.03 -> CSPC.P.11.6, graph/curated/crosswalk.csv); 20 indicators in both reports; two of
    # the four status moves were changes of definition (PIs on target, audit actions), counted as such
    assert (want["actions-carried-over"], want["actions-continued"], want["actions-suggested"]) == (0, 1, 0)
    assert (want["actions-new"], want["actions-dropped"]) == (22, 9)
    assert (want["indicators-in-both"], want["targets-changed"], want["statuses-moved"]) == (20, 2, 2)
    assert (want["indicators-redefined"], want["records-reworded"], want["indicators-continued"]) == (8, 4, 7)
    # "Number of complaints complete at Stage 1" and "... Stage 2" are each the title of two uncoded
    # 2016/17 indicators: each record is listed, none folded into the other; 7 feeder figures reworded
    # or redefined continue their 2016/17 counterparts instead of counting as appeared and disappeared
    assert (want["indicators-appeared"], want["indicators-disappeared"]) == (41, 57)
    # rounding apart from restatement (CHN9 91% -> 91.25%), and the LGBF ranks that moved
    assert (want["figures-restated"], want["figures-rounded"], want["ranks-moved"]) == (12, 3, 2)
    assert (want["risks-new"], want["risks-continued"], want["risks-dropped"]) == (1, 3, 0)
