"""Issue 16 part 3: request bodies have a read deadline, on a real `outcome-graph serve`.

The server is started as a user starts it, with `--body-timeout 2`. Without the deadline (granian's
WSGI interface, serve.bodies before serve.bridge) a stalled body held its request thread until the
client hung up, and eight of them from one address kept everyone else's POST out; every test here
fails on that server: no 408 ever comes.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.parse

import pytest
from conftest import serving

from outcome_graph.serve.headers import SECURITY_HEADERS

DEADLINE = 2.0
SLACK = 1.5  # the loaded 2-core test machine's allowance, far below another deadline's length


@pytest.fixture(scope="module")
def deadline_server(tmp_path_factory):
    with serving(tmp_path_factory, "deadline", "--body-timeout", f"{DEADLINE:g}") as port:
        yield port


def _stalled(port: int, source: str, sent: bytes = b"A", length: int = 1000) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    s.sendall(
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        + f"Content-Length: {length}\r\n\r\n".encode()
        + sent
    )
    return s


def _answer(s: socket.socket, wait: float) -> tuple[bytes, dict[str, str], bytes]:
    """Status line, headers and body of the one answer on `s` (read until the server closes)."""
    s.settimeout(wait)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return status.encode(), headers, body


def _post(port: int, source: str, query: str) -> tuple[int, bytes, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        conn.request(
            "POST", "/sparql", body=query.encode(), headers={"Content-Type": "application/sparql-query"}
        )
        resp = conn.getresponse()
        return resp.status, resp.read(), time.monotonic() - started
    finally:
        conn.close()


def _is_408(status: bytes, headers: dict[str, str], body: bytes, received: int) -> None:
    assert status == b"HTTP/1.1 408 Request Timeout", (status, body)
    assert (
        f"did not arrive within {DEADLINE:g} s ({received} of the 1000 bytes promised came)".encode() in body
    )
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower()) == value, name
    assert headers.get("connection") == "close"


def test_eight_stalled_bodies_get_408_at_the_deadline_and_keep_no_one_out(deadline_server):
    """The issue's attack: eight connections from one address send one byte of a promised thousand and
    stop. Another client's POST is answered at once, and each stalled one gets 408 once the deadline
    has passed, and its connection is closed (it holds nothing)."""
    port = deadline_server
    opened = time.monotonic()
    stalled = [_stalled(port, "127.0.4.1") for _ in range(8)]
    time.sleep(0.3)  # not a bound: lets the eight reach the server before the others are sent
    for i in range(3):
        status, body, took = _post(port, f"127.0.5.{i + 1}", f"ASK {{ ?s ?p ?o }} # {i} {time.time_ns()}")
        assert status == 200 and body == b'{"head": {}, "boolean": true}', (status, body)
        assert took < 1.0, f"a POST waited {took:.2f} s behind the stalled bodies"
    # one more from the stalling address itself: its other requests are not held up either
    status, _, _ = _post(port, "127.0.4.1", f"ASK {{}} # same address {time.time_ns()}")
    assert status == 200
    for s in stalled:
        status, headers, body = _answer(s, DEADLINE + SLACK + 5)
        _is_408(status, headers, body, received=1)
        waited = time.monotonic() - opened
        assert DEADLINE - 0.2 <= waited <= DEADLINE + SLACK + 0.5, f"408 after {waited:.2f} s"
        s.close()


def test_a_body_trickled_a_byte_at_a_time_is_cut_at_the_whole_body_deadline(deadline_server):
    """The deadline is for the whole body, not for the gap between chunks: a byte every 0.2 s keeps
    every chunk prompt and still gets 408 at the deadline."""
    port = deadline_server
    s = _stalled(port, "127.0.4.2", sent=b"")
    started = time.monotonic()
    sent = 0
    s.setblocking(False)
    answer = b""
    while time.monotonic() - started < DEADLINE + SLACK + 2:
        try:
            s.send(b"A")
            sent += 1
        except OSError:  # the server closed the connection: the 408 is on its way or here
            break
        try:
            answer = s.recv(65536)
            if answer:
                break
        except BlockingIOError:
            pass
        time.sleep(0.2)
    took = time.monotonic() - started
    s.setblocking(True)
    if not answer:
        answer = s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert DEADLINE - 0.2 <= took <= DEADLINE + SLACK, f"408 after {took:.2f} s"
    assert sent >= 5, "the body was being sent all along"
    s.close()


def test_a_body_sent_promptly_in_pieces_is_answered(deadline_server):
    """The deadline refuses only late bodies: one sent in three pieces within it is read whole and run."""
    port = deadline_server
    query = f"ASK {{ ?s ?p ?o }} # pieces {time.time_ns()}".encode()
    s = _stalled(port, "127.0.4.3", sent=query[:5], length=len(query))
    time.sleep(0.3)
    s.sendall(query[5:12])
    time.sleep(0.3)
    s.sendall(query[12:] + b"")
    s.settimeout(10)
    answer = s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200"), answer
    assert answer.endswith(b'{"head": {}, "boolean": true}')
    s.close()


def test_a_chunked_body_over_the_limit_gets_413_without_being_read_whole(deadline_server):
    """A body of unknown length (chunked) is read only up to the limit (1 MB by default)."""
    port = deadline_server
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"#" * 65536
    try:
        for _ in range(40):  # 2.5 MB offered
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    except OSError:
        pass  # the server stopped reading and closed: its answer is already sent
    status, headers, body = _answer(s, 10)
    assert status.startswith(b"HTTP/1.1 413"), (status, body)
    assert b"larger than 1000000 bytes" in body
    assert headers.get("content-security-policy")
    s.close()


def test_get_requests_never_wait_for_a_body(deadline_server):
    """A GET from the stalling address, while it stalls, is answered at once (no body is awaited)."""
    port = deadline_server
    s = _stalled(port, "127.0.4.4")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=("127.0.4.4", 0))
        query = urllib.parse.urlencode({"query": f"ASK {{}} # get {time.time_ns()}"})
        started = time.monotonic()
        conn.request("GET", "/sparql?" + query)
        assert conn.getresponse().status == 200
        assert time.monotonic() - started < 1.0
    finally:
        s.close()
