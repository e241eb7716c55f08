"""The vocabulary in ontology/: it parses, declares every og: term the project uses, documents each one,
and its Data Cube structure satisfies the W3C Data Cube integrity constraints."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

ROOT = Path(__file__).resolve().parents[1]
OG = Namespace("https://w3id.org/outcome-graph/def#")
QB = Namespace("http://purl.org/linked-data/cube#")
ONTOLOGY_FILES = ("outcome-graph.ttl", "codelists.ttl", "cube.ttl")

PROPERTY_TYPES = (
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    RDF.Property,
    QB.DimensionProperty,
    QB.MeasureProperty,
    QB.AttributeProperty,
)


@pytest.fixture(scope="module")
def onto() -> Graph:
    # Every file in ontology/ (others may add vocabulary there, e.g. for validation rules).
    g = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def og_terms_in_graph(g: Graph) -> set[URIRef]:
    return {t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(str(OG))}


def og_terms_used_in_project() -> dict[URIRef, str]:
    """Every og: term the project uses, with one place it is used (for the failure message)."""
    used: dict[URIRef, str] = {}
    ttl_files = [
        *(ROOT / "ontology").glob("*.ttl"),
        *(ROOT / "shapes").rglob("*.ttl"),
        *(ROOT / "graph").rglob("*.ttl"),
    ]
    for path in ttl_files:
        for term in og_terms_in_graph(Graph().parse(path, format="turtle")):
            used.setdefault(term, str(path.relative_to(ROOT)))
    # Python code refers to terms as OG.term or OG["term"]; queries as og:term.
    py_pattern = re.compile(r"\bOG(?:\.([A-Za-z_]\w*)|\[\s*[\"']([A-Za-z_][\w-]*)[\"']\s*\])")
    for path in (ROOT / "src" / "outcome_graph").rglob("*.py"):
        for m in py_pattern.finditer(path.read_text(encoding="utf-8")):
            name = m.group(1) or m.group(2)
            if name.startswith("_") or name in dir(Namespace("x")):  # Namespace's own methods
                continue
            used.setdefault(OG[name], str(path.relative_to(ROOT)))
    rq_pattern = re.compile(r"(?<![\w:])og:([A-Za-z_][\w-]*)")
    for path in (ROOT / "queries").rglob("*.rq"):
        for m in rq_pattern.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(OG[m.group(1)], str(path.relative_to(ROOT)))
    return used


def test_every_ontology_file_parses_and_has_content(onto):
    assert {p.name for p in (ROOT / "ontology").glob("*.ttl")} >= set(ONTOLOGY_FILES)
    for name in ONTOLOGY_FILES:
        g = Graph().parse(ROOT / "ontology" / name, format="turtle")
        assert len(g) > 40, f"ontology/{name} parsed to only {len(g)} triples"


def test_ontology_header(onto):
    header = URIRef("https://w3id.org/outcome-graph/def")
    assert (header, RDF.type, OWL.Ontology) in onto
    for p in ("title", "description", "license"):
        assert onto.value(header, URIRef("http://purl.org/dc/terms/" + p)) is not None, (
            f"ontology header lacks dcterms:{p}"
        )
    assert onto.value(header, OWL.versionInfo) is not None


def test_every_og_term_used_anywhere_is_declared_with_a_label(onto):
    declared = {s for s in onto.subjects(RDF.type, None) if isinstance(s, URIRef)}
    used = og_terms_used_in_project()
    assert len(used) > 100  # the ontology alone uses well over a hundred og: terms
    undeclared = {str(t): where for t, where in used.items() if t not in declared}
    assert not undeclared, f"og: terms used but not declared in ontology/: {undeclared}"
    unlabelled = sorted(str(t) for t in used if t in declared and onto.value(t, RDFS.label) is None)
    assert not unlabelled, f"og: terms without rdfs:label: {unlabelled}"


def _classes(onto: Graph) -> set[URIRef]:
    return {c for c in onto.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}


def _properties(onto: Graph) -> set[URIRef]:
    return {p for t in PROPERTY_TYPES for p in onto.subjects(RDF.type, t) if isinstance(p, URIRef)}


def test_every_class_and_property_has_label_and_comment(onto):
    terms = _classes(onto) | _properties(onto)
    missing = sorted(
        str(t) for t in terms if onto.value(t, RDFS.label) is None or onto.value(t, RDFS.comment) is None
    )
    assert not missing, f"classes/properties lacking rdfs:label or rdfs:comment: {missing}"


def test_every_property_has_domain_and_range_or_says_why_not(onto):
    problems = []
    for p in sorted(_properties(onto)):
        comment = str(onto.value(p, RDFS.comment) or "")
        if onto.value(p, RDFS.domain) is None and not re.search(r"domain", comment, re.I):
            problems.append(f"{p}: no rdfs:domain and its comment does not say why")
        if onto.value(p, RDFS.range) is None and not re.search(r"range", comment, re.I):
            problems.append(f"{p}: no rdfs:range and its comment does not say why")
    assert not problems, "\n".join(problems)


def test_contract_classes_and_their_alignment(onto):
    prov = Namespace("http://www.w3.org/ns/prov#")
    org = Namespace("http://www.w3.org/ns/org#")
    expected_super = {
        "Organisation": org.Organization,
        "Service": org.OrganizationalUnit,
        "Report": prov.Entity,
        "Excerpt": prov.Entity,
        "Action": prov.Plan,
        "Link": RDF.Statement,
        "Status": SKOS.Concept,
        "Trend": SKOS.Concept,
        "Unit": SKOS.Concept,
        "Polarity": SKOS.Concept,
        "IndicatorSet": SKOS.Concept,
        "LinkBasis": SKOS.Concept,
    }
    for name, sup in expected_super.items():
        assert (OG[name], RDFS.subClassOf, sup) in onto, f"og:{name} should be a subclass of {sup}"
    for name in (
        "Priority",
        "Indicator",
        "Observation",
        "Risk",
        "Statute",
        "Provision",
        "Framework",
        "FrameworkElement",
        "ReportedTotal",
    ):
        assert (OG[name], RDF.type, OWL.Class) in onto, f"og:{name} is not declared"
    # An N/A cell must be allowed to be an og:Observation without being a qb:Observation (IC-14).
    assert (OG.Observation, RDFS.subClassOf, QB.Observation) not in onto
    assert "IC-14" in str(onto.value(OG.Observation, RDFS.comment))
    # PROV makes Entity and Activity disjoint, and og:evidence makes every record a prov:Entity.
    assert (OG.Action, RDFS.subClassOf, prov.Activity) not in onto
    assert (OG.evidence, RDFS.subPropertyOf, prov.wasDerivedFrom) in onto


def test_contract_properties_are_declared(onto):
    names = """code altCode codeDerived title report period service organisation area priority action
    dueDate progress status note indicator value rawValue target unit polarity rank quartile score implements
    relatesTo mentions evidence firstLine lastLine text heading indicatorSet group feeds benchmark
    identification controlMeasures evaluation relatedAction latestNote riskMatrix totalOf basis rationale
    sourceFile lineCount partOf unverified""".split()
    props = _properties(onto)
    missing = [n for n in names if OG[n] not in props]
    assert not missing, f"contract properties not declared: {missing}"
    ranges = {
        "dueDate": XSD.date,
        "progress": XSD.decimal,
        "value": XSD.decimal,
        "target": XSD.decimal,
        "quartile": XSD.integer,
        "score": XSD.integer,
        "firstLine": XSD.integer,
        "lastLine": XSD.integer,
        "codeDerived": XSD.boolean,
        "unverified": XSD.boolean,
        "status": OG.Status,
        "unit": OG.Unit,
        "polarity": OG.Polarity,
        "indicator": OG.Indicator,
        "basis": OG.LinkBasis,
        "evidence": OG.Excerpt,
        "indicatorSet": OG.IndicatorSet,
    }
    for name, rng in ranges.items():
        assert onto.value(OG[name], RDFS.range) == rng, (
            f"og:{name} range is {onto.value(OG[name], RDFS.range)}"
        )
    assert (OG.title, RDFS.subPropertyOf, URIRef("http://purl.org/dc/terms/title")) in onto
    assert (OG.partOf, RDFS.subPropertyOf, URIRef("http://purl.org/dc/terms/isPartOf")) in onto
    sdmx_dim = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
    sdmx_att = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
    sdmx_con = Namespace("http://purl.org/linked-data/sdmx/2009/concept#")
    assert (OG.period, RDFS.subPropertyOf, sdmx_dim.refPeriod) in onto
    assert (OG.unit, RDFS.subPropertyOf, sdmx_att.unitMeasure) in onto
    assert onto.value(OG.period, QB.concept) == sdmx_con.refPeriod
    assert onto.value(OG.unit, QB.concept) == sdmx_con.unitMeasure
    assert onto.value(OG.status, QB.concept) == sdmx_con.obsStatus


def test_union_domains_are_well_formed_lists(onto):
    # A broken owl:unionOf list would silently make the domain empty.
    for p in _properties(onto):
        for d in onto.objects(p, RDFS.domain):
            if isinstance(d, BNode):
                members = list(onto.items(onto.value(d, OWL.unionOf)))
                assert len(members) >= 2 and all(m in _classes(onto) for m in members), (p, members)


CODE_LISTS = {
    "StatusScheme": ("Status", ["OnTarget", "OffTarget", "Complete", "DataOnly", "NotAvailable"]),
    "UnitScheme": ("Unit", ["Percent", "GBP", "Number", "WorkingDay"]),
    "PolarityScheme": ("Polarity", ["HigherIsBetter", "LowerIsBetter", "NoPolarity"]),
    "IndicatorSetScheme": (
        "IndicatorSet",
        ["ServicePriorityPI", "CorporatePI", "BalancedScorecard", "Complaints", "LGBF", "FeederData"],
    ),
    "LinkBasisScheme": ("LinkBasis", ["ReportText", "CodeStructure", "Curation", "TextSimilarity"]),
    "ContinuityKindScheme": ("ContinuityKind", ["Continues", "Split", "Merged", "Renamed", "Redefined"]),
    "TrendScheme": ("Trend", ["Improving", "Worsening", "NoChange"]),
    "QuarterScheme": ("Quarter", ["Quarter1", "Quarter2", "Quarter3", "Quarter4"]),
}


@pytest.mark.parametrize("scheme_name", sorted(CODE_LISTS))
def test_code_list(onto, scheme_name):
    cls, concepts = CODE_LISTS[scheme_name]
    scheme = OG[scheme_name]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in onto
    in_scheme = set(onto.subjects(SKOS.inScheme, scheme))
    assert in_scheme == {OG[c] for c in concepts}, f"{scheme_name} holds {sorted(in_scheme)}"
    notations = set()
    for c in concepts:
        concept = OG[c]
        assert (concept, RDF.type, OG[cls]) in onto and (concept, RDF.type, SKOS.Concept) in onto
        assert (scheme, SKOS.hasTopConcept, concept) in onto
        for p in (SKOS.prefLabel, SKOS.definition, SKOS.notation):
            assert onto.value(concept, p) is not None, f"og:{c} lacks {p}"
        notations.add(str(onto.value(concept, SKOS.notation)))
    assert len(notations) == len(concepts), f"{scheme_name} notations are not unique"


def test_record_model_names_match_the_code_lists(onto):
    # The extractor names statuses, units and indicator sets by these concepts' local names.
    from outcome_graph.extract.records import INDICATOR_SETS, STATUSES, UNITS

    for names, scheme in (
        (STATUSES, "StatusScheme"),
        (UNITS, "UnitScheme"),
        (INDICATOR_SETS, "IndicatorSetScheme"),
    ):
        assert {OG[n] for n in names} == set(onto.subjects(SKOS.inScheme, OG[scheme])), scheme


def test_trend_scheme_says_why_trends_are_not_asserted(onto):
    assert "did not survive text extraction" in str(onto.value(OG.TrendScheme, SKOS.definition))


# --- Data Cube ---------------------------------------------------------------------------------


def test_dsd_components(onto):
    dsd = OG.ReportDSD
    assert (dsd, RDF.type, QB.DataStructureDefinition) in onto
    comps = list(onto.objects(dsd, QB.component))
    dims = {
        onto.value(c, QB.dimension): onto.value(c, QB.order) for c in comps if onto.value(c, QB.dimension)
    }
    assert dims == {OG.indicator: Literal(1), OG.period: Literal(2)}
    measures = {onto.value(c, QB.measure) for c in comps if onto.value(c, QB.measure)}
    assert measures == {OG.value}
    attrs = {
        onto.value(c, QB.attribute): onto.value(c, QB.componentRequired)
        for c in comps
        if onto.value(c, QB.attribute)
    }
    assert attrs == {
        OG.unit: Literal(True),
        OG.status: Literal(False),
        OG.note: Literal(False),
        OG.target: Literal(False),
        OG.rank: Literal(False),
        OG.quartile: Literal(False),
        OG.rawValue: Literal(False),
    }
    for c in comps:  # all attached at observation level
        assert onto.value(c, QB.componentAttachment) is None
    for prop, kind in (
        (OG.indicator, QB.DimensionProperty),
        (OG.period, QB.DimensionProperty),
        (OG.value, QB.MeasureProperty),
    ):
        assert (prop, RDF.type, kind) in onto
    for a in attrs:
        assert (a, RDF.type, QB.AttributeProperty) in onto, a


# The W3C Data Cube well-formedness constraints (https://www.w3.org/TR/vocab-data-cube/#wf-rules), written
# as ASK queries that are true when the constraint is VIOLATED. IC-7 to IC-10 (slices), IC-15 to IC-18
# (measure dimension, slice keys) and IC-20/21 (hierarchical code lists) concern features og:ReportDSD
# does not use.
IC = {
    "IC-1": """ASK { { ?obs a qb:Observation . FILTER NOT EXISTS { ?obs qb:dataSet ?ds } } UNION
                 { ?obs a qb:Observation ; qb:dataSet ?d1, ?d2 . FILTER (?d1 != ?d2) } }""",
    "IC-2": """ASK { { ?ds a qb:DataSet . FILTER NOT EXISTS { ?ds qb:structure ?s } } UNION
                 { ?ds a qb:DataSet ; qb:structure ?s1, ?s2 . FILTER (?s1 != ?s2) } }""",
    "IC-3": """ASK { ?dsd a qb:DataStructureDefinition .
                 FILTER NOT EXISTS {
                   ?dsd qb:component [ qb:componentProperty [ a qb:MeasureProperty ] ] } }""",
    "IC-4": """ASK { ?dim a qb:DimensionProperty . FILTER NOT EXISTS { ?dim rdfs:range [] } }""",
    "IC-5": """ASK { ?dim a qb:DimensionProperty ; rdfs:range skos:Concept .
                 FILTER NOT EXISTS { ?dim qb:codeList [] } }""",
    "IC-6": """ASK { ?dsd qb:component ?cs . ?cs qb:componentProperty ?p ; qb:componentRequired false .
                 FILTER NOT EXISTS { ?p a qb:AttributeProperty } }""",
    "IC-11": """ASK { ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
                  ?dim a qb:DimensionProperty . FILTER NOT EXISTS { ?obs ?dim [] } }""",
    "IC-13": """ASK { ?obs qb:dataSet/qb:structure/qb:component ?c .
                  ?c qb:componentProperty ?attr ; qb:componentRequired true . ?attr a qb:AttributeProperty .
                  FILTER NOT EXISTS { ?obs ?attr [] } }""",
    "IC-14": """ASK { ?obs qb:dataSet/qb:structure ?dsd .
                  FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty qb:measureType }
                  ?dsd qb:component/qb:componentProperty ?measure . ?measure a qb:MeasureProperty .
                  FILTER NOT EXISTS { ?obs ?measure [] } }""",
    "IC-19": """ASK { ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
                  ?dim a qb:DimensionProperty ; qb:codeList ?list . ?list a skos:ConceptScheme .
                  ?obs ?dim ?v . FILTER NOT EXISTS { ?v a skos:Concept ; skos:inScheme ?list } }""",
}


def _normalise(g: Graph) -> Graph:
    """The spec's normalisation (phase 1, the part that matters here): qb:componentProperty from
    qb:dimension/qb:measure/qb:attribute, and rdf:type from the RDFS rules the constraints rely on."""
    out = Graph()
    out += g
    for sub in (QB.dimension, QB.measure, QB.attribute):
        out.add((sub, RDFS.subPropertyOf, QB.componentProperty))
        for cs, p in g.subject_objects(sub):
            out.add((cs, QB.componentProperty, p))
    for t in (QB.DimensionProperty, QB.MeasureProperty, QB.AttributeProperty):
        for p in g.subjects(RDF.type, t):
            out.add((p, RDF.type, QB.ComponentProperty))
    return out


def _ic12_violated(g: Graph) -> bool:
    """IC-12 (no duplicate observations): no two observations of a data set share every dimension value.
    The spec's query compares observations pairwise, which takes a minute on one report; grouping by the
    dimension values is the same test."""
    seen = set()
    for obs, ds in g.subject_objects(QB.dataSet):
        dims = sorted(g.objects(g.value(ds, QB.structure), QB.component / QB.componentProperty))
        dims = [d for d in dims if (d, RDF.type, QB.DimensionProperty) in g]
        key = (ds, tuple((d, tuple(sorted(g.objects(obs, d)))) for d in dims))
        if key in seen:
            return True
        seen.add(key)
    return False


def violated(g: Graph) -> list[str]:
    ng = _normalise(g)
    ns = {"qb": QB, "rdfs": RDFS, "skos": SKOS}
    found = [name for name, q in IC.items() if ng.query(q, initNs=ns).askAnswer]
    if _ic12_violated(ng):
        found.append("IC-12")
    return sorted(found, key=lambda n: int(n[3:]))


def test_dsd_alone_satisfies_the_integrity_constraints(onto):
    assert violated(onto) == []


REPORT_2016 = ROOT / "graph" / "reports" / "midlothian-childrens-services-2016-17.txt"


def _report_line(n: int) -> str:
    return REPORT_2016.read_text(encoding="utf-8").split("\n")[n - 1]


def _cube_from_line_74_and_60(onto: Graph, na_as_qb: bool) -> Graph:
    """Two real cells of the 2016/17 report modelled as the contract says: line 74's annual revenue budget
    (£15.431m, target £15.461m, 'On Target') and line 60's Q3 complaints cell, which says N/A."""
    line74, line60 = _report_line(74).split("\t"), _report_line(60).split("\t")
    assert line74[1] == "Performance against revenue budget" and line74[6] == "£ 15.43 1m"
    assert line60[1] == "Number of complaints received (cumulative)" and line60[5] == "N/A"
    ogr = Namespace("https://w3id.org/outcome-graph/id/midlothian/")
    year = URIRef("http://reference.data.gov.uk/id/government-year/2016-2017")
    q3 = URIRef("http://reference.data.gov.uk/id/government-quarter/2016-2017/Q3")
    ds = ogr["report/2016-2017/dataset"]
    g = Graph()
    g += onto
    g.add((ds, RDF.type, QB.DataSet))
    g.add((ds, QB.structure, OG.ReportDSD))
    budget = ogr["report/2016-2017/observation/corporate/revenue-budget/2016-2017"]
    for t in (OG.Observation, QB.Observation):
        g.add((budget, RDF.type, t))
    g.add((budget, QB.dataSet, ds))
    g.add((budget, OG.indicator, ogr["indicator/corporate/revenue-budget"]))
    g.add((budget, OG.period, year))
    g.add((budget, OG.value, Literal(Decimal("15431000"))))
    g.add((budget, OG.unit, OG.GBP))
    g.add((budget, OG.target, Literal(Decimal("15461000"))))
    g.add((budget, OG.status, OG.OnTarget))
    g.add((budget, OG.rawValue, Literal(line74[6])))
    na = ogr["report/2016-2017/observation/complaints/received-cumulative/2016-2017-Q3"]
    g.add((na, RDF.type, OG.Observation))
    g.add((na, OG.indicator, ogr["indicator/complaints/received-cumulative"]))
    g.add((na, OG.period, q3))
    g.add((na, OG.rawValue, Literal(line60[5])))
    if na_as_qb:
        g.add((na, RDF.type, QB.Observation))
        g.add((na, QB.dataSet, ds))
        g.add((na, OG.unit, OG.Number))
    return g


