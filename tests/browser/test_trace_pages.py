"""The trace and audit pages in headless Chromium (Debian's /usr/bin/chromium driven by Playwright),
against a real waitress server on a free loopback port, built from the bundled reports.

Search by title, open a trace, click a node of the picture to follow the trace from it; the audit page
renders every priority of the 2020/21 report; the picture is present and non-empty.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

# Until the app factory registers the trace views itself, the server is the app factory's app with the
# blueprint added, on waitress, exactly as `outcome-graph serve` runs it.
SERVER = """
import sys
from pathlib import Path

import waitress

from outcome_graph.serve.app import create_app

if __name__ == "__main__":
    app = create_app(config={"store_dir": Path(sys.argv[1]), "workers": 1})
    if "trace_views" not in app.blueprints:
        from outcome_graph.serve.trace_views import bp

        app.register_blueprint(bp)
    waitress.serve(app, host="127.0.0.1", port=int(sys.argv[2]), threads=4)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def registered_by_factory() -> bool:
    from outcome_graph.serve import app

    return "trace_views" in Path(app.__file__).read_text()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    store = tmp_path_factory.mktemp("trace-browser-store")
    work = tmp_path_factory.mktemp("trace-browser")
    log = work / "serve.log"
    if registered_by_factory():
        exe = Path(sys.executable).with_name("outcome-graph")
        cmd = [str(exe), "serve", "--port", str(port), "--store", str(store), "--workers", "1"]
    else:
        script = work / "serve_trace.py"
        script.write_text(SERVER)
        cmd = [sys.executable, str(script), str(store), str(port)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited: {log.read_text()}")
            try:
                with urllib.request.urlopen(base + "/trace", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server did not answer in 90 s: {log.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        pg = browser.new_page()
        pg.set_default_timeout(30000)
        yield pg
        browser.close()


def test_search_then_click_through_the_trace(server, page):
    page.goto(server + "/trace")
    page.fill("input[name=q]", "Safe Together")
    page.click("button[type=submit]")
    link = page.locator("a.trace-link", has_text="CSPC.P.2.1")
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
    page.click("text=up")
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
    assert "23 actions" in summary and "32 indicators" in summary
    assert page.locator("#coverage table tr").count() > 5
    assert "the report says 18; the records give 17" in page.locator("#gaps").inner_text()
    with page.expect_download() as dl:
        page.locator("#summary a.csv").first.click()
    path = dl.value.path()
    assert Path(path).read_text().startswith("what,state,count")
    # printable: each priority starts a page
    page.emulate_media(media="print")
    assert page.locator("section.priority").first.evaluate("e => getComputedStyle(e).breakBefore") == "page"
