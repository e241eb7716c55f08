"""The search index of a store on a SPARQL server is kept on disk in step with the server
(query_layer/remote_index.py, remote_kept.py), on a real Oxigraph server and a real Virtuoso:

- `load --endpoint` stamps the dataset and keeps its index under the stamp, the same rows, table by
  table, as an index read from the server whole, and as one read page by page;
- a second `serve --endpoint` start uses it and sends the server no query of the index;
- an index whose stamp is not the server's is rebuilt in the background, and /search answers 503 with
  Retry-After meanwhile while other pages answer;
- `add --endpoint` of one report updates the index, so a word only in that report is found.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import free_port
from sparql_proxy import SparqlProxy
from test_reports import R20, fife, renamed_copies, server_for_parts  # noqa: F401 - a fixture
from test_search_kept import ACTION_TITLE, tables

from outcome_graph.cli import main
from outcome_graph.query_layer import remote_cache as rc
from outcome_graph.query_layer import remote_index as ri
from outcome_graph.query_layer import search_index as si
from outcome_graph.serve.app import create_app
from outcome_graph.store.remote import RemoteStore

pytestmark = pytest.mark.server

INDEX_QUERY = "?lowest"  # a variable only the index's two queries name (queries/structure/search-*.rq)
CODE = "CSPC.P.2.1"
JSON = {"Accept": "application/json"}
KINDS = ("Statute", "Provision", "Framework", "FrameworkElement", "Priority", "Action", "Indicator", "Risk")


@pytest.fixture
def loaded(tmp_path, monkeypatch, server_for_parts, capsys):  # noqa: F811 - the fixture imported above
    """(endpoint, graph, cache directory, local store): the renamed bundled reports built into a store and
    loaded with `load --endpoint --store`, which keeps the index in a cache directory of the test."""
    endpoint, graph = server_for_parts
    cache = tmp_path / "cache"
    monkeypatch.setenv(rc.CACHE_VARIABLE, str(cache))  # restored after the test (load sets it too)
    ri.forget()
    store = tmp_path / "store"
    copies = map(str, renamed_copies(tmp_path / "in"))
    assert main(["build", *copies, "--store", str(store), "--no-validate"]) == 0  # with its index
    command = ["load", "--endpoint", endpoint, "--graph", graph, "--store", str(store)]
    assert main([*command, "--index-cache", str(cache)]) == 0
    out = capsys.readouterr().out
    assert f"search index of the store in {store} kept for the server in {cache}" in out
    yield endpoint, graph, cache, store
    ri.forget()


def test_load_stamps_the_dataset_and_keeps_its_index_read_the_same_every_way(loaded, tmp_path):
    endpoint, graph, cache, _ = loaded
    remote = RemoteStore(endpoint, graph=graph, timeout=60)
    stamp = rc.read_stamp(remote)
    assert stamp is not None and len(stamp) == 64
    kept = rc.file_of(remote)
    assert kept.parent == cache and ri.stamp_of(kept) == stamp
    paged, whole = tmp_path / "paged.sqlite", tmp_path / "whole.sqlite"
    ri.write(remote, paged, "any")
    si.build(remote, str(whole))
    assert tables(kept) == tables(paged) == tables(whole)
    records = tables(kept)["records"]
    kinds = " ".join(f"<https://w3id.org/outcome-graph/def#{k}>" for k in KINDS)
    count = f"SELECT (COUNT(DISTINCT ?n) AS ?c) WHERE {{ VALUES ?t {{ {kinds} }} ?n a ?t }}"
    assert len(records) == int(remote.select(count).rows[0]["c"]) > 200  # every searchable record, once
    assert any(code == CODE for (_i, _k, code, _t, _c) in records)
    # one council's ten reports: one page, open at both ends (every record, statutes too)
    assert ri.pages(remote) == [("from the start to the end", {})]
    # a second load of the same content gives the same stamp: the kept index stays good
    assert main(["load", "--endpoint", endpoint, "--graph", graph, "--store", str(loaded[3])]) == 0
    assert rc.read_stamp(remote) == stamp


def _serve(endpoint: str, graph: str, cache: Path, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    exe = Path(sys.executable).with_name("outcome-graph")
    env = {**os.environ, "OUTCOME_GRAPH_GRAPH": graph}
    command = [str(exe), "serve", "--endpoint", endpoint, "--port", str(port), "--index-cache", str(cache)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    deadline = time.monotonic() + 90
    while True:
        assert proc.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/queries", timeout=20) as r:
                if r.status == 200:
                    return proc, port
        except OSError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def _stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def search(port: int, q: str) -> tuple[int, dict, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/search?q={q}", headers={"Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, dict(r.headers), json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read())


def test_a_second_serve_start_sends_no_query_of_the_index(loaded, tmp_path):
    endpoint, graph, cache, _ = loaded
    proxy = SparqlProxy(endpoint)  # one address for both starts: the index is kept for the endpoint's
    try:
        for start in ("first", "second"):
            proxy.queries.clear()
            proc, port = _serve(proxy.url, graph, cache, tmp_path / f"{start}.log")
            try:
                deadline = time.monotonic() + 60
                while (answer := search(port, CODE))[0] == 503 and time.monotonic() < deadline:
                    time.sleep(0.3)
                status, _, body = answer
                assert status == 200, body
                assert [h["code"] for h in body["results"] if h["exact"]] == [CODE]
                read = proxy.asked(INDEX_QUERY)
                if start == "first":  # none kept for this address: read from the server, page by page
                    pages = ri.pages(RemoteStore(endpoint, graph=graph, timeout=60))
                    assert len(read) == 2 * len(pages)  # two queries for each page, each once
                else:
                    assert read == [], "the second start read the index from the server again"
                    assert proxy.asked("generation"), "the second start did not ask the server's stamp"
            finally:
                _stop(proc)
    finally:
        proxy.close()


def test_an_index_of_another_generation_is_rebuilt_while_search_says_so(loaded):
    endpoint, graph, cache, _ = loaded
    remote = RemoteStore(endpoint, graph=graph, timeout=60)
    proxy = SparqlProxy(endpoint, held=INDEX_QUERY)
    try:
        # an index kept for the address the server is served at, made from an earlier load
        kept = rc.index_file(proxy.url, graph)
        shutil.copyfile(rc.file_of(remote), kept)
        db = sqlite3.connect(kept)
        db.execute("UPDATE meta SET value = 'an earlier load' WHERE key = 'stamp'")
        db.commit()
        db.close()
        proxy.gate.clear()  # the server is slow to give the index: the build is under way
        app = create_app(store=RemoteStore(proxy.url, graph=graph, timeout=30), config={"timeout": 10})
        client = app.test_client()
        started = time.monotonic()
        answer = client.get(f"/search?q={CODE}", headers={"Accept": "application/json"})
        assert time.monotonic() - started < 5  # answered at once, not after the build
        assert answer.status_code == 503
        assert int(answer.headers["Retry-After"]) >= 1
        assert "search index is being built from the SPARQL server" in answer.get_json()["error"]
        assert client.get("/queries").status_code == 200  # every other page answers meanwhile
        proxy.gate.set()
        deadline = time.monotonic() + 60
        while (answer := client.get(f"/search?q={CODE}", headers=JSON)).status_code == 503:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert answer.status_code == 200
        assert any(h["code"] == CODE for h in answer.get_json()["results"])
        assert ri.stamp_of(kept) == rc.read_stamp(remote)
        assert len(proxy.asked(INDEX_QUERY)) == 2 * len(ri.pages(remote))  # each page's two questions, once
    finally:
        proxy.close()


def test_add_of_one_report_updates_the_index_a_running_server_uses(loaded, tmp_path, capsys, monkeypatch):
    endpoint, graph, cache, store = loaded
    proxy = SparqlProxy(endpoint)  # the server, at an address of its own: `serve` and `add` both use it
    try:
        remote = RemoteStore(proxy.url, graph=graph, timeout=60)
        shutil.copyfile(rc.file_of(RemoteStore(endpoint, graph=graph)), rc.file_of(remote))
        before = rc.read_stamp(remote)
        client = create_app(store=remote, config={"timeout": 10}).test_client()
        answer = client.get("/search?q=zanzibar", headers=JSON)
        assert answer.status_code == 200 and answer.get_json()["results"] == []
        assert proxy.asked(INDEX_QUERY) == []  # the kept index, of the server's stamp
        monkeypatch.setattr(ri, "STAMP_TTL", 0.0)  # the running server asks the stamp at every search

        (tmp_path / "new").mkdir()
        report = fife(tmp_path / "new")
        text = report.read_text(encoding="utf-8")
        assert text.count(ACTION_TITLE) == 2
        report.write_text(
            text.replace(ACTION_TITLE, "Embed the Zanzibar model in every team"), encoding="utf-8"
        )
        command = ["add", str(report), "--store", str(store), "--no-validate", "--endpoint", proxy.url]
        assert main([*command, "--graph", graph, "--index-cache", str(cache)]) == 0
        assert f"search index updated for fife in {cache}" in capsys.readouterr().err
        read_by_add = len(proxy.asked(INDEX_QUERY))
        # the council it replaced and the shared records (lgbf, framework): a page of two queries each
        assert read_by_add == 2 * 3
        after = rc.read_stamp(remote)
        assert after not in (None, before)
        kept = rc.file_of(remote)
        assert ri.stamp_of(kept) == after

        deadline = time.monotonic() + 30  # the server sees the new stamp and the index `add` kept
        while not (hits := client.get("/search?q=zanzibar", headers=JSON).get_json().get("results")):
            assert time.monotonic() < deadline, "the running server never found the added report's word"
            time.sleep(0.2)
        assert [(h["kind"], h["code"]) for h in hits] == [("Action", CODE)]
        assert hits[0]["iri"].startswith("https://w3id.org/outcome-graph/id/fife/")
        assert len(proxy.asked(INDEX_QUERY)) == read_by_add  # the server read no row of the index
        whole = tmp_path / "whole.sqlite"
        ri.write(remote, whole, "any")
        assert tables(kept) == tables(whole)  # the update is what a whole read of the server gives
    finally:
        proxy.close()


def test_the_kept_file_is_named_for_the_endpoint_and_the_graph(tmp_path, monkeypatch):
    monkeypatch.setenv(rc.CACHE_VARIABLE, str(tmp_path))
    a = rc.index_file("http://127.0.0.1:8890/sparql", "https://example.org/g")
    assert a == rc.index_file("http://127.0.0.1:8890/sparql", "https://example.org/g")  # the same every run
    assert a.parent == tmp_path and a.name.startswith("127-0-0-1-8890-sparql-")
    others = {
        rc.index_file("http://127.0.0.1:8890/sparql", "https://example.org/h"),
        rc.index_file("http://127.0.0.1:8891/sparql", "https://example.org/g"),
        rc.index_file("http://127-0-0-1:8890/sparql", "https://example.org/g"),  # the same slug
    }
    assert a not in others and len(others) == 3
    monkeypatch.delenv(rc.CACHE_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert rc.cache_dir() == tmp_path / "xdg" / "outcome-graph" / "search"


@pytest.mark.parametrize("how", ["under a file", "not writable"])
def test_a_cache_directory_that_cannot_be_written_keeps_the_index_in_memory(
    loaded, tmp_path, monkeypatch, how
):
    endpoint, graph, _, _ = loaded
    if how == "under a file":
        blocked = tmp_path / "a-file"
        blocked.write_text("not a directory")
        cache = blocked / "cache"  # mkdir fails under a file
    else:  # a directory that is there but takes no files, even from root (a file could not be opened in it)
        cache = Path("/proc/self")
        if not cache.is_dir():
            pytest.skip("no /proc on this system")
    monkeypatch.setenv(rc.CACHE_VARIABLE, str(cache))
    ri.forget()
    client = create_app(
        store=RemoteStore(endpoint, graph=graph, timeout=60), config={"timeout": 10}
    ).test_client()
    deadline = time.monotonic() + 60
    while (answer := client.get(f"/search?q={CODE}", headers=JSON)).status_code == 503:
        assert time.monotonic() < deadline, answer.get_json()
        time.sleep(0.2)
    assert answer.status_code == 200
    assert [h["code"] for h in answer.get_json()["results"] if h["exact"]] == [CODE]
    assert not list(cache.glob("*.sqlite"))


@pytest.mark.parametrize("name", ["search-terms", "search-reports"])
@pytest.mark.parametrize("bound", ["within", "lowest", "below"])
def test_the_text_virtuoso_gets_for_a_page_is_sparql(name, bound):
    """A page binds ?within, or ?lowest and ?below, which the queries also read in BOUND(): the text
    Virtuoso is given (store/virtuoso_text.py writes a block only filters read into the filters) must
    stay SPARQL, with the same solutions: BOUND of a term is no SPARQL (Virtuoso refused every page,
    SP030)."""
    import pyoxigraph as ox
    from rdflib import Literal

    from outcome_graph.query_layer.reads import query_text, scoped_text
    from outcome_graph.store.bindings import engine_text
    from outcome_graph.store.virtuoso_text import for_virtuoso

    text = for_virtuoso(engine_text(scoped_text(query_text(name), {bound: [Literal("x")]})))
    ox.Store().query(str(text))  # parses (and runs, on an empty store)
    assert f"?{bound}" in text


def test_load_from_report_files_reads_the_index_from_the_server(
    server_for_parts,  # noqa: F811 - the fixture imported above
    tmp_path,
    monkeypatch,
    capsys,
):
    """Without a local store to copy it from, `load` reads the index from the server, page by page, and
    keeps it under the stamp: the same tables as the store's own index for the same reports."""
    endpoint, graph = server_for_parts
    monkeypatch.setenv(rc.CACHE_VARIABLE, str(tmp_path / "cache"))
    copies = [str(p) for p in renamed_copies(tmp_path / "in")]
    assert main(["load", "--endpoint", endpoint, "--graph", graph, *copies]) == 0
    out = capsys.readouterr().out
    assert "search index: 1 of 1 parts read" in out and "search index read from the server and kept" in out
    remote = RemoteStore(endpoint, graph=graph, timeout=60)
    kept = rc.file_of(remote)
    assert ri.stamp_of(kept) == rc.read_stamp(remote) is not None
    store = tmp_path / "store"
    assert main(["build", *copies, "--store", str(store), "--no-validate"]) == 0
    from outcome_graph.store.build import current_generation

    assert tables(kept) == tables(current_generation(store) / si.FILE)


