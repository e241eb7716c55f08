"""serve.bridge gives the WSGI app what granian's own WSGI interface gave it, and sends back all of what
the app answers.

Both run the same echo app (tests/serve/data/bridge_echo.py) in real granian processes; the same raw
requests (escaped and invalid path bytes, repeated headers and cookies, query strings, bodies, chunked
bodies) must reach the app the same through both. Two differences:
- deliberate: a header whose name holds an underscore is dropped by the bridge (it would pose as the
  dashed one);
- granian's: its RSGI scope gives the path as text, with a byte that is not UTF-8 already replaced by
  U+FFFD, so the path is compared as the app reads it (Werkzeug decodes PATH_INFO as UTF-8 with
  replacement, so both give the same route).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ECHO = Path(__file__).parent / "data" / "bridge_echo.py"


def _start(kind: str):
    proc = subprocess.Popen(
        [sys.executable, str(ECHO), kind],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    port = int(proc.stdout.readline())
    return proc, port


@pytest.fixture(scope="module")
def servers():
    started = [_start("wsgi"), _start("bridge")]
    try:
        for _, port in started:
            _wait(port)
        yield {"wsgi": started[0][1], "bridge": started[1][1]}
    finally:
        for proc, _ in started:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)


def _wait(port: int) -> None:
    import time

    deadline = time.monotonic() + 30
    while True:
        try:
            _raw(port, b"GET /closed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return
        except OSError:
            assert time.monotonic() < deadline, "the echo server did not start"
            time.sleep(0.1)


def _raw(port: int, request: bytes) -> tuple[str, bytes]:
    """Send one raw request; the status line and the (de-chunked) body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if any(line.lower() == "transfer-encoding: chunked" for line in lines):
        out, rest = b"", body
        while True:
            size, _, rest = rest.partition(b"\r\n")
            n = int(size, 16)
            if n == 0:
                break
            out, rest = out + rest[:n], rest[n + 2 :]
        body = out
    return lines[0], body


REQUESTS = [
    b"GET /id/a%20b%2Fc/%C3%A9?x=1%20&y HTTP/1.1\r\nHost: example.org\r\n",
    b"GET /id/%FF%2e/x HTTP/1.1\r\nHost: x\r\n",
    b"GET /sparql?query=ASK%7B%7D&default-graph-uri=urn%3Ag HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nX-A: 2\r\nCookie: a=1\r\nCookie: b=2\r\n",
    b"GET /%E2%82%AC?%E2%82%AC=%E2%82%AC HTTP/1.1\r\nHost: x\r\nAccept-Language: gd, en;q=0.5\r\n",
    b"HEAD /x HTTP/1.1\r\nHost: x\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 6\r\n"
    b"\r\nASK {}",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n6\r\nquery=\r\n6\r\nASK%7B\r\n3\r\n%7D\r\n0\r\n\r\n",
    b"PUT /q HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n\xff\x00\x01",
    b"OPTIONS * HTTP/1.1\r\nHost: x\r\n",
]


@pytest.mark.parametrize("request_bytes", REQUESTS, ids=range(len(REQUESTS)))
def test_the_app_sees_the_same_request_through_the_bridge(servers, request_bytes):
    head, _, body = request_bytes.partition(b"\r\n\r\n")
    request_bytes = (
        head + b"\r\nConnection: close\r\n\r\n" + body if body else head + b"Connection: close\r\n\r\n"
    )
    seen = {}
    for kind, port in servers.items():
        status, answer = _raw(port, request_bytes)
        assert status.startswith("HTTP/1.1 200"), (kind, status, answer)
        if request_bytes.startswith(b"HEAD"):
            assert answer == b""
            continue
        seen[kind] = json.loads(answer)
        seen[kind].pop("HTTP_CONNECTION", None)
        path = seen[kind]["PATH_INFO"]
        seen[kind]["PATH_INFO"] = path.encode("latin-1").decode("utf-8", "replace")  # as Werkzeug does
    assert seen.get("bridge") == seen.get("wsgi")


def test_a_header_with_an_underscore_cannot_pose_as_the_dashed_one(servers):
    request = b"GET / HTTP/1.1\r\nHost: x\r\nX-User: me\r\nX_User: admin\r\nConnection: close\r\n\r\n"
    _, answer = _raw(servers["bridge"], request)
    assert json.loads(answer)["HTTP_X_USER"] == "me"


@pytest.mark.parametrize("size", [10, 3_000_000])
def test_an_answer_goes_out_whole_and_its_iterable_is_closed(servers, size):
    """A generator's answer (static files, exports) is streamed past 1 MiB: every byte arrives, and the
    app's iterable is closed, as WSGI requires."""
    port = servers["bridge"]
    before = int(_raw(port, b"GET /closed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[1])
    status, body = _raw(
        port, f"GET /stream?n={size} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    assert status.startswith("HTTP/1.1 200") and body == b"x" * size
    after = int(_raw(port, b"GET /closed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[1])
    assert after == before + 1
