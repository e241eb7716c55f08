"""The bundled reports' validation, kept with the store `serve` builds of them on a first run.

Given to the store's build from above (`open_store(..., then=keep_validation)`, by the commands and the
app): the store package never imports the validator, which reads the count definitions through the query
layer, which reads the store (tests/test_import_graph.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

Progress = Callable[[str], None] | None


def keep_validation(generation: Path, progress: Progress = None) -> None:
    """The bundled reports' validation kept beside their store, as `build --store` keeps a folder's
    (validate/stored.py), so that no first audit or /validation page runs pySHACL: each report on its own
    graph, one after the other (what builds the store before `serve` forks starts no process), with what
    each result was made from (validate.stored.write_sources: this store has no REPORTS.json)."""
    from ..paths import bundled_reports
    from ..store.reports import Catalogue, read_reports
    from .each_report import validate_reports
    from .stored import write, write_sources

    paths = bundled_reports()
    if progress:
        progress(f"validating the {len(paths)} bundled reports, each on its own graph ...")
    records: dict[str, dict] = {}
    validate_reports(paths, progress, jobs=1, keep=records)
    catalogue = Catalogue()
    for r in read_reports(paths):
        catalogue.add(r)
    for part, record in sorted(records.items()):
        write(generation, part, record)
    write_sources(generation, catalogue.reports)
