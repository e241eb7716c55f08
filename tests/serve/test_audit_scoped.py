"""The audit costs what it shows: one report of one council, never what the nation holds (issue 17). Every
question it asks of a national store is scoped to the council's own nodes and what councils share, in the
engine, so that a national LGBF indicator's links, excerpts and figures of the other councils are never
read. The property that proves nothing it shows changed: the audit of a council on a graph of two councils
is, row for row and byte for byte, the audit of that council's reports built alone.

Built the user's way (report files -> `build --store`): Midlothian's two bundled reports, and Fife's copies
of the 2020/21 one for 2019/20 and 2020/21, so that both councils have a 2020/21 report and share every
LGBF indicator."""

from __future__ import annotations

import json
import re
import sys

import pytest
from rdflib import Literal, URIRef

from outcome_graph.paths import ROOT, bundled_reports
from outcome_graph.query_layer.reads import query_text, read_select, scoped_text
from outcome_graph.query_layer.scope import council_base, council_of, drawn_segments
from outcome_graph.serve.app import create_app
from outcome_graph.store import open_store
from outcome_graph.store.bindings import substitute
from outcome_graph.store.protocol import QueryError
from outcome_graph.store.reports import build_store

sys.path.insert(0, str(ROOT / "benchmarks"))
from report_files import rekey, start_year  # noqa: E402 - a sibling script, not a package

