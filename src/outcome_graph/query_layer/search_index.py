"""The search index: SQLite FTS5 (Python's own sqlite3), built from the store with two bounded reads
(queries/structure/search-terms.rq, search-reports.rq) once per store generation and kept beside it.

A search is then a lookup in the index, never a scan of the graph: every word must start a word of
"<kind> <code> <name>" of one of the record's names (FTS5 prefix terms; '.' is part of a word, so
"CSPC.P.2" finds CSPC.P.2.1 and not 2021), as the pages have always matched.

The embedded store's index is a file in the store's generation directory (written whole, then renamed
into place), so a new generation gets a new index and a restarted server reads the existing one.
`build --store` writes it with the generation and `add` updates it for the councils it replaced
(search_kept.py); a store without one (the bundled reports' own, an older store) gets it on first use.
Building is single-flight: requests that come while it builds wait, then are told to retry (503 with
Retry-After). A remote store's index is kept in a cache directory, stamped with what the server holds,
and built in the background (remote_index.py).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
from pathlib import Path

from rdflib import Literal

from ..labels import local_name
from ..store.protocol import QueryTimeout
from .flight import Flight
from .reads import Slow, query_text, read_select, scoped_text
from .scope import council_of, store_key

FILE = "search-index.sqlite"
VERSION = "1"  # bumped when the index's layout or contents change: an older file is rebuilt
MAX_HITS = 2000  # rows (record, name) a search returns at most, as the SPARQL search did
BUILD_TIMEOUT = 600.0

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE records (id INTEGER PRIMARY KEY, iri TEXT UNIQUE, kind TEXT, code TEXT, title TEXT,
                      council TEXT);
CREATE TABLE reports (record INTEGER, report TEXT, period TEXT);
CREATE INDEX reports_by_record ON reports (record);
CREATE VIRTUAL TABLE names USING fts5 (record UNINDEXED, code UNINDEXED, text,
                                       tokenize = "unicode61 remove_diacritics 0 tokenchars '.'");
"""


def _rows(store, name: str, part: str, columns: dict | None) -> list[dict]:
    """The rows of a question of the index: a SPARQL server's as plain values (RemoteStore.select_values:
    CSV, no term built per value), the embedded store's as terms; `insert` reads both as text."""
    plain = getattr(store, "select_values", None)
    if plain is None:
        return read_select(store, query_text(name), part, columns, timeout=BUILD_TIMEOUT).rows
    try:
        return plain(scoped_text(query_text(name), columns), timeout=BUILD_TIMEOUT)
    except QueryTimeout as e:
        raise Slow(part, str(e)) from e


def _text(value) -> str | None:
    """A value as text; an unbound or empty one is None (SPARQL CSV cannot tell them apart, so the
    embedded store's build reads an empty code as none too, and both builds give the same index)."""
    return str(value) if value is not None and str(value) else None


def insert(
    db: sqlite3.Connection, store, within: list[str] | None = None, columns: dict | None = None
) -> None:
    """Adds to the index in `db` the records of `store` whose IRIs start with one of `within` (None: every
    record): a whole index from an empty one, or the records `add` replaced (search_kept.py). `columns`
    binds the queries' ?within or ?lowest and ?below (a range of IRIs) directly: one page of a remote
    index (remote_index.py)."""
    if columns is None and within is not None:
        # ?within left unbound for every record (Virtuoso found nothing with STRSTARTS(?x, ""))
        columns = {"within": [Literal(w) for w in within]}
    insert_rows(db, terms(store, columns), reports(store, columns))


def terms(store, columns: dict | None) -> list[dict]:
    """The rows of search-terms.rq bound to `columns`: each record's names."""
    return _rows(store, "search-terms", "the search index (names)", columns)


def reports(store, columns: dict | None) -> list[dict]:
    """The rows of search-reports.rq bound to `columns`: each record's reports."""
    return _rows(store, "search-reports", "the search index (reports)", columns)


