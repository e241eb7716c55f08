"""`outcome-graph serve`: the SPARQL endpoint and the views, on granian (see serve.server).

Every option is checked by argparse itself (the `type=` functions below) before anything is built or
bound: a bad value ends in one usage line and exit status 2, never a traceback, and never after
"serving" was printed.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import math
import socket
from collections.abc import Callable
from pathlib import Path

from ..serve.config import BODY_TIMEOUT, MAXIMUM


def _number(kind: type, low: float, high: float, what: str) -> Callable[[str], float]:
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what} from {low:g} to {high:g}")
        return value

    parse.__name__ = what  # argparse names the type in its message
    return parse


def _host(text: str) -> str:
    """An IP address, or a name this machine resolves (localhost): checked before the port is bound."""
    try:
        ipaddress.ip_address(text)
        return text
    except ValueError:
        pass
    if not text or text[0].isdigit():  # 999.1.1.1 is not a host name either
        raise argparse.ArgumentTypeError(f"{text!r} is not an IP address or a host name")
    try:
        socket.getaddrinfo(text, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise argparse.ArgumentTypeError(f"{text!r} is not an address this machine can listen on") from None
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", type=_host, default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=_number(int, 0, 65535, "a port number"),
        default=5000,
        help="port to listen on, 0 for any free one (default 5000)",
    )
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
        "--index-cache",
        type=Path,
        metavar="DIR",
        help="with --endpoint: where the server's search index is kept (default $OUTCOME_GRAPH_INDEX_CACHE, "
        "else $XDG_CACHE_HOME/outcome-graph/search or ~/.cache/outcome-graph/search)",
    )
    parser.add_argument(
        "--timeout",
        type=_number(float, 0.001, MAXIMUM["timeout"], "a number of seconds"),
        help="seconds a query may run (default $OUTCOME_GRAPH_TIMEOUT or 10)",
    )
    parser.add_argument(
        "--body-timeout",
        type=_number(float, 0.1, 3600, "a number of seconds"),
        default=BODY_TIMEOUT,
        help="seconds a request body may take to arrive, whole; later: 408 (default %(default)g)",
    )
    parser.add_argument(
        "--max-rows",
        type=_number(int, 1, MAXIMUM["max_rows"], "a number of rows"),
        help="rows beyond which results are cut (default $OUTCOME_GRAPH_MAX_ROWS or 10000)",
    )
    parser.add_argument(
        "--threads",
        type=_number(int, 1, 4096, "a number of threads"),
        help="request threads (default: enough that queries can never hold them all; see the README)",
    )
    parser.add_argument(
        "--workers",
        type=_number(int, 1, 256, "a number of workers"),
        default=3,
        help="query worker processes for user-written queries, embedded store (default 3)",
    )
    parser.add_argument(
        "--reserved-workers",
        type=_number(int, 0, 256, "a number of workers"),
        default=1,
        help="query worker processes kept for saved queries and pages, embedded store (default 1)",
    )


def run(args: argparse.Namespace) -> int:
    from ..errors import OutcomeGraphError
    from ..serve.admission import Policy
    from ..serve.server import PortInUse, listen, serve
    from ..store.lanes import EXPRESS

    config = {
        "store_dir": args.store,
        "endpoint": args.endpoint,
        "timeout": args.timeout,
        "max_rows": args.max_rows,
        "workers": args.workers,
        "reserved_workers": args.reserved_workers,
    }
    config = {k: v for k, v in config.items() if v is not None}
    if args.index_cache is not None:  # the serving process is forked from this one: it inherits it
        from .load import use_index_cache

        use_index_cache(args.index_cache)
    name = _prepare_store(args.store, args.endpoint)
    try:
        listener = listen(args.host, args.port)
    except PortInUse as e:
        if e.errno != errno.EADDRINUSE:  # an address not on this machine, a port below 1024, ...
            raise OutcomeGraphError(f"cannot listen on {args.host}:{args.port}: {e.strerror}") from None
        raise OutcomeGraphError(
            f"cannot listen on {args.host}:{args.port}: {e.strerror}; another program (perhaps another "
            "outcome-graph serve) is using that port: stop it or choose another with --port"
        ) from None
    port = listener.getsockname()[1]
    threads = (
        args.threads
        or Policy(
            adhoc_workers=args.workers,
            express_workers=EXPRESS if args.reserved_workers else 0,
            reserved_workers=args.reserved_workers,
        ).threads()
    )
    print(f"outcome-graph: serving {name} at http://{args.host}:{port}/ (SPARQL: /sparql)", flush=True)

    def load_app():  # in the serving process: the store's workers belong to it
        from ..serve.app import create_app
        from ..serve.warmup import warm

        app = create_app(config=config)
        warm(app.extensions["outcome_graph"]["store"])  # the search index, built once per generation
        return app

    return serve(listener, load_app, threads, args.body_timeout)


def _prepare_store(store_dir: Path | None, endpoint: str | None) -> str:
    """The store's name, after building, rebuilding or checking an embedded store before the port is
    bound, so that what the build says comes before "serving"; the serving process opens what this
    left. Nothing here starts a thread or a process: the serving process is forked from this one."""
    if endpoint:
        from ..store.remote import RemoteStore

        return RemoteStore(endpoint).name
    from ..store import default_store_dir
    from ..store.build import ensure_built
    from ..validate.bundled import keep_validation

    return f"embedded:{ensure_built(store_dir or default_store_dir(), then=keep_validation)}"
