"""Where what is kept for a dataset on a SPARQL server lives on the client, and which generation of the
dataset the server holds: its search index (remote_index.py) and, per generation stamp, its reports'
validation results (remote_results.py).

The stamp is what `load` and `add` write in the dataset's catalogue (`<graph> og:generation "..."`,
remote_kept.py). The cache directory is $OUTCOME_GRAPH_INDEX_CACHE (`--index-cache DIR`), else
$XDG_CACHE_HOME/outcome-graph/search or ~/.cache/outcome-graph/search; each dataset's files are named for
its endpoint and graph.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from ..namespaces import OG

CACHE_VARIABLE = "OUTCOME_GRAPH_INDEX_CACHE"
STAMP = str(OG.generation)


def is_remote(store) -> bool:
    """Whether `store` is a dataset on a SPARQL server (a RemoteStore: an endpoint and its graph)."""
    return bool(getattr(store, "endpoint", None) and getattr(store, "graph", None))


def cache_dir() -> Path:
    """Where remote indexes are kept (see the module's docstring)."""
    chosen = os.environ.get(CACHE_VARIABLE)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "outcome-graph" / "search"


def _dataset_name(endpoint: str, graph: str) -> str:
    """A dataset's name in the cache: readable host and path, and a digest of endpoint and graph (two
    graphs on one server, or two servers on one host, never share a file)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", re.sub(r"^[a-z]+://", "", endpoint)).strip("-")[:60]
    digest = hashlib.sha256(f"{endpoint}\n{graph}".encode()).hexdigest()[:16]
    return f"{slug}-{digest}"


def index_file(endpoint: str, graph: str) -> Path:
    """The index's file for a dataset."""
    return cache_dir() / f"{_dataset_name(endpoint, graph)}.sqlite"


def file_of(store) -> Path:
    return index_file(store.endpoint, store.graph)


def stamps_dir(store) -> Path:
    """Where what else is kept for a dataset lives, one folder per stamp (the reports' validation results:
    remote_results.py)."""
    return cache_dir() / f"{_dataset_name(store.endpoint, store.graph)}.kept"


def stamp_dir(store, stamp: str) -> Path:
    """What is kept for the dataset as it is under `stamp` (a stamp is a hex digest: a safe name)."""
    if not re.fullmatch(r"[0-9a-f]{16,128}", stamp):
        raise ValueError(f"not a generation stamp: {stamp!r}")
    return stamps_dir(store) / stamp


def read_stamp(store, timeout: float | None = None) -> str | None:
    """The stamp `load` or `add` wrote in the dataset's catalogue; None for a dataset without one."""
    rows = store.select(
        f"SELECT ?stamp WHERE {{ <{store.graph}> <{STAMP}> ?stamp }} ORDER BY ?stamp", timeout=timeout
    ).rows
    return str(rows[0]["stamp"]) if len(rows) == 1 else None


def identity(store, timeout: float | None = None) -> str:
    """What the server holds: its stamp; for a dataset without one (loaded by a release that wrote
    none), its list of parts (a catalogue every request reads anyway); for a graph without a catalogue,
    its triple count."""
    stamp = read_stamp(store, timeout)
    if stamp is not None:
        return stamp
    parts = store.parts(timeout)
    if parts:
        return "unstamped:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    count = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=timeout).rows[0]["n"]
    return f"unstamped:{count} triples"