def test_real_cells_modelled_per_contract_satisfy_the_constraints(onto):
    assert violated(_cube_from_line_74_and_60(onto, na_as_qb=False)) == []


def test_an_na_cell_typed_qb_observation_breaks_ic14(onto):
    # Why og:Observation is not a subclass of qb:Observation: the N/A cell has no measure.
    assert violated(_cube_from_line_74_and_60(onto, na_as_qb=True)) == ["IC-14"]


def test_integrity_checks_detect_a_duplicate_observation(onto):
    g = _cube_from_line_74_and_60(onto, na_as_qb=False)
    budget = next(g.subjects(OG.value, None))
    twin = URIRef(str(budget) + "-twin")
    for p, o in list(g.predicate_objects(budget)):
        g.add((twin, p, o))
    assert violated(g) == ["IC-12"]


def test_the_built_graph_satisfies_the_integrity_constraints():
    # The whole graph `outcome-graph build` makes from both reports, with the ontology it loads.
    from outcome_graph.build import build_graph

    g = build_graph()
    datasets = set(g.subjects(RDF.type, QB.DataSet))
    assert len(datasets) == 2 and all(g.value(ds, QB.structure) == OG.ReportDSD for ds in datasets)
    qb_obs = set(g.subjects(RDF.type, QB.Observation))
    assert len(qb_obs) > 400
    na = [o for o in g.subjects(RDF.type, OG.Observation) if o not in qb_obs]
    assert na and all(g.value(o, OG.value) is None for o in na)  # N/A cells: og:Observation only
    assert violated(g) == []


def test_integrity_checks_detect_a_missing_required_unit(onto):
    g = _cube_from_line_74_and_60(onto, na_as_qb=False)
    g.remove((None, OG.unit, None))
    assert violated(g) == ["IC-13"]


def test_every_class_has_a_plural_label(onto):
    """Counts and headings read a class's og:pluralLabel ("2 priorities"); a class without one would be
    shown as its label with nothing added, never as "Prioritys"."""
    missing = sorted(
        str(c) for c in _classes(onto) if str(c).startswith(str(OG)) and onto.value(c, OG.pluralLabel) is None
    )
    assert not missing, f"classes without og:pluralLabel: {missing}"
