"""Pages wait for the start's imports (issue 17): the server imports rdflib's SPARQL engine, networkx and
pySHACL in the background after it answers, and a page that imported one of them at the same time got a
partially initialised module (ImportError: a 500 on the first trace). A page asked meanwhile waits for the
imports and then answers; the SPARQL endpoint's fast path does not wait."""

from __future__ import annotations

import threading

from outcome_graph.query_layer import search_index


def test_a_page_asked_during_the_start_s_imports_waits_for_them(app, monkeypatch):
    assert app.test_client().get("/gaps?format=json").status_code == 200  # loaded: it answers at once
    release = threading.Event()
    monkeypatch.setattr(search_index, "_preload", lambda store: release.wait(30))
    monkeypatch.setattr(search_index, "_PRELOADING", threading.Event())
    monkeypatch.setattr(search_index, "_PRELOADED", threading.Event())
    monkeypatch.setattr(search_index, "search_index", lambda store: None)
    warming = search_index.warm(app.extensions["outcome_graph"]["store"])
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
