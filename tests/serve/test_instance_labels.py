"""The labels of a page's records (human.instance_labels) on the real graph: read in as many rows as there
are records, whatever the number of reports a record recurs in, and a claim still named by its line.

The rows matter because every page with records in it pays for them: an indicator of a council with 47
reports has 47 excerpts, and a labels query that asked each record for its excerpt's line sent 47 rows
per indicator (10,368 rows for the 448 records of one year's off-target indicators at 10 M triples)."""

from __future__ import annotations

from outcome_graph.human import instance_labels

OG = "https://w3id.org/outcome-graph/def#"


class Counting:
    """The store, counting the rows of every SELECT it answers."""

    def __init__(self, store):
        self.store, self.rows = store, 0

    def select(self, query, **kw):
        result = self.store.select(query, **kw)
        self.rows += len(result.rows)
        return result


def _recurring(store) -> list[str]:
    """Records with more than one excerpt (read from both reports, or from several lines of one), each
    with one code and one title."""
    rows = store.select(
        f"""SELECT ?s WHERE {{
          ?s <{OG}evidence> ?e1, ?e2 FILTER (STR(?e1) < STR(?e2))
        }}"""
    ).rows
    found = sorted({str(r["s"]) for r in rows})
    single = []
    for s in found:
        codes = store.select(f"SELECT DISTINCT ?c WHERE {{ <{s}> <{OG}code> ?c }}").rows
        titles = store.select(f"SELECT DISTINCT ?t WHERE {{ <{s}> <{OG}title> ?t }}").rows
        if len(codes) == 1 and len(titles) == 1:
            single.append(s)
    return single


def test_a_record_of_several_reports_is_labelled_in_one_row(built_store):
    records = _recurring(built_store)
    assert len(records) >= 5, "the bundled reports share too few records for this test to say anything"
    counting = Counting(built_store)
    names = instance_labels(counting, records)
    assert sorted(names) == records
    # one row per record: before, one per record and excerpt (twice as many here)
    assert counting.rows == len(records), (counting.rows, len(records))
    for s in records:
        code = str(built_store.select(f"SELECT ?c WHERE {{ <{s}> <{OG}code> ?c }}").rows[0]["c"])
        assert names[s].startswith(code), (s, names[s])


def test_a_claim_is_named_by_its_line_and_what_it_is_about(built_store):
    rows = built_store.select(
        f"""SELECT ?s ?line ?about WHERE {{
          ?s a <{OG}Claim> ; <{OG}evidence>/<{OG}firstLine> ?line .
          OPTIONAL {{ ?s <{OG}about> ?about }}
        }}"""
    ).rows
    claims = {str(r["s"]): (int(r["line"]), r.get("about")) for r in rows}
    assert len(claims) >= 20, "the bundled reports' claims are missing"
    names = instance_labels(built_store, list(claims))
    for s, (line, about) in claims.items():
        expected = f"claim on line {line}" + (f": {about}" if about is not None else "")
        assert names[s] == expected, (s, names[s], expected)
    # 2020/21 line 59: 10 young people on the National House Project (validation's example)
    assert any(n.startswith("claim on line 59") for n in names.values())


def test_the_cli_runs_the_text_with_the_parameters_at_its_values_lines(built_store, monkeypatch, capsys):
    """A question that holds its parameters inside a UNION branch or an OPTIONAL (`#@values`, which the
    engine cannot see from outside them) is run with them there by the command line too, as by the server's
    saved-query page: without them the branch reads the nation (implementing-records: 2 s at 10 M)."""
    from outcome_graph.cli import main
    from outcome_graph.store.embedded import EmbeddedStore

    sent: list[str] = []
    select = EmbeddedStore.select

    def recording(self, query, **kw):
        sent.append(str(query))
        return select(self, query, **kw)

    monkeypatch.setattr(EmbeddedStore, "select", recording)
    directory = built_store.path.parent.parent
    params = ["--param", "council=ogr:midlothian", "--param", "report=2020-2021"]
    args = ["query", "implementing-records", *params]
    assert main([*args, "--store", str(directory), "--format", "json"]) == 0, capsys.readouterr().err
    ran = [t for t in sent if "?evidenceLine" in t]
    assert len(ran) == 1
    assert "#@values" not in ran[0]
    # the outer block is added by the store; the branches' and the OPTIONAL's are the query's own
    assert ran[0].count("<https://w3id.org/outcome-graph/id/midlothian>") == 3, ran[0]
