"""Build the embedded store from the sources, and rebuild it atomically when they change.

Layout of a store directory:

    current            -> gen-<fingerprint>-<n>   (a symlink; the store being served)
    gen-<fingerprint>-<n>/db                       the Oxigraph database
    gen-<fingerprint>-<n>/FINGERPRINT              the sources fingerprint it was built from
    gen-<fingerprint>-<n>/CHECKSUMS                sha256 of each database file as built
    building-...                                   a build in progress (or one that crashed)

A rebuild loads into a fresh `building-*` directory and only when the load has finished renames it to
`gen-*` and atomically replaces the `current` symlink (rename(2) over the old link). A crash at any
point before that leaves `current` pointing at the previous, complete store.

The store is a cache of the reports, so a damaged one is rebuilt from them, saying so: files that no
longer match their CHECKSUMS, a `current` that is a directory or a file instead of the link (moved aside
to `damaged-current-*`, nothing deleted), a database the workers cannot open (see `open_store`). What
cannot be mended safely (the store location is a file, a directory that cannot be written) is a
one-line StoreError saying what is wrong and what to do.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from .checksums import damage, write_checksums
from .location import default_store_dir
from .protocol import StoreError

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
    return _fingerprint(generation) if generation else None


def graph_source(progress: Progress) -> bytes:
    """The bundled reports' graph as N-Quads, one named graph per report (store.layout)."""
    try:
        from ..build import build_graph, to_ntriples
        from ..build.reference import static_graph
    except ImportError as e:
        raise StoreError(f"cannot build the graph: outcome_graph.build is not available ({e})") from e
    from .layout import partition, to_nquads

    started = time.monotonic()
    _say(progress, "building the graph from the bundled reports ...")
    graph = build_graph()
    data = to_nquads(partition(to_ntriples(graph), to_ntriples(static_graph())))
    _say(progress, f"graph built: {len(graph)} triples in {time.monotonic() - started:.1f} s")
    return data


def sources_fingerprint() -> str:
    try:
        from ..build import sources_fingerprint as fingerprint
    except ImportError as e:
        raise StoreError(f"cannot fingerprint the sources: outcome_graph.build is not available ({e})") from e
    return fingerprint()


