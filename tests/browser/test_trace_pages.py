"""The trace and audit pages in headless Chromium (Debian's /usr/bin/chromium driven by Playwright),
against a real `outcome-graph serve` (granian) on a free loopback port, built from the bundled reports.

Search by title, open a trace, click a node of the picture to follow the trace from it; the audit page
renders every priority of the 2020/21 report; the picture is present and non-empty.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import browser_test

pytestmark = browser_test


@pytest.fixture(scope="module")
def page(server, browser):
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(30000)
    yield pg
    context.close()


def test_search_then_click_through_the_trace(server, page):
    page.goto(server + "/trace")
    page.fill("#trace-q", "Safe Together")
    page.click("main button[type=submit]")
    link = page.locator("ol.search-results li", has_text="CSPC.P.2.1 ").locator("a.trace-link")
    assert link.count() >= 1
    link.first.click()
    page.wait_for_selector("svg.trace-picture")
    assert "Action CSPC.P.2.1" in page.locator("h1").inner_text()
    # the picture is there, with boxes and text
    boxes = page.locator("svg.trace-picture g.n")
    assert boxes.count() >= 5
    box = page.locator("svg.trace-picture").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50
    # click the indicator CSPC.P.2.1a in the picture: the page becomes its trace
    page.locator('svg.trace-picture g.n[data-kind="Indicator"] a.node-link', has_text="CSPC.P.2.1a").click()
    page.wait_for_url("**/trace?node=*CSPC.P.2.1a*")
    assert "Indicator CSPC.P.2.1a" in page.locator("h1").inner_text()
    assert page.locator("svg.trace-picture g.n[data-kind=Observation]").count() >= 1
    # its evidence is quoted from line 349 of the 2020/21 report
    assert (
        "CSPC.P.2.1a\tIncrease the number of staff" in page.locator("blockquote.excerpt").first.inner_text()
    )
    # up from there reaches priority 02
    page.click("text=Up to the duties")
    page.wait_for_selector('svg.trace-picture g.n[data-kind="Priority"]')
    assert "Priority 02" in page.locator("svg.trace-picture").text_content()


def test_trace_of_the_2014_act_reaches_named_person_indicators(server, page):
    page.goto(server + "/trace/CS.S.01.02")
    text = page.locator("svg.trace-picture").text_content()
    for letter in "abcd":
        assert f"CS.S.01.02{letter}" in text
    page.locator("svg.trace-picture a.page-link").first.get_attribute("href")


def test_audit_page_renders_every_priority(server, page):
    page.goto(server + "/audit?report=2020-2021&compare=2016-2017")
    sections = page.locator("section.priority[data-code]")
    assert sections.count() == 11
    assert [sections.nth(i).get_attribute("data-code") for i in range(11)] == [
        f"{n:02d}" for n in range(1, 12)
    ]
    summary = page.locator("#summary").inner_text()
    assert "23 actions" in summary and "32 service-priority PIs" in summary
    assert page.locator("#coverage table tr").count() > 5
    assert "the report says 18; the records give 17" in page.locator("#gaps").inner_text()
    with page.expect_download() as dl:
        page.locator("#summary a.csv").first.click()
    path = dl.value.path()
    assert Path(path).read_text().startswith("what is counted,count,definition")
    # printable: each priority starts a page
    page.emulate_media(media="print")
    assert page.locator("section.priority").first.evaluate("e => getComputedStyle(e).breakBefore") == "page"
