"""Each report's own records kept as built, so that `add` builds again only what reads across years.

`add` rebuilds the council of the report it replaces, because continuity, restatements and indicator
titles are read across the council's years. Of that build, a report's own records (RecordBuilder: its
report, excerpts, priorities, actions, indicators, observations, risks, totals, problems) read nothing
of the other reports, and were half of a council's build time (BENCHMARKS.md, "add2"). They are kept
here, one file per report, and taken again while what produced them has not changed.

The key is everything the records are built from: the report's bytes, its identity as read (council,
service, year, canonical file name, title, line count: `repr` of its ReportInfo but the path), the council's name and
geography (curated data), and `rules_fingerprint()` (the extract and build code, the vocabulary and the
curated data). A wrong key is a wrong graph: tests/store/test_reports.py builds from scratch and
compares, and a test that keys on less (the bytes alone) is shown to fail.

The files sit in the store's directory (beside its generations, shared by them) under the
fingerprint; a new fingerprint removes the old ones, which no build could read again. Pickle, because
the store's directory is the user's own (like its database), and the terms load without parsing.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from dataclasses import replace
from pathlib import Path

from ..build import OwnRecords, own_records
from ..extract.records import Extraction
from .layout import report_part

DIR = "kept-records"
FORMAT = "1"  # the layout of a kept file: change it when OwnRecords changes


def record_key(data: bytes, x: Extraction, council_name: str, geography: str | None) -> str:
    """What a report's own records are valid for."""
    from ..validate.stored import rules_fingerprint

    h = hashlib.sha256(f"records {FORMAT}\n{rules_fingerprint()}\n".encode())
    h.update(hashlib.sha256(data).digest())
    # every field of its identity but the path it was read from (for messages only, never in the graph:
    # a renamed file is the same report); a field added to ReportInfo is in the key until taken out here
    identity = replace(x.report, file="")
    h.update(f"\n{identity!r}\n{council_name}\n{geography or ''}\n".encode())
    return h.hexdigest()


class KeptRecords:
    """A RecordSource (build.build_from_extractions) reading and writing the kept records in
    `directory` (the store's)."""

    def __init__(self, directory: Path):
        from ..validate.stored import rules_fingerprint

        self.folder = Path(directory) / DIR / rules_fingerprint()[:16]
        self.data: dict[int, bytes] = {}  # id(extraction) -> the report's bytes, for the key
        self.kept: list[str] = []  # the reports (named graphs) whose records were taken as kept
        self.built: list[str] = []  # and those built again (and kept)
        parent = self.folder.parent
        if parent.is_dir():  # another fingerprint's files can never be read again
            for old in sorted(parent.iterdir()):
                if old != self.folder:
                    shutil.rmtree(old, ignore_errors=True)

    def __call__(self, x: Extraction, council_name: str, geography: str | None) -> OwnRecords:
        key = record_key(self.data[id(x)], x, council_name, geography)
        path = self.folder / key[:2] / key
        try:
            with path.open("rb") as f:
                kept = pickle.load(f)  # noqa: S301 - written by this module into the user's own store
            self.kept.append(report_part(x.report.council, x.report.id))
            return kept
        except (FileNotFoundError, EOFError, pickle.UnpicklingError):
            pass
        built = own_records(x, council_name, geography)
        self.built.append(report_part(x.report.council, x.report.id))
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".{key}.{os.getpid()}")
        with scratch.open("wb") as f:
            pickle.dump(built, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(scratch, path)  # whole or not at all: a reader never sees half a file
        return built
