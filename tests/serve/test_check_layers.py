"""Each layer of the query check holds on its own (issue 20): run with the others switched off, over the
whole outbound corpus, every entry is still refused, and with the message that names its reason.

Layers: the keyword layer (SERVICE or LOAD as a keyword token, at any depth), the belt (SERVICE or LOAD
as a word anywhere in the canonical text outside strings and IRIs), the dataset check (FROM and FROM
NAMED name only the store's graphs), and the rest of the check (nothing but SPARQL; no engine
procedure). Each entry of `data/outbound_corpus.json` that must be refused says why (`reason`), and
the message for each reason is fixed here. A planted bug that weakens one layer (SERVICE refused only at
brace depth <= 1; the belt removed; `\\U` escapes left undecoded) fails these tests even though the
other layers would still refuse the query.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from outcome_graph.sparql import Refused, check_dataset
from outcome_graph.sparql import check as check_module

CORPUS = json.loads((Path(__file__).parent / "data" / "outbound_corpus.json").read_text())
REFUSED = [e for e in CORPUS if e["expect"] == "refused"]
SAYS = {
    "service": "SERVICE is refused: this server never sends a request to another endpoint",
    "load": "LOAD is refused: this server never fetches a document",
    "procedure": "an IRI in the bif: or sql: scheme names a database procedure",
    "undeclared-prefix": "is not declared: add PREFIX",
    "not-sparql": "SPARQL syntax error at line",
    "lexical": "SPARQL syntax error at line",
    "dataset": "which is not a graph in this store",
}
UPDATE = "this endpoint is read-only: SPARQL updates"
URL = "http://127.0.0.1:9/sparql"


def fill(query: str) -> str:
    return (
        query.replace("{URL}", URL)
        .replace("{BASE}", "http://127.0.0.1:9/")
        .replace("{HOSTPORT}", "127.0.0.1:9")
    )


def refusal(query: str, graphs: set[str] = frozenset()) -> str | None:  # type: ignore[assignment]
    """The message the check (and the dataset check, as /sparql runs it) refuses `query` with, or None."""
    try:
        info = check_module._check(query)
        check_dataset(info.default_graphs + info.named_graphs, set(graphs))
    except Refused as e:
        return e.message
    return None


def test_every_refused_entry_says_why():
    assert {e.get("reason") for e in REFUSED} <= set(SAYS) | {"engine"}
    assert sum(e["reason"] == "service" for e in REFUSED) > 50


@pytest.mark.parametrize("entry", [e for e in REFUSED if e["reason"] in SAYS], ids=lambda e: e["name"])
def test_all_layers_refuse_each_entry_for_its_reason(entry):
    message = refusal(fill(entry["query"]))
    assert message is not None and SAYS[entry["reason"]] in message, message


OUTBOUND = [e for e in REFUSED if e["reason"] in ("service", "load")]


@pytest.mark.parametrize("entry", OUTBOUND, ids=lambda e: e["name"])
def test_the_keyword_layer_alone_refuses_every_outbound_entry(entry, monkeypatch):
    monkeypatch.setattr(check_module, "belt", lambda text: None)
    message = refusal(fill(entry["query"]))
    assert message is not None and SAYS[entry["reason"]] in message, message


@pytest.mark.parametrize("entry", OUTBOUND, ids=lambda e: e["name"])
def test_the_belt_alone_refuses_every_outbound_entry(entry, monkeypatch):
    monkeypatch.setattr(check_module, "refuse_outbound_words", lambda toks: None)
    message = refusal(fill(entry["query"]))
    assert message is not None, entry["query"]
    # an update is refused as one before the belt reads it: that names its reason too
    assert SAYS[entry["reason"]] in message or message.startswith(UPDATE), message


def test_the_keyword_layer_reads_service_at_every_depth(monkeypatch):
    monkeypatch.setattr(check_module, "belt", lambda text: None)
    for depth in range(1, 12):
        query = "SELECT * WHERE " + "{ " * depth + f"SERVICE <{URL}> {{ ?s ?p ?o }}" + " }" * depth
        message = refusal(query)
        assert message is not None and SAYS["service"] in message, depth


def test_the_belt_reads_service_at_every_depth_and_in_every_case(monkeypatch):
    monkeypatch.setattr(check_module, "refuse_outbound_words", lambda toks: None)
    for depth in range(1, 12):
        for word in ("SERVICE", "service", "SeRvIcE", "\\u0053ERVICE", "\\U00000053ERVICE"):
            query = "SELECT * WHERE " + "{ " * depth + f"{word} <{URL}> {{ ?s ?p ?o }}" + " }" * depth
            message = refusal(query)
            assert message is not None and SAYS["service"] in message, (depth, word)


@pytest.mark.parametrize("entry", [e for e in REFUSED if e["reason"] == "dataset"], ids=lambda e: e["name"])
def test_the_dataset_layer_alone_refuses_every_foreign_graph(entry, monkeypatch):
    """With the keyword layer and the belt off, FROM / FROM NAMED of a graph not in the store is refused
    by the dataset check alone, which is handed the graphs the check read."""
    monkeypatch.setattr(check_module, "belt", lambda text: None)
    monkeypatch.setattr(check_module, "refuse_outbound_words", lambda toks: None)
    info = check_module._check(fill(entry["query"]))
    assert info.has_dataset and URL in info.default_graphs + info.named_graphs
    with pytest.raises(Refused, match="which is not a graph in this store"):
        check_dataset(info.default_graphs + info.named_graphs, {"urn:x:local"})


def test_the_codepoint_escapes_are_decoded_in_every_form():
    """`\\u` and `\\U` (upper and lower hex) spell SERVICE as well as the letters do; a decoder that
    skipped `\\U` would leave a backslash the lexer refuses for another reason."""
    for spelled in ("\\u0053ERVICE", "\\U00000053ERVICE", "\\U00000073ervice", "S\\u0045RVIC\\U00000045"):
        message = refusal(f"SELECT * WHERE {{ {spelled} <{URL}> {{ ?s ?p ?o }} }}")
        assert message is not None and SAYS["service"] in message, (spelled, message)


# ---- valid forms of each obfuscation are read, with the right meaning ------------------------------

OG = "https://w3id.org/outcome-graph/def#"


def answer(client, query: str) -> dict:
    response = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def count(client, query: str) -> int:
    return int(answer(client, query)["results"]["bindings"][0]["n"]["value"])


def test_codepoint_escapes_in_strings_come_through_as_their_characters(client):
    rows = answer(client, 'SELECT ?x ?y WHERE { BIND("\\U0001F600" AS ?x) BIND("caf\\u00E9" AS ?y) }')
    row = rows["results"]["bindings"][0]
    assert (row["x"]["value"], row["y"]["value"]) == ("\U0001f600", "café")


def test_keyword_like_prefixes_escapes_and_glued_tokens_mean_what_they_say(client):
    """The same question written plainly and obfuscated every valid way gives the same count, and that
    count is the store's (risks of the two reports, each with a score)."""
    plain = f"SELECT (COUNT(?r) AS ?n) WHERE {{ ?r a <{OG}Risk> ; <{OG}score> ?s }}"
    expected = count(client, plain)
    assert expected > 0
    count_risks = "SELECT (COUNT(?r) AS ?n) WHERE"
    variants = [
        f"PREFIX SERVICEx: <{OG}> {count_risks} {{ ?r a SERVICEx:Risk ; SERVICEx:score ?s }}",
        f"PREFIX FROMx: <{OG}> PREFIX LOADx: <{OG}> "
        "SELECT(COUNT(?r)AS?n)WHERE{?r a FROMx:Risk;LOADx:score?s}",
        f"PREFIX r\\u0065: <{OG}> S\\u0045LECT (COUNT(?r) AS ?n) WHERE {{ ?r a re:Risk ; re:score ?s }}",
        f"{count_risks} {{ ?r a <{OG}\\u0052isk> ; "
        "<\\U00000068ttps://w3id.org/outcome-graph/def#sc\\u006Fre> ?s }",
        f"BASE <{OG}> SELECT (COUNT(?r) AS ?n) WHERE {{ ?r a <#Risk> ; <#score> ?s }}",
        f"PREFIX p: <{OG}> SELECT (COUNT(?r) AS ?n) # c\rWHERE {{ ?r a p:Risk ;\tp:score ?s }}",
        f"PREFIX SERVICE: <{OG}> SELECT (COUNT(?r) AS ?n) WHERE {{ ?r a SERVICE:Risk ; SERVICE:score ?s }}",
    ]
    for query in variants:
        assert count(client, query) == expected, query
