"""A store built from a folder of report files: identity from content, one named graph per report, a report
added or replaced without a rebuild, and the same graphs pushed to a real Oxigraph server."""

from __future__ import annotations

import re
import shutil
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from outcome_graph.build import build, to_ntriples
from outcome_graph.cli import main
from outcome_graph.errors import ReportError
from outcome_graph.extract import extract_lines, extract_report
from outcome_graph.extract.sections import Line
from outcome_graph.extract.values import parse_cell
from outcome_graph.namespaces import OG, OGR
from outcome_graph.paths import REPORTS_DIR, ROOT, bundled_reports
from outcome_graph.store import open_store
from outcome_graph.store.layout import DEFAULT_GRAPH, catalogue, part_iri
from outcome_graph.store.reports import add_reports, build_store

sys.path.insert(0, str(ROOT / "benchmarks"))
from report_files import move_years, rekey  # noqa: E402 - a sibling script, not a package

R16 = REPORTS_DIR / "midlothian-childrens-services-2016-17.txt"
R20 = REPORTS_DIR / "midlothian-cspc-2020-21.txt"
PARTS = {
    "reference",
    "national",
    "midlothian",
    "midlothian/report/2016-2017",
    "midlothian/report/2020-2021",
}


def renamed_copies(folder: Path) -> list[Path]:
    """The bundled reports under names that say nothing (and one that says the wrong thing)."""
    folder.mkdir(parents=True, exist_ok=True)
    a, b = folder / "zz-report.txt", folder / "fife-2019-20.txt"
    shutil.copy(R16, a)
    shutil.copy(R20, b)
    return [a, b]


def fife(folder: Path, year: int = 2019, source: Path = R20) -> Path:
    path = folder / "untitled.txt"
    path.write_text(rekey(source.read_text(encoding="utf-8"), "fife", year), encoding="utf-8")
    return path


# ---- identity -----------------------------------------------------------------------------------------


def test_a_renamed_copy_gives_the_same_graph_byte_for_byte(tmp_path, capsys):
    copies = renamed_copies(tmp_path / "in")
    assert main(["build", "--out", str(tmp_path / "a.nt")]) == 0
    bundled_out = capsys.readouterr().out
    assert main(["build", *map(str, copies), "--out", str(tmp_path / "b.nt")]) == 0
    renamed_out = capsys.readouterr().out
    assert (tmp_path / "a.nt").read_bytes() == (tmp_path / "b.nt").read_bytes()

    # and the build says the same about them, word for word but the file names: no warning (it used to
    # be "risk register shows 0") comes and goes with a file's name
    for copy, original in zip(copies, (R16, R20), strict=True):
        renamed_out = renamed_out.replace(str(copy), str(original))
    assert renamed_out == bundled_out


def test_the_council_is_the_one_the_report_names_never_its_file_name(tmp_path):
    path = tmp_path / "midlothian-childrens-services-2016-17.txt"  # a Fife report under a Midlothian name
    path.write_text(rekey(R16.read_text(encoding="utf-8"), "fife", 2018), encoding="utf-8")
    info = extract_report(path).report
    assert (info.council, info.id, info.service) == ("fife", "2018-2019", "childrens-services")
    assert info.source == "fife-childrens-services-2018-19.txt"  # og:sourceFile: what it is, not its name


def test_a_report_naming_no_council_is_an_error_saying_what_to_add_to_the_manifest(tmp_path):
    path = tmp_path / "anonymous.txt"
    path.write_text(R16.read_text(encoding="utf-8").replace("Midlothian", "the council"), encoding="utf-8")
    with pytest.raises(ReportError) as caught:
        extract_report(path)
    message = str(caught.value)
    # it names Edinburgh twice ("Edinburgh and Lothian Child Protection procedures"): not clearly its own
    assert message.startswith(f"{path}: cannot tell which council published it: the report does not name")
    assert "(named: city-of-edinburgh (2))" in message
    assert "reports.csv" in message and '"anonymous.txt,midlothian,,"' in message

    manifest = tmp_path / "reports.csv"
    manifest.write_text("file,council,service,year\nanonymous.txt,east-lothian,,\n")
    assert extract_report(path).report.council == "east-lothian"

    manifest.write_text("file,council,service,year\nanonymous.txt,east-lothian,,2017-2018\n")
    with pytest.raises(
        ReportError, match=r"reports.csv line 2 gives the year as '2017-2018', but the report's"
    ):
        extract_report(path)
    manifest.write_text("file,council,service,year\nanonymous.txt,lothian,,\n")
    with pytest.raises(ReportError, match=r"reports.csv:2 \(council\): unknown council 'lothian'"):
        extract_report(path)


