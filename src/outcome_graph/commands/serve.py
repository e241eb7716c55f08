"""`outcome-graph serve`: the SPARQL endpoint and the views, on waitress (a production WSGI server)."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5000, help="port to listen on (default 5000)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="embedded store directory, built on first run "
        "(default $OUTCOME_GRAPH_STORE or ~/.local/share/outcome-graph/store)",
    )
    where.add_argument(
        "--endpoint",
        metavar="URL",
        help="serve over this SPARQL 1.1 query endpoint instead of the embedded store",
    )
    parser.add_argument(
        "--timeout", type=float, help="seconds a query may run (default $OUTCOME_GRAPH_TIMEOUT or 10)"
    )
    parser.add_argument(
        "--max-rows",
        type=int,
        help="rows beyond which results are cut (default $OUTCOME_GRAPH_MAX_ROWS or 10000)",
    )
    parser.add_argument("--threads", type=int, default=8, help="request threads (default 8)")
    parser.add_argument(
        "--workers", type=int, default=2, help="query worker processes for the embedded store (default 2)"
    )


def run(args: argparse.Namespace) -> int:
    import waitress

    from ..serve.app import create_app

    config = {
        "store_dir": args.store,
        "endpoint": args.endpoint,
        "timeout": args.timeout,
        "max_rows": args.max_rows,
        "workers": args.workers,
    }
    app = create_app(config={k: v for k, v in config.items() if v is not None})
    store = app.extensions["outcome_graph"]["store"]
    print(
        f"outcome-graph: serving {store.name} at http://{args.host}:{args.port}/ (SPARQL: /sparql)",
        flush=True,
    )

    def stop(signum, frame):  # a service manager's SIGTERM: close the store's workers, then exit
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        waitress.serve(
            app,
            host=args.host,
            port=args.port,
            threads=args.threads,
            ident="outcome-graph",
            # refuse an oversized body while it arrives, before it is spooled for the app
            max_request_body_size=app.extensions["outcome_graph"]["settings"].max_body,
        )
    finally:
        store.close()
    return 0
