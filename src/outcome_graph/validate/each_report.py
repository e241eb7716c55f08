"""Each report validated on its own graph, as it is added, several at a time, with a progress line per
report: what `build --store`, `add`, `validate --store` and the bundled store's first build run.

A report is checked alone (its own graph and the reference data, not the nation), so the cost of a run
follows the number of reports, and a result can be kept beside the store by the report's named graph
(validate/stored.py) and read back instead of checking again.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path

from ..store.layout import report_part
from ..store.progress import time_left

Progress = Callable[[str], None] | None


def _say(progress: Progress, message: str) -> None:
    if progress:
        progress(message)


def _check_one(
    path: str, council: str | None, declared: tuple | None = None
) -> tuple[str, str, int, int, dict]:
    """One report validated on its own graph (the report built alone, with the reference data), with its
    result as kept beside the store (validate/stored.py)."""
    from ..build import build_from_extractions
    from ..extract import extract_report
    from ..extract.identity import Declared
    from ..validate import validate_graph
    from ..validate.stored import result_key, to_record

    data = Path(path).read_bytes()
    x = extract_report(Path(path), council, declared=Declared(*declared) if declared else None)
    summary = validate_graph(build_from_extractions([x]).graph)
    info = x.report
    key = result_key(hashlib.sha256(data).hexdigest(), info.council, info.service, info.id)
    return info.council, info.id, summary.violations, summary.warnings, to_record(summary, key)


def validate_reports(
    paths: list[Path],
    progress: Progress,
    *,
    council: str | None = None,
    jobs: int | None = None,
    keep: dict[str, dict] | None = None,
    declared: dict[Path, tuple] | None = None,
    kept: Callable[[str, dict], None] | None = None,
) -> int:
    """Each report checked on its own graph, `jobs` at a time (default: one per core), one line of
    progress per report as it finishes, with the time so far and an estimate of the time left ("[12/320]
    fife 2019-2020: 0 violation(s), 3 warning(s); 21 s so far, about 8 min 40 s left").
    Returns the number of violations in all. `keep`: filled with each report's result by its named graph
    (store.layout.report_part), for `keep_results`. `kept`: called with each report's named graph and
    result as soon as it is made (a long run stopped half way keeps what it did). `declared`: a file's
    (council, service, year) where the store's catalogue says it (the store's own copies of its reports)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    jobs = max(1, min(jobs or os.cpu_count() or 1, len(paths)))
    total = 0
    started = time.monotonic()
    steady: tuple[int, float] | None = None
    declared = declared or {}
    if jobs == 1:
        results = (_check_one(str(p), council, declared.get(p)) for p in paths)
    else:
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
        futures = [pool.submit(_check_one, str(p), council, declared.get(p)) for p in paths]
        results = (f.result() for f in as_completed(futures))
    try:
        for n, (name, year, violations, warnings, record) in enumerate(results, 1):
            total += violations
            if keep is not None:
                keep[report_part(name, year)] = record
            if kept is not None:
                kept(report_part(name, year), record)
            elapsed = time.monotonic() - started
            if n == jobs:  # each job has done its first report (and paid pySHACL's import): rate from here
                steady = (n, elapsed)
            _say(
                progress,
                f"[{n}/{len(paths)}] {name} {year}: {violations} violation(s), {warnings} warning(s); "
                + time_left(n, len(paths), elapsed, steady),
            )
    finally:
        if jobs > 1:
            pool.shutdown(cancel_futures=True)
    return total


def keep_results(generation: Path, records: dict[str, dict]) -> None:
    """The reports' validation results into a store generation (validate/stored.py)."""
    from ..validate.stored import write

    for part, record in sorted(records.items()):
        write(generation, part, record)
