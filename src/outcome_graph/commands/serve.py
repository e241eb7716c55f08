"""`outcome-graph serve`: the SPARQL endpoint and the views, on granian (see serve.server)."""

from __future__ import annotations

import argparse
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
    from ..errors import OutcomeGraphError
    from ..serve.admission import Policy
    from ..serve.server import PortInUse, listen, serve

    config = {
        "store_dir": args.store,
        "endpoint": args.endpoint,
        "timeout": args.timeout,
        "max_rows": args.max_rows,
        "workers": args.workers,
        "reserved_workers": args.reserved_workers,
    }
    config = {k: v for k, v in config.items() if v is not None}
    name = _prepare_store(args.store, args.endpoint)
    try:
        listener = listen(args.host, args.port)
    except PortInUse as e:
        raise OutcomeGraphError(
            f"cannot listen on {args.host}:{args.port}: {e.strerror}; another program (perhaps another "
            "outcome-graph serve) is using that port: stop it or choose another with --port"
        ) from None
    port = listener.getsockname()[1]
    threads = (
        args.threads or Policy(adhoc_workers=args.workers, reserved_workers=args.reserved_workers).threads()
    )
    print(f"outcome-graph: serving {name} at http://{args.host}:{port}/ (SPARQL: /sparql)", flush=True)

    def load_app():  # in the serving process: the store's workers belong to it
        from ..serve.app import create_app

        return create_app(config=config)

    return serve(listener, load_app, threads)


def _prepare_store(store_dir: Path | None, endpoint: str | None) -> str:
    """The store's name, after building, rebuilding or checking an embedded store before the port is
    bound, so that what the build says comes before "serving"; the serving process opens what this
    left. Nothing here starts a thread or a process: the serving process is forked from this one."""
    if endpoint:
        from ..store.remote import RemoteStore

        return RemoteStore(endpoint).name
    from ..store import default_store_dir
    from ..store.build import ensure_built

    return f"embedded:{ensure_built(store_dir or default_store_dir())}"
