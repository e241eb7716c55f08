"""The HTTP server in front of the app: granian, an HTTP/1.1 server written in Rust, through its RSGI
interface and our bridge to the WSGI app (serve.bridge: request bodies are read in the event loop, with
a deadline, before a request thread is given).

Why not a pure-Python server: a repeated query is answered from the result cache (serve.cache) without
running anything, so what is left of its answer time is the HTTP server itself. Waitress alone, with an
app that returns a fixed body, takes longer than the Oxigraph server takes to answer a lookup
(BENCHMARKS.md, "/sparql against the Oxigraph server"); granian parses and writes HTTP off the GIL.

How it runs: this process binds the port itself (so a port in use is one clear line, and "serving" is
said only once the port is ours), then granian forks one worker process that builds the app — store,
query worker pools, admission — and serves it on `threads` request threads (the bridge's pool); the
port is handed to it already listening. One process serves, so admission control and the result cache
see every request.
The port is bound without SO_REUSEPORT, which granian would otherwise set: with it, a second server on
a port in use would start quietly and share the connections.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from granian._granian import SocketHolder  # what granian's own workers are handed: a listening socket
from granian.constants import HTTPModes, Interfaces, RuntimeModes
from granian.log import LogLevels
from granian.server import MPServer

from ..errors import OutcomeGraphError
from . import EXTENSION
from .bridge import WsgiOverRsgi
from .config import BODY_TIMEOUT

if TYPE_CHECKING:
    from flask import Flask

BACKLOG = 1024


class PortInUse(OSError):
    pass


class _Server(MPServer):
    """granian's process server, given a listening socket instead of binding one itself."""

    def __init__(self, listener: socket.socket, **kwargs):
        self._listener = listener
        host, port = listener.getsockname()[:2]
        super().__init__("outcome-graph", address=host, port=port, **kwargs)

    def _init_shared_socket(self) -> None:
        self._ssp = None
        self._shd = SocketHolder(self._listener.fileno(), False, BACKLOG)
        self._sfd = self._listener.fileno()
        self._sso = None

    def _drop_shared_socket(self) -> None:
        self._listener.close()


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: any free port), inherited by the serving process."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listener = socket.create_server((host, port), family=family, backlog=BACKLOG, reuse_port=False)
    except OSError as e:
        raise PortInUse(e.errno, os.strerror(e.errno) if e.errno else str(e)) from None
    listener.set_inheritable(True)
    return listener


def serve(
    listener: socket.socket, load_app: Callable[[], Flask], threads: int, body_timeout: float = BODY_TIMEOUT
) -> int:
    """Serve the app that `load_app` builds (called in the serving process) until SIGINT or SIGTERM;
    a request body that has not all come within `body_timeout` seconds is answered 408.

    Returns the exit status: 0 after a signal, 1 when the serving process could not start or died.
    """

    def load() -> WsgiOverRsgi:
        # A terminal's Ctrl-C reaches the whole process group: the serving process is stopped by its
        # parent (SIGTERM, at once), not by the interrupt, which would wait out a graceful drain.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            app = load_app()
        except OutcomeGraphError as e:  # said in one line, as the CLI says it
            print(f"outcome-graph: error: {e}", file=sys.stderr, flush=True)
            os._exit(1)
        extension = app.extensions[EXTENSION]
        front = extension.get("cache_front")
        return WsgiOverRsgi(
            app, extension["bodies"], threads, body_timeout, cached=front.cached if front else None
        )

    server = _Server(
        listener,
        interface=Interfaces.RSGI,
        # One Rust I/O thread: the Python side is one process under one lock anyway.
        runtime_mode=RuntimeModes.st,
        http=HTTPModes.http1,  # what SPARQL clients speak; no sniffing for HTTP/2 on each connection
        websockets=False,
        workers=1,
        blocking_threads=1,  # the event loop's; the request threads are the bridge's own pool
        log_level=LogLevels.error,  # only what went wrong ("Unexpected exit from worker-1")
        workers_kill_timeout=10,
    )
    try:
        server.serve(target_loader=load, wrap_loader=False)
    except SystemExit as e:
        return int(e.code or 0)
    return 0
