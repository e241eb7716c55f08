"""Issue 16 part 4: what a request may send, and what an answer may say back.

- the result cache's byte count is exactly what it holds, whatever keys it was given (it used to count
  a key's size in and never out, until nothing could be cached any more);
- headers are bounded (431), and the body gate's own answers (413, 431, 503, a cut-off body's 400)
  carry the security headers;
- no redirect names a host the client chose;
- `serve` refuses a bad option in one usage line, before anything is built or "serving" printed.
"""

from __future__ import annotations

import io
import subprocess
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcome_graph.errors import OutcomeGraphError
from outcome_graph.serve.app import create_app
from outcome_graph.serve.bodies import MAX_HEADER, BodyGate
from outcome_graph.serve.cache import Entry, ResultCache, key_size
from outcome_graph.serve.config import load_settings
from outcome_graph.serve.headers import SECURITY_HEADERS

# --- the result cache's byte count -----------------------------------------------------------------


def _entry(body: bytes) -> Entry:
    return Entry("200 OK", [("Content-Type", "text/plain")], body, '"x"')


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 5000), st.integers(0, 3000)),  # key id, key pad, body
        min_size=1,
        max_size=60,
    )
)
def test_the_cache_counts_exactly_what_it_holds(puts):
    cache = ResultCache(max_bytes=20_000, max_entry=8_000)
    for key_id, pad, body in puts:
        key = ("gen", "GET", "/sparql", f"q{key_id}", "a" * pad)
        cache.put(key, _entry(b"x" * body))
        held = sum(e.size + key_size(k) for k, (e, _) in cache._entries.items())
        assert cache.bytes == held <= cache.max_bytes
    # and after any history, a small answer is still kept: the cache never switches itself off
    cache.put(("gen", "GET", "/sparql", "small", ""), _entry(b"ok"))
    assert cache.get(("gen", "GET", "/sparql", "small", "")) is not None


def test_big_keys_do_not_switch_the_cache_off():
    """The issue's attack: answers keyed on huge Accept values, until the count says full for good."""
    cache = ResultCache(max_bytes=100_000, max_entry=60_000)
    for i in range(200):
        cache.put(("gen", "GET", "/sparql", str(i), "x" * 50_000), _entry(b"answer"))
    assert cache.bytes < 60_000
    cache.put(("gen", "GET", "/sparql", "after", "*/*"), _entry(b"answer"))
    assert cache.get(("gen", "GET", "/sparql", "after", "*/*")) is not None


# --- headers and bodies ------------------------------------------------------------------------------


def _has_security_headers(headers) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, name


@pytest.mark.parametrize("header", ["Accept", "User-Agent", "X-Anything"])
def test_a_header_over_the_bound_gets_431_with_the_security_headers(client, header):
    response = client.get("/sparql?query=ASK%7B%7D", headers={header: "a" * (MAX_HEADER + 1)})
    assert response.status_code == 431
    assert f"the {header} header is larger than {MAX_HEADER} bytes" in response.get_data(as_text=True)
    _has_security_headers(response.headers)
    just_under = client.get("/sparql?query=ASK%7B%7D", headers={header: "*/*," + "a" * (MAX_HEADER - 8)})
    assert just_under.status_code != 431


def test_many_headers_over_the_total_bound_get_431(client):
    headers = {f"X-H{i}": "a" * 4000 for i in range(10)}  # each under the bound, 40 KB in all
    response = client.get("/sparql?query=ASK%7B%7D", headers=headers)
    assert response.status_code == 431 and "in all" in response.get_data(as_text=True)


def test_a_declared_body_over_the_limit_gets_413_with_the_security_headers(built_store):
    app = create_app(store=built_store, config={"max_body": 100})
    response = app.test_client().post(
        "/sparql", data=b"ASK {}" + b" " * 200, content_type="application/sparql-query"
    )
    assert response.status_code == 413 and "larger than 100 bytes" in response.get_data(as_text=True)
    _has_security_headers(response.headers)


def _call(gate: BodyGate, environ: dict) -> tuple[str, dict, bytes]:
    seen: dict = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(gate(environ, start_response))
    return seen["status"], seen["headers"], body


def _post_environ(stream, length: int, client: str) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/sparql",
        "CONTENT_LENGTH": str(length),
        "CONTENT_TYPE": "application/sparql-query",
        "REMOTE_ADDR": client,
        "wsgi.input": stream,
    }


class _StalledBody(io.RawIOBase):
    """A body whose sender has stopped: read() blocks until the test lets it go."""

    def __init__(self):
        self.reading, self.release = threading.Event(), threading.Event()

    def read(self, size=-1):
        self.reading.set()
        self.release.wait(30)
        return b"ASK"


