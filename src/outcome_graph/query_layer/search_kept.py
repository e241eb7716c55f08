"""The search index kept in step with a store built from report files: `build --store` writes it with the
generation, and `add` updates a copy of the previous generation's index for the councils it rebuilt
instead of indexing the nation again (at 10 M triples the two reads of a whole index take ~40 s; a
council's take what the council holds).

What `add` may change is the records of the councils it rebuilt (their IRIs start <ogr:council/>) and the
national records every council adds to (<ogr:lgbf/>, <ogr:framework/>): those are dropped from the copy
and read again; every other record's rows are the previous index's, which is what a full build would
write for them. tests/store/test_search_kept.py holds the two equal, table by table.

When `add` replaced only report graphs (a corrected report: the council's shared graph and the national
one unchanged), only those reports' records can have changed: each record's rows are read from triples
about it (one graph each, by its IRI: store/layout.py) and its reports' periods (fixed by their IRIs).
Those records are read again from a scratch store holding just those graphs, the catalogue and the
reference data, so the cost is the report's, not a scan of the nation's records (12-18 s at 10 M).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..namespaces import OGR
from ..store.embedded import EmbeddedStore
from .scope import SHARED_SEGMENTS
from .search_index import BUILD_TIMEOUT, FILE, _current, insert, search_index


def _open(generation: Path) -> EmbeddedStore:
    return EmbeddedStore(generation / "db", workers=1, timeout=BUILD_TIMEOUT)


def write_index(generation: Path) -> None:
    """The whole index of the store generation in `generation` (after `build --store`)."""
    with _open(generation) as store:
        search_index(store)  # built into the generation's directory, whole, then renamed into place


def changed_prefixes(councils: list[str]) -> list[str]:
    """The IRI prefixes of the records an `add` of these councils' reports may change."""
    return sorted(f"{OGR}{name}/" for name in [*councils, *SHARED_SEGMENTS])


def drop_records(db: sqlite3.Connection, within: list[str]) -> None:
    """Takes out of an index every row of the records whose IRIs start with one of `within`."""
    db.execute("CREATE TEMP TABLE gone (id INTEGER PRIMARY KEY)")
    for prefix in within:
        sql = "INSERT INTO gone SELECT id FROM records WHERE substr(iri, 1, ?) = ?"
        db.execute(sql, (len(prefix), prefix))
    for table, column in (("names", "record"), ("reports", "record"), ("records", "id")):
        db.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT id FROM gone)")  # noqa: S608
    db.execute("DROP TABLE gone")


_REPORT_PART = re.compile(r"[^/]+/report/[^/]+")


@contextmanager
def _open_parts(generation: Path, parts: list[str]) -> Iterator[EmbeddedStore]:
    """A scratch store of `generation`'s named graphs `parts`, with its catalogue and reference data."""
    import pyoxigraph as ox

    from ..store.layout import REFERENCE, part_iri
    from ..store.reports import Catalogue

    base = Catalogue.read(generation).base
    graphs = [base, part_iri(base, REFERENCE), *(part_iri(base, p) for p in parts)]
    with tempfile.TemporaryDirectory(dir=generation, prefix=".index-parts-") as folder:
        source, scratch = ox.Store.read_only(str(generation / "db")), ox.Store(str(Path(folder) / "db"))
        for graph in graphs:
            scratch.extend(source.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        scratch.flush()
        del source, scratch
        with _open(Path(folder)) as store:
            yield store


def update_index(
    previous: Path, generation: Path, councils: list[str], parts: list[str] | None = None
) -> list[str]:
    """The index of `generation`: the `previous` generation's, with the records under
    `changed_prefixes(councils)` read again from the new store, or, when `parts` (the named graphs `add`
    replaced) are report graphs only, the records of those reports, read from those graphs alone.
    Without a current previous index, a whole one. Returns the IRI prefixes read again."""
    old = previous / FILE
    if not (old.exists() and _current(old)):
        write_index(generation)
        return [str(OGR)]
    target = generation / FILE
    scratch = generation / f".{FILE}.{os.getpid()}"
    shutil.copyfile(old, scratch)
    reports_only = parts is not None and all(_REPORT_PART.fullmatch(p) for p in parts)
    within = sorted(f"{OGR}{p}/" for p in parts or []) if reports_only else changed_prefixes(councils)
    try:
        db = sqlite3.connect(scratch)
        try:
            drop_records(db, within)
            if within:  # none: nothing was replaced, the previous index is the new one
                with _open_parts(generation, parts or []) if reports_only else _open(generation) as store:
                    insert(db, store, within)
            db.commit()
        finally:
            db.close()
        os.replace(scratch, target)  # whole or not at all, as search_index writes it
    finally:
        if scratch.exists():
            scratch.unlink()
    return within
