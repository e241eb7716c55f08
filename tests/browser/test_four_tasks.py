"""The four tasks of issue 11, done as an analyst and an inspector do them, in headless Chromium at
1280 px against `outcome-graph serve`: search → record → trace → chart → CSV. Each step asserts what a
person sees (labels, not internal names; sentences; no column out of sight) and saves a screenshot
(out/screenshots/, or $OUTCOME_GRAPH_SCREENSHOTS).
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest
from conftest import browser_test

pytestmark = browser_test

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("OUTCOME_GRAPH_SCREENSHOTS") or ROOT / "out" / "screenshots")
INTERNAL = re.compile(
    r"\b(OffTarget|OnTarget|DataOnly|NotAvailable|og:[a-zA-Z]+|pis\.[a-z_]+|actions\.[a-z_]+)\b"
)


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30000)
    yield pg
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def main_text(page) -> str:
    return page.locator("main").inner_text()


def no_hidden_columns(page) -> None:
    """Every table's columns are in sight: the table fits its box, or the box visibly scrolls."""
    for table in page.locator("main table").all():
        fits = table.evaluate(
            """t => {
                const inside = t.getBoundingClientRect().right <= window.innerWidth;
                if (t.scrollWidth <= t.clientWidth + 1 && inside) return true;
                const box = t.closest('.scroll, .trace-picture-wrap, .chart-wrap');
                if (!box) return false;
                const style = getComputedStyle(box);
                return ['auto', 'scroll'].includes(style.overflowX) && box.scrollWidth > box.clientWidth
                    && box.getBoundingClientRect().right <= window.innerWidth;
            }"""
        )
        assert fits, f"a table on {page.url} hides columns at 1280 px"


def test_task_1_actions_implementing_part_9_and_their_evidence(page, server):
    page.goto(server + "/")
    page.fill("#site-q", "Part 9")
    page.press("#site-q", "Enter")
    page.wait_for_selector("ol.search-results")
    shot(page, "1-search-part-9")
    first = page.locator("ol.search-results li").first
    assert "Part 9 Corporate parenting" in first.inner_text() and "exact code" in first.inner_text()
    first.locator("a.record-link").click()
    assert page.locator("h1").inner_text() == "Part 9 Corporate parenting"
    shot(page, "1-record-part-9")
    page.click("text=Trace down to the evidence")
    page.wait_for_selector("svg.trace-picture")
    shot(page, "1-trace-part-9")
    sentences = page.locator("ul.sentences").inner_text()
    # links read as sentences, subject first, with their basis
    assert "is part of Part 9 Corporate parenting" in sentences
    assert re.search(
        r"Action CS\.S\.02\.02 .* implements Part 9 Corporate parenting"
        r" — Report text, 2016/17 report line 106",
        sentences,
    )
    assert re.search(
        r"Action CSPC\.P\.11\.6 .* implements Part 9 Corporate parenting — Curation: Supporting", sentences
    )
    # the picture: every box says what it is, the key lists exactly the colours drawn
    picture = page.locator("svg.trace-picture")
    for box in picture.locator("g.n").all():
        kind = box.get_attribute("data-kind")
        said = box.locator("a.node-link").text_content().strip()
        expected = {"Observation": "Figure of", "Excerpt": "Excerpt"}.get(kind, kind)
        assert said.startswith(expected), (kind, said)
    fills = {r.get_attribute("fill") for r in picture.locator("g.n rect.box").all()}
    keyed = {r.get_attribute("fill") for r in picture.locator("g.key rect[width='14']").all()}
    assert fills == keyed
    # a risk sits beside the actions, not between the Part and its actions
    xs = {
        box.get_attribute("data-kind"): float(box.locator("rect.box").get_attribute("x"))
        for box in picture.locator("g.n").all()
    }
    assert xs["Risk"] == xs["Action"]
    # the evidence: the report's own words, quoted
    assert "Champions" in page.locator("ul.trace-nodes").inner_text()
    assert not INTERNAL.search(main_text(page)), INTERNAL.search(main_text(page))
    no_hidden_columns(page)


