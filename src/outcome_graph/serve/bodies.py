"""Request bodies, read whole before any view runs, by a bounded number of request threads at once.

The HTTP server hands a request to a Python thread as soon as its headers have arrived; its body is
read from the thread when the app asks for it. A client that sends a body slowly (a byte a second)
would hold that thread for as long as it likes, and a few dozen such clients would hold them all:
then nothing is answered, not even a static file. So `BodyGate`, the outermost layer of the app:

- refuses a declared length over the limit at once (413), before reading a byte;
- lets at most `uploads` requests receive a body at the same time, and at most `per_client` of them
  from one client (remote address); beyond that it answers 503 with Retry-After at once, without
  reading: a slow sender can hold only a few threads, and the rest serve everyone else;
- reads the body whole (at most the limit, chunked or not), then gives the app an in-memory copy, so
  no view ever waits on the network (and the bytes themselves, as `environ[BODY]`).

Requests without a body (every GET, HEAD, OPTIONS) pass straight through.
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


class BodyGate:
    def __init__(self, app: Callable, max_body: int, uploads: int = 8, per_client: int = 2):
        self.app, self.max_body = app, max_body
        self.uploads, self.per_client = uploads, per_client
        self._lock = threading.Lock()
        self._receiving: Counter[str] = Counter()

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        length = _declared_length(environ)
        if length == 0:
            environ[BODY] = b""
            return self.app(environ, start_response)
        if length is not None and length > self.max_body:
            return _too_large(start_response, self.max_body)
        client = environ.get("REMOTE_ADDR", "")
        if not self._enter(client):
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
        if len(body) > self.max_body:
            return _too_large(start_response, self.max_body)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ[BODY] = body
        return self.app(environ, start_response)

    def _enter(self, client: str) -> bool:
        with self._lock:
            if sum(self._receiving.values()) >= self.uploads or self._receiving[client] >= self.per_client:
                return False
            self._receiving[client] += 1
            return True

    def _leave(self, client: str) -> None:
        with self._lock:
            self._receiving[client] -= 1
            if self._receiving[client] <= 0:
                del self._receiving[client]


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
