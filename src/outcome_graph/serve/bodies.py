"""What a request may send: bounded headers, and bodies read whole, fairly, before any view.

The HTTP server hands a request to a Python thread as soon as its headers have arrived; its body is
read from the thread when the app asks for it. A client that sends a body slowly (a byte a second, or
one byte of a promised thousand and then nothing) holds that thread for as long as it likes. So
`BodyGate`, the outermost layer of the app:

- answers 431 to a request whose headers are too large (one over `MAX_HEADER` bytes, or all of them
  over `MAX_HEADERS`): nothing below keys, parses or stores an unbounded header;
- refuses a declared length over the limit at once (413), before reading a byte;
- lets `uploads` bodies be received at once (the server has request threads for all of them and for
  every query besides: serve.admission.Policy.threads). Work-conserving: one client may use up to half
  of them when nobody else needs them (eight parallel POSTs from one address are all read), and once
  half are taken each client is held to `per_client`; beyond that 503 with Retry-After, at once,
  without reading. So slow senders from one address (eight connections sending one byte of a promised
  thousand) cannot keep anyone else's POST out, and slow senders from many cannot hold every thread;
- hands the app an in-memory copy (and the bytes themselves, as `environ[BODY]`): no view ever waits
  on the network.

Why no read deadline: granian (2.8) offers none for a request body, and its body can only be read
from the request's own thread (read from another thread, to wait on it with a timeout, the body's
read holds up granian's I/O and every other request stalls: tried, see BENCHMARKS.md). A stalled body
therefore holds its thread until the client sends or hangs up; the gate bounds how many threads that
can be, per address and in all.

Requests without a body (every GET, HEAD, OPTIONS) pass the header bound and then straight through.
"""

from __future__ import annotations

import io
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from .headers import SECURITY_HEADERS

StartResponse = Callable[..., Any]
RETRY_AFTER = "5"
BODY = "outcome_graph.body"  # the environ key of the body's bytes, for layers that key on it
MAX_HEADER = 8 * 1024  # bytes in one header's value (a long Accept list is well under 1 KB)
MAX_HEADERS = 32 * 1024  # bytes in all of them


class BodyGate:
    def __init__(
        self,
        app: Callable,
        max_body: int,
        uploads: int = 32,
        per_client: int = 4,
    ):
        self.app, self.max_body = app, max_body
        self.uploads, self.per_client = uploads, per_client
        self._lock = threading.Lock()
        self._receiving: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()  # why bodies were refused: observable in tests

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        too_large = _oversized_header(environ)
        if too_large:
            self.refused["header"] += 1
            return _refuse(start_response, "431 Request Header Fields Too Large", too_large)
        length = _declared_length(environ)
        if length == 0:
            environ[BODY] = b""
            return self.app(environ, start_response)
        if length is not None and length > self.max_body:
            self.refused["size"] += 1
            return _too_large(start_response, self.max_body)
        client = environ.get("REMOTE_ADDR", "")
        if not self._enter(client):
            self.refused["busy"] += 1
            return _refuse(
                start_response,
                "503 Service Unavailable",
                "too many requests are sending their bodies at once (or too many from your address); "
                f"try again in {RETRY_AFTER} s",
                retry=True,
            )
        try:
            body = environ["wsgi.input"].read(self.max_body + 1 if length is None else length)
        finally:
            self._leave(client)
        if length is not None and len(body) < length:  # the client hung up mid-body: nothing to answer
            self.refused["cut"] += 1
            return _refuse(
                start_response,
                "400 Bad Request",
                f"the request body ended after {len(body)} of the {length} bytes its Content-Length promised",
            )
        if len(body) > self.max_body:
            self.refused["size"] += 1
            return _too_large(start_response, self.max_body)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ[BODY] = body
        return self.app(environ, start_response)

    def _enter(self, client: str) -> bool:
        with self._lock:
            total, mine = sum(self._receiving.values()), self._receiving[client]
            if total >= self.uploads or mine >= self.uploads // 2:
                return False
            if total >= self.uploads // 2 and mine >= self.per_client:  # contention: its share only
                return False
            self._receiving[client] += 1
            return True

    def _leave(self, client: str) -> None:
        with self._lock:
            self._receiving[client] -= 1
            if self._receiving[client] <= 0:
                del self._receiving[client]


def _oversized_header(environ: dict) -> str | None:
    """Why the request's headers are too large, or None."""
    total = 0
    for key, value in environ.items():
        if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            size = len(value) if isinstance(value, str) else 0
            if size > MAX_HEADER:
                name = key.removeprefix("HTTP_").replace("_", "-").title()
                return f"the {name} header is larger than {MAX_HEADER} bytes"
            total += size
    if total > MAX_HEADERS:
        return f"the request's headers are larger than {MAX_HEADERS} bytes in all"
    return None


def _declared_length(environ: dict) -> int | None:
    """The body's declared length; None for a body of unknown length (chunked), 0 for none."""
    raw = environ.get("CONTENT_LENGTH")
    if raw:
        try:
            return max(0, int(raw))
        except ValueError:
            return None
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    return None if chunked else 0


def _too_large(start_response: StartResponse, limit: int) -> list[bytes]:
    return _refuse(start_response, "413 Content Too Large", f"the request body is larger than {limit} bytes")


def _refuse(start_response: StartResponse, status: str, message: str, retry: bool = False) -> list[bytes]:
    body = (message + "\n").encode()
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    headers += list(SECURITY_HEADERS.items())  # the app's after_request never sees this answer
    if retry:
        headers.append(("Retry-After", RETRY_AFTER))
    start_response(status, headers)
    return [body]