OGR = "https://w3id.org/outcome-graph/id/"
FILES = {
    ("midlothian", "2016-2017"): "a.txt",
    ("midlothian", "2020-2021"): "b.txt",
    ("fife", "2019-2020"): "c.txt",
    ("fife", "2020-2021"): "d.txt",
    ("fife", "2018-2019"): "e.txt",  # a third year: continuity links between years an audit does not show
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audit-files")
    r16, r20 = sorted(bundled_reports(), key=lambda p: start_year(p.read_text(encoding="utf-8")))
    (folder / "a.txt").write_bytes(r16.read_bytes())
    (folder / "b.txt").write_bytes(r20.read_bytes())
    text = r20.read_text(encoding="utf-8")
    (folder / "c.txt").write_text(rekey(text, "fife", 2019), encoding="utf-8")
    (folder / "d.txt").write_text(rekey(text, "fife", 2020), encoding="utf-8")
    (folder / "e.txt").write_text(rekey(text, "fife", 2018), encoding="utf-8")
    return folder


def _store(tmp_path_factory, files, name: str, keys):
    directory = tmp_path_factory.mktemp(name)
    build_store(sorted(files / FILES[k] for k in keys), directory, progress=None)
    return open_store(directory, progress=None, build_if_missing=False)


@pytest.fixture(scope="module")
def stores(tmp_path_factory, files):
    made = {
        "nation": _store(tmp_path_factory, files, "nation", FILES),
        "midlothian": _store(
            tmp_path_factory, files, "alone-midlothian", [k for k in FILES if k[0] == "midlothian"]
        ),
        "fife": _store(tmp_path_factory, files, "alone-fife", [k for k in FILES if k[0] == "fife"]),
    }
    yield made
    for store in made.values():
        store.close()


@pytest.fixture(scope="module")
def clients(stores):
    return {
        name: create_app(store=store, config={"timeout": 60, "max_rows": 10000, "cache": False}).test_client()
        for name, store in stores.items()
    }


def _page(client, url: str) -> str:
    r = client.get(url, headers={"Accept": "text/html"})
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    # the data version is each store's own fingerprint (the reports it was built from); nothing else differs
    return re.sub(r"sources fingerprint [0-9a-f]{16}", "sources fingerprint X", r.get_data(as_text=True))


@pytest.mark.parametrize(
    "council, year, validate",
    [
        ("midlothian", "2020-2021", "0"),
        ("fife", "2020-2021", "0"),
        ("midlothian", "2016-2017", "0"),
        ("fife", "2019-2020", "1"),
    ],
)
def test_a_council_s_audit_on_the_nation_is_its_audit_built_alone(
    clients, council, year, validate, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # the same "generated" line on both
    url = f"/audit?council={council}&report={year}&validate={validate}"
    nation = clients["nation"].get(url + "&format=json")
    alone = clients[council].get(url + "&format=json")
    assert nation.status_code == alone.status_code == 200, nation.get_data(as_text=True)[:500]
    a, b = nation.get_json(), alone.get_json()
    assert a == b
    other = "fife" if council == "midlothian" else "midlothian"
    assert a["priorities"] and a["summary"]["indicators"]["total"] > 10 and a["inspection"]
    assert f"{OGR}{other}/" not in json.dumps(a)
    assert (a["changes"] is not None) == (year != "2016-2017")  # the report before it, if any
    assert (a["warnings"] != []) == (validate == "1")
    # the page too: its charts, the cover's council, every quote and table
    page = _page(clients["nation"], url)
    assert page == _page(clients[council], url)
    name = {"midlothian": "Midlothian Council", "fife": "Fife Council"}[council]
    assert f"<dt>Council</dt><dd>{name}</dd>" in page, "the cover names the audited council"
    for table in ("summary", "key-questions", "duties", "claims", "observations", "gaps", "warnings"):
        csv_url = url.replace("/audit?", "/audit.csv?") + f"&table={table}"
        got = clients["nation"].get(csv_url)
        assert got.status_code == 200 and got.data == clients[council].get(csv_url).data


def _rows(store, name: str, columns: dict, constants: dict | None = None) -> list[tuple[str, str, str]]:
    text = query_text(name) if not name.endswith(".rq") else (ROOT / name).read_text(encoding="utf-8")
    rows = read_select(store, text, name, columns, constants=constants).rows
    return sorted((str(r["s"]), str(r["p"]), str(r["o"])) for r in rows)


@pytest.mark.parametrize("council, other", [("midlothian", "fife"), ("fife", "midlothian")])
def test_the_records_of_a_council_s_reports_bring_no_node_of_another_council(stores, council, other):
    """A national LGBF indicator is a record of every council's reports, and points to every council's
    excerpts (og:evidence): records.rq keeps, in the engine, the objects the page may show."""
    store = stores["nation"]
    reports = [URIRef(f"{OGR}{council}/report/2020-2021")]
    fixed = {"councilBase": council_base(council), "ours": drawn_segments(council)}
    kept = _rows(store, "records", {"reportDoc": reports}, fixed)
    shared = {s for s, _, _ in kept if council_of(s) is None and s.startswith(f"{OGR}lgbf/")}
    assert shared, "the report holds national LGBF indicators"
    both = Literal(f"|{council}|{other}|lgbf|framework|")  # as if the page showed both councils
    unfiltered = _rows(store, "records", {"reportDoc": reports}, {**fixed, "ours": both})
    assert any(council_of(o) == other for s, _, o in unfiltered if s in shared), "they point to both councils"
    assert kept == [t for t in unfiltered if council_of(t[2]) != other]
    # the council's own nodes are what its reports alone give (a shared record's words and shared links
    # from other councils' reports stay: they name no council, and the audits above are equal)
    alone = _rows(stores[council], "records", {"reportDoc": reports}, fixed)
    own = [t for t in kept if council_of(t[2]) == council]
    assert own and own == [t for t in alone if council_of(t[2]) == council]


@pytest.mark.parametrize("council", ["midlothian", "fife"])
def test_the_bearings_read_the_council_s_links_only(stores, council):
    from outcome_graph.query_layer.reads import read_construct
    from outcome_graph.trace.inspection import REPORT_QUERIES

    text = next(t for t, part in REPORT_QUERIES if "bear" in part)
    bound = {"reportDoc": [URIRef(f"{OGR}{council}/report/2020-2021")]}
    fixed = {"councilBase": council_base(council)}
    nation = read_construct(stores["nation"], text, "b", bound, constants=fixed)
    alone = read_construct(stores[council], text, "b", bound, constants=fixed)
    assert len(nation) > 50 and set(nation) == set(alone)
    links = {str(s) for s in nation.subjects() if "/link/" in str(s)}
    assert links and all(council_of(s) == council for s in links)


def test_a_constant_replaces_the_variable_s_own_tokens_only():
    text = 'SELECT ?s WHERE { ?s ?p ?o FILTER (STRSTARTS(STR(?s), ?base) && ?baseline != "?base") } # ?base'
    out = substitute(text, {"base": Literal('a "quoted" base')})
    assert out == (
        'SELECT ?s WHERE { ?s ?p ?o FILTER (STRSTARTS(STR(?s), "a \\"quoted\\" base") '
        '&& ?baseline != "?base") } # ?base'
    )
    assert substitute(text, {"base": URIRef("http://x/")}).count("<http://x/>") == 1
    with pytest.raises(QueryError, match="not allowed in an IRI"):
        substitute(text, {"base": URIRef("http://x/> } DELETE WHERE { ?a ?b ?c")})
    with pytest.raises(QueryError, match="not a SPARQL variable name"):
        substitute(text, {"base) || true || (?x": Literal("x")})
    # and with VALUES columns: the constant first, then the block where the query binds
    both = scoped_text(text, {"p": [URIRef("http://p/")]}, {"base": Literal("b")})
    assert 'STRSTARTS(STR(?s), "b")' in both and "VALUES ?p { <http://p/> }" in both


def test_links_between_years_the_audit_does_not_show_are_not_read_and_change_nothing(
    stores, clients, monkeypatch
):
    """Fife's 2020/21 audit shows 2019/20 and 2020/21: the continuity links of either year with 2018/19
    are not read (links.rq, ?shown), and the audit is the one made with them read."""
    from outcome_graph.serve import trace_views
    from outcome_graph.trace import source

    store = stores["nation"]
    reports = [URIRef(f"{OGR}fife/report/{y}") for y in ("2019-2020", "2020-2021")]
    shown = Literal("|" + "|".join(map(str, reports)) + "|")
    fixed = {"councilBase": council_base("fife"), "ours": drawn_segments("fife"), "shown": shown}
    text = query_text("links")
    every = text.replace("FILTER ((!BOUND(?from)", "FILTER (true || (!BOUND(?from)")
    assert every != text
    read = read_select(store, text, "l", {"reportDoc": reports}, constants=fixed).rows
    all_rows = read_select(store, every, "l", {"reportDoc": reports}, constants=fixed).rows
    kept = {str(r["s"]) for r in read}
    dropped = {str(r["s"]) for r in all_rows} - kept
    assert dropped, "links between 2018/19 and the years shown"
    for link in dropped:
        ends = ("fromReport", "toReport")
        docs = {str(r["o"]) for r in all_rows if str(r["s"]) == link and str(r["p"]).endswith(ends)}
        assert f"{OGR}fife/report/2018-2019" in docs
    url = "/audit?council=fife&report=2020-2021&validate=0&format=json"

    def audit():
        source.forget()
        trace_views._AUDITS.clear()
        got = clients["nation"].get(url)
        assert got.status_code == 200, got.get_data(as_text=True)[:300]
        return got.get_json()

    filtered = audit()
    monkeypatch.setattr(source, "query_text", lambda name: every if name == "links" else query_text(name))
    assert audit() == filtered and filtered["changes"]


def test_the_audit_command_is_the_page_and_reads_one_report(stores, clients, tmp_path, monkeypatch):
    """`outcome-graph audit` on a national store: the page's audit (the report, the one before it, the
    report's own validation), never the whole graph read back and validated (ten million triples)."""
    from outcome_graph.cli import main
    from outcome_graph.store.embedded import EmbeddedStore

    real = EmbeddedStore.construct

    def bounded(self, query, *args, **kwargs):
        assert "CONSTRUCT WHERE { ?s ?p ?o }" not in query, "the whole graph was read"
        return real(self, query, *args, **kwargs)

    monkeypatch.setattr(EmbeddedStore, "construct", bounded)
    monkeypatch.setattr(
        "outcome_graph.build.build_graph", lambda *a, **k: pytest.fail("the bundled graph built")
    )
    directory = stores["nation"].path.parent.parent
    out = tmp_path / "audit.json"
    argv = [
        "audit",
        "--store",
        str(directory),
        "--council",
        "fife",
        "--report",
        "2020-2021",
        "--format",
        "json",
    ]
    assert main([*argv, "--out", str(out)]) == 0
    cli = json.loads(out.read_text(encoding="utf-8"))
    page = clients["nation"].get("/audit?council=fife&report=2020-2021&format=json").get_json()
    assert cli == page and cli["warnings"] and cli["changes"]
