"""A WSGI app (behind the body gate) that answers with what it was given, served either by granian's own
WSGI interface or through serve.bridge, for tests/serve/test_bridge.py (run as a script:
`bridge_echo.py wsgi|bridge`).

It prints its port on its first line of output. /stream?n=N answers N bytes from a generator in 64 KiB
chunks; /closed says how many answers' iterables were closed so far (WSGI requires every one to be).
"""

from __future__ import annotations

import json
import sys
import threading
from urllib.parse import parse_qs

from flask import Flask
from granian.constants import HTTPModes, Interfaces, RuntimeModes
from granian.log import LogLevels

from outcome_graph.serve import EXTENSION
from outcome_graph.serve.bodies import BodyGate
from outcome_graph.serve.server import _Server, listen, serve

CGI = ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "SERVER_NAME", "REMOTE_ADDR", "SERVER_PROTOCOL")
CGI += ("CONTENT_TYPE", "CONTENT_LENGTH", "wsgi.url_scheme")
closed = {"n": 0}
lock = threading.Lock()


class Stream:
    def __init__(self, n: int):
        self.n = n

    def __iter__(self):
        left = self.n
        while left > 0:
            yield b"x" * min(65536, left)
            left -= 65536

    def close(self) -> None:
        with lock:
            closed["n"] += 1


def echo(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/stream":
        n = int(parse_qs(environ["QUERY_STRING"])["n"][0])
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return Stream(n)
    if path == "/closed":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(closed["n"]).encode()]
    seen = {k: v for k, v in environ.items() if k in CGI or k.startswith("HTTP_")}
    seen["body"] = environ["wsgi.input"].read().decode("latin-1")
    body = json.dumps(seen, sort_keys=True).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def main() -> int:
    listener = listen("127.0.0.1", 0)
    print(listener.getsockname()[1], flush=True)
    if sys.argv[1] == "bridge":

        def load() -> Flask:
            app = Flask("echo")
            app.wsgi_app = BodyGate(echo, max_body=100_000)  # type: ignore[method-assign]
            app.extensions[EXTENSION] = {"bodies": app.wsgi_app}
            return app

        return serve(listener, load, threads=4, body_timeout=5)
    server = _Server(
        listener,
        interface=Interfaces.WSGI,
        runtime_mode=RuntimeModes.st,
        http=HTTPModes.http1,
        workers=1,
        blocking_threads=4,
        log_level=LogLevels.error,
    )
    server.serve(target_loader=lambda: BodyGate(echo, max_body=100_000), wrap_loader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
