"""The saved query `claims` on the embedded store and on a real Oxigraph server: the same verdicts
the build recorded, so every view shows the same."""

from __future__ import annotations

from outcome_graph.saved_queries import load_queries, run_query


def test_claims_query_lists_every_claim_with_its_verdict(each_store):
    q = load_queries()["claims"]
    rows = run_query(each_store, q, {"report": "2020/21"}).rows
    # with figures written as words: "two lock downs" (9), "Two PIs" (221), "None of" (254)
    assert len(rows) == 38
    got = {int(r["line"].toPython()): r for r in rows if str(r["claim"]).endswith("-1")}
    assert str(got[252]["verdict"]) == "agrees"
    assert str(got[252]["statement"]) == "5 out of 6 Stage 1 Complaints were completed within 5 working days."
    assert str(got[59]["verdict"]) == "disagrees" and "line 342" in str(got[59]["reason"])
    every = run_query(each_store, q, {}).rows
    assert len(every) == 83
    # 2016/17 lines 141, 190, 201; 2020/21 lines 59, 73, 301
    assert sum(str(r["verdict"]) == "disagrees" for r in every) == 6