def insert_rows(db: sqlite3.Connection, term_rows: list[dict], report_rows: list[dict]) -> None:
    """Adds to the index in `db` the records named in `term_rows` (terms()), with their reports."""
    ids: dict[str, int] = {}
    best: dict[str, dict] = {}
    names: set[tuple[str, str, str]] = set()
    for r in term_rows:
        iri = str(r["node"])
        rec = best.setdefault(iri, {"kind": local_name(str(r["type"])), "code": None, "title": None})
        code = _text(r.get("code"))
        if code is not None:
            rec["code"] = min(rec["code"] or code, code)
        title = _text(r.get("title")) or _text(r.get("label"))
        if title is not None:
            rec["title"] = min(rec["title"] or title, title)
        text = f"{_text(r.get('kind')) or ''} {code or ''} {_text(r.get('lab')) or ''}".casefold()
        names.add((iri, (code or "").casefold(), text))
    for iri in sorted(best):
        rec = best[iri]
        cur = db.execute(
            "INSERT INTO records (iri, kind, code, title, council) VALUES (?, ?, ?, ?, ?)",
            (iri, rec["kind"], rec["code"], rec["title"], council_of(iri)),
        )
        ids[iri] = cur.lastrowid
    db.executemany(
        "INSERT INTO names (record, code, text) VALUES (?, ?, ?)",
        ((ids[i], c, t) for i, c, t in sorted(names)),
    )
    pairs = {(str(r["node"]), str(r["report"]), local_name(str(r["period"]))) for r in report_rows}
    db.executemany(
        "INSERT INTO reports (record, report, period) VALUES (?, ?, ?)",
        ((ids[n], r, p) for n, r, p in sorted(pairs) if n in ids),
    )


def build(store, path: str) -> None:
    """Writes the index of `store` to `path` (":memory:" is not used: the caller renames the file)."""
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        insert(db, store)
        db.execute("INSERT INTO meta VALUES ('version', ?)", (VERSION,))
        db.commit()
    finally:
        db.close()


class SearchIndex:
    """Read-only lookups in a built index (one connection per thread: sqlite3 connections are not
    shared between threads)."""

    def __init__(self, path: str, memory: bytes | None = None):
        self.path, self._memory = path, memory
        self._local = threading.local()

    def exists(self) -> bool:
        """Whether its file is still there (an index in memory always is)."""
        return self._memory is not None or os.path.exists(self.path)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            if self._memory is not None:
                db = sqlite3.connect(":memory:", check_same_thread=True)
                db.deserialize(self._memory)
            else:
                db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._local.db = db
        return db

    def lookup(self, words: list[str], report: str | None = None, council: str | None = None) -> list[dict]:
        """The records with a name holding every word at the start of one of its words: dicts with
        iri, kind, code, title, reports (years) and exact (the record's code is the words)."""
        match = " AND ".join(f'"{w}"*' for w in words)
        q = " ".join(words)
        sql = (
            "SELECT r.id, r.iri, r.kind, r.code, r.title, MAX(n.code = ?) FROM names n "
            "JOIN records r ON r.id = n.record WHERE names MATCH ?"
        )
        args: list = [q, match]
        if council:
            sql += " AND (r.council IS ? OR r.council IS NULL)"  # the council's records and the shared
            args.append(council)
        if report:
            sql += " AND EXISTS (SELECT 1 FROM reports p WHERE p.record = r.id AND p.report = ?)"
            args.append(report)
        sql += " GROUP BY r.id ORDER BY r.iri LIMIT ?"
        args.append(MAX_HITS)
        db = self._db()
        hits = []
        for rid, iri, kind, code, title, exact in db.execute(sql, args).fetchall():
            years = sorted({p for (p,) in db.execute("SELECT period FROM reports WHERE record = ?", (rid,))})
            hit = {"iri": iri, "kind": kind, "code": code, "title": title, "reports": years}
            hits.append({**hit, "exact": bool(exact)})
        return hits


_INDEXES = Flight(size=2, wait=5.0)


def _file_of(store) -> Path | None:
    """Where the embedded store's index lives: its generation directory (None for other stores)."""
    path = getattr(store, "path", None)
    if path is None or not getattr(store, "generation", None):
        return None
    directory = Path(path).parent if Path(path).name == "db" else Path(path)
    return directory / FILE


def _current(path: Path) -> bool:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return bool(row) and row[0] == VERSION


def _load(store) -> SearchIndex:
    target = _file_of(store)
    if target is not None and target.exists() and _current(target):
        return SearchIndex(str(target))
    fd, scratch = tempfile.mkstemp(suffix=".sqlite", dir=str(target.parent) if target else None)
    os.close(fd)
    try:
        os.unlink(scratch)
        build(store, scratch)
        if target is not None:
            try:
                os.replace(scratch, target)  # whole or not at all: a reader never sees half an index
                return SearchIndex(str(target))
            except OSError:
                pass  # a read-only store directory: the index lives in memory for this process
        db = sqlite3.connect(scratch)
        try:
            data = db.serialize()
        finally:
            db.close()
        return SearchIndex(":memory:", data)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)


def search_index(store) -> SearchIndex:
    """The index of `store`'s current generation, built on first use (one request builds it). The pages
    ask remote_index.index_of, which gives a store on a SPARQL server the index kept for it."""
    return _INDEXES.get(store_key(store), lambda: _load(store), "the search index (being built)")
