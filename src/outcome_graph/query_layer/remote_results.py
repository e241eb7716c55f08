"""The reports' validation results of a dataset on a SPARQL server, kept in the same cache as its search
index (remote_index.py) and by the same stamp, so that `serve --endpoint` reads them instead of running
pySHACL again (validate/stored.py keeps an embedded store's beside its generation).

    <cache>/<dataset>.kept/<stamp>/VALIDATION/<council>/report/<year>.json   (validate.stored's records)

A stamp names exactly what the server holds (remote_kept.py: a whole load's is the digest of every part
sent, an add's the digest of the previous stamp and the parts it replaced), so a report's result kept
under the stamp is for the report's graph as served. Its key (`server_key`) is a digest of the stamp, the
report and the rules (validate.stored.rules_fingerprint): new shapes, curated data or code, or another
stamp, and it is not served — it is validated again.

- `load --endpoint --store DIR` copies the embedded store's kept results that are valid for its reports as
  they are and the rules as they are now (the same check the embedded store's pages make);
- `add --endpoint` carries the previous stamp's results over for the reports it did not replace, and takes
  the replaced reports' from the local store (validated as they were added): a replaced report's old
  result never reaches the new stamp;
- `serve --endpoint` reads them (`read_result`) and keeps each report it validates (`keep_result`), so a
  restart does not lose them.
Older stamps' folders are removed by load and add (the previous one is left for a server still on it).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

from .remote_cache import stamp_dir, stamps_dir
from .remote_index import server_stamp

NOT_STAMPED = "unstamped:"  # remote_cache.identity of a dataset loaded without a stamp: nothing is kept


def server_key(stamp: str, part: str) -> str:
    """What a kept result of a server's report is valid for: the dataset's stamp, the report, the rules."""
    from ..validate.stored import rules_fingerprint

    return hashlib.sha256(f"{rules_fingerprint()}\nserver {stamp}\n{part}\n".encode()).hexdigest()


def read_result(store, part: str):
    """The kept result (a ValidationSummary) of the report `part` as the server holds it now; None where
    none is kept for it (or the dataset has no stamp)."""
    from ..validate.stored import read

    stamp = server_stamp(store)
    if stamp.startswith(NOT_STAMPED):
        return None
    return read(stamp_dir(store, stamp), part, server_key(stamp, part))


def keep_result(store, stamp: str, part: str, summary) -> None:
    """A result validated from the server's graph under `stamp` (asked before its graph was read), kept.
    A cache that cannot be written keeps nothing: the result lives in the server's memory only."""
    from ..validate.stored import to_record, write

    if stamp.startswith(NOT_STAMPED):
        return
    try:
        write(stamp_dir(store, stamp), part, to_record(summary, server_key(stamp, part)))
    except OSError:
        pass


def local_records(local_store: Path, parts=None) -> dict[str, dict]:
    """The embedded store's kept results (of `parts`, else all) that are valid for its reports as they are
    and the rules as they are now, by part."""
    from ..store.build import current_generation
    from ..store.reports import CATALOGUE, Catalogue
    from ..validate.stored import read_record, read_sources, result_key

    generation = current_generation(local_store)
    if generation is None:
        return {}
    try:
        rows = (
            Catalogue.read(generation).reports
            if (generation / CATALOGUE).is_file()
            else read_sources(generation) or {}
        )
    except (OSError, ValueError, KeyError):
        return {}
    out = {}
    for part in sorted(rows if parts is None else set(parts) & set(rows)):
        row = rows[part]
        record = read_record(
            generation, part, result_key(row["sha256"], row["council"], row.get("service"), row["year"])
        )
        if record is not None:
            out[part] = record
    return out


def _keep_all(store, stamp: str, records: dict[str, dict]) -> None:
    from ..validate.stored import write

    for part, record in sorted(records.items()):
        write(stamp_dir(store, stamp), part, {**record, "key": server_key(stamp, part)})


def _prune(store, keep: set[str]) -> None:
    """Every stamp's folder but `keep` removed (a stale stamp's results are never read anyway)."""
    folder = stamps_dir(store)
    if folder.is_dir():
        for old in sorted(folder.iterdir()):
            if old.name not in keep and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)


def results_after_load(store, stamp: str, local_store: Path | None, say: Callable[[str], None]) -> int:
    """The local store's valid results kept under the stamp of the dataset just loaded from it."""
    records = local_records(local_store) if local_store is not None else {}
    _prune(store, {stamp})
    _keep_all(store, stamp, records)
    if records:
        say(f"{len(records)} report(s)' validation kept for the server in {stamp_dir(store, stamp)}")
    return len(records)


def results_after_add(
    store,
    previous: str | None,
    stamp: str,
    replaced: list[str],
    local_store: Path,
    say: Callable[[str], None],
) -> int:
    """After an add replaced `replaced` on the server: the previous stamp's results of the other reports
    carried over, and the replaced reports' taken from the local store (where valid)."""
    from ..validate.stored import FOLDER, read_record

    records: dict[str, dict] = {}
    if previous is not None and not previous.startswith(NOT_STAMPED):
        old = stamp_dir(store, previous)
        for f in sorted((old / FOLDER).rglob("*.json")) if (old / FOLDER).is_dir() else []:
            part = str(f.relative_to(old / FOLDER).with_suffix(""))
            if part in replaced:
                continue  # its old result is of the graph the add replaced
            record = read_record(old, part, server_key(previous, part))
            if record is not None:
                records[part] = record
    records.update(local_records(local_store, [p for p in replaced if "/report/" in p]))
    _prune(store, {stamp, previous or ""})
    _keep_all(store, stamp, records)
    say(f"{len(records)} report(s)' validation kept for the server under its new stamp")
    return len(records)
