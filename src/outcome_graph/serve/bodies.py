"""What a request may send: bounded headers, and bodies read whole, fairly, within a deadline, before
any view.

`BodyGate` holds the rules; two readers apply them:

- `outcome-graph serve` reads a body in granian's event loop, before any thread is given to the
  request (serve.bridge): each chunk is awaited with the time left until the whole-body deadline
  (`body_timeout`), so a client that sends one byte of a promised thousand and stops costs no thread and
  gets **408** when the deadline passes. The body arrives in `environ[BODY]` and the gate passes it on.
- An in-process WSGI server (the tests' waitress, Flask's test client) hands the gate a `wsgi.input`
  that the gate reads itself, blocking (no deadline there: it is not the server anyone deploys).

The rules, in order:

- a header too large (one over `MAX_HEADER` bytes, or all of them over `MAX_HEADERS`): 431; nothing
  below keys, parses or stores an unbounded header;
- a declared length over the limit: 413 at once, before reading a byte;
- `uploads` bodies may be in flight at once. Work-conserving: one client may use up to half of them
  when nobody else needs them (eight parallel POSTs from one address are all read), and once half are
  taken each client is held to `per_client`; beyond that 503 with Retry-After, at once, without
  reading. A body in flight costs memory (up to `max_body`) and a slot in the event loop, not a thread,
  but a flood of slow senders from many addresses is still bounded;
- a body that ends short of its declared length: 400; one that turns out larger than the limit
  (chunked): 413;
- the app gets an in-memory copy (and the bytes themselves, as `environ[BODY]`): no view ever waits on
  the network.

Requests without a body (every GET, HEAD, OPTIONS) pass the header bound and then straight through.
"""

from __future__ import annotations

import io
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .headers import SECURITY_HEADERS

StartResponse = Callable[..., Any]
RETRY_AFTER = "5"
BODY = "outcome_graph.body"  # the environ key of the body's bytes, for layers that key on it
MAX_HEADER = 8 * 1024  # bytes in one header's value (a long Accept list is well under 1 KB)
MAX_HEADERS = 32 * 1024  # bytes in all of them


@dataclass(frozen=True)
class Refusal:
    """An answer the gate gives instead of the app's, with the security headers (the app's own
    after_request hooks never see it)."""

    status: str
    message: str
    retry: bool = False
    # The server closes the connection after it: part of the body may still be on its way. (Only the
    # server says so: a WSGI app may not set a hop-by-hop header such as Connection.)
    close: bool = False

    @property
    def code(self) -> int:
        return int(self.status.split(" ", 1)[0])

    def body(self) -> bytes:
        return (self.message + "\n").encode()

    def headers(self) -> list[tuple[str, str]]:
        headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(self.body())))]
        headers += list(SECURITY_HEADERS.items())  # the app's after_request never sees this answer
        if self.retry:
            headers.append(("Retry-After", RETRY_AFTER))
        return headers

    def answer(self, start_response: StartResponse) -> list[bytes]:
        start_response(self.status, self.headers())
        return [self.body()]


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
        if BODY in environ:  # read already, under these rules, by the server (serve.bridge)
            return self.app(environ, start_response)
        length = self.declared(environ)
        if isinstance(length, Refusal):
            return length.answer(start_response)
        if length == 0:
            return self.app(environ, start_response)
        client = environ.get("REMOTE_ADDR", "")
        if not self.enter(client):
            return self.busy().answer(start_response)
        try:
            body = environ["wsgi.input"].read(self.max_body + 1 if length is None else length)
        finally:
            self.leave(client)
        refusal = self.accept(environ, body, length)
        if refusal is not None:
            return refusal.answer(start_response)
        return self.app(environ, start_response)

    def declared(self, environ: dict) -> int | None | Refusal:
        """Before any byte of the body: the declared length (None: chunked, unknown; 0: no body), or
        the refusal of a request whose headers are too large or whose declared body is. For a request
        without a body, `environ` is made ready for the app."""
        too_large = _oversized_header(environ)
        if too_large:
            self.refused["header"] += 1
            return Refusal("431 Request Header Fields Too Large", too_large)
        length = _declared_length(environ)
        if length == 0:
            environ[BODY] = b""
        elif length is not None and length > self.max_body:
            self.refused["size"] += 1
            return self._too_large()
        return length

    def accept(self, environ: dict, body: bytes, length: int | None) -> Refusal | None:
        """After the body was read (all of it, or until the client hung up): the refusal of a short or
        oversized body, or None with `environ` made ready for the app."""
        if length is not None and len(body) < length:  # the client hung up mid-body: nothing to answer
            self.refused["cut"] += 1
            return Refusal(
                "400 Bad Request",
                f"the request body ended after {len(body)} of the {length} bytes its Content-Length promised",
                close=True,
            )
        if len(body) > self.max_body:
            self.refused["size"] += 1
            return self._too_large()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ[BODY] = body
        return None

    def late(self, received: int, length: int | None, timeout: float) -> Refusal:
        """The refusal of a body that did not arrive within `timeout` seconds."""
        self.refused["late"] += 1
        came = f"{received} of the {length} bytes promised" if length is not None else f"{received} bytes"
        return Refusal(
            "408 Request Timeout",
            f"the request body did not arrive within {timeout:g} s ({came} came); send it at once, whole",
            close=True,
        )

    def busy(self) -> Refusal:
        self.refused["busy"] += 1
        return Refusal(
            "503 Service Unavailable",
            "too many requests are sending their bodies at once (or too many from your address); "
            f"try again in {RETRY_AFTER} s",
            retry=True,
            close=True,
        )

    def enter(self, client: str) -> bool:
        """Take one of the upload places for `client`, or False (answer `busy()`)."""
        with self._lock:
            total, mine = sum(self._receiving.values()), self._receiving[client]
            if total >= self.uploads or mine >= self.uploads // 2:
                return False
            if total >= self.uploads // 2 and mine >= self.per_client:  # contention: its share only
                return False
            self._receiving[client] += 1
            return True

    def leave(self, client: str) -> None:
        with self._lock:
            self._receiving[client] -= 1
            if self._receiving[client] <= 0:
                del self._receiving[client]

    def _too_large(self) -> Refusal:
        return Refusal(
            "413 Content Too Large", f"the request body is larger than {self.max_body} bytes", close=True
        )


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
