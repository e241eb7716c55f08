"""A forwarding HTTP proxy in front of a real SPARQL server, for tests that must see what a client asks:
every query text that goes through is recorded, and queries holding a marker can be held at a gate until
the test opens it (a slow server, made to order, without changing the server)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "transfer-encoding", "content-length", "keep-alive"}


class SparqlProxy:
    def __init__(self, target: str, held: str | None = None, refused: str | None = None):
        """`held`: queries holding it wait for `gate`; `refused`: queries holding it are answered HTTP 500
        as Virtuoso answers an error, without reaching the server."""
        self.target, self.held, self.refused = target, held, refused
        self.queries: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                proxy._forward(self, None)

            def do_POST(self) -> None:
                proxy._forward(self, self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            do_PUT = do_POST  # the Graph Store Protocol's
            do_DELETE = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        parts = urllib.parse.urlsplit(target)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{parts.path}"

    def asked(self, marker: str) -> list[str]:
        with self._lock:
            return [q for q in self.queries if marker in q]

    def _forward(self, handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        query = urllib.parse.urlsplit(handler.path).query
        form = body.decode("utf-8", "replace") if body and handler.command == "POST" else query
        text = urllib.parse.parse_qs(form).get("query", [""])[0]
        with self._lock:
            self.queries.append(text)
        if self.held and self.held in text:
            self.gate.wait(120)
        if self.refused and self.refused in text:
            data = b"Virtuoso 42000 Error SR483: stopped by the test's proxy"
            handler.send_response_only(500)
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            return
        request = urllib.request.Request(
            self.origin + handler.path,  # any path: the query endpoint, the graph store, the update endpoint
            data=body,
            method=handler.command,
            headers={k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}},
        )
        try:
            response = urllib.request.urlopen(request, timeout=120)
            status, headers, data = response.status, response.headers, response.read()
        except urllib.error.HTTPError as e:
            status, headers, data = e.code, e.headers, e.read()
        handler.send_response_only(status)  # the server's own Server header, not the proxy's
        for name, value in headers.items():
            if name.lower() not in HOP_BY_HOP:
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def close(self) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()
