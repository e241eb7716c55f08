"""The pages work under their Content-Security-Policy: in headless Chromium, against `outcome-graph serve`,
no page reports a CSP violation, and the query page's script (a static file) still loads an example."""

from __future__ import annotations

from conftest import browser_test

pytestmark = browser_test

PAGES = ["/", "/queries", "/trace", "/gaps", "/audit", "/validation", "/openapi.json"]


def test_no_page_violates_its_content_security_policy(browser, server):
    context = browser.new_context()
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    try:
        for path in PAGES:
            response = page.goto(server + path)
            assert response is not None and response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.goto(server + "/")
        picker = page.locator("#example")
        value = picker.locator("option").nth(1).get_attribute("value")
        picker.select_option(value)  # app.js, a static script, fills in the editor
        assert page.locator("#query").input_value().strip().startswith(("PREFIX", "#", "SELECT"))
        link = page.locator("a[href^='/trace?']").first
        if link.count():
            page.goto(server + link.get_attribute("href"))  # a trace page with its SVG picture
    finally:
        context.close()
    violations = [m for m in messages if "Content Security Policy" in m or "Refused to" in m]
    assert violations == []