def test_the_body_gates_503_carries_the_security_headers_and_refuses_only_the_busy_address():
    inner_calls = []

    def inner(environ, start_response):
        inner_calls.append(environ["REMOTE_ADDR"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    gate = BodyGate(inner, max_body=1000, uploads=4, per_client=1)
    stalled = [_StalledBody() for _ in range(2)]  # one address holds half of the uploads: its most
    threads = [
        threading.Thread(target=_call, args=(gate, _post_environ(s, 1000, "10.0.0.1")), daemon=True)
        for s in stalled
    ]
    for t in threads:
        t.start()
    for s in stalled:
        assert s.reading.wait(10)
    status, headers, body = _call(gate, _post_environ(_StalledBody(), 1000, "10.0.0.1"))
    assert status.startswith("503") and headers["Retry-After"] == "5"
    assert b"too many requests are sending their bodies" in body
    _has_security_headers(headers)
    # another address still gets its body read and answered
    status, _, body = _call(gate, _post_environ(io.BytesIO(b"ASK {}"), 6, "10.0.0.2"))
    assert status == "200 OK" and inner_calls == ["10.0.0.2"]
    for s in stalled:
        s.release.set()
    for t in threads:
        t.join(10)
    assert gate.refused["busy"] == 1


def test_a_body_cut_off_before_its_declared_length_is_not_run():
    gate = BodyGate(lambda e, s: pytest.fail("a cut-off body reached the app"), max_body=1000)
    status, headers, body = _call(gate, _post_environ(io.BytesIO(b"ASK"), 1000, "10.0.0.1"))
    assert status.startswith("400") and b"ended after 3 of the 1000 bytes" in body
    _has_security_headers(headers)


# --- redirects never name the client's Host ----------------------------------------------------------


def test_no_redirect_names_the_host_the_client_sent(app):
    """Every route, with its slashes doubled (Werkzeug merges them with a redirect built from Host)."""
    client = app.test_client()
    paths = {"/id//x", "/static//outcome-graph/style.css", "/trace//x", "/queries//", "/queries//risks"}
    for rule in app.url_map.iter_rules():
        prefix = rule.rule.split("<")[0]
        if prefix.count("/") >= 2:
            paths.add(prefix.replace("/", "//", 2).replace("//", "/", 1))  # /a//b...
    locations = {}
    for path in sorted(paths):
        response = client.get(path, headers={"Host": "evil.example"})
        location = response.headers.get("Location", "")
        assert "evil" not in location, (path, response.status_code, location)
        if response.status_code in (301, 302, 303, 307, 308):
            assert location.startswith("/") and not location.startswith("//"), (path, location)
            locations[path] = location
    assert locations["/id//x"] == "/id/x"
    assert locations["/trace//x"] == "/trace/x"


# --- the command line ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option, value, says",
    [
        ("--timeout", "nan", "'nan' is not a number of seconds"),
        ("--timeout", "inf", "'inf' is not a number of seconds"),
        ("--timeout", "1e308", "'1e308' is not a number of seconds from 0.001 to 86400"),
        ("--timeout", "0", "'0' is not a number of seconds"),
        ("--port", "-1", "'-1' is not a port number from 0 to 65535"),
        ("--port", "99999", "'99999' is not a port number"),
        ("--workers", "0", "'0' is not a number of workers from 1"),
        ("--reserved-workers", "-1", "'-1' is not a number of workers from 0"),
        ("--threads", "-4", "'-4' is not a number of threads"),
        ("--max-rows", "0", "'0' is not a number of rows"),
        ("--body-timeout", "0", "'0' is not a number of seconds from 0.1 to 3600"),
        ("--body-timeout", "nan", "'nan' is not a number of seconds"),
        ("--body-timeout", "1e9", "'1e9' is not a number of seconds from 0.1"),
        ("--host", "999.1.1.1", "'999.1.1.1' is not an IP address or a host name"),
    ],
)
def test_serve_refuses_a_bad_option_in_one_line_before_serving(tmp_path, option, value, says):
    done = subprocess.run(
        [sys.executable, "-m", "outcome_graph.cli", "serve", "--store", str(tmp_path / "s"), option, value],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, done.stderr
    assert errors[0].startswith(f"outcome-graph serve: error: argument {option}: {says}"), errors
    assert "Traceback" not in done.stderr and "serving" not in done.stdout
    assert not (tmp_path / "s").exists(), "nothing is built for a command line that is refused"


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e308"])
def test_the_environment_cannot_switch_the_time_limit_off(raw):
    with pytest.raises(OutcomeGraphError, match="OUTCOME_GRAPH_TIMEOUT must be"):
        load_settings({}, {"OUTCOME_GRAPH_TIMEOUT": raw})
