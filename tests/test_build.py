"""The whole build on the real reports: reconciliation to the reports' own totals, one indicator across
reports, links with their basis, determinism and the output formats."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from outcome_graph.build import build, to_ntriples
from outcome_graph.cli import main
from outcome_graph.namespaces import OG, sparql_prefixes

ACT_2014 = URIRef("http://www.legislation.gov.uk/id/asp/2014/8")
R16 = URIRef("https://w3id.org/outcome-graph/id/midlothian/report/2016-2017")
R20 = URIRef("https://w3id.org/outcome-graph/id/midlothian/report/2020-2021")


@cache
def built():
    return build()


def rows(query: str) -> list[tuple]:
    return [tuple(r) for r in built().graph.query(sparql_prefixes() + query)]


def count(cls: str, report: URIRef, extra: str = "") -> int:
    q = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a {cls} ; og:report <{report}> . {extra} }}"
    return int(rows(q)[0][0])


def stated(report: URIRef, name: str) -> int:
    q = f"""SELECT ?v WHERE {{ ?t a og:ReportedTotal ; og:report <{report}> ; og:totalOf "{name}" ;
            og:value ?v }}"""
    (value,) = rows(q)[0]
    return int(value.toPython())


def test_counts_reconcile_to_the_reports_own_totals():
    assert count("og:Priority", R16) == 3
    assert count("og:Action", R16) == 10 == stated(R16, "actions.total")  # line 81
    assert count("og:Priority", R20) == 11
    assert count("og:Action", R20) == 23 == stated(R20, "actions.total")  # line 207
    pis = count("og:Indicator", R20, "?s og:indicatorSet og:ServicePriorityPI .")
    assert pis == 32 == stated(R20, "pis.total")  # line 222: "Total number of PI's 32"
    assert count("og:Risk", R20) == 4 == stated(R20, "risks.medium")  # line 155: "4 Medium Risks"


def test_every_line_is_a_record_or_reported_as_not_understood():
    for x in built().extractions:
        in_records = set()
        for rec in x.records:
            in_records.update(range(rec.excerpt.first_line, rec.excerpt.last_line + 1))
        reported = {u.line for u in x.unplaced}
        assert all(u.reason and u.text for u in x.unplaced)
        path = Path(x.report.file)
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            if line.strip():
                assert number in in_records | reported | x.structural, f"{x.report.source}:{number} lost"
        # Only headings, table headers and legends are structural: never a line with a figure in a cell.
        for number in x.structural - in_records:
            assert number not in reported


def test_one_indicator_across_reports_with_restated_figures_kept_apart():
    # CHN8a 2015/16: £2,951.54 in the 2016/17 report (line 211), £3,225.80 in the 2020/21 one (line 450).
    q = """SELECT ?report ?value ?line WHERE {
        ?i og:code "CHN8a" . ?o og:indicator ?i ;
           og:period <http://reference.data.gov.uk/id/government-year/2015-2016> ;
           og:report ?report ; og:value ?value ; og:evidence/og:firstLine ?line . }"""
    found = sorted((str(r), v.toPython(), int(n)) for r, v, n in rows(q))
    assert found == [(str(R16), Decimal("2951.54"), 211), (str(R20), Decimal("3225.80"), 450)]
    codes = rows('SELECT ?alt WHERE { ?i og:code "CHN8a" ; og:altCode ?alt }')
    assert [str(a) for (a,) in codes] == ["CHN08a"]


def test_an_indicator_in_two_tables_is_one_indicator_with_both_excerpts():
    q = 'SELECT ?line WHERE { ?i og:code "BS.CS.LPI.04" ; og:evidence/og:firstLine ?line }'
    assert sorted(int(n) for (n,) in rows(q)) == [121, 192]
    assert len(rows('SELECT DISTINCT ?i WHERE { ?i og:code "BS.CS.LPI.04" }')) == 1


def test_na_is_kept_without_a_value_never_zero():
    # 2016/17 line 60: complaints received, Q3 2016/17 is N/A.
    q = """SELECT ?o ?v ?raw WHERE { ?o og:evidence/og:firstLine 60 ;
        og:period <http://reference.data.gov.uk/id/government-quarter/2016-2017/Q3> ; og:rawValue ?raw .
        OPTIONAL { ?o og:value ?v } }"""
    ((obs, value, raw),) = rows(q)
    assert value is None and str(raw) == "N/A"
    assert (obs, RDF.type, URIRef("http://purl.org/linked-data/cube#Observation")) not in built().graph


def test_mentions_and_text_links_carry_their_excerpt():
    # 2016/17 line 9 names the "Children & Young People (Scotland) Act 2014".
    q = f"SELECT ?e WHERE {{ ?e og:firstLine 9 ; og:report <{R16}> ; og:mentions <{ACT_2014}> }}"
    assert len(rows(q)) == 1
    # CS.S.01.02 (line 104) names the Named Person provision: a text-based link with its excerpt.
    q = """SELECT ?target ?line WHERE { ?l a og:Link ; rdf:subject ?a ; rdf:predicate og:implements ;
        rdf:object ?target ; og:basis og:ReportText ; og:evidence/og:firstLine ?line .
        ?a og:code "CS.S.01.02" }"""
    found = {(str(t), int(n)) for t, n in rows(q)}
    assert ("http://www.legislation.gov.uk/id/asp/2014/8/part/4", 104) in found


def test_curated_links_have_a_rationale_and_are_told_apart_from_text_links():
    q = """SELECT ?l ?why WHERE { ?l a og:Link ; og:basis og:Curation . OPTIONAL { ?l og:rationale ?why } }"""
    found = rows(q)
    assert found, "the curated links file yields links"
    assert all(why is not None and len(str(why)) > 10 for _, why in found)


def test_indicator_measures_action_by_its_code():
    q = """SELECT ?l WHERE { ?i og:code "CS.S.01.01a" ; og:action ?a . ?a og:code "CS.S.01.01" .
        ?l rdf:subject ?i ; rdf:predicate og:action ; og:basis og:CodeStructure }"""
    assert len(rows(q)) == 1


def test_build_is_deterministic_and_has_no_blank_nodes_in_instances():
    first = to_ntriples(build().graph)
    second = to_ntriples(build().graph)
    assert first == second
    g = built().graph
    for s, _, o in g.triples((None, OG.evidence, None)):
        assert not isinstance(s, BNode) and not isinstance(o, BNode)


def test_values_are_typed_decimals():
    q = """SELECT ?v WHERE { ?o og:evidence/og:firstLine 74 ; og:report ?r ;
        og:period <http://reference.data.gov.uk/id/government-year/2016-2017> ;
        og:value ?v ; og:unit og:GBP }"""
    ((value,),) = rows(q)
    assert value == Literal("15431000", datatype=XSD.decimal)


@pytest.mark.parametrize(
    "suffix,fmt", [(".ttl", "turtle"), (".nt", "nt"), (".jsonld", "json-ld"), (".trig", "trig")]
)
def test_build_command_writes_each_format(tmp_path, suffix, fmt, capsys):
    out = tmp_path / f"graph{suffix}"
    assert main(["build", "--no-validate", "--out", str(out)]) == 0
    g = Graph()
    if fmt == "trig":
        from rdflib import Dataset

        ds = Dataset()
        ds.parse(out, format="trig")
        assert len(ds) > 1000
    else:
        g.parse(out, format=fmt)
        assert len(g) == len(built().graph)
    printed = capsys.readouterr().out
    assert "midlothian-cspc-2020-21.txt" in printed and "records:" in printed


def test_build_command_names_a_bad_output_format(tmp_path, capsys):
    assert main(["build", "--no-validate", "--out", str(tmp_path / "graph.xyz")]) == 1
    assert "unknown extension '.xyz'" in capsys.readouterr().err
