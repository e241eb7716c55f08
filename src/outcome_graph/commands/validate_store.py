"""`outcome-graph validate --store DIR [--council C] [--jobs N]`: every report of a store built from report
files, each on its own graph, with a line of progress per report.

A report whose result was kept when it was built or added (validate/stored.py; keyed on its bytes, its
identity and the rules) is read, not validated again; the others are validated from the store's own copy
of their text, `jobs` at a time, and their results kept for the next run and for the server's pages. The
output is the sum of the reports' results (validate.stored.merged), in the format asked for.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ..errors import OutcomeGraphError


def validate_store(directory: Path, council: str | None, jobs: int | None, say) -> tuple:
    """(the merged summary, a name for what was validated). Raises OutcomeGraphError for a store that was
    not built from report files, or a council it does not hold."""
    from ..store.reports import Catalogue, report_generation
    from ..validate.each_report import validate_reports
    from ..validate.stored import merged, read, result_key, write

    generation = report_generation(Path(directory))
    cat = Catalogue.read(generation)
    rows = {p: r for p, r in sorted(cat.reports.items()) if council is None or r["council"] == council}
    if not rows:
        held = sorted({r["council"] for r in cat.reports.values()})
        raise OutcomeGraphError(f"{directory}: no report of council {council!r}; councils: {', '.join(held)}")
    started = time.monotonic()
    summaries = {}
    missing: dict[Path, str] = {}
    for part, row in rows.items():
        kept = read(
            generation, part, result_key(row["sha256"], row["council"], row.get("service"), row["year"])
        )
        if kept is not None:
            summaries[part] = kept
        else:
            missing[generation / "reports" / row["file"]] = part
    say(f"{len(summaries)} of {len(rows)} report(s) kept as validated; validating {len(missing)} ...")
    if missing:
        declared = {
            path: (rows[p]["council"], rows[p]["service"], rows[p]["year"]) for path, p in missing.items()
        }
        from ..validate.stored import from_record

        unwritable: list[str] = []

        def kept(part: str, record: dict) -> None:
            # kept as each report is done, not at the end: a national run stopped half way (Ctrl-C, a
            # report that cannot be read) keeps what it did, and the next run starts from there
            summaries[part] = from_record(record)
            try:
                write(generation, part, record)
            except OSError as e:  # a store one may read but not write: the results are still given
                if not unwritable:
                    say(f"note: cannot keep the results in the store ({e.strerror or e})")
                unwritable.append(part)

        before = len(summaries)
        try:
            validate_reports(sorted(missing), say, jobs=jobs, declared=declared, kept=kept)
        except (OSError, OutcomeGraphError) as e:
            done = len(summaries) - before
            raise OutcomeGraphError(
                f"{e}; the {done} report(s) validated before it are kept: run the command again to validate "
                "the others"
            ) from None
    say(f"{len(rows)} report(s) validated in {time.monotonic() - started:.1f} s")
    held = len({r["council"] for r in rows.values()})
    name = f"{len(rows)} report(s) of " + (council or f"{held} council(s)")
    parts = sorted(summaries)
    return merged(
        (summaries[p] for p in parts), (rows[p]["council"] for p in parts)
    ), f"the store {directory}: {name}"


def run(args) -> int:
    from ..validate.formats import render

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        summary, source = validate_store(args.store, args.council, args.jobs, say)
    except OutcomeGraphError as e:
        print(f"outcome-graph validate: error: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(render(summary, args.format, source))
    return 1 if summary.violations else 0
