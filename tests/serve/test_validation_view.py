"""The /validation view over the served (real) graph: the warnings the reports trigger, in every format."""

from __future__ import annotations

import csv
import io
import re

import pytest
from conftest import validated
from rdflib import Graph
from rdflib.namespace import SH


@pytest.fixture(autouse=True)
def every_report_validated(client):
    """The served store keeps no validation (built without it): the page's reports are validated in the
    background (serve/validation_jobs.py), so each test reads the page once they are, as a user reloads."""
    validated(client, "/validation?format=json")


def test_validation_json_has_no_violations_and_names_the_reports_contradictions(client):
    body = client.get("/validation?format=json").get_json()
    assert body["conforms"] is True and body["violations"] == 0
    assert body["warnings"] == len(body["results"]) > 0
    # 2016/17 line 189: BS.CS.26 88% against a target of 88% is called Off Target by the report.
    bs26 = [r for r in body["results"] if (r["code"] or "").startswith("BS.CS.26")]
    assert bs26 and bs26[0]["report"] == "2016-2017" and bs26[0]["line"] == 189
    assert bs26[0]["severity"] == "Warning"


def test_validation_html_escapes_and_groups_by_rule(client):
    page = client.get("/validation", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "No violations." in html and "BS.CS.26" in html
    assert "<script" not in html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def test_validation_csv_and_turtle(client):
    text = client.get("/validation?format=csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {"severity", "rule", "code", "report", "line", "message"} <= set(rows[0])
    g = Graph().parse(data=client.get("/validation?format=ttl").get_data(as_text=True), format="turtle")
    assert (None, SH.conforms, None) in g


def test_validation_unknown_format_is_a_400(client):
    assert client.get("/validation?format=pdf").status_code == 400


def test_the_audit_reports_the_validation_warnings_by_default(client):
    audit = client.get("/audit?report=2020-2021&format=json").get_json()
    assert audit["validated"] is True
    text = " ".join(str(w) for w in audit["warnings"])
    # 2020/21 line 208 states 18 actions on target or complete; the action table shows 17.
    assert "18" in text and "17" in text
    skipped = client.get("/audit?report=2020-2021&format=json&validate=0").get_json()
    assert skipped["validated"] is False and skipped["warnings"] == []


def test_the_audit_defaults_to_the_latest_report_served(client):
    assert client.get("/audit?format=json&validate=0").get_json()["report"] == "2020-2021"


def test_validation_html_names_every_record_in_words_never_by_its_iri(client):
    html = client.get("/validation", headers={"Accept": "text/html"}).get_data(as_text=True)
    shown = re.findall(r'<td><a href="[^"]*">([^<]*)</a></td>', html)
    assert shown, "the page lists no record"
    assert not [s for s in shown if "/" in s and "midlothian" in s], "a record is shown by its IRI path"
    # 2020/21 line 59 (10 young people on the National House Project) disagrees with line 342's cohort of 9
    assert any(s.startswith("claim on line 59") for s in shown)
