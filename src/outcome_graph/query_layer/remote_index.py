"""The search index of a store on a SPARQL server, kept on disk beside the client and in step with the server.

Reading a national index whole from the server took 58-63 s on Virtuoso at 10 M triples, and every
`serve --endpoint` start paid it again, with searches waiting. Instead:

- What the server holds is identified by the stamp `load` and `add` write in the dataset's catalogue
  (`<graph> og:generation "..."`, remote_kept.py). A dataset loaded without one (by an older release) is
  identified by its list of parts: weaker (a report replaced by that older release goes unseen), so
  load it again with `load` to get a stamp. (A graph without a catalogue: by its triple count.)
- The index is a SQLite file in a cache directory ($OUTCOME_GRAPH_INDEX_CACHE, `--index-cache DIR`, else
  $XDG_CACHE_HOME/outcome-graph/search or ~/.cache/outcome-graph/search), named for the endpoint and the
  graph, its stamp in its `meta` table. `serve` uses a file whose stamp is the server's without asking
  the server for a single row of it; `load` and `add` write or update it (remote_kept.py).
- Where there is none, or its stamp is not the server's, it is built in a background thread, in bounded
  pages (ranges of record IRIs, a few councils each: pages()), into a scratch file renamed into
  place. Meanwhile /search answers at once 503 with Retry-After, saying how far the build is
  (`Building`); the previous index, when there is one, keeps answering until the new one is in place.
- The stamp is asked again after STAMP_TTL seconds, so a server changed under a running `serve` is seen.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal

from ..namespaces import OGR
from .reads import Slow
from .remote_cache import file_of, identity, is_remote, read_stamp
from .scope import report_index
from .search_index import SCHEMA, VERSION, SearchIndex, insert_rows, reports, search_index, terms

STAMP_TTL = 30.0
FAILED_RETRY = 30.0  # seconds before a build that failed is tried again
# Reports whose records one page reads at most: about 180 rows a report at 10 M triples, so 400 reports
# are some 72,000 rows (15 MB of CSV), far under Virtuoso's usual ResultSetMaxRows of 200,000. Few,
# large pages: each costs Virtuoso a scan of every searchable record (about 1 s at 10 M, however few
# rows it returns), which made the 35 one-council pages of the first version 219 s.
REPORTS_PER_PAGE = 400
FIRST_WAIT = 1.0  # seconds a search waits for a build in progress before it is told to come back


def server_stamp(store, fresh: bool = False) -> str:
    """The server's stamp (identity) as this process last asked it, asked again every STAMP_TTL seconds
    in the background (the same answer the search index uses); `fresh`: the stamp asked now (one small
    query), and what the search index knows updated with it."""
    kept = _kept(store)
    stamp = read_stamp(store) if fresh else None
    if stamp is None:  # not asked, or a dataset without a stamp: its identity as last asked (a list of
        return _stamp(store, kept)  # parts or a triple count, too dear to ask at every page)
    with kept.lock:
        kept.stamp, kept.asked = stamp, time.monotonic()
    return stamp


def stamp_of(path: Path) -> str | None:
    """The stamp a kept index was built for (None: no such file, another version, or not an index)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return meta.get("stamp") if meta.get("version") == VERSION else None


def pages(store, timeout: float | None = None) -> list[tuple[str, dict]]:
    """The index read in bounded pages: (what it is, the search queries' bindings). Each page is a range
    of record IRIs [lowest, below), cut at council prefixes so that a page holds the records of at most
    about REPORTS_PER_PAGE reports (the shared records, LGBF's in every report, are some 5 rows a report:
    they ride in whichever page their IRIs fall); the first range is open below and the last above, so
    together they read every record once, statutes' and provisions' legislation.gov.uk IRIs too."""
    reports = report_index(store, timeout)
    return ranges(cuts({c: len(r) for c, r in reports.items() if c}))


def cuts(weights: dict[str, int], per_page: int | None = None) -> list[str]:
    """Where the ranges are cut: before a council (in IRI order) whose reports would take its page past
    `per_page` (REPORTS_PER_PAGE) reports."""
    per_page = REPORTS_PER_PAGE if per_page is None else per_page
    out: list[str] = []
    held = 0
    for council in sorted(weights):
        if held and held + weights[council] > per_page:
            out.append(f"{OGR}{council}/")
            held = 0
        held += weights[council]
    return out


