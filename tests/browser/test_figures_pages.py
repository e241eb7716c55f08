"""Figures as people read them, in headless Chromium against a real `outcome-graph serve`: an LGBF
indicator page right-aligns its numbers (GOV.UK tables), shows rank and quartile with how they moved,
and its chart says where its axis starts; the vocabulary page runs an example in the query page."""

from __future__ import annotations

import pytest
from conftest import browser_test

pytestmark = browser_test


@pytest.fixture(scope="module")
def page(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30000)
    yield pg
    context.close()


def test_numbers_are_right_aligned_with_their_headers(server, page):
    page.goto(server + "/id/lgbf/indicator/CHN9")
    table = page.locator("table.figures")
    headers = [h.inner_text() for h in table.locator("thead th").all()]
    assert headers[:5] == ["Period", "Figure", "Target", "National rank", "Quartile"]
    for col in (2, 4, 5):  # Figure, National rank, Quartile
        th = table.locator(f"thead th:nth-child({col})")
        td = table.locator(f"tbody tr:last-child td:nth-child({col})")
        assert th.evaluate("e => getComputedStyle(e).textAlign") == "right"
        assert td.evaluate("e => getComputedStyle(e).textAlign") == "right"
    last = table.locator("tbody tr:last-child").inner_text()
    assert "91.12%" in last and "10 (was 13 in 2018/19)" in last
    assert (
        page.locator("svg.indicator-chart text.axis-note").text_content()
        == "Vertical axis starts at 86%, not 0"
    )


def test_a_vocabulary_example_runs_in_the_query_page(server, page):
    page.goto(server + "/def")
    row = page.locator("tr#rank")
    assert row.locator("th").inner_text() == "og:rank"
    row.locator("summary").click()
    with page.expect_navigation():
        row.locator("a", has_text="Run it").click()
    assert page.locator("table.results tbody tr").count() > 10
