"""WCAG 2.1 AA in a real browser: axe-core (npm, tests/browser/package.json, installed by .ci/run) run in
Debian's headless Chromium on every kind of page the server makes; any serious or critical violation
fails. And the keyboard alone works the query page and the trace.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import browser_test

pytestmark = browser_test

AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"

PAGE_KINDS = {
    "query page": "/",
    "query page with results": "/?example=off-target-indicators",
    "saved queries": "/queries?format=html",
    "saved query": "/queries/restated-values?format=html&code=CHN8a",
    "search": "/search?q=looked+after",
    "ambiguous code": "/trace/02",
    "trace start": "/trace",
    "trace": "/trace?node=http://www.legislation.gov.uk/id/asp/2014/8/part/9",
    "trace across years": "/trace/CHN8a?direction=across",
    "indicator page": "/id/lgbf/indicator/CHN8a",
    "action page": "/id/midlothian/report/2020-2021/action/CSPC.P.2.1",
    "statute page": "/resource?iri=http%3A%2F%2Fwww.legislation.gov.uk%2Fid%2Fasp%2F2014%2F8%2Fpart%2F9",
    "gaps": "/gaps",
    "audit": "/audit?report=2020-2021&compare=2016-2017&validate=0",
    "validation": "/validation",
    "what the graph holds": "/id/",
    "vocabulary": "/def",
    "LGBF indicator page with rank and quartile": "/id/lgbf/indicator/CHN9",
    "not found": "/id/midlothian/report/2020-2021/risk/C.RR.99-99",
}


def axe_source() -> str:
    if not AXE.is_file():
        if os.environ.get("OUTCOME_GRAPH_REQUIRE_BROWSER") == "1":
            pytest.fail("axe-core is not installed: npm ci --prefix tests/browser")
        pytest.skip("axe-core is not installed (npm ci --prefix tests/browser)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def axe_page(browser, server):
    source = axe_source()
    # axe is put into the page by the test harness, past the pages' Content-Security-Policy (which
    # rightly refuses any script the server did not send).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    pg = context.new_page()
    pg.set_default_timeout(60000)
    pg.axe = source  # type: ignore[attr-defined]
    yield pg
    context.close()


def run_axe(page) -> list[dict]:
    page.evaluate(page.axe)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }"""
    )
    return result


def test_axe_finds_what_it_should(axe_page, server):
    # the check itself can fail: a page with an unlabelled input and an image without a text alternative
    axe_page.goto(server + "/")
    axe_page.set_content(
        '<html lang="en"><body><main><img src="x.png"><input type="text"></main></body></html>'
    )
    ids = {v["id"] for v in run_axe(axe_page) if v["impact"] in ("serious", "critical")}
    assert {"image-alt", "label"} <= ids


@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_no_serious_or_critical_accessibility_violation(axe_page, server, kind):
    response = axe_page.goto(server + PAGE_KINDS[kind])
    assert response is not None and response.status in (200, 300, 404), (kind, response and response.status)
    violations = run_axe(axe_page)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{kind}: " + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} {v['nodes']}" for v in serious
    )


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30000)
    yield pg
    context.close()


def focused(page) -> dict:
    return page.evaluate(
        "() => ({id: document.activeElement.id, tag: document.activeElement.tagName.toLowerCase(),"
        " text: (document.activeElement.textContent || '').trim().slice(0, 80),"
        " href: document.activeElement.getAttribute('href') || '',"
        " in_picture: !!document.activeElement.closest('svg.trace-picture')})"
    )


def tab_until(page, test, limit: int = 80) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if test(now):
            return now
    raise AssertionError(f"Tab never reached the element; last focused {focused(page)}")


def test_the_query_page_by_keyboard_alone(page, server):
    page.goto(server + "/")
    # the first Tab offers to skip the navigation
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to content"
    # choose an example and load it, without a mouse
    tab_until(page, lambda f: f["id"] == "example")
    page.keyboard.press("ArrowDown")  # moves the choice; nothing happens until the button
    assert page.url == server + "/"
    page.select_option("#example", "off-target-indicators")  # the choice a keyboard user makes
    tab_until(page, lambda f: f["id"] == "load-example")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("table.results tbody tr").count() == 7
    # the parameter form: type a year, submit with Enter
    tab_until(page, lambda f: f["id"] == "p-report")
    page.keyboard.press("Control+A")
    page.keyboard.type("2016/17")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "2016-2017" in page.locator("#query").input_value()
    # the editor: Ctrl+Enter runs what is typed
    tab_until(page, lambda f: f["id"] == "query")
    page.keyboard.press("Control+A")
    page.keyboard.type("SELECT (1 AS ?one) WHERE {}")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert page.locator("table.results tbody td").first.inner_text() == "1"


def test_the_trace_by_keyboard_alone(page, server):
    page.goto(server + "/trace?node=http://www.legislation.gov.uk/id/asp/2014/8/part/9")
    # Tab reaches the boxes of the picture; Enter on one follows the trace from it
    got = tab_until(page, lambda f: f["in_picture"] and "CSPC.P.11.6" in f["href"], limit=200)
    assert got["tag"] == "a"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Action CSPC.P.11.6" in page.locator("h1").inner_text()
    # and the focused box is drawn with a visible outline
    tab_until(page, lambda f: f["in_picture"] and "node=" in f["href"], limit=200)
    stroke = page.evaluate(
        "() => getComputedStyle(document.activeElement.querySelector('rect.box')).strokeWidth"
    )
    assert stroke in ("2px", "2")
