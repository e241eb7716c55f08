"""`load --endpoint` and `add --endpoint` keep the remote search index in step with what they put on the
server (remote_index.py has the serving side).

Both write a new generation stamp into the dataset's catalogue with the parts (`<graph> og:generation`):
a whole load the digest of every part it sent (the same content always gives the same stamp), an add
the digest of the previous stamp and the parts it replaced. Then:
- `load` keeps the index under the new stamp: the embedded store's own (`--store DIR`, written with its
  generation, search_kept.py) copied, or else one read from the server in pages;
- `add` updates the kept index when it is the previous generation's: the records of the councils it
  replaced (and the shared ones) are dropped and read again from the server, as `add` does for an
  embedded store; with no index of the previous generation, a whole one is read.
A `serve --endpoint` started later (or running: it asks the stamp again every 30 s) finds the index under
the server's stamp and reads no row of it from the server.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .remote_cache import STAMP, file_of, read_stamp
from .remote_index import stamp_index, stamp_of, write
from .search_index import FILE, _current, insert
from .search_kept import changed_prefixes, drop_records

NOT_A_COUNCIL = ("reference", "national")


def new_stamp(parts: dict[str, list[bytes]], previous: str | None) -> str:
    """The generation after sending `parts`: with no previous (a whole load) the parts' own digest."""
    digest = hashlib.sha256()
    if previous is not None:
        digest.update(b"after " + previous.encode() + b"\n")
    for name, lines in sorted(parts.items()):
        digest.update(f"part {name} {len(lines)}\n".encode())
        for line in lines:
            digest.update(line + b"\n")
    return digest.hexdigest()


def stamp_line(base: str, stamp: str) -> str:
    """The catalogue's line naming the dataset's generation."""
    return f'<{base}> <{STAMP}> "{stamp}" .'


def previous_stamp(store) -> str | None:
    """The server's stamp before this push (None: an empty dataset, or one loaded without a stamp)."""
    return read_stamp(store, timeout=120)


@contextmanager
def _edited_copy(source: Path, path: Path) -> Iterator[Path]:
    """A scratch copy of `source` beside `path` to change, renamed onto `path` when the block ends
    without error (a running `serve` never reads half an index)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        shutil.copyfile(source, scratch)
        yield scratch
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)


def after_load(store, stamp: str, local_store: Path | None, say: Callable[[str], None]) -> Path:
    """The index of the dataset just loaded, kept under `stamp`; returns its file."""
    path = file_of(store)
    source = None
    if local_store is not None:
        from ..store.build import current_generation

        generation = current_generation(local_store)
        if generation is not None and _current(generation / FILE):
            source = generation / FILE
    if source is None:
        return _read_whole(store, path, stamp, say)
    with _edited_copy(source, path) as scratch:
        _restamp(scratch, store, stamp)
    say(f"search index of the store in {local_store} kept for the server in {path}")
    return path


def _read_whole(store, path: Path, stamp: str, say: Callable[[str], None]) -> Path:
    """The whole index read from the server, page by page, and kept in `path` under `stamp`."""
    write(store, path, stamp, lambda done, total: say(f"search index: {done} of {total} parts read"))
    say(f"search index read from the server and kept in {path}")
    return path


def after_add(store, previous: str | None, stamp: str, parts: list[str], say: Callable[[str], None]) -> Path:
    """The kept index brought to `stamp` after an add replaced `parts` on the server; returns its file."""
    path = file_of(store)
    councils = sorted({p.split("/", 1)[0] for p in parts} - set(NOT_A_COUNCIL))
    if previous is None or stamp_of(path) != previous or "reference" in parts:
        # no index of what the server held before (or the shared reference data changed): a whole one
        return _read_whole(store, path, stamp, say)
    with _edited_copy(path, path) as scratch:
        db = sqlite3.connect(scratch)
        try:
            within = changed_prefixes(councils)
            drop_records(db, within)
            for prefix in within:  # a page each: Virtuoso read three prefixes in one query far slower
                insert(db, store, [prefix])
            stamp_index(db, store, stamp)
            db.commit()
        finally:
            db.close()
    say(f"search index updated for {', '.join(councils) or 'the shared records'} in {path}")
    return path


def _restamp(path: Path, store, stamp: str) -> None:
    db = sqlite3.connect(path)
    try:
        stamp_index(db, store, stamp)
        db.commit()
    finally:
        db.close()
