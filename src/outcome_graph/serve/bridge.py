"""The WSGI app served through granian's RSGI interface: bodies are read in the event loop, with a deadline.

Why not granian's WSGI interface: it hands a request to a Python thread as soon as its headers are in,
and the body can only be read from that thread, with no timeout (granian 2.8). A client that sends one
byte of a promised thousand and stops holds the thread for as long as it keeps the connection open,
and a handful of them hold every thread. a2wsgi and asgiref's adapters read the body the same way
(the app's thread blocks on `wsgi.input`), so neither gives a deadline.

So `WsgiOverRsgi` (granian's RSGI app protocol, its native one) does what the WSGI server did, in
this order:

1. builds the WSGI environ from the request's scope (as granian's WSGI interface does: PATH_INFO as
   Latin-1 text of the path's bytes, headers as HTTP_*, repeated ones joined);
2. applies the body gate's rules (serve.bodies: 431, 413, the upload places per address) and reads the
   body in the event loop, each chunk awaited with the time left until the whole-body deadline
   (`body_timeout`). A body that is late gets 408 with the security headers and the connection
   closed; waiting for it cost no thread;
3. answers from the result cache if it holds the answer (`cached`: a dictionary look-up that never
   blocks, so a repeated query costs no thread hop: serve.cache.CacheFront.cached);
4. else runs the unchanged WSGI app (admission, cache, Flask) in a bounded pool of request threads,
   and sends its answer: a small one whole; a large or endless one (a static file, a long export) as
   it comes, each next chunk fetched in the pool.

Headers whose names hold an underscore are dropped (as nginx and gunicorn do): `X_Forwarded_For` and
`X-Forwarded-For` would otherwise be the same HTTP_X_FORWARDED_FOR.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from typing import Any

from .bodies import BodyGate, Refusal
from .headers import SECURITY_HEADERS

STREAM_AFTER = 1 << 20  # bytes of an answer gathered in the request thread before it is streamed
_END = object()


class WsgiOverRsgi:
    def __init__(
        self,
        app: Callable,
        gate: BodyGate,
        threads: int,
        body_timeout: float,
        cached: Callable[[dict], tuple[str, list[tuple[str, str]], bytes] | None] | None = None,
    ):
        self.app, self.gate, self.cached = app, gate, cached
        self.threads, self.body_timeout = threads, body_timeout
        self._pool: ThreadPoolExecutor | None = None

    # --- granian's RSGI hooks -----------------------------------------------------------------------

    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="request")

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        if scope.proto != "http":  # websockets are switched off in serve.server; nothing else comes
            return
        environ = self.environ(scope)
        refusal = await self._receive(environ, proto)
        if refusal is not None:
            headers = refusal.headers() + ([("Connection", "close")] if refusal.close else [])
            proto.response_bytes(refusal.code, headers, refusal.body())
            return
        hit = self.cached(environ) if self.cached is not None else None
        if hit is not None:
            status_line, hit_headers, body = hit
            proto.response_bytes(_status([status_line]), _headers([status_line, hit_headers]), body)
            return
        loop = asyncio.get_running_loop()
        try:
            status, headers, head, rest = await loop.run_in_executor(self._pool, self._call, environ)
        except Exception as e:  # the app's own error handlers answer everything it knows about
            print(f"outcome-graph: error: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
            failed = Refusal("500 Internal Server Error", "the server failed to answer this request")
            proto.response_bytes(failed.code, failed.headers(), failed.body())
            return
        if rest is None:
            proto.response_bytes(status, headers, head)
            return
        await self._stream(loop, proto, status, headers, head, rest)

    # --- the request ----------------------------------------------------------------------------------

    def environ(self, scope: Any) -> dict:
        """The WSGI environ of an RSGI request scope."""
        host, _, port = scope.server.rpartition(":")
        remote = scope.client.rpartition(":")[0] if ":" in scope.client else scope.client
        environ: dict[str, Any] = {
            "REQUEST_METHOD": scope.method,
            "SCRIPT_NAME": "",
            # granian gives the path percent-decoded as UTF-8 text; WSGI wants the bytes as Latin-1.
            "PATH_INFO": scope.path.encode("utf-8").decode("latin-1"),
            "QUERY_STRING": scope.query_string,
            "SERVER_NAME": host.strip("[]"),
            "SERVER_PORT": port,
            "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
            "SERVER_SOFTWARE": "outcome-graph (granian)",
            "REMOTE_ADDR": remote.strip("[]"),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.scheme,
            "wsgi.input": BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in scope.headers.items():
            if "_" in name:
                continue
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            if key in environ:  # joined as granian's WSGI interface joins them
                value = environ[key] + (";" if key == "HTTP_COOKIE" else ",") + value
            environ[key] = value
        return environ

    async def _receive(self, environ: dict, proto: Any) -> Refusal | None:
        """Read the request's body into `environ` under the gate's rules, or the refusal to answer."""
        gate = self.gate
        length = gate.declared(environ)
        if isinstance(length, Refusal) or length == 0:
            return length or None
        client = environ["REMOTE_ADDR"]
        if not gate.enter(client):
            return gate.busy()
        try:
            body = await self._read(proto, length)
        finally:
            gate.leave(client)
        if isinstance(body, Refusal):
            return body
        return gate.accept(environ, body, length)

    async def _read(self, proto: Any, length: int | None) -> bytes | Refusal:
        """The body, read until it ends or passes the gate's limit (a short one is the gate's to refuse),
        or 408 once `body_timeout` seconds have passed without all of it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_timeout
        limit = self.gate.max_body if length is None else length
        chunks, size = [], 0
        stream = proto.__aiter__()
        while size <= limit:
            left = deadline - loop.time()
            try:
                if left <= 0:
                    raise asyncio.TimeoutError
                chunk = await asyncio.wait_for(stream.__anext__(), left)
            except StopAsyncIteration:
                break
            except asyncio.TimeoutError:
                return self.gate.late(size, length, self.body_timeout)
            except Exception:  # the connection broke: what came is what the gate judges
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)

    # --- the answer -----------------------------------------------------------------------------------

    def _call(self, environ: dict) -> tuple[int, list[tuple[str, str]], bytes, Iterator[bytes] | None]:
        """Run the app (in a request thread): its status, headers, the first part of its body, and the
        rest to stream (None when the first part is all of it)."""
        started: list = []
        written: list[bytes] = []

        def start_response(status: str, headers: list, exc_info: Any = None) -> Callable[[bytes], None]:
            if exc_info is not None and started and written:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return written.append  # WSGI's legacy write(): gathered before the iterable's chunks

        result: Iterable[bytes] = self.app(environ, start_response)
        try:
            if isinstance(result, (list, tuple)):
                chunks = [*written, *result]
                return _status(started), _headers(started), b"".join(chunks), None
            parts = iter(result)
            chunks, size = list(written), sum(map(len, written))
            for chunk in parts:
                chunks.append(chunk)
                size += len(chunk)
                if size >= STREAM_AFTER:
                    return _status(started), _headers(started), b"".join(chunks), _Closing(parts, result)
        except BaseException:
            _close(result)
            raise
        _close(result)
        return _status(started), _headers(started), b"".join(chunks), None

    async def _stream(
        self,
        loop: asyncio.AbstractEventLoop,
        proto: Any,
        status: int,
        headers: list[tuple[str, str]],
        head: bytes,
        rest: Iterator[bytes],
    ) -> None:
        transport = proto.response_stream(status, headers)
        try:
            await transport.send_bytes(head)
            while True:
                chunk = await loop.run_in_executor(self._pool, next, rest, _END)
                if chunk is _END:
                    break
                if chunk:
                    await transport.send_bytes(chunk)
        except Exception:  # the client went away: the rest is not wanted
            pass
        finally:
            await loop.run_in_executor(self._pool, _close, rest)


def _status(started: list) -> int:
    if not started:
        raise RuntimeError("the WSGI app returned without calling start_response")
    return int(started[0].split(" ", 1)[0])


def _headers(started: list) -> list[tuple[str, str]]:
    headers = [(str(k), str(v)) for k, v in started[1]]
    names = {k.lower() for k, _ in headers}
    # Every answer carries them: the app adds them to its own; this covers what answers without it.
    return headers + [(k, v) for k, v in SECURITY_HEADERS.items() if k.lower() not in names]


class _Closing:
    """The rest of an answer's chunks; `close` closes the app's iterable, as WSGI requires, whether or
    not it was used up."""

    def __init__(self, parts: Iterator[bytes], result: Iterable[bytes]):
        self.parts, self.result = parts, result

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self.parts)

    def close(self) -> None:
        _close(self.result)


def _close(result: Any) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()