def _check_location(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise StoreError(
            f"the store location {directory} is a file, not a directory: give a directory for the store "
            "(--store DIR or OUTCOME_GRAPH_STORE; it is made if missing)"
        )


def _move_aside_broken_link(directory: Path, progress: Progress) -> None:
    """A `current` that is not the link a build makes (a directory or a file) is moved aside, kept."""
    link = directory / "current"
    if link.is_symlink() or not link.exists():
        return
    if link.is_dir() and (link / "FINGERPRINT").is_file() and (link / "db").is_dir():
        return  # a whole store in place of the link: served as it is
    aside = directory / f"damaged-current-{time.time_ns()}"
    try:
        os.rename(link, aside)
    except OSError as e:
        raise StoreError(
            f"{link} is a {'directory' if link.is_dir() else 'file'}, not the link to the store, and cannot "
            f"be moved aside ({e.strerror}): remove it and start again"
        ) from None
    _say(
        progress,
        f"the store in {directory} was damaged ({link.name} was not a link): moved it aside to "
        f"{aside.name}; rebuilding the store from the reports",
    )


def ensure_built(
    directory: Path,
    *,
    build_if_missing: bool = True,
    progress: Progress = print,
    fingerprint: str | None = None,
    source: Source | None = None,
    damaged: str | None = None,
    then: Then | None = None,
) -> Path:
    """The database directory of an up-to-date store in `directory`, building it if needed.

    `damaged` (a reason) forces a rebuild of a store the caller found it cannot use. `then(generation,
    progress)` writes what else a generation of the bundled reports keeps (their validation:
    validate.bundled.keep_validation, given by the commands above this package) before it is current.
    """
    directory = Path(directory)
    _check_location(directory)
    fingerprint = fingerprint or sources_fingerprint()
    if build_if_missing:
        _move_aside_broken_link(directory, progress)
    generation = current_generation(directory)
    damaged = damaged or (damage(generation) if generation else None)
    if generation and (generation / "REPORTS.json").is_file():
        # built from a folder of reports (store.reports): never rebuilt from the bundled ones
        if damaged:
            raise StoreError(
                f"the store in {directory} is damaged ({damaged}): build it again from its reports with "
                f"`outcome-graph build {generation / 'reports'} --store DIR` (into a new DIR)"
            )
        return generation / "db"
    if generation and build_if_missing and source is None and _fingerprint(generation) != fingerprint:
        # a rebuild would come from the bundled reports: only over the bundled reports' own store
        if not _of_the_bundled_reports(generation):
            _refuse_foreign(directory, damaged)
    if damaged:
        if not build_if_missing:
            raise StoreError(
                f"the store in {directory} is damaged ({damaged}): run `outcome-graph serve` once to rebuild "
                "it from the reports"
            )
        _say(progress, f"the store in {directory} is damaged ({damaged}): rebuilding it from the reports")
        return rebuild(
            directory,
            fingerprint,
            source or graph_source,
            progress,
            drop_current=True,
            finish=_mark(source, progress, then),
        )
    if generation and _fingerprint(generation) == fingerprint:
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
    return rebuild(
        directory, fingerprint, source or graph_source, progress, finish=_mark(source, progress, then)
    )


def _fingerprint(generation: Path) -> str:
    return (generation / "FINGERPRINT").read_text().strip()


BUNDLED = "BUNDLED"  # in a generation built from the bundled reports: a rebuild of it replaces like with like


Then = Callable[[Path, Progress], None]


def _mark(
    source: Source | None, progress: Progress = None, then: Then | None = None
) -> Callable[[Path], None] | None:
    if source is not None:
        return None

    def finish(generation: Path) -> None:
        (generation / BUNDLED).write_text(
            "built from the bundled reports; rebuilt from them when they or the code change\n"
        )
        if then:
            then(generation, progress)

    return finish


def _of_the_bundled_reports(generation: Path) -> bool:
    """Whether a generation holds the bundled reports and nothing else: marked so when built, or (a store
    built before the mark) its reports are exactly the bundled reports'."""
    if (generation / BUNDLED).is_file():
        return True
    try:
        from ..extract import extract_report
        from ..paths import bundled_reports
        from .layout import report_part

        infos = [extract_report(path).report for path in bundled_reports()]
        expected = {report_part(info.council, info.id) for info in infos}
        db = ox.Store.read_only(str(generation / "db"))
        found = {
            str(row["r"].value).split("/id/", 1)[-1]
            for row in db.query(
                "SELECT DISTINCT ?r WHERE { ?r a <https://w3id.org/outcome-graph/def#Report> }",
                use_default_graph_as_union=True,  # one named graph per report (store.layout)
            )
        }
    except (OSError, ValueError, StoreError):
        return False
    return bool(found) and found == expected


def _refuse_foreign(directory: Path, damaged: str | None) -> None:
    """A store the user named that is not the cache of the bundled reports as they are now (a national
    store made before stores kept their REPORTS.json, one built from older sources, a damaged one) is
    never replaced behind the user's back: rebuilding it from the bundled reports would put one council's
    two reports where the user's graph was. Only the default store (the bundled reports' own cache, which
    no one named) is rebuilt in place; any other is refused with what to run instead. (A damaged store
    whose fingerprint is the bundled reports' own is rebuilt: the same graph comes back.)"""
    try:
        own = directory.resolve() == default_store_dir().resolve()
    except OSError:
        own = False
    if own:
        return
    why = (
        "it was built from other reports than the bundled ones (or from an older version of them) and "
        "has no REPORTS.json saying which"
    ) + (f"; it is also damaged ({damaged})" if damaged else "")
    raise StoreError(
        f"the store in {directory} will not be replaced: {why}. Build a store from its report files with "
        f"`outcome-graph build FOLDER --store NEWDIR` and use that; to have the bundled reports built in "
        f"{directory} instead, remove it first"
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clear_leftovers(directory: Path) -> None:
    for leftover in directory.glob("building-*"):
        shutil.rmtree(leftover, ignore_errors=True)  # a crashed earlier build
    for link in directory.glob(".current-*"):  # the swap link of a build that died mid-swap
        pid = link.name.removeprefix(".current-")
        if link.is_symlink() and not (pid.isdigit() and _pid_alive(int(pid)) and int(pid) != os.getpid()):
            link.unlink()


def rebuild(
    directory: Path,
    fingerprint: str,
    source: Source,
    progress: Progress = print,
    *,
    drop_current: bool = False,
    finish: Callable[[Path], None] | None = None,
) -> Path:
    """Build a new generation and make it current. `drop_current`: the current one is damaged, so it is
    removed rather than kept for a server that may still be reading it. `finish` writes what else the
    generation keeps (store.reports: its catalogue and report texts) before it is made current."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _clear_leftovers(directory)
        building = directory / f"building-{fingerprint[:16]}-{os.getpid()}-{time.time_ns()}"
        building.mkdir()
    except OSError as e:
        raise StoreError(
            f"cannot write the store in {directory} ({e.strerror or e}): give a directory you can write "
            "(--store DIR or OUTCOME_GRAPH_STORE)"
        ) from None
    started = time.monotonic()
    try:
        data = source(progress)
        _say(progress, f"loading into the store at {directory} ...")
        store = ox.Store(str(building / "db"))
        store.bulk_load(data, format=ox.RdfFormat.N_QUADS)  # N-Triples are N-Quads too
        # bulk_load ingests its sorted runs as they are, overlapping: every later lookup then seeks each
        # of them (~97 files at 10 M triples). Compacted once here (40 s at 10 M, 3% of the build), a
        # bound lookup costs a third: councils-compared 11.8 -> 3.4 s in the engine (BENCHMARKS.md).
        _say(progress, "compacting the store ...")
        store.optimize()
        store.flush()
        count = len(store)
        del store  # closes the database before it is renamed
        if finish:
            finish(building)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    generation = install(directory, building, fingerprint, drop_current=drop_current)
    _say(progress, f"store ready: {count} triples in {time.monotonic() - started:.1f} s")
    return generation / "db"


def install(directory: Path, building: Path, fingerprint: str, *, drop_current: bool = False) -> Path:
    """Make the complete `building` directory the current generation (an atomic swap of the link)."""
    previous = None if drop_current else current_generation(directory)
    try:
        (building / "FINGERPRINT").write_text(fingerprint + "\n")
        write_checksums(building, previous)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    generation = directory / f"gen-{fingerprint[:16]}-{time.time_ns()}"
    link = directory / f".current-{os.getpid()}"
    try:
        os.rename(building, generation)
        if link.is_symlink():
            link.unlink()
        os.symlink(generation.name, link)
        os.replace(link, directory / "current")
    except OSError as e:
        # leave the store as it was: no stray link, no extra generation
        if link.is_symlink():
            link.unlink()
        shutil.rmtree(building, ignore_errors=True)
        shutil.rmtree(generation, ignore_errors=True)
        raise StoreError(
            f"cannot make the new store current in {directory} ({e.strerror or e}): "
            f"check that {directory / 'current'} is a link or absent, and start again"
        ) from None
    # Keep the generation that was serving until now (a running server may still read it); drop older.
    for old in directory.glob("gen-*"):
        if old not in (generation, previous):
            shutil.rmtree(old, ignore_errors=True)
    return generation
