"""The audit reads every chart's figures by one query (prefetch_figures); that query is only a saving. A
server that refuses it (Virtuoso's cost estimate did, on a scratch server) or a time limit it passes must
not cost the page: each chart then reads its own figures, and the audit is the same."""

from __future__ import annotations

import re

from outcome_graph.serve.app import create_app
from outcome_graph.store.protocol import QueryTimeout
from outcome_graph.trace import audit_view

AUDIT = "/audit?report=2020-2021&validate=0"


class RefusesTheJointRead:
    """The store, but the one query for many indicators' figures is past its time limit."""

    def __init__(self, store):
        self._store, self.refused = store, 0

    def __getattr__(self, name):
        return getattr(self._store, name)

    def select(self, query, *args, **kwargs):
        if "SELECT ?indicator ?observation" in query:
            self.refused += 1
            raise QueryTimeout("the query ran past the time limit")
        return self._store.select(query, *args, **kwargs)


def charts(html: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", html, re.S)


def test_the_audit_is_the_same_when_the_joint_figures_read_is_refused(built_store):
    config = {"timeout": 60, "max_rows": 10000, "cache": False}
    audit_view._FIGURES.clear()
    expected = create_app(store=built_store, config=config).test_client().get(AUDIT)
    assert expected.status_code == 200
    audit_view._FIGURES.clear()
    refusing = RefusesTheJointRead(built_store)
    got = create_app(store=refusing, config=config).test_client().get(AUDIT)
    assert refusing.refused == 1, "the joint read was asked, and refused"
    assert got.status_code == 200, got.get_data(as_text=True)[-500:]
    assert len(charts(expected.get_data(as_text=True))) > 5
    assert charts(got.get_data(as_text=True)) == charts(expected.get_data(as_text=True))