def test_a_marker_of_any_year_is_a_marker():
    for text in ("New for 16/17", "New for 19/20", "new for 70/71."):
        assert parse_cell(text).marker == "New", text
    assert parse_cell("New for 2019").marker is None


@pytest.mark.parametrize("council,year", [("fife", 2019), ("city-of-edinburgh", 2031), ("highland", 2070)])
def test_a_report_rekeyed_to_another_council_and_year_reads_the_same(council, year):
    """The benchmark's report files are real reports moved: each reads as the same records, and as the
    council and year it was moved to (from its content)."""
    for path in bundled_reports():
        text = path.read_text(encoding="utf-8")
        assert move_years(text, 0) == text
        original = extract_report(path)
        moved = rekey(text, council, year)
        x = extract_lines([Line(i, t) for i, t in enumerate(moved.split("\n"), 1)], "moved.txt")
        assert (x.report.council, x.report.id) == (council, f"{year}-{year + 1}")
        kinds = Counter(type(r).__name__ for r in x.records)
        assert kinds == Counter(type(r).__name__ for r in original.records)
        assert len(x.unplaced) == len(original.unplaced) and len(x.warnings) == len(original.warnings)


# ---- diff of two files ----------------------------------------------------------------------------------


def test_diff_of_the_two_bundled_files_says_the_service_was_restructured(capsys, tmp_path):
    a, b = renamed_copies(tmp_path)
    assert main(["diff", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        'note: the service was restructured between the reports: "Children\'s Services" (2016-2017) and '
        '"Children\'s Services, Partnership and Communities" (2020-2021)'
    )
    assert "Changes from the 2016/17 report to the 2020/21 report" in out
    assert main(["diff", str(b), str(a), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "warning: OLD (2020-2021) is newer than NEW (2016-2017)" in captured.err
    assert '"notes": [' in captured.out


def test_diff_refuses_reports_of_two_councils(capsys, tmp_path):
    assert main(["diff", str(R16), str(fife(tmp_path))]) == 1
    err = capsys.readouterr().err
    assert "is a report of midlothian" in err and "one of fife" in err


# ---- the store: one named graph per report --------------------------------------------------------------


@pytest.fixture(scope="module")
def folder_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports-store")
    renamed_copies(root / "in")
    db, cat = build_store(
        [root / "in" / "zz-report.txt", root / "in" / "fife-2019-20.txt"], root / "store", progress=None
    )
    return root, db, cat


def test_each_triple_sits_in_one_named_graph_and_their_union_is_the_build(folder_store):
    _, db, cat = folder_store
    store = ox.Store.read_only(str(db))
    graphs = {g.value for g in store.named_graphs()}
    assert graphs == {DEFAULT_GRAPH} | {part_iri(DEFAULT_GRAPH, p) for p in PARTS}
    assert set(cat.parts) == PARTS
    built = to_ntriples(build().graph).count(b"\n")
    quads = len(store)
    distinct = int(
        next(
            iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", use_default_graph_as_union=True))
        )[0].value
    )
    assert quads == distinct == built + len(catalogue(DEFAULT_GRAPH, PARTS))
    # a report's graph holds its records and nothing else
    for year in ("2016-2017", "2020-2021"):
        g = ox.NamedNode(part_iri(DEFAULT_GRAPH, f"midlothian/report/{year}"))
        subjects = {q.subject.value for q in store.quads_for_pattern(None, None, None, g)}
        assert subjects and all(s.startswith(f"{OGR}midlothian/report/{year}") for s in subjects)
    # the catalogue names each report's graph
    rows = list(
        store.query(
            f"SELECT ?g WHERE {{ <{OGR}midlothian/report/2020-2021> <{OG}namedGraph> ?g }}",
            use_default_graph_as_union=True,
        )
    )
    assert [r[0].value for r in rows] == [part_iri(DEFAULT_GRAPH, "midlothian/report/2020-2021")]


def test_serve_opens_a_store_built_from_reports_as_it_is(folder_store):
    root, db, _ = folder_store
    said: list[str] = []
    store = open_store(root / "store", progress=said.append)
    try:
        assert store.path == db and said == []  # never rebuilt from the bundled reports
        rows = store.select(
            "SELECT ?g WHERE { GRAPH ?g { ?r a <https://w3id.org/outcome-graph/def#Report> } }"
        ).rows
        assert sorted(str(r["g"]) for r in rows) == [
            part_iri(DEFAULT_GRAPH, "midlothian/report/2016-2017"),
            part_iri(DEFAULT_GRAPH, "midlothian/report/2020-2021"),
        ]
    finally:
        store.close()


def test_adding_a_report_replaces_only_the_graphs_that_changed(tmp_path, capsys):
    copies = renamed_copies(tmp_path / "in")
    build_store(copies, tmp_path / "store", progress=None)
    # through the command, as a user adds it: checked on its own graph first, with a progress line
    assert main(["add", str(fife(tmp_path / "in")), "--store", str(tmp_path / "store")]) == 0
    captured = capsys.readouterr()
    line = r"^\[1/1\] fife 2019-2020: 0 violation\(s\), \d+ warning\(s\); .+ in all$"  # with its clock
    assert re.search(line, captured.err, re.M)
    assert "replaced 3 named graph(s) (fife, fife/report/2019-2020, national), 0 unchanged" in captured.err
    update = add_reports([fife(tmp_path / "in")], tmp_path / "store", progress=None)
    assert update.replaced == []  # the same report again: nothing to replace
    update = add_reports([fife(tmp_path / "in", source=R16, year=2018)], tmp_path / "store", progress=None)
    # the later report's graph changes too: what it says is compared with the earlier report's figures
    assert update.replaced == ["fife", "fife/report/2018-2019", "fife/report/2019-2020", "national"]
    assert not any(p.startswith("midlothian") for p in update.replaced)
    assert (update.generation / "reports" / "fife-childrens-services-2018-19.txt").is_file()

    # a corrected figure in Midlothian's 2020/21 report: its graph is replaced, Fife's are not touched
    changed = tmp_path / "corrected.txt"
    text = R20.read_text(encoding="utf-8")
    assert text.count("£3,225 .80") == 1  # line 450, as the PDF extraction wrote it
    changed.write_text(text.replace("£3,225 .80", "£3,300 .00"), encoding="utf-8")
    update = add_reports([changed], tmp_path / "store", progress=None)
    assert "midlothian/report/2020-2021" in update.replaced
    assert not any(p.startswith("fife") for p in update.replaced)
    store = ox.Store.read_only(str(update.generation / "db"))
    values = {
        r[0].value
        for r in store.query(
            f"SELECT ?v WHERE {{ ?o <{OG}evidence> ?e ; <{OG}value> ?v . ?e <{OG}firstLine> 450 ; "
            f"<{OG}report> <{OGR}midlothian/report/2020-2021> }}",
            use_default_graph_as_union=True,
        )
    }
    assert "3300.00" in values or "3300" in values
    assert "3225.80" not in values and "3225.8" not in values
    # no triple twice: the union still counts each once
    count = int(
        next(
            iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", use_default_graph_as_union=True))
        )[0].value
    )
    assert count == len(store)


def test_add_to_a_store_not_built_from_reports_says_how_to_build_one(tmp_path, capsys):
    assert main(["add", str(R20), "--store", str(tmp_path / "empty"), "--no-validate"]) == 1
    assert "outcome-graph build FOLDER --store" in capsys.readouterr().err


# ---- the same graphs on a real Oxigraph server -----------------------------------------------------------


@pytest.fixture(params=["oxigraph", "virtuoso"])
def server_for_parts(request, tmp_path, monkeypatch):
    """(endpoint, dataset graph): a fresh Oxigraph server, or the session's Virtuoso under a graph of its
    own (its main graph is other tests'), with the loader's login in the environment."""
    if request.param == "oxigraph":
        from conftest import start_oxigraph, stop

        process, base = start_oxigraph(tmp_path / "oxigraph")
        yield f"{base}/query", DEFAULT_GRAPH
        stop(process)
    else:
        from virtuoso import LOADER

        server = request.getfixturevalue("virtuoso_server")
        monkeypatch.setenv("OUTCOME_GRAPH_USER", LOADER.user)
        monkeypatch.setenv("OUTCOME_GRAPH_PASSWORD", LOADER.password)
        graph = "https://w3id.org/outcome-graph/graph/parts-test"
        try:
            yield server.endpoint, graph
        finally:
            server.drop_graphs(graph)


def count_in(endpoint: str, graph: str) -> int:
    """The triples of one graph, asked as a plain client would (the protocol's default-graph-uri)."""
    import json
    import urllib.parse
    import urllib.request

    form = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": graph}
    request = urllib.request.Request(
        endpoint,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


def assert_union_in_step(remote, endpoint: str, graph: str) -> None:
    """The dataset's union graph (store/union.py) is named in the catalogue, a request names it as its
    only default graph (not one per part), and it holds exactly every part's triples and the catalogue's."""
    from outcome_graph.store.union import union_iri

    union = union_iri(graph)
    assert remote.union() == union
    assert [g for k, g in remote._dataset(None) if k == "default-graph-uri"] == [union]
    every = sum(count_in(endpoint, g) for g in [graph, *remote.parts()])
    assert count_in(endpoint, union) == every > 1000


@pytest.mark.server
def test_load_and_add_put_the_same_named_graphs_on_a_server(tmp_path, capsys, server_for_parts):
    from outcome_graph.store.remote import RemoteStore

    endpoint, graph = server_for_parts
    copies = renamed_copies(tmp_path / "in")
    build_store(copies, tmp_path / "store", progress=None)
    assert main(["load", "--endpoint", endpoint, "--graph", graph, "--store", str(tmp_path / "store")]) == 0
    capsys.readouterr()
    remote = RemoteStore(endpoint, graph=graph)
    embedded = open_store(tmp_path / "store", progress=None)
    query = (
        "SELECT ?r (COUNT(?o) AS ?n) WHERE { ?o <https://w3id.org/outcome-graph/def#report> ?r } "
        "GROUP BY ?r ORDER BY ?r"
    )
    try:
        assert set(remote.parts()) == {part_iri(graph, p) for p in PARTS}
        # the catalogue names the server's graphs, so the counts differ only by its own IRIs and the lines
        # naming the union and the generation
        assert remote.triple_count() == embedded.triple_count() + 2
        assert remote.select(query).rows == embedded.select(query).rows
        assert_union_in_step(remote, endpoint, graph)
    finally:
        embedded.close()
    new = str(fife(tmp_path / "in"))
    args = ["add", new, "--store", str(tmp_path / "store"), "--no-validate", "--endpoint", endpoint]
    assert main([*args, "--graph", graph]) == 0
    assert "replaced 3 named graph(s) (fife, fife/report/2019-2020, national)" in capsys.readouterr().err
    remote = RemoteStore(endpoint, graph=graph)
    embedded = open_store(tmp_path / "store", progress=None)
    try:
        assert part_iri(graph, "fife/report/2019-2020") in remote.parts()
        assert remote.triple_count() == embedded.triple_count() + 2
        assert remote.select(query).rows == embedded.select(query).rows
        assert_union_in_step(remote, endpoint, graph)
    finally:
        embedded.close()


def test_every_council_s_report_is_read_as_that_council():
    """Each of the 32 councils, named in a report as its own (East Renfrewshire is not also Renfrewshire,
    Aberdeen City not Aberdeenshire, Na h-Eileanan Siar with its hyphen)."""
    from outcome_graph.curate import councils
    from outcome_graph.extract.identity import council_from_content

    text = R20.read_text(encoding="utf-8")
    assert len(councils()) == 32
    for council in sorted(councils()):
        moved = rekey(text, council, 2019)
        assert council_from_content(moved.split("\n", 1)[0], moved)[0] == council


def test_only_a_council_owns_a_graph_of_its_own():
    """A record no council owns (an LGBF indicator, a duty of a framework, an IRI under ogr: that names
    no council) goes to the national records; in a store built from report files each council's reports
    keep what they say of them beside the store (store/national.py), so that an update writes the
    national graph again as every council's union and one council's rebuild never takes out what another's
    put there."""
    from outcome_graph.store.layout import part_of

    assert part_of(f"{OGR}fife/report/2019-2020/action/X") == "fife/report/2019-2020"
    assert part_of(f"{OGR}fife/indicator/X") == part_of(f"{OGR}fife") == "fife"
    for shared in ("lgbf/indicator/CHN8a", "framework/duty/part-9", "https://example.org/x", "nowhere"):
        assert part_of(f"{OGR}{shared}") == "national", shared


CHN9_TITLE = (
    "Balance of Care for looked after children: % of children being looked after in the Community (LGBF)"
)
RENAMED = "Balance of Care: children looked after in the community"


def chn9_titles(generation: Path) -> set[str]:
    store = ox.Store.read_only(str(generation / "db"))
    chn9, title = ox.NamedNode(f"{OGR}lgbf/indicator/CHN9"), ox.NamedNode(f"{OG}title")
    return {q.object.value for q in store.quads_for_pattern(chn9, title, None)}


@pytest.mark.parametrize("with_fife", [False, True])
def test_an_added_report_leaves_the_store_a_build_of_the_same_files_gives(tmp_path, with_fife):
    """Property: after `add`, every named graph holds what a build of the same report files writes (the
    catalogue's digests, part by part). The correction renames an LGBF indicator (line 452 of the 2020/21
    report), a record no council owns: the replaced report's old words about it go with it, unless another
    council's report (Fife's copy) still says them."""
    from outcome_graph.store.build import current_generation
    from outcome_graph.store.reports import Catalogue

    copies = renamed_copies(tmp_path / "in")
    others = [fife(tmp_path / "in")] if with_fife else []
    build_store([*copies, *others], tmp_path / "store", progress=None)
    assert CHN9_TITLE in chn9_titles(current_generation(tmp_path / "store"))
    text = R20.read_text(encoding="utf-8")
    assert text.count(CHN9_TITLE) == 1
    corrected = tmp_path / "corrected" / "b.txt"
    corrected.parent.mkdir()
    corrected.write_text(text.replace(CHN9_TITLE, RENAMED), encoding="utf-8")
    update = add_reports([corrected], tmp_path / "store", progress=None)
    assert "national" in update.replaced
    build_store([copies[0], corrected, *others], tmp_path / "fresh", progress=None)
    added, fresh = (Catalogue.read(current_generation(tmp_path / d)).parts for d in ("store", "fresh"))
    assert added == fresh
    assert chn9_titles(update.generation) == ({RENAMED, CHN9_TITLE} if with_fife else {RENAMED})


def test_add_refuses_a_store_that_does_not_keep_each_council_s_national_lines(tmp_path):
    """A store built before each council's lines about the national records were kept cannot be updated
    exactly (a replaced report's words about an LGBF indicator would stay): `add` says to build it again,
    and changes nothing."""
    import shutil as sh

    from outcome_graph.store.build import current_generation
    from outcome_graph.store.national import DIR

    build_store(renamed_copies(tmp_path / "in"), tmp_path / "store", progress=None)
    generation = current_generation(tmp_path / "store")
    sh.rmtree(generation / DIR)
    with pytest.raises(Exception, match=r"build it again from its report files"):
        add_reports([fife(tmp_path / "in")], tmp_path / "store", progress=None)
    assert current_generation(tmp_path / "store") == generation


# ---- add equals a build from scratch, change by change ------------------------------------------------


def parts_of(directory: Path) -> dict[str, str]:
    """Each named graph's digest of its canonical N-Triples, as the store's catalogue records it."""
    from outcome_graph.store.build import current_generation
    from outcome_graph.store.reports import Catalogue

    return Catalogue.read(current_generation(directory)).parts


def fife_years(folder: Path, sources: dict[int, Path]) -> dict[int, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for year, source in sources.items():
        out[year] = folder / f"y{year}.txt"
        out[year].write_text(rekey(source.read_text(encoding="utf-8"), "fife", year), encoding="utf-8")
    return out


def test_each_add_leaves_what_a_build_from_scratch_gives(tmp_path):
    """Property: after each `add` (a figure corrected in a middle year, then in the last year; a renamed
    file; a year replaced by a report whose tables restate the year before), every named graph equals,
    digest for digest, a store built from scratch from the same files."""
    files = fife_years(tmp_path / "in", {2016: R16, 2017: R16, 2018: R20, 2019: R20})
    store = tmp_path / "store"
    build_store(list(files.values()), store, progress=None)
    fresh_n = iter(range(100))

    def same_as_fresh(paths: list[Path]) -> None:
        fresh = tmp_path / f"fresh{next(fresh_n)}"
        build_store(paths, fresh, progress=None)
        assert parts_of(store) == parts_of(fresh)

    def corrected(year: int, old: str, new: str) -> Path:
        text = files[year].read_text(encoding="utf-8")
        assert text.count(old) == 1, (year, old)
        path = tmp_path / f"corrected-{year}" / "report.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text.replace(old, new), encoding="utf-8")
        return path

    # a middle year: line 450 of the 2020/21 report ("£3,225 .80"), in Fife's 2018/19 copy
    files[2018] = corrected(2018, "£3,225 .80", "£3,300 .00")
    update = add_reports([files[2018]], store, progress=None)
    assert "fife/report/2018-2019" in update.replaced
    same_as_fresh(list(files.values()))

    # the last year
    files[2019] = corrected(2019, "£3,225 .80", "£3,111 .00")
    update = add_reports([files[2019]], store, progress=None)
    same_as_fresh(list(files.values()))

    # a renamed file of the same bytes: the same report, nothing built or replaced
    renamed = tmp_path / "renamed" / "whatever-2099.txt"
    renamed.parent.mkdir()
    shutil.copy(files[2016], renamed)
    update = add_reports([renamed], store, progress=None)
    assert update.replaced == []
    same_as_fresh([renamed, *(files[y] for y in (2017, 2018, 2019))])

    # 2017/18 replaced by a copy of the 2020/21 report, whose tables restate the year before: what the
    # later years say is compared with it, so their graphs change too
    files[2017] = fife_years(tmp_path / "restating", {2017: R20})[2017]
    update = add_reports([files[2017]], store, progress=None)
    assert {"fife/report/2017-2018", "fife/report/2018-2019"} <= set(update.replaced), update.replaced
    same_as_fresh(list(files.values()))


def test_an_add_hashes_only_the_database_files_it_wrote(tmp_path, monkeypatch):
    """The new generation's CHECKSUMS are every database file's sha256, but a file the checkpoint
    hard-linked from the previous generation, unchanged since that one's checksums, is not read again: an
    add costs what it wrote, not a read of the nation's database (3.2 GB at 10 M triples). A linked file
    written since (its time later than the previous CHECKSUMS) is read again."""
    import hashlib
    import os

    from outcome_graph.store import checksums as store_checksums
    from outcome_graph.store.build import current_generation
    from outcome_graph.store.checksums import CHECKSUMS

    build_store(renamed_copies(tmp_path / "in"), tmp_path / "store", progress=None)
    previous = current_generation(tmp_path / "store")
    inodes = {f.stat().st_ino: f for f in (previous / "db").iterdir()}
    touched = max((f for f in (previous / "db").iterdir() if f.suffix == ".sst"), key=lambda f: f.name)
    later = (previous / CHECKSUMS).stat().st_mtime_ns + 10**9
    os.utime(touched, ns=(later, later))  # as if written after its checksum: not to be trusted
    hashed: list[str] = []
    real = store_checksums._digest
    monkeypatch.setattr(store_checksums, "_digest", lambda f: hashed.append(f.name) or real(f))
    update = add_reports([fife(tmp_path / "in")], tmp_path / "store", progress=None)
    listed = dict(
        reversed(line.split("  ")) for line in (update.generation / CHECKSUMS).read_text().splitlines()
    )
    db = update.generation / "db"
    assert listed == {
        name: hashlib.sha256((db / name).read_bytes()).hexdigest() for name in listed
    }  # every file's true digest
    linked = {n for n in listed if (db / n).stat().st_ino in inodes}
    assert linked - {touched.name}, "the checkpoint links the unchanged files"
    assert touched.name in linked and touched.name in hashed
    assert not (linked - {touched.name}) & set(hashed)  # the others as built: their digests carried over
    assert set(listed) - linked <= set(hashed)  # what the add wrote is read
