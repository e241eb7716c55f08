"""A synthetic national graph: the real reports' records re-keyed under 32 councils and 5 years.

    python benchmarks/national.py [--councils 32] [--years 5] [--store DIR]

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
import sys
import time
from datetime import date
from pathlib import Path

from outcome_graph.build import build_from_extractions, sources_fingerprint, to_ntriples
from outcome_graph.build.reference import static_graph
from outcome_graph.extract import extract_report
from outcome_graph.extract.records import Excerpt, Extraction, Period
from outcome_graph.paths import GRAPH_DIR, ONTOLOGY_DIR, ROOT, bundled_reports

CACHE_DIR = Path(__file__).resolve().parent / ".cache"

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
    """An embedded store in `store_dir` holding the national graph, in the layout `serve --store` reads.

    It carries the current sources fingerprint, so the server serves it instead of rebuilding."""
    from outcome_graph.store.build import ensure_built

    nt = national_ntriples(councils, years, progress)
    return ensure_built(
        Path(store_dir), fingerprint=sources_fingerprint(), source=lambda _p: nt.open("rb"), progress=progress
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=32, help="at most 32")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--store", type=Path, help="also load it into an embedded store in this directory")
    args = parser.parse_args()
    if not 1 <= args.councils <= len(COUNCILS):
        parser.error(f"--councils must be between 1 and {len(COUNCILS)}")
    started = time.monotonic()
    path = national_ntriples(args.councils, args.years)
    lines = sum(1 for _ in path.open("rb"))
    print(f"{path}: {lines} triples, {path.stat().st_size / 1e6:.0f} MB ({time.monotonic() - started:.1f} s)")
    if args.store:
        db = national_store(args.store, args.councils, args.years)
        print(f"store: {db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
