"""What people read: labels come from the ontology's data, periods and figures read as the reports write
them, the charts and the trace picture say what they draw, CLI text fits a terminal, and the audit
prints to A4 PDF where an engine is installed (and says what to install where none is)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from outcome_graph import labels as L
from outcome_graph.charts import Point, chart_svg, restated
from outcome_graph.cli import main
from outcome_graph.human import labelled_csv, name_of, text_table
from outcome_graph.store import SelectResult

ROOT = Path(__file__).resolve().parents[1]
OG = "https://w3id.org/outcome-graph/def#"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def onto() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        g.parse(path)
    return g


def test_every_term_reads_as_its_label_in_the_ontology(onto):
    labels = L.from_ontology()
    checked = 0
    for term in set(onto.subjects(RDFS.label, None)) | set(onto.subjects(SKOS.prefLabel, None)):
        if not str(term).startswith(OG):
            continue
        want = onto.value(term, SKOS.prefLabel) or onto.value(term, RDFS.label)
        assert labels.term(str(term)) == str(want), term
        checked += 1
    assert checked > 100
    # statuses as the trace graph keeps them (local names), and count keys by their notation
    for status in onto.subjects(SKOS.inScheme, URIRef(OG + "StatusScheme")):
        local = str(status)[len(OG) :]
        assert labels.term(local) == str(onto.value(status, SKOS.prefLabel))
        assert labels.term(local) != local or " " not in str(onto.value(status, SKOS.prefLabel))
    for concept in onto.subjects(SKOS.inScheme, URIRef(OG + "ReportedTotalScheme")):
        key = str(onto.value(concept, SKOS.notation))
        assert labels.notation(key) == str(onto.value(concept, SKOS.prefLabel))
    # every link of the trace reads as a phrase from the data
    for p in ("partOf", "implements", "relatesTo", "priority", "action", "indicator", "evidence", "mentions"):
        assert labels.reading(p) == str(onto.value(URIRef(OG + p), URIRef(OG + "reading")))


def test_the_labels_module_restates_no_label():
    # data over code: no status or unit name is written in the helper
    source = (ROOT / "src" / "outcome_graph" / "labels.py").read_text()
    for word in ("Off Target", "On Target", "Data Only", "Not Available", "Pounds sterling"):
        assert word not in source


def test_the_served_graph_gives_the_same_labels_as_the_files(built_store):
    served, files = L.for_store(built_store), L.from_ontology()
    assert served.by_iri == files.by_iri and served.by_notation == files.by_notation


def test_the_store_is_asked_only_for_the_vocabulary_s_labels_and_gives_them_all(built_store):
    """The labels query is bound to the ontology's terms (its cost is the vocabulary's, not the graph's:
    unbound it read every label of the nation) and loses nothing the unbound query gives."""
    text = L._for_terms(L._vocabulary_terms())
    assert "VALUES ?term" in text and len(L._vocabulary_terms()) > 200
    unbound = {
        tuple(sorted((k, str(v)) for k, v in r.items())) for r in built_store.select(L.LABELS_QUERY).rows
    }
    bound = {tuple(sorted((k, str(v)) for k, v in r.items())) for r in built_store.select(text).rows}
    assert bound == unbound and len(bound) > 200


@settings(deadline=None)
@given(st.integers(min_value=1990, max_value=2097), st.integers(min_value=1, max_value=4))
def test_periods_read_as_the_reports_write_them(year, quarter):
    y = f"{year}-{year + 1}"
    short = f"{year}/{(year + 1) % 100:02d}"
    assert L.period_text(f"http://reference.data.gov.uk/id/government-year/{y}") == short
    assert (
        L.period_text(f"http://reference.data.gov.uk/id/government-quarter/{y}/Q{quarter}")
        == f"Q{quarter} {short}"
    )
    assert L.period_text(f"{y} Q{quarter}") == f"Q{quarter} {short}"
    assert L.years_in_text(f"{y} line 5-6") == f"{short} line 5–6"


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_whole_numbers_have_thousands_separators(n):
    assert L.number_text(str(n)) == f"{n:,}"
    assert L.number_text(f"{n}.0") == f"{n:,}"
    assert L.value_text(str(n), "Percent") == f"{n:,}%"


@settings(deadline=None)
@given(st.decimals(min_value=1_000_000, max_value=10**11, places=2))
def test_millions_of_pounds_read_in_millions(d):
    text = L.value_text(str(d), OG + "GBP")
    # a whole number of millions is "£16m"; otherwise two decimals, as the reports write "£15.431m"
    assert re.fullmatch(r"£\d{1,3}(,\d{3})*(\.\d\d)?m", text), text
    assert abs(Decimal(text[1:-1].replace(",", "")) * 1_000_000 - d) <= 5000


@settings(deadline=None)
@given(st.decimals(min_value=-999_999, max_value=999_999, places=2))
def test_money_shows_pence_or_none(d):
    """£3,225.80, never £3,225.8; a whole amount has no pence (£450,000); a loss is -£450."""
    text = L.value_text(str(d), "GBP")
    assert re.fullmatch(r"-?£\d{1,3}(,\d{3})*(\.\d\d)?", text), text
    assert Decimal(text.replace("£", "").replace(",", "")) == d


def test_units_are_written_as_the_ontology_says():
    """The symbols come from ontology/codelists.ttl: every unit concept the ontology has is known to the
    formatter, and a unit it does not describe gets no invented symbol."""
    from outcome_graph.namespaces import OG as OG_NS
    from outcome_graph.paths import ONTOLOGY_DIR
    from outcome_graph.units import units

    g = Graph().parse(ONTOLOGY_DIR / "codelists.ttl")
    in_scheme = {str(u).rsplit("#", 1)[-1] for u in g.subjects(SKOS.inScheme, OG_NS.UnitScheme)}
    assert set(units()) == in_scheme
    for name in units():
        before = str(g.value(OG_NS[name], OG_NS.symbolBefore) or "")
        after = str(g.value(OG_NS[name], OG_NS.symbolAfter) or "")
        assert L.value_text("12", name) == f"{before}12{after}"
    assert L.value_text("12.5", "Furlong") == "12.5"


def test_figures_in_days():
    assert L.value_text("33.5", "WorkingDay") == "33.5 days"
    assert L.value_text("1", OG + "WorkingDay") == "1 day"
    assert L.value_text("20", "og:WorkingDay") == "20 days"


def test_figures_from_the_reports():
    assert L.value_text("15558000", "GBP") == "£15.56m"
    assert L.value_text("85", "Percent") == "85%"
    assert L.value_text("76.92", "Percent") == "76.92%"
    assert L.value_text("1385", "Number") == "1,385"
    assert L.value_text("2951.54", "GBP") == "£2,951.54"
    assert L.value_text("3225.8", "GBP") == "£3,225.80"
    assert L.value_text("15461000", "GBP") == "£15.46m"
    assert name_of("Care", "Care") == "Care"  # never "Care Care"
    assert name_of("CSPC.P.2.1", "Evidence further") == "CSPC.P.2.1 Evidence further"


# -- the chart ---------------------------------------------------------------------------------------


def chart(points):
    return ET.fromstring(chart_svg(points, L.from_ontology(), "X", "c"))


def test_the_chart_marks_target_status_restatements_and_inferred_placements():
    points = [
        Point("2015-2016", "2016-2017", "2951.54", "GBP", None, None, False, 211),
        Point("2015-2016", "2020-2021", "3225.8", "GBP", None, None, False, 450),
        Point("2020-2021 Q1", "2020-2021", "85", "GBP", "OnTarget", None, True, 207),
        Point("2020-2021", "2020-2021", "80", "GBP", "OffTarget", "100", False, 207),
    ]
    assert restated(points) == {("2015-2016", "2016-2017"), ("2015-2016", "2020-2021")}
    svg = chart(points)
    text = " ".join(svg.itertext())
    key = [t.text for t in svg.iter(SVG + "text")]
    for said in (
        "2016/17 report",
        "2020/21 report",
        "On Target",
        "Off Target",
        "target",
        "restated",
        "period inferred",
    ):
        assert said in key, said
    assert "£3,000" in key or "£4,000" in key  # the axis in the unit
    # the target is a dashed line at 100, the statuses in their colours, the inferred figure dashed
    assert len([e for e in svg.findall(SVG + "line") if e.get("class") == "tg"]) == 1  # the key's aside
    fills = {e.get("fill") for e in svg.iter() if e.tag in (SVG + "circle", SVG + "rect", SVG + "path")}
    assert {"#2e7d32", "#c62828"} <= fills
    assert any(e.get("stroke-dasharray") == "2 2" for e in svg.iter(SVG + "rect"))
    assert "period inferred by the extractor" in text


@settings(deadline=None)
@given(st.lists(st.decimals(min_value=-(10**6), max_value=10**9, places=2), min_size=1, max_size=8))
def test_every_figure_is_drawn_inside_the_chart(values):
    from outcome_graph.charts import BOTTOM, TOP, H

    points = [Point(f"{2000 + i}-{2001 + i}", "2016-2017", str(v), "Number") for i, v in enumerate(values)]
    svg = chart(points)
    drawn = [g for g in svg.findall(SVG + "g") if g.get("transform") is None]  # not the key's marks
    ys = [float(c.get("cy")) for g in drawn for c in g.iter(SVG + "circle")]
    assert len(ys) == len(values)
    assert all(TOP - 0.01 <= y <= H - BOTTOM + 0.01 for y in ys), (values, ys)


def test_a_key_entry_for_each_thing_drawn_and_nothing_else():
    svg = chart([Point("2016-2017 Q1", "2016-2017", "5", "Number", None, None, False, 1)])
    key = [t.text for t in svg.iter(SVG + "text")]
    assert "2016/17 report" in key
    for absent in ("target", "restated", "period inferred", "On Target", "Off Target"):
        assert absent not in key
    assert chart_svg([Point("2016-2017", "2016-2017", None)], L.from_ontology(), "X") == ""


# -- the trace picture -------------------------------------------------------------------------------


def test_the_trace_picture_is_legible(tg_part9):
    from outcome_graph.trace.picture import CHARS, COLUMN, KIND_FILLS

    svg = ET.fromstring(tg_part9)
    boxes = [g for g in svg.iter(SVG + "g") if g.get("class") == "n"]
    assert len(boxes) > 20
    labels = L.from_ontology()
    for g in boxes:
        lines = [t.text for t in g.find(SVG + "a").iter(SVG + "text")]
        assert all(len(line) <= CHARS for line in lines)
        kind = g.get("data-kind")
        first = lines[0]
        assert first.startswith(
            {"Observation": "Figure of", "Excerpt": "Excerpt"}.get(kind, labels.term(kind))
        )
        if kind == "Observation":
            assert re.match(r"Figure of \S+, (Q\d )?\d{4}/\d\d", " ".join(lines))
    # the key shows exactly the fills and status bars drawn
    key = next(g for g in svg.iter(SVG + "g") if g.get("class") == "key")
    drawn = {r.get("fill") for g in boxes for r in g.iter(SVG + "rect") if r.get("class") == "box"}
    keyed = {r.get("fill") for r in key.iter(SVG + "rect") if r.get("width") == "14"}
    assert drawn == keyed and drawn <= set(KIND_FILLS.values())
    bars = {r.get("fill") for g in boxes for r in g.iter(SVG + "rect") if r.get("width") == "6"}
    assert bars == {r.get("fill") for r in key.iter(SVG + "rect") if r.get("width") == "6"}
    # actions and risks share a column: an action hangs from the duty it implements
    x = {g.get("data-kind"): g.find(SVG + "a").find(SVG + "rect").get("x") for g in boxes}
    assert x["Risk"] == x["Action"] and COLUMN["Risk"] == COLUMN["Action"]


@pytest.fixture(scope="module")
def tg_part9(built_store):
    from outcome_graph.trace import engine, render
    from outcome_graph.trace.source import load

    tg = load(built_store)
    t = engine.trace(tg, "http://www.legislation.gov.uk/id/asp/2014/8/part/9")
    return render.to_svg(t)


# -- text for terminals and spreadsheets -------------------------------------------------------------


def wide_result():
    iri = URIRef("https://w3id.org/outcome-graph/id/midlothian/indicator/BS.CS.LPI.04")
    period = URIRef("http://reference.data.gov.uk/id/government-year/2016-2017")
    note = Literal("16/17: Off Target " + "Midlothian are increasing their target to 8 weeks " * 4)
    return SelectResult(
        vars=["indicator", "period", "status", "note"],
        rows=[{"indicator": iri, "period": period, "status": URIRef(OG + "OffTarget"), "note": note}] * 3,
    )


@pytest.mark.parametrize("width", [60, 100, 160])
def test_cli_tables_fit_the_terminal(width):
    out = text_table(wide_result(), L.from_ontology(), {}, width=width)
    assert max(len(line) for line in out.splitlines()) <= width
    assert (
        "Q" not in out.split("period")[0] and "2016/17" in out and "Off Target" in out and "(3 rows)" in out
    )


def test_the_human_csv_has_a_label_beside_each_iri():
    names = {
        "https://w3id.org/outcome-graph/id/midlothian/indicator/BS.CS.LPI.04": "BS.CS.LPI.04 Child Protection"
    }
    body = labelled_csv(wide_result(), L.from_ontology(), names).decode()
    header, first = body.splitlines()[:2]
    assert header == "indicator,indicator_label,period,period_label,status,status_label,note"
    assert (
        ",BS.CS.LPI.04 Child Protection,http://reference.data.gov.uk/id/government-year/2016-2017,2016/17,"
        in first
    )
    assert f",{OG}OffTarget,Off Target," in first


# -- the CLI says what it did ------------------------------------------------------------------------


def test_build_without_out_says_it_wrote_nothing(capsys):
    assert main(["build", "--no-validate"]) == 0
    err = capsys.readouterr().err
    assert "wrote nothing: give --out FILE" in err


@pytest.fixture(scope="module")
def store_dir(built_store):
    return Path(built_store.path).parents[1]


def test_audit_to_pdf_is_a4_and_says_where(capsys, store_dir, tmp_path):
    pytest.importorskip("weasyprint", exc_type=ImportError)
    out = tmp_path / "audit.pdf"
    argv = ["audit", "--report", "2020/21", "--no-validate", "--out", str(out), "--store", str(store_dir)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert f"wrote {out.resolve()} (A4 PDF printed by WeasyPrint " in err
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert {tuple(round(float(v)) for v in p.mediabox) for p in reader.pages} == {(0, 0, 595, 842)}
    assert len(reader.pages) > 10


def test_audit_to_pdf_without_an_engine_says_what_to_install(capsys, store_dir, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` then fails, as without it
    out = tmp_path / "audit.pdf"
    argv = ["audit", "--report", "2020/21", "--no-validate", "--out", str(out), "--store", str(store_dir)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in err and "pip install weasyprint" in err
    assert not out.exists()


@settings(deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=10**7, places=2), min_size=1, max_size=12))
def test_the_axis_starts_at_zero_or_below_the_lowest_figure_and_says_so(values):
    from outcome_graph.charts import axis_note, axis_ticks

    ticks = axis_ticks(values)
    assert ticks[0] <= min(values) and ticks[-1] >= max(values)
    lo, hi = min(values), max(values)
    if lo > 0 and hi - lo < hi / 2 and ticks[0] > 0:
        assert axis_note(ticks, "Percent").endswith(", not 0")
    else:
        assert ticks[0] <= 0 and not axis_note(ticks, "Percent").endswith(", not 0")
    # the axis is not zero-based only where the figures sit in the top half of 0..highest
    if ticks[0] > 0:
        assert hi - lo < hi / 2


def test_counts_of_things_read_their_plural_labels():
    """'2 priorities', '3 duties', '1 priority' — from og:pluralLabel, never the label with an "s" added."""
    labels = L.from_ontology()
    assert labels.counted(2, "Priority") == "2 priorities"
    assert labels.counted(1, "Priority") == "1 priority"
    assert labels.counted(3, "Duty") == "3 duties"
    assert labels.counted(2, "FrameworkElement") == "2 framework elements"
    assert labels.plural("og:Status") == "Statuses"
    g = Graph()
    for path in sorted((Path(__file__).parents[1] / "ontology").glob("*.ttl")):
        g.parse(path)
    for cls, plural in g.subject_objects(URIRef(OG + "pluralLabel")):
        assert labels.plural(str(cls)) == str(plural)
        assert labels.counted(2, str(cls)).endswith(str(plural)[1:])


def test_the_trace_counts_and_picture_say_priorities(client):
    """The trace of priority 02 counts its records and heads the picture's columns by plural labels."""
    html = client.get("/trace/02?report=2020-2021", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "1 priority" in html and "ritys" not in html.lower()
    svg = client.get("/trace/02?report=2020-2021&format=svg").get_data(as_text=True)
    assert "Priorities" in svg and "ritys" not in svg.lower()  # the column heading
