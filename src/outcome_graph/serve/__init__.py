"""The web server: a Flask app factory (`app.create_app`) and one blueprint per view.

Blueprints reach the store and the limits through `current_store()` and `settings()`, which read what
`create_app` put in `app.extensions["outcome_graph"]`, so a view never opens a store itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from ..store import Store

EXTENSION = "outcome_graph"


@dataclass(frozen=True)
class Settings:
    timeout: float = 10.0  # seconds a query may run before it is stopped
    max_rows: int = 10000  # rows (or triples) beyond which a result is cut, with a signal
    max_body: int = 1_000_000  # bytes of request body accepted (413 beyond)
    max_query: int = 100_000  # characters of query text accepted


def current_store() -> Store:
    return current_app.extensions[EXTENSION]["store"]


def settings() -> Settings:
    return current_app.extensions[EXTENSION]["settings"]


__all__ = ["Settings", "current_store", "settings", "EXTENSION"]
