"""The web server: a Flask app factory (`app.create_app`) and one blueprint per view.

Blueprints reach the store and the limits through `current_store()` and `settings()`, which read what
`create_app` put in `app.extensions["outcome_graph"]`, so a view never opens a store itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request

from ..store import Store

EXTENSION = "outcome_graph"


@dataclass(frozen=True)
class Settings:
    timeout: float = 10.0  # seconds a query may run before it is stopped
    max_rows: int = 10000  # rows (or triples) beyond which a result is cut, with a signal
    max_body: int = 1_000_000  # bytes of request body accepted (413 beyond)
    max_query: int = 100_000  # characters of query text accepted
    public_url: str | None = None  # this server's address as written in output (else its bound address)


def current_store() -> Store:
    return current_app.extensions[EXTENSION]["store"]


def settings() -> Settings:
    return current_app.extensions[EXTENSION]["settings"]


def public_base() -> str:
    """This server's own address for output (no trailing slash): the configured public URL, else the
    address the WSGI server is bound to. Never the client's Host header, which anyone can set."""
    configured = settings().public_url
    if configured:
        return configured.rstrip("/")
    env = request.environ
    scheme = env.get("wsgi.url_scheme", "http")
    host, port = env.get("SERVER_NAME") or "localhost", str(env.get("SERVER_PORT") or "")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    if port and port != {"http": "80", "https": "443"}.get(scheme):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{request.script_root}"


__all__ = ["Settings", "current_store", "settings", "public_base", "EXTENSION"]