def ranges(boundaries: list[str]) -> list[tuple[str, dict]]:
    """The pages between `boundaries` (sorted): [None, b1), [b1, b2), ..., [bn, None)."""
    edges: list[str | None] = [None, *sorted(set(boundaries)), None]
    out = []
    for low, high in zip(edges, edges[1:], strict=False):
        columns = {}
        if low is not None:
            columns["lowest"] = [Literal(low)]
        if high is not None:
            columns["below"] = [Literal(high)]
        name = f"from {_short(low) if low else 'the start'} to {_short(high) if high else 'the end'}"
        out.append((name, columns))
    return out


def _short(iri: str) -> str:
    return iri[len(str(OGR)) :] if iri.startswith(str(OGR)) else iri


def write(store, path: Path, stamp: str, progress=None, timeout: float | None = None, todo=None) -> None:
    """Builds the index of `store` page by page into a scratch file beside `path`, stamps it and renames
    it into place (a reader never sees half an index). `progress(done, total)` after each page; `todo`:
    the pages, when the caller has read them already."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    scratch.unlink(missing_ok=True)
    try:
        db = sqlite3.connect(scratch)
        try:
            fill(db, store, stamp, progress, timeout, todo)
        finally:
            db.close()
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)


def fill(
    db: sqlite3.Connection, store, stamp: str, progress=None, timeout: float | None = None, todo=None
) -> None:
    """A whole index of `store` into the empty database `db`, page by page (`todo`, else `pages`), stamped."""
    db.executescript(SCHEMA)
    todo = pages(store, timeout) if todo is None else todo
    # A page's two questions are asked at once, and the next page's while this one is written: the
    # server works while this client parses and inserts (two pages in memory at most).
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-index-page") as pool:

        def ask(columns: dict) -> tuple[Future, Future]:
            return pool.submit(terms, store, columns), pool.submit(reports, store, columns)

        ahead = ask(todo[0][1]) if todo else None
        for done in range(1, len(todo) + 1):
            asked, ahead = ahead, ask(todo[done][1]) if done < len(todo) else None
            try:
                insert_rows(db, asked[0].result(), asked[1].result())
            except BaseException:
                for future in ahead or ():
                    future.cancel()
                raise
            if progress is not None:
                progress(done, len(todo))
    stamp_index(db, store, stamp)
    db.commit()


def stamp_index(db: sqlite3.Connection, store, stamp: str) -> None:
    """The index's `meta`: its layout's version, the server's stamp, and the dataset it indexes."""
    db.execute("DELETE FROM meta")
    meta = {"version": VERSION, "stamp": stamp, "endpoint": store.endpoint, "graph": store.graph}
    db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))


class Building(Slow):
    """The index is being built: 503 with Retry-After, saying how far it is."""

    def __init__(self, state: _Build):
        done, total, seconds = state.done, state.total, time.monotonic() - state.started
        far = f"{done} of {total} parts read" if total else "starting"
        retry = 5 if not done else max(2, min(60, int(seconds / done * (total - done)) + 1))
        super().__init__("the search index", retry_after=retry)
        self.args = (
            f"the search index is being built from the SPARQL server ({far}, {seconds:.0f} s so far); "
            f"search again in {retry} s (every other page answers meanwhile)",
        )


class BuildFailed(Slow):
    """Building the index failed (the server refused or broke off a page): 503 with Retry-After, saying
    what the server said; the build is tried again after FAILED_RETRY seconds, not by every search."""

    def __init__(self, error: BaseException, retry: int):
        super().__init__("the search index", retry_after=retry)
        self.args = (
            f"building the search index from the SPARQL server failed ({error}); it is tried again in "
            f"{retry} s (every other page answers meanwhile)",
        )


@dataclass
class _Build:
    stamp: str
    started: float = field(default_factory=time.monotonic)
    done: int = 0
    total: int = 0
    error: BaseException | None = None
    failed_at: float = 0.0
    finished: threading.Event = field(default_factory=threading.Event)


