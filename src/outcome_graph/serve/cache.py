"""The result cache: a read-only, versioned graph lets the server remember answers instead of recomputing.

`CacheFront` wraps the WSGI app. A GET or POST to /sparql or /queries/<name> is keyed on the store's
generation and the exact request: method, path, query string, Accept, and for a POST its content type
and body bytes (a body over 64 KiB is not cached). A hit is answered from
memory before Flask, admission or the query check run: that is safe because the key is the exact text
of a request that was checked and answered before, against the very same data. A miss goes through the
app; an answer the view marked cacheable (`mark_cacheable`: a 200 from the engine, never an error or a
timeout) is kept, byte for byte as the engine's serializer wrote it.

Every cacheable answer carries a strong ETag (a hash of its media type and body) and
`Cache-Control: public, max-age=300`; a request whose If-None-Match names the ETag gets 304 with no
body. The cache holds at most `max_bytes` (least recently used out first), each entry at most
`max_entry` bytes. The generation is read from the store at each request, so answers of an older one
are never served (and age out of the LRU).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import request

from .bodies import BODY

CACHEABLE = "outcome_graph.cacheable"
PATHS = ("/sparql",)
PREFIXES = ("/queries/",)
MAX_POST = 64 * 1024
CACHE_CONTROL = "public, max-age=300"
# Headers a 304 leaves out: they describe a body it does not have.
BODY_HEADERS = frozenset({"content-length", "content-type", "content-disposition"})


def mark_cacheable() -> None:
    """Called by a view whose answer depends on nothing but the request and the store's data."""
    request.environ[CACHEABLE] = True


@dataclass(frozen=True)
class Entry:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 200


class ResultCache:
    """A thread-safe LRU of entries bounded in total bytes; the lock is held only for dict updates."""

    def __init__(self, max_bytes: int = 64 * 1024**2, max_entry: int = 4 * 1024**2):
        self.max_bytes, self.max_entry = max_bytes, max_entry
        # each entry with the bytes it was counted as (its key included), so that dropping it takes
        # back exactly what putting it added: the count can never drift up until nothing fits
        self._entries: OrderedDict[tuple, tuple[Entry, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            held = self._entries.get(key)
            if held is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return held[0]

    def put(self, key: tuple, entry: Entry) -> None:
        size = entry.size + key_size(key)
        if size > self.max_entry:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (entry, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    @property
    def bytes(self) -> int:
        """The bytes counted for what is held now (entries and their keys)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)


def key_size(key: tuple) -> int:
    return sum(len(k) if isinstance(k, (str, bytes)) else 8 for k in key)


def etag_of(content_type: str, body: bytes) -> str:
    return '"' + hashlib.blake2b(content_type.encode() + b"\0" + body, digest_size=12).hexdigest() + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


StartResponse = Callable[..., Any]


class CacheFront:
    """`generation` is read at every request (the store's own attribute, not a copy taken at start):
    a store whose data changes under a running server never has an older generation's answer served."""

    def __init__(self, app: Callable, cache: ResultCache, generation: Callable[[], str]):
        self.app, self.cache, self._generation = app, cache, generation

    @property
    def generation(self) -> str:
        return self._generation()

    def _key(self, environ: dict) -> tuple | None:
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO", "")
        if not (path in PATHS or path.startswith(PREFIXES)):
            return None
        accept = environ.get("HTTP_ACCEPT", "")
        qs = environ.get("QUERY_STRING", "")
        generation = self.generation
        if not generation:  # the store no longer says which data it holds: nothing is cached
            return None
        if method == "GET":
            return (generation, "GET", path, qs, accept)
        if method != "POST":
            return None
        body = environ.get(BODY)  # the whole body, read by serve.bodies, which runs first
        if body is None or len(body) > MAX_POST:
            return None
        return (generation, "POST", path, qs, environ.get("CONTENT_TYPE", ""), body, accept)

    def cached(self, environ: dict) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """The answer held for this request (status, headers, body; 304 if the client has it), or None.
        Never blocks and runs nothing: the server's event loop asks it first (serve.bridge), so that a
        hit costs no request thread."""
        key = self._key(environ)
        entry = None if key is None else self.cache.get(key)
        if entry is None:
            return None
        if _matches(environ.get("HTTP_IF_NONE_MATCH"), entry.etag):
            headers = [(k, v) for k, v in entry.headers if k.lower() not in BODY_HEADERS]
            return "304 Not Modified", headers, b""
        return entry.status, entry.headers, entry.body

    def _send(self, entry: Entry, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        if _matches(environ.get("HTTP_IF_NONE_MATCH"), entry.etag):
            headers = [(k, v) for k, v in entry.headers if k.lower() not in BODY_HEADERS]
            start_response("304 Not Modified", headers)
            return []
        start_response(entry.status, entry.headers)
        return [entry.body]

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        entry = self.cache.get(key)
        if entry is not None:
            return self._send(entry, environ, start_response)
        captured: dict[str, Any] = {}
        chunks: list[bytes] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            if environ.get(CACHEABLE) and status.startswith("200 ") and exc_info is None:
                captured["status"], captured["headers"] = status, headers
                return chunks.append
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        if not captured:
            return result
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        body = b"".join(chunks)
        headers = [(k, v) for k, v in captured["headers"] if k.lower() not in ("etag", "cache-control")]
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        etag = etag_of(content_type, body)
        headers += [("ETag", etag), ("Cache-Control", CACHE_CONTROL)]
        entry = Entry(captured["status"], headers, body, etag)
        self.cache.put(key, entry)
        return self._send(entry, environ, start_response)