def test_task_2_off_target_in_2020_21_and_why_then_csv(page, server, tmp_path):
    page.goto(server + "/queries?format=html")
    page.click("text=Off-target indicators by report")
    page.wait_for_selector("table.results")
    shot(page, "2-off-target-2020-21")
    text = page.locator("table.results").inner_text()
    assert page.locator("table.results tbody tr").count() == 7
    assert "2020/21" in text and "government-year" not in text
    assert "Actions off target have been impacted by Covid" in text  # the reason, in the report's words
    no_hidden_columns(page)
    # the CSV: named after the query, a label beside each IRI
    with page.expect_download() as info:
        page.click("p.downloads >> text=CSV")
    download = info.value
    assert download.suggested_filename == "off-target-indicators.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == 7
    assert {r["period_label"] for r in rows} == {"2020/21"}
    assert all(r["period"] == "http://reference.data.gov.uk/id/government-year/2020-2021" for r in rows)
    assert any(r["indicator_label"].startswith("CSPC.P.4.1b ") for r in rows)


def test_task_3_looked_after_figures_between_the_reports_as_a_chart(page, server):
    page.goto(server + "/search?q=looked+after")
    shot(page, "3-search-looked-after")
    page.locator("ol.search-results li", has_text="CHN8a").locator("a.record-link").click()
    page.wait_for_selector("svg.indicator-chart")
    shot(page, "3-record-chn8a-chart")
    chart = page.locator("svg.indicator-chart")
    key = chart.locator("g.key").text_content() if chart.locator("g.key").count() else chart.text_content()
    # both reports, the figures one report restates differently from the other marked
    assert "2016/17 report" in key and "2020/21 report" in key and "restated" in key
    assert "£" in key  # the axis in the indicator's unit
    # the same figures as a table beside the chart, with units and both reports
    table = page.locator("table.figures").inner_text()
    assert "£2,951.54" in table and "£3,225.80" in table
    no_hidden_columns(page)
    page.click("text=Across report years")
    page.wait_for_selector("table.across")
    shot(page, "3-across-years")
    across = page.locator("table.across").inner_text()
    assert "2015/16: £2,951.54" in across and "2015/16: £3,225.80" in across


def test_task_4_child_protection_figures_with_target_and_status(page, server):
    page.goto(server + "/")
    page.fill("#site-q", "core group")
    page.press("#site-q", "Enter")
    page.locator("ol.search-results li", has_text="BS.CS.LPI.04").locator("a.record-link").click()
    chart = page.locator("svg.indicator-chart")
    chart.wait_for()
    shot(page, "4-record-bs-cs-lpi-04")
    # the target is drawn and the off-target year is in the status colour, both named in the key
    assert chart.locator("line.tg").count() >= 1
    assert "Off Target" in chart.text_content() and "target" in chart.text_content()
    assert chart.locator("[fill='#c62828']").count() >= 1
    details = page.locator("#properties").inner_text()
    assert "og:" not in details and "indicator set" in details
    linked = page.locator("#links").inner_text()
    assert "is reported under priority 01" in linked


def test_the_audit_is_filed_as_an_a4_document(page, server):
    page.goto(server + "/audit?report=2020-2021&compare=2016-2017&validate=0")
    shot(page, "5-audit")
    cover = page.locator("#cover").inner_text()
    assert "Midlothian Council" in cover and "2020/21" in cover and "Data version" in cover
    assert "Generated" in cover and "off target" in page.locator("#summary").inner_text()
    grid = page.locator("#coverage")
    assert "Increase the proportion of C & YP who feel safe" in grid.inner_text()  # priority names
    assert page.locator("#contents a").count() >= 15
    # a chart only where an indicator has two figures or more (tests/trace/test_print.py checks which)
    assert page.locator("figure.chart svg").count() >= 5
    assert not INTERNAL.search(main_text(page)), INTERNAL.search(main_text(page))
    no_hidden_columns(page)
    # printed, it is A4 (the @page rule), not US Letter
    pdf = page.pdf(prefer_css_page_size=True)
    boxes = {tuple(round(float(x)) for x in m.split()) for m in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)}
    assert pdf.startswith(b"%PDF") and boxes == {(0, 0, 595, 842)}
