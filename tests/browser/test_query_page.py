"""The query page in headless Chromium (Debian's /usr/bin/chromium driven by Playwright), against the real
server: `outcome-graph serve` (granian) on a free loopback port, built from the bundled reports.

Run a query, follow a result link to its lookup page, download the results as CSV; and nothing the
page loads comes from anywhere but this server.
"""

from __future__ import annotations

import csv
import io

import pytest
from conftest import browser_test

RISKS = """PREFIX og: <https://w3id.org/outcome-graph/def#>
SELECT ?risk ?code ?score WHERE { ?risk a og:Risk ; og:code ?code ; og:score ?score } ORDER BY ?code"""

pytestmark = browser_test


@pytest.fixture
def page(browser, server):
    context = browser.new_context(accept_downloads=True)
    pg = context.new_page()
    requested: list[str] = []
    pg.on("request", lambda req: requested.append(req.url))
    pg.requested = requested  # type: ignore[attr-defined]
    yield pg
    context.close()


def test_run_a_query_follow_a_link_download_csv(page, server, tmp_path):
    page.goto(server + "/")
    editor = page.locator("#query")
    assert "PREFIX og: <https://w3id.org/outcome-graph/def#>" in editor.input_value()
    editor.fill(RISKS)
    page.click("#run")
    page.wait_for_selector("table.results")
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 4
    # lines 436-441 of the 2020/21 report: C.RR.01-23 scores 12
    assert (
        page.locator("table.results tbody tr", has_text="C.RR.01-23").locator("td").nth(2).inner_text()
        == "12"
    )

    # download the results as CSV
    with page.expect_download() as info:
        page.click("#download-csv")
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert download.suggested_filename == "results.csv"  # a typed query; a saved one is named after itself
    got = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [(r["code"], r["score"]) for r in got] == [
        ("C.RR.01-09", "9"),
        ("C.RR.01-10", "9"),
        ("C.RR.01-23", "12"),
        ("C.RR.01-25", "12"),
    ]
    assert got[2]["risk"] == "https://w3id.org/outcome-graph/id/midlothian/report/2020-2021/risk/C.RR.01-23"

    # follow a result link to the lookup page
    assert got[2]["risk_label"] == "C.RR.01-23 GIRFEC Children & Young People's (Scotland) Act 2014"
    page.click("table.results >> text=C.RR.01-23 GIRFEC")
    page.wait_for_url(server + "/id/midlothian/report/2020-2021/risk/C.RR.01-23")
    assert (
        page.locator("h1").inner_text() == "C.RR.01-23 GIRFEC Children & Young People's (Scotland) Act 2014"
    )
    evidence = page.locator("#evidence").inner_text()
    assert "line 436" in evidence and "Lack of suitable accommodation for those 16+" in evidence
    # and on from there to a duty it relates to
    page.click("#properties >> text=Continuing care")
    assert page.locator("h1").inner_text() == "Part 11 Continuing care"

    assert all(url.startswith(server + "/") for url in page.requested), page.requested


def test_an_example_is_loaded_by_the_picker_and_run(page, server):
    page.goto(server + "/")
    page.select_option("#example", "off-target-indicators")
    page.click("#load-example")
    page.wait_for_selector("table.results")
    text = page.locator("#query").input_value()
    assert "VALUES (?report)" in text and "og:OffTarget" in text  # the example, its default bound
    # the chosen example stays chosen after a run, with its parameter form
    assert page.locator("#example").input_value() == "off-target-indicators"
    assert page.locator("#p-report").input_value() == "2020-2021"
    page.locator("#query").press("Control+Enter")  # the script runs the query
    page.wait_for_selector("table.results")
    assert page.locator("#example").input_value() == "off-target-indicators"
    body = page.locator("table.results").inner_text()
    # the seven off-target PIs of 2020/21 (lines 207, 251-254, 374, 375)
    assert page.locator("table.results tbody tr").count() == 7
    assert "CSPC.P.4.1b" in body and "CSPC.P.4.1c" in body
    assert all(url.startswith(server + "/") for url in page.requested), page.requested


def test_a_literal_with_markup_is_shown_as_text(page, server):
    page.goto(server + "/")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.locator("#query").fill(
        'SELECT ?x WHERE { BIND("<img src=x onerror=alert(1)><script>alert(2)</script>" AS ?x) }'
    )
    page.click("#run")
    page.wait_for_selector("table.results")
    cell = page.locator("table.results tbody td").first.inner_text()
    assert cell == "<img src=x onerror=alert(1)><script>alert(2)</script>"
    assert dialogs == []