def test_add_without_the_previous_index_reads_a_whole_one(loaded, tmp_path, capsys):
    endpoint, graph, cache, store = loaded
    remote = RemoteStore(endpoint, graph=graph, timeout=60)
    rc.file_of(remote).unlink()  # the cache was cleared (or the load ran on another machine)
    (tmp_path / "new").mkdir()
    command = ["add", str(fife(tmp_path / "new")), "--store", str(store), "--no-validate"]
    assert main([*command, "--endpoint", endpoint, "--graph", graph]) == 0
    err = capsys.readouterr().err
    assert "search index read from the server and kept" in err
    assert f"search index updated for fife in {cache}" not in err  # (the local store's own is updated)
    kept = rc.file_of(remote)
    assert ri.stamp_of(kept) == rc.read_stamp(remote)
    assert any(council == "fife" for (*_, council) in tables(kept)["records"])


def test_a_build_the_server_refuses_is_a_503_naming_it_and_is_not_retried_by_every_search(
    loaded, monkeypatch
):
    endpoint, graph, _, _ = loaded
    proxy = SparqlProxy(endpoint, refused=INDEX_QUERY)
    try:
        client = create_app(
            store=RemoteStore(proxy.url, graph=graph, timeout=30), config={"timeout": 10}
        ).test_client()
        deadline = time.monotonic() + 30
        while "failed" not in (answer := client.get(f"/search?q={CODE}", headers=JSON)).get_json()["error"]:
            assert answer.status_code == 503 and time.monotonic() < deadline
            time.sleep(0.2)
        assert answer.status_code == 503
        assert 1 <= int(answer.headers["Retry-After"]) <= ri.FAILED_RETRY + 1
        error = answer.get_json()["error"]
        assert error.startswith("building the search index from the SPARQL server failed")
        assert "stopped by the test's proxy" in error and "time limit" not in error
        asked = len(proxy.asked(INDEX_QUERY))
        for _ in range(5):  # told to come back, at once, without asking the server again
            assert client.get(f"/search?q={CODE}", headers=JSON).status_code == 503
        assert len(proxy.asked(INDEX_QUERY)) == asked
        assert client.get("/queries").status_code == 200
        monkeypatch.setattr(ri, "FAILED_RETRY", 0.0)  # its time has come: the next search builds again
        proxy.refused = None
        deadline = time.monotonic() + 30
        while (answer := client.get(f"/search?q={CODE}", headers=JSON)).status_code == 503:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert any(h["code"] == CODE for h in answer.get_json()["results"])
    finally:
        proxy.close()


