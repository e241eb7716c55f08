"""The Flask app factory: one store, one set of settings, and the blueprints that exist."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from ..store import Store, open_store
from . import EXTENSION
from .config import load_settings

# Views written separately; each module exposes `bp`. A module that is not there yet is skipped.
OPTIONAL_BLUEPRINTS = ("queries", "pages", "lookup", "trace_views", "trace", "audit", "validation")


def create_app(store: Store | None = None, config: Mapping[str, Any] | None = None) -> Flask:
    """The app over `store`, or over the store named by config (`store_dir`, `endpoint`) or environment.

    config keys: timeout, max_rows, max_body, max_query (see serve.Settings), store_dir, endpoint,
    workers; the environment variables OUTCOME_GRAPH_TIMEOUT, OUTCOME_GRAPH_MAX_ROWS,
    OUTCOME_GRAPH_ENDPOINT and OUTCOME_GRAPH_STORE fill in what config leaves out.
    """
    config = dict(config or {})
    settings = load_settings(config)
    if store is None:
        endpoint = config.get("endpoint") or os.environ.get("OUTCOME_GRAPH_ENDPOINT")
        store_dir = config.get("store_dir")
        store = open_store(
            Path(store_dir) if store_dir else None,
            endpoint,
            workers=int(config.get("workers", 2)),
            timeout=settings.timeout,
        )
    app = Flask("outcome_graph.serve")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.config["JSON_SORT_KEYS"] = False
    app.extensions[EXTENSION] = {"store": store, "settings": settings}

    from .headers import add_security_headers
    from .sparql import bp as sparql_bp

    app.after_request(add_security_headers)

    app.register_blueprint(sparql_bp)
    for name in OPTIONAL_BLUEPRINTS:
        module_name = f"{__package__}.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name == module_name:
                continue
            raise
        app.register_blueprint(module.bp)
    return app
