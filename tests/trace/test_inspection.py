"""The audit's sections by key question and by duty, on the 2020/21 report: what is evidenced and
what is a gap, each item with its line and basis."""

from __future__ import annotations

import pytest

from outcome_graph.trace.audit import audit_tables, build_audit
from outcome_graph.trace.inspection import CURATED, FIGURE, WORDS


@pytest.fixture(scope="module")
def audit(tg, store):
    return build_audit(tg, "2020-2021", store=store)


@pytest.fixture(scope="module")
def insp(audit):
    return audit["inspection"]


def by(items, key):
    return {x[key]: x for x in items}


def test_five_key_questions_in_order(insp):
    assert [q["notation"] for q in insp["key_questions"]] == ["KQ1", "KQ2", "KQ3", "KQ4", "KQ5"]
    assert insp["key_questions"][0]["label"] == "Recognising and responding when children need protection"
    assert "graph/curated/inspection-map.csv" in insp["mapping"]


def test_kq1_protection_2020_21(insp):
    kq1 = insp["key_questions"][0]
    # CSPC.P.2.2, the Safe & Together child protection case conferences, 60% and off target (line 270)
    [a] = kq1["actions"]
    assert (a["code"], a["progress"], a["status"], a["lines"][0]["lines"]) == (
        "CSPC.P.2.2",
        "60",
        "OffTarget",
        "270",
    )
    assert a["basis"] == CURATED and "case conferences" in a["rationale"]
    assert a["status_label"] == "Off Target"  # the vocabulary's label, not the concept's name
    # CHN22, re-registrations: latest figure 3.13% for 2019/20 (line 453)
    [i] = kq1["indicators"]
    assert (i["code"], i["latest"], i["period"], i["lines"][0]["lines"]) == (
        "CHN22",
        "3.13%",
        "2019/20",
        "453",
    )
    # the new National Child Protection Guidance paragraph, line 27
    assert [w["lines"][0]["lines"] for w in kq1["words"]] == ["27"]
    # the 2016/17 claims about the register are not part of the 2020/21 audit
    assert kq1["claims"] == []


def test_kq2_indicators_with_latest_figure_target_and_status(insp):
    kq2 = by(insp["key_questions"], "notation")["KQ2"]
    inds = by(kq2["indicators"], "code")
    assert (inds["CSPC.P.4.1b"]["latest"], inds["CSPC.P.4.1b"]["target"], inds["CSPC.P.4.1b"]["status"]) == (
        "92%",
        "100",
        "OffTarget",
    )
    assert inds["CSPC.P.2.1b"]["latest"] == "125" and inds["CSPC.P.2.1b"]["lines"][0]["lines"] == "350"
    claims = by(kq2["claims"], "key")
    assert claims["L374-1"]["verdict"] == "Agrees"
    assert [r["code"] for r in kq2["risks"]] == ["C.RR.01-10"]


def test_kq4_carries_the_disagreeing_claim(insp):
    kq4 = by(insp["key_questions"], "notation")["KQ4"]
    claims = by(kq4["claims"], "key")
    assert claims["L59-1"]["verdict"] == "Disagrees" and "line 342" in claims["L59-1"]["reason"]
    assert claims["L342-1"]["verdict"] == "Agrees"


def test_duties_evidenced_and_gaps_2020_21(insp):
    duties = by(insp["duties"], "notation")
    assert list(duties) == [
        "2014 Act ss8, 13",
        "2014 Act s58",
        "2014 Act Part 10; 1995 Act ss29-30",
        "2014 Act s67; 1995 Act s26A",
        "2014 Act Part 12",
        "2014 Act Part 13",
        "2017 Act s13",
        "2003 Act s13",
        "CLD Regulations 2013 reg 4",
    ]
    # gaps: the 2020/21 report has nothing of any kind on the children's services plan (Part 3)
    gaps = [n for n, d in duties.items() if not d["evidenced"]]
    assert gaps == ["2014 Act ss8, 13"]
    for n in gaps:
        d = duties[n]
        assert (
            d["evidence_kinds"] == []
            and d["kinds"] == []
            and not any(d[k] for k in ("actions", "indicators", "claims", "risks", "words"))
        )
    # continuing care: no action, but the risk register's C.RR.01-23 (line 436: accommodation for those
    # 16+ unable to stay with their foster carers), linked to Part 11 in graph/curated/links.csv
    cc = duties["2014 Act s67; 1995 Act s26A"]
    assert cc["evidenced"] and cc["kinds"] == ["risk"]
    [r] = cc["risks"]
    assert (r["code"], r["lines"][0]["lines"], r["basis"], r["kind_label"]) == (
        "C.RR.01-23",
        "436",
        CURATED,
        "risk",
    )
    assert "16+" in r["lines"][0]["text"] and "Part 11" in r["rationale"]
    # aftercare: the action's own words ("entitled to aftercare", line 264)
    after = duties["2014 Act Part 10; 1995 Act ss29-30"]
    assert [(a["code"], a["basis"]) for a in after["actions"]] == [("CSPC.P.1.2", WORDS)]
    # child poverty: the uncoded action at line 318 (curated), CSPC.P.3.1a's figure, the pilot's claims
    poverty = duties["2017 Act s13"]
    assert {a["lines"][0]["lines"] for a in poverty["actions"]} == {"318-321", "275-278"}
    assert [i["code"] for i in poverty["indicators"]] == ["CSPC.P.3.1a"]
    # its claims: the pilot's (curated) and those in the notes of its action and indicator (lines 275, 363)
    assert [(c["key"], c["kind_label"]) for c in poverty["claims"]] == [
        ("L37-1", "claim"),
        ("L37-2", "claim"),
        ("L275-1", "claim"),
        ("L275-2", "claim"),
        ("L363-1", "claim"),
    ]
    assert poverty["evidence_kinds"] == [CURATED, WORDS, FIGURE]
    assert poverty["kinds"] == ["implements", "claim", "figure"]
    # CLD plan: the report names it (lines 75 and 87)
    cld = duties["CLD Regulations 2013 reg 4"]
    assert cld["evidence_kinds"] == [WORDS] and cld["kinds"] == ["mentions"]
    assert [w["lines"][0]["lines"] for w in cld["words"]] == ["75", "87"]


