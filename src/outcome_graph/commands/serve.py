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
    parser.add_argument(
        "--threads",
        type=int,
        help="request threads (default: enough that queries can never hold them all; see the README)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=3,
        help="query worker processes for user-written queries, embedded store (default 3)",
    )
    parser.add_argument(
        "--reserved-workers",
        type=int,
        default=1,
        help="query worker processes kept for saved queries and pages, embedded store (default 1)",
    )


def run(args: argparse.Namespace) -> int:
    import waitress

    from ..errors import OutcomeGraphError
    from ..serve.app import create_app

    config = {
        "store_dir": args.store,
        "endpoint": args.endpoint,
        "timeout": args.timeout,
        "max_rows": args.max_rows,
        "workers": args.workers,
        "reserved_workers": args.reserved_workers,
    }
    app = create_app(config={k: v for k, v in config.items() if v is not None})
    extension = app.extensions["outcome_graph"]
    store = extension["store"]
    threads = args.threads or extension["admission"].policy.threads()
    try:
        # create_server binds the port: "serving" is said only once it is ours
        server = waitress.create_server(
            app,
            host=args.host,
            port=args.port,
            threads=threads,
            ident="outcome-graph",
            # refuse an oversized body while it arrives, before it is spooled for the app
            max_request_body_size=extension["settings"].max_body,
        )
    except OSError as e:
        store.close()
        raise OutcomeGraphError(
            f"cannot listen on {args.host}:{args.port}: {e.strerror or e}; another program (perhaps another "
            "outcome-graph serve) is using that port: stop it or choose another with --port"
        ) from None
    print(
        f"outcome-graph: serving {store.name} at http://{args.host}:{server.effective_port}/ "
        "(SPARQL: /sparql)",
        flush=True,
    )

    def stop(signum, frame):  # a service manager's SIGTERM: close the store's workers, then exit
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    finally:
        server.close()
        store.close()
    return 0
