"""SPARQL XML results are read by pyoxigraph's parser, or by ElementTree when the answer holds a blank
node (Virtuoso's labels are not ones pyoxigraph accepts): both must give the same document, the one
the SPARQL JSON results of the same answer give."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcome_graph.store import results_xml
from outcome_graph.store.protocol import StoreError
from outcome_graph.store.results import checked_results
from outcome_graph.store.results_xml import parse_tree, parse_xml

NS = "http://www.w3.org/2005/sparql-results#"
XSD = "http://www.w3.org/2001/XMLSchema#"

# what XML 1.0 can carry in text (no other control characters, no surrogates)
text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n\r"), max_size=30)
iris = st.sampled_from(
    [
        "http://example.org/a",
        "https://w3id.org/outcome-graph/id/midlothian/report/2020-2021/action/CSPC.P.2.1",
        "http://example.org/q?x=1&y=<2>",
        "http://example.org/é",
    ]
)
literals = st.one_of(
    text.map(lambda v: {"type": "literal", "value": v}),
    st.tuples(text, st.sampled_from(["en", "en-GB", "gd", "EN-gb", "x-not-a-language"])).map(
        lambda t: {"type": "literal", "value": t[0], "xml:lang": t[1]}
    ),
    st.tuples(
        st.one_of(st.integers(-(10**6), 10**6).map(str), st.sampled_from(["+05", "1.50", "007", " 1", "x"])),
        st.sampled_from(["integer", "decimal", "gYear", "string"]),
    ).map(lambda t: {"type": "literal", "value": t[0], "datatype": XSD + t[1]}),
)
blanks = st.sampled_from(["nodeID://b10000", "b0", "genid1"]).map(lambda v: {"type": "bnode", "value": v})
terms = st.one_of(iris.map(lambda v: {"type": "uri", "value": v}), literals, blanks)
NAMES = ("s", "p", "o")
rows = st.lists(st.fixed_dictionaries({}, optional={n: terms for n in NAMES}), max_size=8)


def standard(row: dict) -> dict:
    """A row as the store reads it: language tags lower-case, an explicit xsd:string a simple literal."""
    out = {}
    for name, term in row.items():
        term = {k: v.lower() if k == "xml:lang" else v for k, v in term.items()}
        term["value"] = standard_text(term["value"])
        if term.get("datatype") == XSD + "string":
            del term["datatype"]
        out[name] = term
    return out


def standard_text(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")  # an XML reader's line ends


def xml_of(bindings: list[dict], names=NAMES, decorate=escape) -> bytes:
    """The SPARQL XML results document of `bindings` (JSON-shaped rows), as a server writes it."""
    out = [f'<?xml version="1.0"?>\n<sparql xmlns="{NS}"><head>']
    out += [f"<variable name={quoteattr(n)}/>" for n in names]
    out.append("</head><results>")
    for row in bindings:
        out.append("<result>")
        for name, term in row.items():
            value = decorate(term["value"])
            if term["type"] in ("uri", "bnode"):
                element = f"<{term['type']}>{value}</{term['type']}>"
            elif "xml:lang" in term:
                element = f"<literal xml:lang={quoteattr(term['xml:lang'])}>{value}</literal>"
            elif "datatype" in term:
                element = f"<literal datatype={quoteattr(term['datatype'])}>{value}</literal>"
            else:
                element = f"<literal>{value}</literal>"
            out.append(f"<binding name={quoteattr(name)}>{element}</binding>")
        out.append("</result>")
    out.append("</results></sparql>")
    return "".join(out).encode()


# markup inside a literal that is not its text: an XML reader gives the text around it
decorations = st.sampled_from(
    [
        escape,
        lambda v: escape(v[: len(v) // 2]) + "<!-- a comment -->" + escape(v[len(v) // 2 :]),
        lambda v: escape(v[: len(v) // 2]) + "<?pi an instruction?>" + escape(v[len(v) // 2 :]),
    ]
)


@settings(max_examples=300, deadline=None)
@given(rows, decorations)
def test_both_readers_give_the_document_the_rows_are(bindings, decorate):
    body = xml_of(bindings, decorate=decorate)
    expected = {"head": {"vars": list(NAMES)}, "results": {"bindings": [standard(r) for r in bindings]}}
    assert checked_results(parse_tree(body)) == expected
    assert checked_results(parse_xml(body)) == expected


def test_an_answer_without_blank_nodes_is_read_by_pyoxigraph(monkeypatch):
    """The fast reader is the one used, for a report line's text with tabs at its ends too (this test
    fails if parse_xml walks the tree for it)."""
    monkeypatch.setattr(results_xml, "parse_tree", lambda body: pytest.fail("read with ElementTree"))
    row = {
        "s": {"type": "uri", "value": "http://example.org/a"},
        "o": {"type": "literal", "value": "\tx\t\n"},
    }
    assert parse_xml(xml_of([row], ("s", "o")))["results"]["bindings"] == [row]


def test_virtuosos_blank_node_labels_are_kept_as_written():
    bindings = [{"s": {"type": "bnode", "value": "nodeID://b10000"}, "o": {"type": "literal", "value": "x"}}]
    doc = parse_xml(xml_of(bindings, ("s", "o")))
    assert doc["results"]["bindings"] == bindings


def test_an_ask_answer_is_a_boolean():
    for value in (True, False):
        body = f'<sparql xmlns="{NS}"><head/><boolean>{str(value).lower()}</boolean></sparql>'.encode()
        assert parse_xml(body) == {"head": {"vars": []}, "boolean": value}


@pytest.mark.parametrize("cut", [40, 120, -30])
def test_a_cut_off_answer_is_a_store_error_naming_it(cut):
    body = xml_of([{"s": {"type": "uri", "value": "http://example.org/a"}}] * 3)
    with pytest.raises(StoreError, match="malformed or cut-off XML"):
        parse_xml(body[:cut])
