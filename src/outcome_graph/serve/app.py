"""The Flask app factory: one store, one set of settings, and the blueprints that exist."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response

from ..store import Store, open_store
from . import EXTENSION
from .admission import Admission, AdmittedStore, Policy
from .admission import init_app as init_admission
from .bodies import BodyGate
from .cache import CacheFront, ResultCache
from .config import load_settings

DEFAULT_WORKERS = 3  # query workers for user-written queries
DEFAULT_RESERVED = 1  # ... and for the project's own (saved queries, pages)

# Views written separately; each module exposes `bp`. A module that is not there yet is skipped.
OPTIONAL_BLUEPRINTS = (
    "queries",
    "pages",
    "lookup",
    "catalogue",
    "search",
    "trace_views",
    "compare",
    "trace",
    "audit",
    "validation",
)


def admission_policy(store: Store, config: Mapping[str, Any], timeout: float) -> Policy:
    """The admission policy for `store`: lanes as wide as its worker pools (see serve.admission)."""
    pool, reserved = getattr(store, "pool", None), getattr(store, "reserved", None)
    workers = getattr(pool, "size", None) or int(config.get("workers", DEFAULT_WORKERS))
    express = getattr(pool, "express", 0)
    return Policy(
        adhoc_workers=workers - express,
        express_workers=express,
        reserved_workers=getattr(reserved, "size", 0),
        timeout=timeout,
        **{k: config[k] for k in ("budget", "max_wait", "queue") if config.get(k) is not None},
    )


def _hide_store_paths(app: Flask, store: Store) -> None:
    """No answer names the store's files: an error message that does (a library's, one day) says
    "the store" instead. The detail stays in the server's log."""
    path = getattr(store, "path", None)
    if path is None:
        return
    path = Path(path)
    names = {str(path.parent.parent), str(path.parent.parent.resolve())}
    hidden = sorted((n for n in names if len(n) > 4), key=len, reverse=True)  # never "/" or "/tmp"

    @app.after_request
    def _hide(response: Response) -> Response:
        if response.status_code < 400 or response.direct_passthrough or response.is_streamed:
            return response
        body = response.get_data(as_text=True)
        if any(h in body for h in hidden):
            for h in hidden:
                body = body.replace(h, "<the store>")
            response.set_data(body)
        return response


def create_app(store: Store | None = None, config: Mapping[str, Any] | None = None) -> Flask:
    """The app over `store`, or over the store named by config (`store_dir`, `endpoint`) or environment.

    config keys: timeout, max_rows, max_body, max_query (see serve.Settings), store_dir, endpoint,
    workers, reserved_workers, cache (False: no result cache), fast_path (False: every /sparql request
    through Flask), and the admission policy's
    budget, max_wait, queue (see serve.admission); the environment variables OUTCOME_GRAPH_TIMEOUT,
    OUTCOME_GRAPH_MAX_ROWS, OUTCOME_GRAPH_ENDPOINT and OUTCOME_GRAPH_STORE fill in what config leaves out.
    """
    config = dict(config or {})
    settings = load_settings(config)
    if store is None:
        endpoint = config.get("endpoint") or os.environ.get("OUTCOME_GRAPH_ENDPOINT")
        store_dir = config.get("store_dir")
        from ..validate.bundled import keep_validation

        store = open_store(
            Path(store_dir) if store_dir else None,
            endpoint,
            workers=int(config.get("workers", DEFAULT_WORKERS)),
            timeout=settings.timeout,
            reserved_workers=int(config.get("reserved_workers", DEFAULT_RESERVED)),
            then=keep_validation,
        )
    policy = admission_policy(store, config, settings.timeout)
    app = Flask("outcome_graph.serve")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.config["JSON_SORT_KEYS"] = False
    admission = Admission(policy)
    app.extensions[EXTENSION] = {
        "store": AdmittedStore(store, admission),
        "settings": settings,
        "admission": admission,
    }
    init_admission(app, admission)
    _hide_store_paths(app, store)
    if config.get("fast_path", True):  # the plain /sparql request without Flask (serve.fastpath)
        from .fastpath import SparqlFront

        app.wsgi_app = SparqlFront(app.wsgi_app, app.extensions[EXTENSION])  # type: ignore[method-assign]
    generation = getattr(store, "generation", None)
    if generation and config.get("cache", True):  # a remote store may change under us: not cached
        cache = ResultCache()
        app.extensions[EXTENSION]["cache"] = cache
        app.wsgi_app = CacheFront(  # type: ignore[method-assign]
            app.wsgi_app, cache, lambda: getattr(store, "generation", None)
        )
        app.extensions[EXTENSION]["cache_front"] = app.wsgi_app  # asked first by serve.bridge
    # Outermost: no layer below ever waits on a client's body (serve.bodies).
    app.wsgi_app = BodyGate(  # type: ignore[method-assign]
        app.wsgi_app, settings.max_body, uploads=policy.uploads
    )
    app.extensions[EXTENSION]["bodies"] = app.wsgi_app

    from .headers import add_security_headers, relative_location, retry_after_on_timeouts
    from .sparql import bp as sparql_bp

    app.after_request(add_security_headers)
    app.after_request(relative_location)
    app.after_request(retry_after_on_timeouts)
    from .warmup import wait_for_preload

    app.before_request(wait_for_preload)  # pages wait for the start's imports (see wait_for_preload)

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
