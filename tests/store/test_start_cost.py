"""What a start costs does not grow with the store (issue 17): the damage check reads a database file only
when it was written after the build recorded its checksum, so a store as built is checked with a stat per
file; a file changed since is still read and found."""

from __future__ import annotations

import os

from outcome_graph.store import checksums
from outcome_graph.store.build import current_generation, ensure_built

MANY = b"".join(b'<http://example.org/n%d> <http://example.org/p> "x" .\n' % i for i in range(5000))


def test_a_store_as_built_is_checked_without_reading_its_files(tmp_path, monkeypatch):
    ensure_built(tmp_path, fingerprint="one", source=lambda progress: MANY, progress=None)
    generation = current_generation(tmp_path)
    read: list[str] = []
    real = checksums._digest
    monkeypatch.setattr(checksums, "_digest", lambda path: read.append(path.name) or real(path))
    assert checksums.damage(generation) is None
    assert read == [], "a file as built was read"
    # one file changed after the build (same size, new bytes): read, and named
    files = sorted(p for p in (generation / "db").iterdir() if p.name.endswith(".sst"))
    assert files, "the build wrote no table file"
    victim = files[0]
    before = victim.stat().st_mtime_ns
    victim.write_bytes(os.urandom(victim.stat().st_size))
    os.utime(victim, ns=(before + 10**9, before + 10**9))  # a write a second later, on any file system
    assert checksums.damage(generation) == f"its file {victim.name} is not as it was built"
    assert read == [victim.name]
