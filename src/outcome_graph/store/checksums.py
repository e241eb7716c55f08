"""Each database file's sha256 as built, kept in a generation's CHECKSUMS file, and the check that finds
a generation's files changed since (store/build.py rebuilds a damaged store from the reports).

A file is known by its modification time: one not written since CHECKSUMS was written is as built, so a
start costs a stat per file and an `add` (whose database is a checkpoint of the previous one, its
unchanged files hard links) hashes only the files it wrote."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHECKSUMS = "CHECKSUMS"
# Files RocksDB may write to after the build (its info log and lock): not part of the data.
UNCHECKED = ("LOG", "LOCK")


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _as_built(generation: Path) -> dict[tuple[int, int], str]:
    """The digest of each database file of `generation` still as built, by (device, inode)."""
    listing = generation / CHECKSUMS
    if not listing.is_file():
        return {}
    written, out = listing.stat().st_mtime_ns, {}
    for line in listing.read_text().splitlines():
        digest, _, name = line.partition("  ")
        try:
            st = (generation / "db" / name).stat()
        except OSError:
            continue
        if st.st_mtime_ns <= written:  # not written since its digest was taken (damage()'s own rule)
            out[(st.st_dev, st.st_ino)] = digest
    return out


def write_checksums(generation: Path, previous: Path | None = None) -> None:
    """CHECKSUMS of `generation`'s database files. A file that is a hard link of one of `previous`'s,
    as built (`add` makes its database as a checkpoint: every unchanged file is a link), has its digest:
    the same bytes are not read again, so an add hashes what it wrote, not the nation's database."""
    db = generation / "db"
    known = _as_built(previous) if previous else {}
    lines = []
    for f in sorted(db.iterdir()):
        if f.is_file() and not f.name.startswith(UNCHECKED):
            st = f.stat()
            lines.append(f"{known.get((st.st_dev, st.st_ino)) or _digest(f)}  {f.name}")
    (generation / CHECKSUMS).write_text("\n".join(lines) + "\n")


def damage(generation: Path) -> str | None:
    """What is wrong with a generation's database files, or None when they are as built (or unknown).

    A file is read and hashed only when it was written after its checksum (its modification time is
    later than the CHECKSUMS file's): a file as built is known by its time, so a start costs a stat per
    file, not a read of the whole store (a national store is hundreds of MB, hashed twice per start:
    by `serve` before it listens and by the serving process). Bytes changed without a write through the
    file system are RocksDB's to find: it checks every block it reads."""
    listing = generation / CHECKSUMS
    if not listing.is_file():
        return None  # built before checksums were kept: the workers' open is the check
    written = listing.stat().st_mtime_ns
    for line in listing.read_text().splitlines():
        digest, _, name = line.partition("  ")
        f = generation / "db" / name
        if not f.is_file():
            return f"its file {name} is missing"
        if f.stat().st_mtime_ns > written and _digest(f) != digest:
            return f"its file {name} is not as it was built"
    return None
