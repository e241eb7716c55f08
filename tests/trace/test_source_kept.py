"""How many trace graphs a server keeps depends on how wide they are: a council's every report is
150-300 MB at 10 M triples, so only two such scopes are kept however many councils are asked for, while
the scopes of a report or two (5-15 MB) keep sixteen."""

from __future__ import annotations

from outcome_graph.trace import source


def kept(flight) -> int:
    return len(flight._entries)


def test_wide_scopes_are_kept_two_at_a_time(built_store, monkeypatch):
    source.forget()
    narrow = source.load(built_store, years=["2020-2021"])
    assert (kept(source._GRAPHS), kept(source._WIDE_GRAPHS)) == (1, 0)
    monkeypatch.setattr(source, "WIDE", 0)  # every scope counts as wide: the bundled council has two reports
    for years in (["2020-2021"], ["2016-2017"], ["2016-2017", "2020-2021"]):
        source.load(built_store, years=years)
    assert kept(source._WIDE_GRAPHS) == 2, "the two wide scopes asked for last"
    assert kept(source._GRAPHS) == 1, "the narrow scope is kept where it was"
    assert source.load(built_store, years=["2020-2021"]) is not narrow, "read again as a wide scope"
    source.forget()
