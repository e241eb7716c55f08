"""A store built from a folder of report files, and one report added or replaced in seconds.

`build_store(paths, directory)` reads every report (identity from its content or the manifest beside it,
extract/identity.py), builds council by council (a council's reports share its indicators and links, so
a council is the unit of building; memory stays bounded by one council), splits each council's graph
into its named graphs (store/layout.py) and loads them into a new generation of the store. The
generation keeps, beside its database:

    REPORTS.json      what is in it: each report's council, service, year, canonical file name, content
                      digest and named graph; each named graph's digest (to tell what an update changes)
    reports/NAME      each report's text under its canonical name (og:sourceFile): the store can rebuild
                      a council, and line numbers in the graph refer to these files

`add_reports(paths, directory)` rebuilds only the councils of the reports given, compares their named
graphs with the digests in REPORTS.json, and makes a new generation from a hard-linked copy of the
current database (RocksDB checkpoint: no copy of the nation) in which only the graphs that changed are
dropped and loaded again. A running server keeps the generation it opened; restart it to serve the new one
(it starts in seconds: nothing is rebuilt).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..errors import OutcomeGraphError
from . import national
from .layout import DEFAULT_GRAPH, NATIONAL, REFERENCE, catalogue, in_graph, part_iri, partition, report_part
from .protocol import StoreError

CATALOGUE = "REPORTS.json"
Progress = Callable[[str], None] | None


def _say(progress: Progress, message: str) -> None:
    if progress:
        progress(message)


def report_files(inputs: Iterable[Path]) -> list[Path]:
    """The report files named, a folder standing for every *.txt in it (its manifest is read later)."""
    out: list[Path] = []
    for p in inputs:
        p = Path(p)
        if p.is_dir():
            found = sorted(p.glob("*.txt"))
            if not found:
                raise OutcomeGraphError(f"{p}: no report files (*.txt) in this folder")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise OutcomeGraphError(f"{p}: no such file or folder")
    return out


@dataclass
class Report:
    path: Path
    data: bytes
    extraction: object  # extract.records.Extraction

    @property
    def info(self):
        return self.extraction.report  # type: ignore[attr-defined]

    @property
    def key(self) -> tuple[str, str]:
        """What identifies a report in the graph: its IRI is ogr:<council>/report/<year>."""
        return (self.info.council, self.info.id)


def read_reports(paths: list[Path], council: str | None = None, progress: Progress = None) -> list[Report]:
    """Each file extracted, its identity from its content or manifest; two files that are the same
    report (council and year) are an error naming both."""
    from ..extract import extract_report

    out: dict[tuple[str, str], Report] = {}
    for n, path in enumerate(paths, 1):
        x = extract_report(path, council)
        r = Report(path, path.read_bytes(), x)
        if r.key in out and out[r.key].data != r.data:
            other = out[r.key].path
            raise OutcomeGraphError(
                f"{path} and {other} are both the {r.info.council} report for {r.info.id}, with different "
                "text: keep one (a council's report for a year is one named graph)"
            )
        out[r.key] = r
        if progress and (n % 20 == 0 or n == len(paths)):
            _say(progress, f"read {n}/{len(paths)} report files")
    return [out[k] for k in sorted(out)]


def council_parts(reports: list[Report]) -> dict[str, list[bytes]]:
    """One council's graph split into its named graphs (the reference part left out: it is the same
    for every council and written once)."""
    from ..build import build_from_extractions, to_ntriples

    result = build_from_extractions([r.extraction for r in reports])  # type: ignore[misc]
    parts = partition(to_ntriples(result.graph), _static_nt())
    parts.pop(REFERENCE, None)
    return parts


_STATIC: list[bytes] = []


def _static_nt() -> bytes:
    if not _STATIC:
        from ..build import to_ntriples
        from ..build.reference import static_graph

        _STATIC.append(to_ntriples(static_graph()))
    return _STATIC[0]


def _digest(lines: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for line in lines:
        h.update(line + b"\n")
    return h.hexdigest()


@dataclass
class Catalogue:
    base: str = DEFAULT_GRAPH
    reports: dict[str, dict] = field(default_factory=dict)  # part -> council, service, year, file, sha256
    parts: dict[str, str] = field(default_factory=dict)  # part -> digest of its N-Triples

    def write(self, generation: Path) -> None:
        body = {
            "base": self.base,
            "reports": dict(sorted(self.reports.items())),
            "parts": dict(sorted(self.parts.items())),
        }
        (generation / CATALOGUE).write_text(json.dumps(body, indent=1) + "\n")

    @classmethod
    def read(cls, generation: Path) -> Catalogue:
        body = json.loads((generation / CATALOGUE).read_text())
        return cls(body["base"], body["reports"], body["parts"])

    def add(self, r: Report) -> None:
        info = r.info
        self.reports[report_part(info.council, info.id)] = {
            "council": info.council,
            "service": info.service,
            "year": info.id,
            "file": info.source,
            "sha256": hashlib.sha256(r.data).hexdigest(),
        }

    def fingerprint(self) -> str:
        from .. import __version__

        h = hashlib.sha256(f"reports {__version__}\n".encode())
        for part, row in sorted(self.reports.items()):
            h.update(f"{part} {row['sha256']}\n".encode())
        return h.hexdigest()


def report_generation(directory: Path) -> Path:
    """The current generation of the store built from report files in `directory`, or an error saying
    how to build one."""
    from .build import current_generation

    generation = current_generation(Path(directory))
    if generation is None or not is_report_store(generation):
        raise StoreError(
            f"no store built from report files in {directory}: build one first with "
            f"`outcome-graph build FOLDER --store {directory}`"
        )
    return generation


def is_report_store(generation: Path | None) -> bool:
    return bool(generation) and (generation / CATALOGUE).is_file()  # type: ignore[operator]


def _copy_texts(reports: list[Report], generation: Path) -> None:
    folder = generation / "reports"
    folder.mkdir(exist_ok=True)
    for r in reports:
        (folder / r.info.source).write_bytes(r.data)


def build_store(
    paths: list[Path],
    directory: Path,
    *,
    council: str | None = None,
    progress: Progress = print,
    then: Callable[[Path], None] | None = None,
) -> tuple[Path, Catalogue]:
    """A new generation of the store in `directory` from the report files `paths`; made current when
    complete. `then` writes what else belongs to the generation (the search index, kept validation
    results) into its directory before it becomes current, so no server ever sees it without them."""
    from .build import rebuild

    reports = read_reports(paths, council, progress)
    cat = Catalogue()
    for r in reports:
        cat.add(r)
    by_council: dict[str, list[Report]] = {}
    for r in reports:
        by_council.setdefault(r.info.council, []).append(r)

    national_lines: dict[str, list[bytes]] = {}

    def source(say: Progress):
        started = time.monotonic()
        directory.mkdir(parents=True, exist_ok=True)
        out = tempfile.TemporaryFile(dir=directory, prefix="nquads-")
        static = partition(_static_nt(), _static_nt())  # all of it reference data
        for part, lines in static.items():
            out.write(in_graph(lines, part_iri(cat.base, part)))
            cat.parts[part] = _digest(lines)
        for n, (name, rs) in enumerate(sorted(by_council.items()), 1):
            parts = council_parts(rs)
            national_lines[name] = parts.pop(NATIONAL, [])
            for part, lines in parts.items():
                out.write(in_graph(lines, part_iri(cat.base, part)))
                cat.parts[part] = _digest(lines)
            _say(say, f"built {name} ({len(rs)} report(s)) [{n}/{len(by_council)} councils]")
        lines = national.union(national_lines)
        out.write(in_graph(lines, part_iri(cat.base, NATIONAL)))
        cat.parts[NATIONAL] = _digest(lines)
        out.write(in_graph((ln.encode() for ln in catalogue(cat.base, cat.parts)), cat.base))
        out.seek(0)
        _say(say, f"graph built from {len(reports)} reports in {time.monotonic() - started:.1f} s")
        return out

    def finish(generation: Path) -> None:
        _copy_texts(reports, generation)
        national.write(generation, national_lines)
        cat.write(generation)
        if then:
            then(generation)

    db = rebuild(Path(directory), cat.fingerprint(), source, progress, finish=finish)
    return db, cat


@dataclass
class Update:
    generation: Path
    replaced: list[str]  # parts dropped and loaded again (or loaded for the first time)
    unchanged: list[str]
    seconds: float
    lines: dict[str, list[bytes]] = field(default_factory=dict)  # the new content of each replaced part
    previous: Path | None = None  # the generation that was current before
    councils: list[str] = field(default_factory=list)  # the councils whose graphs were built again


def add_reports(
    paths: list[Path],
    directory: Path,
    *,
    council: str | None = None,
    progress: Progress = print,
    then: Callable[[Path, Path, list[str], list[str]], None] | None = None,
) -> Update:
    """Add (or replace) reports in the store in `directory`: their councils are rebuilt from the store's
    copies of their other reports, and only the named graphs that changed are replaced. `then(previous,
    new, councils, replaced)` writes what else belongs to the new generation before it becomes current
    (`replaced`: the named graphs replaced)."""
    from ..validate.stored import carry_over
    from .build import install

    started = time.monotonic()
    directory = Path(directory)
    generation = report_generation(directory)
    cat = Catalogue.read(generation)
    national_lines = national.read(generation)
    if national_lines is None:
        raise StoreError(
            f"the store in {directory} does not keep what each council's reports say of the national "
            "records (LGBF indicators), so a replaced report's words about them could not be taken out: "
            f"build it again from its report files (`outcome-graph build {generation / 'reports'} --store "
            "NEW_DIR`), then add to that"
        )
    new = read_reports(paths, council)
    councils = sorted({r.info.council for r in new})
    by_key = {r.key: r for r in new}
    kept: list[Report] = []
    from ..extract import extract_report
    from ..extract.identity import Declared

    for _part, row in sorted(cat.reports.items()):
        if row["council"] in councils and (row["council"], row["year"]) not in by_key:
            path = generation / "reports" / row["file"]
            x = extract_report(path, declared=Declared(row["council"], row["service"], row["year"]))
            kept.append(Report(path, path.read_bytes(), x))
    replaced: dict[str, list[bytes]] = {}
    unchanged: list[str] = []
    for name in councils:
        rs = sorted([r for r in kept + new if r.info.council == name], key=lambda r: r.key)
        parts = council_parts(rs)
        national_lines[name] = parts.pop(NATIONAL, [])
        old = {p for p in cat.parts if p == name or p.startswith(name + "/")}
        for part in sorted(old | set(parts)):
            lines = parts.get(part, [])
            if cat.parts.get(part) == _digest(lines):
                unchanged.append(part)
            else:
                replaced[part] = lines
    lines = national.union(national_lines)  # every council's, the rebuilt ones' new lines in place of old
    if cat.parts.get(NATIONAL) == _digest(lines):
        unchanged.append(NATIONAL)
    else:
        replaced[NATIONAL] = lines
    for r in new:
        cat.add(r)
    building = directory / f"building-add-{os.getpid()}-{time.time_ns()}"
    building.mkdir()
    try:
        ox.Store.read_only(str(generation / "db")).backup(str(building / "db"))  # hard links: seconds
        store = ox.Store(str(building / "db"))
        for part, lines in replaced.items():
            store.remove_graph(ox.NamedNode(part_iri(cat.base, part)))
            if lines:
                store.load(in_graph(lines, part_iri(cat.base, part)), format=ox.RdfFormat.N_QUADS)
                cat.parts[part] = _digest(lines)
            else:
                cat.parts.pop(part, None)
        store.remove_graph(ox.NamedNode(cat.base))
        store.load(
            in_graph((ln.encode() for ln in catalogue(cat.base, cat.parts)), cat.base),
            format=ox.RdfFormat.N_QUADS,
        )
        store.flush()
        del store
        (building / "reports").mkdir()
        for f in sorted((generation / "reports").iterdir()):
            os.link(f, building / "reports" / f.name)
        for r in new:
            target = building / "reports" / r.info.source
            target.unlink(missing_ok=True)
            target.write_bytes(r.data)
        cat.write(building)
        national.write(building, national_lines)
        # the other reports' validation results stay (each is checked against its key when read: the
        # replaced reports' old ones are never served)
        carry_over(generation, building)
        if then:
            then(generation, building, councils, sorted(replaced))
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    new_generation = install(directory, building, cat.fingerprint())
    seconds = time.monotonic() - started
    _say(
        progress,
        f"replaced {len(replaced)} named graph(s) ({', '.join(sorted(replaced)) or 'none'}), "
        f"{len(unchanged)} unchanged, in {seconds:.1f} s",
    )
    return Update(
        new_generation, sorted(replaced), sorted(unchanged), seconds, replaced, generation, councils
    )
