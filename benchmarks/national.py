"""A national graph, built the way a user builds it: report FILES -> `outcome-graph build FOLDER --store`
-> `outcome-graph serve --store` (time to its first answer, and its memory), then one report replaced with
`outcome-graph add` and a sample of reports validated one by one.

    python benchmarks/national.py [--councils 32] [--years 10] [--work DIR] [--validate-sample 10]

The files are the real reports re-keyed to other councils and moved in time (benchmarks/report_files.py);
`--years` is the scale factor (32 x 10 is about 1.8 M triples; 32 x 55 about 10 M). Every step runs as
the user's own command in a child process, under `nice`.

The record-level functions below (national_ntriples, write_national) are kept for the benchmarks that
want the graph as one N-Triples file:

Every record is a real extracted record (outcome_graph.extract.extract_report on graph/reports/*.txt),
copied with `dataclasses.replace` under another council and government year, and built by the project's
own builder (outcome_graph.build.build_from_extractions), so the graph has the vocabulary, links,
excerpts and observation shapes of the real one. A year between the two real reports (2016-17, 2020-21)
is a copy of the nearer one with every period and date moved by the difference, so indicators have
histories across reports and restated values, as in the real graph. Midlothian's 2016-17 and 2020-21
reports are the real ones, unchanged, so saved-query defaults (codes, IRIs) still match.

The N-Triples are cached in benchmarks/.cache/ under a name carrying the sources' fingerprint, so a
second run reads the file instead of building again. `--store DIR` also loads the graph into an
embedded store in DIR, laid out as `outcome-graph serve --store DIR` expects (it then serves it as is).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from outcome_graph.build import build_from_extractions, to_ntriples
from outcome_graph.build.reference import static_graph
from outcome_graph.extract import extract_report
from outcome_graph.extract.records import Excerpt, Extraction, Period
from outcome_graph.paths import GRAPH_DIR, ONTOLOGY_DIR, ROOT, bundled_reports

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # sibling scripts: report_files, endpoint_latency

# Scotland's 32 council areas (slugs); Midlothian is the council of the real reports.
COUNCILS = (
    "aberdeen-city aberdeenshire angus argyll-and-bute clackmannanshire dumfries-and-galloway dundee-city "
    "east-ayrshire east-dunbartonshire east-lothian east-renfrewshire city-of-edinburgh na-h-eileanan-siar "
    "falkirk fife glasgow-city highland inverclyde midlothian moray north-ayrshire north-lanarkshire "
    "orkney-islands perth-and-kinross renfrewshire scottish-borders shetland-islands south-ayrshire "
    "south-lanarkshire stirling west-dunbartonshire west-lothian"
).split()
FIRST_YEAR = 2016


def gov_year(start: int) -> str:
    return f"{start}-{start + 1}"


def shift_year(year: str, offset: int) -> str:
    start = int(year[:4]) + offset
    return gov_year(start)


def shift_date(d: date | None, offset: int) -> date | None:
    if d is None or offset == 0:
        return d
    try:
        return d.replace(year=d.year + offset)
    except ValueError:  # 29 February
        return d.replace(year=d.year + offset, day=28)


def rekey(x: Extraction, council: str, start: int) -> Extraction:
    """The extraction `x` as if `council` had published it for the government year starting `start`."""
    old_year = x.report.id
    offset = start - int(old_year[:4])
    new_year = gov_year(start)

    def move(value: object) -> object:
        if isinstance(value, Excerpt):
            return dataclasses.replace(value, report=new_year)
        if isinstance(value, Period):
            return dataclasses.replace(value, year=shift_year(value.year, offset))
        if isinstance(value, date):
            return shift_date(value, offset)
        return value

    def record(r: object) -> object:
        changes = {}
        for f in dataclasses.fields(r):  # type: ignore[arg-type]
            value = getattr(r, f.name)
            if f.name == "report":
                changes["report"] = new_year
            else:
                moved = move(value)
                if moved is not value:
                    changes[f.name] = moved
        return dataclasses.replace(r, **changes)  # type: ignore[type-var]

    title = x.report.title.replace(old_year, new_year)
    info = dataclasses.replace(
        x.report, id=new_year, council=council, title=title, source=f"{council}-{new_year}.txt"
    )
    return dataclasses.replace(x, report=info, records=[record(r) for r in x.records])


def templates() -> list[Extraction]:
    return sorted((extract_report(p) for p in bundled_reports()), key=lambda x: x.report.id)


def council_extractions(real: list[Extraction], council: str, years: int) -> list[Extraction]:
    out = []
    for start in range(FIRST_YEAR, FIRST_YEAR + years):
        nearest = min(real, key=lambda x: (abs(int(x.report.id[:4]) - start), x.report.id))
        out.append(rekey(nearest, council, start))
    return out


def graph_inputs_digest() -> str:
    """A digest of what the graph is made from (reports, vocabulary, curated data, extract and build
    code, this file); narrower than sources_fingerprint(), which also covers the server's code, so the
    cache survives edits that cannot change the graph."""
    h = hashlib.sha256()
    src = ROOT / "src" / "outcome_graph"
    files = [*bundled_reports(), *ONTOLOGY_DIR.rglob("*"), *GRAPH_DIR.rglob("*"), Path(__file__)]
    files += [*(src / "extract").rglob("*.py"), *(src / "build").rglob("*.py")]
    files += [src / n for n in ("__init__.py", "curate.py", "namespaces.py", "paths.py")]
    for path in sorted({f.resolve() for f in files}):
        if path.is_file():
            h.update(str(path).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def cache_path(councils: int, years: int) -> Path:
    return CACHE_DIR / f"national-{councils}x{years}-{graph_inputs_digest()[:12]}.nt"


def write_national(path: Path, councils: int = 32, years: int = 5, progress=print) -> int:
    """Builds council by council (bounded memory) and writes one N-Triples file; returns its triples.

    The static graph (vocabulary, code lists, statutes) is written once; each council's build adds it
    again, so its lines, and any line already written (national LGBF indicators), are skipped.
    """
    real = templates()
    static = static_graph()
    static_nt = to_ntriples(static)
    seen: set[bytes] = {hashlib.blake2b(ln, digest_size=8).digest() for ln in static_nt.splitlines()}
    static_triples = set(static)
    count = len(seen)
    tmp = path.with_suffix(".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tmp.open("wb") as out:
        out.write(static_nt)
        for i, council in enumerate(COUNCILS[:councils], 1):
            g = build_from_extractions(council_extractions(real, council, years)).graph
            g -= static_triples  # blank nodes of the vocabulary would not match as lines
            for line in g.serialize(format="nt", encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                digest = hashlib.blake2b(line, digest_size=8).digest()
                if digest not in seen:
                    seen.add(digest)
                    out.write(line + b"\n")
                    count += 1
            if progress:
                progress(
                    f"  {i}/{councils} {council}: {count} triples so far, {time.monotonic() - started:.0f} s"
                )
    tmp.replace(path)
    return count


def national_ntriples(councils: int = 32, years: int = 5, progress=print) -> Path:
    """The cached N-Triples file of the national graph, built if missing."""
    path = cache_path(councils, years)
    if not path.exists():
        if progress:
            progress(f"building the national graph ({councils} councils x {years} years) into {path} ...")
        for stale in CACHE_DIR.glob(f"national-{councils}x{years}-*.nt"):
            stale.unlink()
        write_national(path, councils, years, progress)
    return path


def national_store(store_dir: Path, councils: int = 32, years: int = 5, progress=print) -> Path:
    """An embedded store in `store_dir` built from national report FILES (report_files.py) with the
    project's own `build_store`, one named graph per report; `serve --store DIR` serves it as it is.
    Built once per set of files and graph inputs (a STAMP file beside the store says which)."""
    from report_files import write_report_files

    from outcome_graph.store.build import current_generation
    from outcome_graph.store.reports import build_store

    store_dir = Path(store_dir)
    folder = CACHE_DIR / f"reports-{councils}x{years}"
    files = write_report_files(folder, councils, years)
    h = hashlib.sha256(graph_inputs_digest().encode())
    for f in files:
        h.update(f.read_bytes())
    stamp = store_dir / "STAMP"
    generation = current_generation(store_dir)
    if generation and stamp.is_file() and stamp.read_text() == h.hexdigest():
        return generation / "db"
    db, _ = build_store(files, store_dir, progress=progress)
    stamp.write_text(h.hexdigest())
    return db


def _run(label: str, command: list[str], log: Path) -> float:
    """One of the user's commands, under nice, timed; its output kept in `log`."""
    started = time.monotonic()
    with log.open("ab") as out:
        out.write(f"$ {' '.join(command)}\n".encode())
        out.flush()
        done = subprocess.run(["nice", *command], stdout=out, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{label} failed (exit {done.returncode}); see {log}")
    return seconds


def group_rss(pgid: int) -> int:
    """Resident memory of every process in a process group (the server and its query workers), bytes."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # field 5, pgrp, counted after the command name
                total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # field 24, rss (pages)
        except (OSError, IndexError, ValueError):
            continue
    return total


def user_path(councils: int, years: int, work: Path, validate_sample: int) -> list[tuple[str, str]]:
    from endpoint_latency import sparql_get, start_server, wait_until_answering
    from report_files import write_report_files

    exe = str(Path(sys.executable).parent / "outcome-graph")
    log = work / "commands.log"
    rows: list[tuple[str, str]] = []
    started = time.monotonic()
    folder = work / "reports"
    files = write_report_files(folder, councils, years)
    rows.append((f"write {len(files)} report files", f"{time.monotonic() - started:.1f} s"))
    store = work / "store"
    seconds = _run("build", [exe, "build", str(folder), "--store", str(store), "--no-validate"], log)
    db = next(store.glob("gen-*/db"))
    import pyoxigraph as ox

    triples = len(ox.Store.read_only(str(db)))
    rows.append((f"`outcome-graph build {folder.name} --store` ({triples:,} triples)", f"{seconds:.0f} s"))
    server = start_server(store)
    try:
        first = wait_until_answering(server)
        rows.append(("`outcome-graph serve --store`: start to first answer", f"{first:.2f} s"))
        t = time.monotonic()
        status, body = sparql_get(server.port, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=120)
        rows.append((f"first COUNT of every triple (HTTP {status})", f"{time.monotonic() - t:.2f} s"))
        rss = group_rss(server.proc.pid)
        rows.append(("server processes' resident memory, in all", f"{rss / 2**20:.0f} MB"))
    finally:
        server.stop()
    # one report corrected: its council's graphs are rebuilt, the report's own replaced
    target = files[len(files) // 2]
    text = target.read_text(encoding="utf-8")
    fixed = work / "corrected.txt"
    fixed.write_text(text.replace("Off Target", "On Target", 1), encoding="utf-8")
    seconds = _run("add", [exe, "add", str(fixed), "--store", str(store), "--no-validate"], log)
    rows.append(("`outcome-graph add REPORT --store` (one report replaced)", f"{seconds:.1f} s"))
    if validate_sample:
        sample = work / "sample"
        sample.mkdir(exist_ok=True)
        for f in files[:validate_sample]:
            (sample / f.name).write_bytes(f.read_bytes())
        seconds = _run("validate", [exe, "build", str(sample), "--store", str(work / "sample-store")], log)
        each = seconds / validate_sample
        rows.append(
            (
                f"build + validate {validate_sample} reports, one by one",
                f"{seconds:.0f} s ({each:.1f} s a report)",
            )
        )
        rows.append(
            (f"validate all {len(files)} (from the sample)", f"about {each * len(files) / 60:.0f} min")
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=32, help="at most 32")
    parser.add_argument("--years", type=int, default=10, help="the scale factor: report years per council")
    parser.add_argument(
        "--work", type=Path, help="where the files and the store go (default: a new temp dir)"
    )
    parser.add_argument("--validate-sample", type=int, default=10, help="reports built with validation")
    args = parser.parse_args()
    if not 1 <= args.councils <= len(COUNCILS):
        parser.error(f"--councils must be between 1 and {len(COUNCILS)}")
    work = args.work or Path(tempfile.mkdtemp(prefix="og-national-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = user_path(args.councils, args.years, work, args.validate_sample)
    print(f"\n{args.councils} councils x {args.years} years, in {work}\n")
    print("| step | result |\n|---|---|")
    for step, result in rows:
        print(f"| {step} | {result} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