def test_pages_cut_anywhere_inside_a_report_read_the_same_index(loaded, tmp_path):
    """The pages are ranges of record IRIs: cut at any place, even among one report's records or right at
    one record's IRI, they read every record once, with all its names and reports, as the whole read."""
    endpoint, graph, _, _ = loaded
    remote = RemoteStore(endpoint, graph=graph, timeout=60)
    whole = tmp_path / "whole.sqlite"
    si.build(remote, str(whole))
    records = [iri for (iri, *_rest) in tables(whole)["records"]]
    first = next(i for i in records if "/action/" in i)
    one_report = first[: first.index("/action/") + 1]  # .../id/<council>/report/<year>/
    report = [i for i in records if i.startswith(one_report)]
    assert len(report) >= 9  # three cuts among them, each page of them holding some
    cuts = [report[len(report) // 3], report[len(report) // 3] + "!", report[2 * len(report) // 3]]
    pages = ri.ranges(cuts)
    assert len(pages) == 4
    paged = tmp_path / "paged.sqlite"
    ri.write(remote, paged, "any", todo=pages)
    seen = []  # the records each page reads on its own
    for n, page in enumerate(pages):
        alone = tmp_path / f"page-{n}.sqlite"
        ri.write(remote, alone, "any", todo=[page])
        seen.append(len(tables(alone)["records"]))
    assert all(n > 0 for n in seen[1:3]) and sum(seen) == len(records)  # the cuts fell among the records
    assert seen[1] == 1  # [a record's IRI, that IRI + "!"): that one record, whole
    assert tables(paged) == tables(whole)


def test_pages_hold_few_councils_each_and_cover_every_iri_once():
    """cuts() groups councils in IRI order up to REPORTS_PER_PAGE reports; ranges() makes of any cuts
    ranges that meet end to end, open below the first and above the last: every IRI in exactly one."""
    weights = {f"council-{i:02d}": 47 for i in range(32)}
    cuts = ri.cuts(weights)
    pages = ri.ranges(cuts)
    assert len(pages) == len(cuts) + 1 == -(-32 * 47 // (ri.REPORTS_PER_PAGE // 47 * 47))
    for council in weights:  # each council's records in one page, whole
        prefix = f"https://w3id.org/outcome-graph/id/{council}/"
        holding = [n for n, c in pages if _in(prefix, c) and _in(prefix + "~", c)]
        assert len(holding) == 1
    for iri in [
        "http://www.legislation.gov.uk/asp/2014/8/part/9",
        "https://w3id.org/outcome-graph/id/lgbf/indicator/CHN9",
        "https://w3id.org/outcome-graph/id/council-31/action/X",
        "https://w3id.org/outcome-graph/id/zz",
        "",
    ]:
        assert sum(_in(iri, c) for _, c in pages) == 1, iri
    assert ri.cuts({"a": 5000, "b": 1}) == ["https://w3id.org/outcome-graph/id/b/"]  # a big one: alone
    assert ri.ranges([]) == [("from the start to the end", {})]


def _in(iri: str, columns: dict) -> bool:
    low, high = columns.get("lowest"), columns.get("below")
    return (low is None or iri >= str(low[0])) and (high is None or iri < str(high[0]))


def test_values_read_as_csv_are_the_values_select_reads(server_for_parts):  # noqa: F811 - the fixture
    """select_values (CSV) gives each value's text as select does, quotes, commas, tabs, line breaks,
    backslashes and non-ASCII letters included; an empty or unbound value is left out."""
    endpoint, graph = server_for_parts
    remote = RemoteStore(endpoint, graph=graph, timeout=60)
    query = (
        'SELECT ?x ?y ?z WHERE { VALUES (?x ?y) { ("a\\"b,\\tc\\nd\\\\e é – Gàidhlig" <http://x/y>) '
        '("" <http://x/z>) ("plain" <http://x/w>) } } ORDER BY ?y'
    )
    plain = remote.select_values(query)
    terms = [{k: str(v) for k, v in r.items() if str(v)} for r in remote.select(query).rows]
    assert plain == terms
    assert plain[1] == {"x": 'a"b,\tc\nd\\e é – Gàidhlig', "y": "http://x/y"}
    assert plain[0] == {"x": "plain", "y": "http://x/w"} and plain[2] == {"y": "http://x/z"}


def test_an_empty_value_reads_the_same_as_terms_and_as_csv(tmp_path):
    """SPARQL CSV cannot tell an empty literal from an unbound value (select_values leaves both out), so
    insert_rows reads an empty code, title or label as none whichever way its rows came: the embedded
    store's build (terms, Literal("")) and a server's (CSV, the value missing) give the same index."""
    from rdflib import Literal, URIRef

    node, kind = "https://w3id.org/outcome-graph/id/midlothian/indicator/X", "Indicator"
    typ = "https://w3id.org/outcome-graph/def#Indicator"
    as_terms = [
        {
            "node": URIRef(node),
            "type": URIRef(typ),
            "kind": Literal(kind),
            "lab": Literal("Looked after"),
            "code": Literal(""),
            "title": Literal(""),
            "label": Literal("Looked after"),
        },
    ]
    as_csv = [{"node": node, "type": typ, "kind": kind, "lab": "Looked after", "label": "Looked after"}]
    made = []
    for name, rows in (("terms", as_terms), ("csv", as_csv)):
        path = tmp_path / f"{name}.sqlite"
        db = sqlite3.connect(path)
        db.executescript(si.SCHEMA)
        si.insert_rows(db, rows, [])
        db.commit()
        db.close()
        made.append(tables(path))
    assert made[0] == made[1]
    assert made[0]["records"] == [(node, kind, None, "Looked after", "midlothian")]
    assert made[0]["names"] == [(node, "", "indicator  looked after")]
