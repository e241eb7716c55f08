"""The audit report's data and the trace/gaps/audit views, on the real reports."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from outcome_graph.trace.audit import audit_tables, build_audit
from outcome_graph.trace.engine import TraceError

OGR = "https://w3id.org/outcome-graph/id/midlothian/"


@pytest.fixture(scope="module")
def audit(tg):
    return build_audit(tg, "2020-2021", "2016-2017")


def test_summary_reconciles_to_the_reports_own_totals(audit):
    s = audit["summary"]
    # "Number of service & corporate priority actions 23"; "Total number of PI's 32"
    assert s["actions"]["total"] == 23 and s["indicators"]["total"] == 32
    assert (s["actions"]["Complete"], s["actions"]["OffTarget"], s["actions"]["NotAvailable"]) == (17, 3, 3)
    assert s["indicators"]["OffTarget"] == 2


def test_every_priority_with_its_actions_and_quoted_evidence(audit):
    assert [p["code"] for p in audit["priorities"]] == [f"{n:02d}" for n in range(1, 12)]
    p2 = audit["priorities"][1]
    [a] = [x for x in p2["actions"] if x["code"] == "CSPC.P.2.1"]
    assert (a["progress"], a["status"], a["due"]) == ("80", "OffTarget", "2021-03-31")
    assert a["evidence"][0]["first_line"] == 269 and a["evidence"][0]["text"].startswith("CSPC.P.2.1\t")
    staff = next(i for i in p2["indicators"] if i["code"] == "CSPC.P.2.1a")
    [annual] = [o for o in staff["observations"] if o["period"] == "2020-2021"]
    assert (annual["value"], annual["status"]) == ("19", "DataOnly")
    assert annual["evidence"][0]["first_line"] == 349


def test_off_target_indicators_carry_their_reason(audit):
    off = [i for p in audit["priorities"] for i in p["indicators"] if i["status"] == "OffTarget"]
    assert len(off) == 2 and all(i["off_target_reason"] for i in off)


def test_coverage_matrix_and_gaps(audit):
    rows = {r["iri"]: r for r in audit["coverage"]["rows"]}
    act = "http://www.legislation.gov.uk/id/asp/2014/8"
    assert rows[act + "/part/10"]["cells"] == {"01": ["CSPC.P.1.2"]}
    assert rows[act + "/part/1"]["cells"] == {}
    assert audit["coverage"]["columns"] == [f"{n:02d}" for n in range(1, 12)]
    kinds = {g["kind"] for g in audit["gaps"]}
    assert "total-disagrees" in kinds
    assert all(g["report"] in (None, "2020-2021") for g in audit["gaps"])


def test_compare_shares_indicators_and_duties(audit):
    c = audit["compare"]
    assert c["reports"] == ["2016-2017", "2020-2021"]
    codes = {i["code"] for i in c["indicators"]}
    assert "CHN8a" in codes
    [corporate] = [d for d in c["duties"] if d["iri"].endswith("/part/9")]
    assert corporate["2016-2017"] and corporate["2020-2021"]


def test_tables_for_csv(audit):
    t = audit_tables(audit)
    header, rows = t["actions"]
    assert header[:3] == ["priority", "code", "title"] and len(rows) == 23
    assert any(r[1] == "CSPC.P.2.1" and r[7] == "2020-2021 line 269" for r in rows)


def test_unknown_report_year(tg):
    with pytest.raises(TraceError, match="no report for 2030-2031"):
        build_audit(tg, "2030-2031")


@pytest.fixture(scope="module")
def client(store):
    from outcome_graph.serve.app import create_app

    app = create_app(store)
    if "trace_views" not in app.blueprints:
        from outcome_graph.serve.trace_views import bp

        app.register_blueprint(bp)
    return app.test_client()


def test_trace_views(client):
    r = client.get("/trace/CS.S.01.02?format=json")
    assert r.status_code == 200
    codes = {n.get("code") for n in r.get_json()["nodes"]}
    assert {"CS.S.01.02a", "CS.S.01.02d"} <= codes
    r = client.get("/trace/02?report=2020-2021")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<svg" in page and "CSPC.P.2.1a" in page
    # text from the report is escaped: the "&" of "Safe & Together" is never raw markup
    assert "Safe &amp; Together" in page
    # the trace's search is the site's search (/search, through the store)
    r = client.get("/trace?q=named+person", headers={"Accept": "application/json"}, follow_redirects=True)
    assert any(x["iri"].endswith("/asp/2014/8/part/4") for x in r.get_json()["results"])
    r = client.get("/trace/ZZ.99")
    assert r.status_code == 404 and "ZZ.99" in r.get_data(as_text=True)
    svg = client.get("/trace/CS.S.01.02?format=svg")
    assert svg.mimetype == "image/svg+xml" and ET.fromstring(svg.data).tag.endswith("svg")


def test_gaps_and_audit_views(client):
    data = client.get("/gaps?format=json").get_json()
    assert data["counts"]["total-disagrees"] >= 1
    page = client.get("/audit?report=2020-2021&compare=2016-2017").get_data(as_text=True)
    assert page.count('class="priority" id="priority-') == 11
    assert "page-break-before:always" in page
    r = client.get("/audit.csv?report=2020-2021&table=observations")
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0][:3] == ["priority", "indicator", "period"]
    # periods as the report writes them, statuses by their labels
    assert ["02", "CSPC.P.2.1a", "2020/21", "19"] in [x[:4] for x in rows]
    status = rows[0].index("status")
    labels = {"", "On Target", "Off Target", "Complete", "Data Only", "Not Available"}
    assert {x[status] for x in rows[1:]} <= labels
    assert client.get("/audit.csv?report=2020-2021&table=nope").status_code == 400
    assert json.loads(client.get("/audit?report=2030&format=json").data)["error"].startswith("no report")


def test_council_choice(tg):
    assert tg.councils == ["midlothian"]
    assert tg.scoped("midlothian") is tg
    with pytest.raises(TraceError, match="no 2020-2021 report of council 'fife'"):
        build_audit(tg, "2020-2021", council="fife")
    from outcome_graph.errors import OutcomeGraphError

    with pytest.raises(OutcomeGraphError, match="no council 'fife' in the graph; councils: midlothian"):
        tg.scoped("fife")


def test_across_page_and_council_errors(client):
    page = client.get("/trace/CHN8a?direction=across").get_data(as_text=True)
    assert "Across report years" in page and "£2,951.54" in page and "£3,225.80" in page
    r = client.get("/audit?report=2020-2021&council=fife")
    assert r.status_code == 404 and "no council &#39;fife&#39; in the graph" in r.get_data(as_text=True)
    r = client.get("/gaps?report=2016-2017&format=json")
    assert all(g["report"] in (None, "2016-2017") for g in r.get_json()["gaps"])


def test_each_inconsistency_is_an_item_of_the_audit(tg, store):
    """Issue 18 part 3: every consistency finding of the report is a row of the audit's validation
    warnings (and of its warnings CSV), naming both lines and both figures; the other report's are not."""
    from outcome_graph.build import build_graph
    from outcome_graph.validate import validate_graph

    summary = validate_graph(build_graph())
    a = build_audit(tg, "2020-2021", validation=summary)
    rows = {(w["rule"], w["line"]): w for w in a["warnings"]}
    closed = rows[("quarters against the year (counts per quarter)", 245)]
    assert "Q1 1 + Q2 7 + Q3 6 + Q4 6 add up to 20 (line 245)" in closed["message"]
    assert "the year's figure is 22 (line 245)" in closed["message"]
    assert ("quarters against the year (percentage of the period's cases)", 254) in rows
    assert not any(rule == "rank against quartile" for rule, _ in rows)  # 2016/17 line 212 only
    expected = {
        (r.rule, r.line)
        for r in summary.results
        if r.report == "2020-2021"
        and r.rule.startswith(("quarters against", "rank against", "claim against"))
    }
    assert expected <= set(rows) and len(expected) == 7  # 3 claims (59, 73, 301), 4 quarter findings
