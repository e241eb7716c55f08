"""Where the graph is queried: an embedded Oxigraph store or any SPARQL 1.1 server.

Both kinds answer the same `Store` protocol so that the server, saved queries, trace and audit never
know which one they talk to. Query parameters are bound as typed RDF terms (see `bindings`), and a
server's error, timeout or cut-off body is raised as `StoreError`, never returned as data.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

# the protocol, re-exported: callers import it from the package
from .location import default_store_dir as default_store_dir
from .protocol import Bindings as Bindings
from .protocol import QueryError as QueryError
from .protocol import QueryTimeout as QueryTimeout
from .protocol import Response as Response
from .protocol import SelectResult as SelectResult
from .protocol import Store as Store
from .protocol import StoreError as StoreError

__all__ = [
    "Store",
    "SelectResult",
    "Response",
    "QueryError",
    "QueryTimeout",
    "StoreError",
    "open_store",
    "default_store_dir",
]


def open_store(
    store_dir: Path | None = None,
    endpoint: str | None = None,
    *,
    build_if_missing: bool = True,
    progress: Callable[[str], None] | None = print,
    workers: int = 2,
    timeout: float | None = None,
    reserved_workers: int = 0,
    then: Callable[[Path, Callable[[str], None] | None], None] | None = None,
) -> Store:
    """The embedded store in `store_dir` (built or rebuilt from the sources as needed), or a remote one.

    The embedded store is rebuilt when the sources' fingerprint changes; the rebuild happens in a new
    directory that replaces the old one only when it is complete. `then`: what else a build of the
    bundled reports keeps with them (store.build.ensure_built).
    """
    if endpoint:
        from .remote import RemoteStore

        return RemoteStore(endpoint, timeout=timeout)
    from .build import ensure_built
    from .embedded import EmbeddedStore

    directory = Path(store_dir) if store_dir else default_store_dir()
    db = ensure_built(directory, build_if_missing=build_if_missing, progress=progress, then=then)
    try:
        return EmbeddedStore(db, workers=workers, timeout=timeout, reserved_workers=reserved_workers)
    except StoreError as e:  # the database cannot be opened: the store is a cache of the reports
        if not build_if_missing:
            raise
        db = ensure_built(
            directory, progress=progress, damaged=f"its database cannot be opened: {e}", then=then
        )
        return EmbeddedStore(db, workers=workers, timeout=timeout, reserved_workers=reserved_workers)
