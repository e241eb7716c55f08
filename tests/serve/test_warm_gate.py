"""Pages wait for the start's imports (issue 17): the server imports rdflib's SPARQL engine, networkx and
pySHACL in the background after it answers, and a page that imported one of them at the same time got a
partially initialised module (ImportError: a 500 on the first trace). A page asked meanwhile waits for the
imports and then answers; the SPARQL endpoint's fast path does not wait. Pages wait for what pages import
only: pySHACL, the store's labels and the search index come after, and a page does not wait for them."""

from __future__ import annotations

import threading

from outcome_graph.serve import warmup


def test_a_page_asked_during_the_start_s_imports_waits_for_them(app, monkeypatch):
    assert app.test_client().get("/gaps?format=json").status_code == 200  # loaded: it answers at once
    release = threading.Event()
    monkeypatch.setattr(warmup, "_preload", lambda store: release.wait(30))
    monkeypatch.setattr(warmup, "_PRELOADING", threading.Event())
    monkeypatch.setattr(warmup, "_PRELOADED", threading.Event())
    monkeypatch.setattr(warmup, "_after", lambda store: None)
    warming = warmup.warm(app.extensions["outcome_graph"]["store"])
    answers: list[int] = []
    asker = threading.Thread(
        target=lambda: answers.append(app.test_client().get("/gaps?format=json").status_code)
    )
    asker.start()
    asker.join(1.0)
    assert answers == [], "the page did not wait for the imports"
    sparql = app.test_client().get("/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D")
    assert sparql.status_code == 200, "the SPARQL endpoint waited for the imports"
    release.set()
    asker.join(60)
    warming.join(60)
    assert answers == [200]


def test_a_page_does_not_wait_for_what_only_some_pages_need(app, monkeypatch):
    """pySHACL's import (and the search index) run after the gate has opened: a page asked meanwhile
    answers at once."""
    assert app.test_client().get("/gaps?format=json").status_code == 200
    release = threading.Event()
    monkeypatch.setattr(warmup, "_PRELOADING", threading.Event())
    monkeypatch.setattr(warmup, "_PRELOADED", threading.Event())
    monkeypatch.setattr(warmup, "_after", lambda store: release.wait(30))
    warming = warmup.warm(app.extensions["outcome_graph"]["store"])
    try:
        assert warmup._PRELOADED.wait(30), "the page imports were not done"
        answers: list[int] = []
        asker = threading.Thread(
            target=lambda: answers.append(app.test_client().get("/gaps?format=json").status_code)
        )
        asker.start()
        asker.join(20)
        assert answers == [200], "the page waited for the warm-up's later steps"
        assert warming.is_alive(), "the later steps were still running"
    finally:
        release.set()
        warming.join(60)


def test_the_ontology_tables_are_read_without_rdflib_s_engine():
    """The units and labels every page uses come from the ontology files through Oxigraph (ontology_rows):
    the same tables rdflib's parser and engine gave, read in well under the seconds those took."""
    from rdflib import Graph

    from outcome_graph.labels import LABELS_QUERY, from_ontology, from_rows
    from outcome_graph.paths import ONTOLOGY_DIR
    from outcome_graph.units import UNITS_QUERY, units, units_from_rows

    g = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        g.parse(path, format="turtle")

    def rows(query):
        return [{str(k): v for k, v in r.asdict().items()} for r in g.query(query)]

    assert units() == units_from_rows(rows(UNITS_QUERY)) and "Percent" in units()
    mine, theirs = from_ontology(), from_rows(rows(LABELS_QUERY))
    assert mine.by_iri == theirs.by_iri and len(mine.by_iri) > 100
    assert (mine.by_notation, mine.readings, mine.statuses, mine.plurals) == (
        theirs.by_notation,
        theirs.readings,
        theirs.statuses,
        theirs.plurals,
    )