def test_no_evidence_means_none_of_any_kind(store, tg):
    """For both reports, every duty: evidenced exactly when it lists a record of some kind, and each record
    shows a kind labelled by the vocabulary (og:EvidenceKindScheme)."""
    from rdflib import SKOS, Graph

    from outcome_graph.namespaces import OG
    from outcome_graph.paths import ONTOLOGY_DIR

    vocab = Graph().parse(ONTOLOGY_DIR / "inspection.ttl")
    kinds = vocab.subjects(SKOS.inScheme, OG.EvidenceKindScheme)
    labels = {str(o) for k in kinds for o in vocab.objects(k, SKOS.prefLabel)}
    assert labels == {"implements", "mentions", "risk", "claim", "narrative", "figure"}
    seen = set()
    for year in ("2016-2017", "2020-2021"):
        for d in build_audit(tg, year, store=store)["inspection"]["duties"]:
            items = [x for k in ("actions", "indicators", "claims", "risks", "words") for x in d[k]]
            assert d["evidenced"] == bool(items) == bool(d["kinds"]), (year, d["notation"])
            assert {x["kind_label"] for x in items} <= labels
            seen |= {x["kind_label"] for x in items}
    assert seen == labels  # every kind occurs in the two reports


def test_every_claim_listed_with_its_verdict(insp):
    counts = insp["claim_counts"]
    # with figures written as words: "two lock downs", "Two PIs off target", "None of the"
    assert counts["total"] == len(insp["claims"]) == 38
    assert counts["Agrees"] + counts["Disagrees"] + counts["CannotCheck"] == counts["total"]
    claims = by(insp["claims"], "key")
    assert claims["L252-1"]["verdict_label"] == "agrees"
    assert claims["L252-1"]["figures"] == [(1, "part", "5"), (2, "whole", "6")]
    assert claims["L301-1"]["verdict_label"] == "disagrees"


def test_csv_tables_say_no_evidence(audit):
    t = audit_tables(audit)
    head, rows = t["duties"]
    assert head[:2] == ["key", "label"]
    gaps = [r for r in rows if r[4] == "no evidence in this report"]
    assert [r[0] for r in gaps] == ["2014 Act ss8, 13"]
    # each row says its evidence kind: the risk on continuing care (line 436)
    [risk] = [r for r in rows if r[0] == "2014 Act s67; 1995 Act s26A"]
    assert (risk[2], risk[3], risk[5]) == ("risk", "C.RR.01-23", "2020-2021 line 436")
    assert len(t["claims"][1]) == 38


def test_audit_compares_with_the_previous_report(audit, tg):
    c = audit["changes"]
    assert (c["old"], c["new"]) == ("2016-2017", "2020-2021")
    # CS.S.02.03 continues as CSPC.P.11.6 (the curated crosswalk): 9 of the 10 actions are not carried on
    assert len(c["actions"]["dropped"]) == 9 and len(c["actions"]["continued"]) == 1
    assert build_audit(tg, "2016-2017", store=None)["changes"] is None


def test_the_printed_audit_has_the_sections_before_the_priorities(audit):
    from outcome_graph.commands.audit import render_html

    html = render_html(audit)
    kq, duties, claims = (
        html.index('id="key-questions"'),
        html.index('id="duties"'),
        html.index('id="claims"'),
    )
    changed, first_priority = html.index('id="changes"'), html.index('id="priority-01"')
    assert kq < duties < claims < changed < first_priority
    assert html.count("No evidence in this report.") == 0  # every key question has some
    assert html.count("No evidence in this report</b> of any kind") == 1  # Part 3's plan
    assert "KQ1. Recognising and responding when children need protection" in html
    assert "What changed since the 2016/17 report" in html
    assert ">Off Target<" in html and ">OffTarget<" not in html[kq:first_priority]