@dataclass
class _Kept:
    """One remote store's index state in this process."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    stamp: str | None = None  # the server's, as last asked
    asked: float = -1e9
    ready: tuple[str, SearchIndex] | None = None  # (stamp, index) answering now
    build: _Build | None = None
    asking: bool = False  # the stamp is being asked again in the background
    first_ask: threading.Lock = field(default_factory=threading.Lock)


def _stamp(store, kept: _Kept) -> str:
    """The server's stamp as last asked. The first search of a process asks it (the start's warm-up
    does, so a user's search rarely waits), one asker at a time and outside the index's lock; later it is
    asked again in the background every STAMP_TTL seconds, so a search never waits for it."""
    with kept.lock:
        if kept.stamp is not None:
            if time.monotonic() - kept.asked > STAMP_TTL and not kept.asking:
                kept.asking = True
                threading.Thread(target=_ask, args=(store, kept), name="search-stamp", daemon=True).start()
            return kept.stamp
    with kept.first_ask:
        if kept.stamp is None:
            stamp = identity(store)
            with kept.lock:
                kept.stamp, kept.asked = stamp, time.monotonic()
        return kept.stamp


def _ask(store, kept: _Kept) -> None:
    try:
        stamp = identity(store)
    except Exception:  # noqa: BLE001 - the server did not answer: the stamp known stays, asked again later
        stamp = None
    with kept.lock:
        if stamp is not None:
            kept.stamp = stamp
        kept.asked, kept.asking = time.monotonic(), False


_KEPT: dict[tuple[str, str], _Kept] = {}
_KEPT_LOCK = threading.Lock()


def _kept(store) -> _Kept:
    with _KEPT_LOCK:
        return _KEPT.setdefault((store.endpoint, store.graph), _Kept())


def index_of(store) -> SearchIndex:
    """The search index the pages use: a store on a SPARQL server's kept in step with it (this module), an
    embedded store's kept with its generation (search_index.py)."""
    if is_remote(store):
        return remote_index(store)
    return search_index(store)


def remote_index(store) -> SearchIndex:
    """The index of a remote store's dataset as the server now holds it: a kept file, or (while one is
    built in the background) the previous index; with none, `Building` after at most FIRST_WAIT seconds
    (a small graph's index is built in that time, so its first search is simply answered)."""
    kept = _kept(store)
    build = _current_or_build(store, kept)
    if isinstance(build, SearchIndex):
        return build
    build.finished.wait(FIRST_WAIT)
    again = _current_or_build(store, kept)
    if isinstance(again, SearchIndex):
        return again
    raise Building(again)


def _current_or_build(store, kept: _Kept) -> SearchIndex | _Build:
    path = file_of(store)
    stamp = _stamp(store, kept)
    with kept.lock:
        now = time.monotonic()
        if kept.ready is not None and not kept.ready[1].exists():
            kept.ready = None  # its file was deleted (the cache may be cleared at any time): built again
        if kept.ready is not None and kept.ready[0] == stamp:
            return kept.ready[1]
        if stamp_of(path) == stamp:  # written by `load`, `add` or an earlier start: no row is read
            kept.ready = (stamp, SearchIndex(str(path)))
            return kept.ready[1]
        build = kept.build
        if build is not None and build.stamp == stamp and build.error is not None:
            if now - build.failed_at < FAILED_RETRY:
                raise BuildFailed(build.error, int(FAILED_RETRY - (now - build.failed_at)) + 1)
            build = None
        if build is None or build.stamp != stamp:
            build = kept.build = _Build(stamp)
            thread = threading.Thread(
                target=_run, args=(store, kept, build, path), name="search-index", daemon=True
            )
            thread.start()
        if kept.ready is not None:  # the previous server state's index, until the new one is in place
            return kept.ready[1]
        return build


def _run(store, kept: _Kept, build: _Build, path: Path) -> None:
    def progress(done: int, total: int) -> None:
        build.done, build.total = done, total

    try:
        todo = pages(store)  # read once: its count says how far the build is before the first page is in
        build.total = len(todo)
        if _writable(path.parent):
            write(store, path, build.stamp, progress, todo=todo)
            index = SearchIndex(str(path))
        else:  # the cache directory cannot be written: the index lives in memory for the process
            index = _in_memory(store, build, progress, todo)
    except Exception as e:  # noqa: BLE001 - kept and answered as a 503 naming it, then tried again
        build.error, build.failed_at = e, time.monotonic()
        build.finished.set()
        return
    with kept.lock:
        if kept.build is build:
            kept.ready, kept.build = (build.stamp, index), None
    build.finished.set()


def _writable(directory: Path) -> bool:
    """Whether an index can be kept in `directory` (made if missing), asked before any row is read."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-"):
            return True
    except OSError:
        return False


def _in_memory(store, build: _Build, progress, todo) -> SearchIndex:
    db = sqlite3.connect(":memory:")
    try:
        fill(db, store, build.stamp, progress, todo=todo)
        return SearchIndex(":memory:", db.serialize())
    finally:
        db.close()


def forget() -> None:
    """Drops what this process knows of remote indexes (tests: a new `serve` start)."""
    with _KEPT_LOCK:
        _KEPT.clear()
