"""Build the embedded store from the sources, and rebuild it atomically when they change.

Layout of a store directory:

    current            -> gen-<fingerprint>-<n>   (a symlink; the store being served)
    gen-<fingerprint>-<n>/db                       the Oxigraph database
    gen-<fingerprint>-<n>/FINGERPRINT              the sources fingerprint it was built from
    building-...                                   a build in progress (or one that crashed)

A rebuild loads into a fresh `building-*` directory and only when the load has finished renames it to
`gen-*` and atomically replaces the `current` symlink (rename(2) over the old link). A crash at any
point before that leaves `current` pointing at the previous, complete store.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from . import StoreError

Source = Callable[[Callable[[str], None]], "bytes | BinaryIO"]
Progress = Callable[[str], None] | None


def _say(progress: Progress, message: str) -> None:
    if progress:
        progress(message)


def current_generation(directory: Path) -> Path | None:
    link = directory / "current"
    if not link.is_symlink() and not link.is_dir():
        return None
    target = link.resolve()
    if not (target / "FINGERPRINT").is_file() or not (target / "db").is_dir():
        return None
    return target


def stored_fingerprint(directory: Path) -> str | None:
    generation = current_generation(directory)
    return (generation / "FINGERPRINT").read_text().strip() if generation else None


def graph_source(progress: Progress) -> bytes:
    """The whole graph as canonical N-Triples, from the lead's build module."""
    try:
        from ..build import build_graph, to_ntriples
    except ImportError as e:
        raise StoreError(f"cannot build the graph: outcome_graph.build is not available ({e})") from e
    started = time.monotonic()
    _say(progress, "building the graph from the bundled reports ...")
    graph = build_graph()
    data = to_ntriples(graph)
    _say(progress, f"graph built: {len(graph)} triples in {time.monotonic() - started:.1f} s")
    return data


def sources_fingerprint() -> str:
    try:
        from ..build import sources_fingerprint as fingerprint
    except ImportError as e:
        raise StoreError(f"cannot fingerprint the sources: outcome_graph.build is not available ({e})") from e
    return fingerprint()


def ensure_built(
    directory: Path,
    *,
    build_if_missing: bool = True,
    progress: Progress = print,
    fingerprint: str | None = None,
    source: Source | None = None,
) -> Path:
    """The database directory of an up-to-date store in `directory`, building it if needed."""
    directory = Path(directory)
    fingerprint = fingerprint or sources_fingerprint()
    generation = current_generation(directory)
    if generation and (generation / "FINGERPRINT").read_text().strip() == fingerprint:
        return generation / "db"
    if not build_if_missing:
        if generation:
            _say(
                progress, f"note: the store in {directory} was built from older sources; serving it as it is"
            )
            return generation / "db"
        raise StoreError(f"no store in {directory}: run `outcome-graph serve` once to build it")
    if generation:
        _say(progress, f"the sources changed since the store in {directory} was built: rebuilding")
    return rebuild(directory, fingerprint, source or graph_source, progress)


def rebuild(directory: Path, fingerprint: str, source: Source, progress: Progress = print) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for leftover in directory.glob("building-*"):
        shutil.rmtree(leftover, ignore_errors=True)  # a crashed earlier build
    started = time.monotonic()
    building = directory / f"building-{fingerprint[:16]}-{os.getpid()}-{time.time_ns()}"
    building.mkdir()
    try:
        data = source(progress)
        _say(progress, f"loading into the store at {directory} ...")
        store = ox.Store(str(building / "db"))
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
        store.flush()
        count = len(store)
        del store  # closes the database before it is renamed
        (building / "FINGERPRINT").write_text(fingerprint + "\n")
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    previous = current_generation(directory)
    generation = directory / f"gen-{fingerprint[:16]}-{time.time_ns()}"
    os.rename(building, generation)
    link = directory / f".current-{os.getpid()}"
    if link.is_symlink():
        link.unlink()
    os.symlink(generation.name, link)
    os.replace(link, directory / "current")
    # Keep the generation that was serving until now (a running server may still read it); drop older.
    for old in directory.glob("gen-*"):
        if old not in (generation, previous):
            shutil.rmtree(old, ignore_errors=True)
    _say(progress, f"store ready: {count} triples in {time.monotonic() - started:.1f} s")
    return generation / "db"
