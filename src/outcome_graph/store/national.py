"""What each council's reports say of the records no council owns (an LGBF indicator, a framework's duty:
store.layout.part_of gives them the national part), kept beside the store's generation, one file per
council (NATIONAL/<council>.nt), so that `add` writes the national graph again exactly: the union of every
council's lines, the rebuilt councils' new ones in place of their old.

Why not a national graph per council: the councils' lines overlap (every council's report names CHN9), and
Oxigraph's union default graph does not remove duplicates, so each shared triple would be counted once
per council. Why not only add to one national graph: a replaced report's words about an LGBF indicator
(its title, its evidence excerpts) would then stay after the report is gone.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR = "NATIONAL"


def write(generation: Path, by_council: dict[str, list[bytes]]) -> None:
    folder = generation / DIR
    folder.mkdir(exist_ok=True)
    for council, lines in sorted(by_council.items()):
        target = folder / f"{council}.nt"
        scratch = folder / f".{council}.nt.{os.getpid()}"
        scratch.write_bytes(b"".join(line + b"\n" for line in sorted(set(lines))))
        os.replace(scratch, target)


def read(generation: Path) -> dict[str, list[bytes]] | None:
    """Every council's lines, or None for a generation that keeps none (built before they were kept)."""
    folder = generation / DIR
    if not folder.is_dir():
        return None
    return {p.stem: p.read_bytes().splitlines() for p in sorted(folder.glob("*.nt"))}


def union(by_council: dict[str, list[bytes]]) -> list[bytes]:
    """The national graph's lines: each once, in order."""
    return sorted({line for lines in by_council.values() for line in lines})
