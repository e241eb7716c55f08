"""The search index is written with a store built from report files and kept in step by `add`: an `add`
updates the previous index for the councils it rebuilt, and what it gives is, table by table, the index a
whole build of the new store gives (query_layer/search_kept.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from test_reports import R20, fife, renamed_copies

from outcome_graph.cli import main
from outcome_graph.query_layer import search_index as si
from outcome_graph.query_layer.search_kept import _open
from outcome_graph.store.build import current_generation

ACTION_TITLE = "Evidence further implementation of the Safe & Together model across children's services"


def tables(path: Path) -> dict[str, list[tuple]]:
    """The index's rows with each record named by its IRI (row ids depend on the order rows came in)."""
    db = sqlite3.connect(path)
    try:
        return {
            "records": sorted(db.execute("SELECT iri, kind, code, title, council FROM records")),
            "names": sorted(
                db.execute("SELECT r.iri, n.code, n.text FROM names n JOIN records r ON r.id = n.record")
            ),
            "reports": sorted(
                db.execute(
                    "SELECT r.iri, p.report, p.period FROM reports p JOIN records r ON r.id = p.record"
                )
            ),
        }
    finally:
        db.close()


def whole_index(generation: Path, tmp_path: Path) -> dict[str, list[tuple]]:
    path = tmp_path / f"whole-{generation.name}.sqlite"
    with _open(generation) as store:
        si.build(store, str(path))
    return tables(path)


def titles(generation: Path, code: str, council: str = "midlothian") -> list[str]:
    rows = tables(generation / si.FILE)["records"]
    return [t for (_iri, _kind, c, t, of) in rows if c == code and of == council]


def test_build_writes_the_index_and_add_keeps_it_equal_to_a_whole_build(tmp_path, capsys):
    store = tmp_path / "store"
    assert (
        main(["build", *map(str, renamed_copies(tmp_path / "in")), "--store", str(store), "--no-validate"])
        == 0
    )
    first = current_generation(store)
    assert (first / si.FILE).is_file() and si._current(first / si.FILE)  # no first search builds it
    assert "search index written" in capsys.readouterr().err
    built = tables(first / si.FILE)
    assert built == whole_index(first, tmp_path)
    assert titles(first, "CSPC.P.2.1") == [ACTION_TITLE]

    # a new council's report, then a changed title in one of Midlothian's (line 269)
    assert main(["add", str(fife(tmp_path / "in")), "--store", str(store), "--no-validate"]) == 0
    second = current_generation(store)
    assert "search index updated for fife" in capsys.readouterr().err
    kept = tables(second / si.FILE)
    assert kept == whole_index(second, tmp_path)
    assert {r for r in kept["records"] if r[4] == "midlothian"} == {
        r for r in built["records"] if r[4] == "midlothian"
    }
    assert any(r[4] == "fife" for r in kept["records"]) and not any(r[4] == "fife" for r in built["records"])

    changed = tmp_path / "retitled.txt"
    text = R20.read_text(encoding="utf-8")
    assert text.count(ACTION_TITLE) == 2  # the action (line 269) and the summary that lists it (line 135)
    changed.write_text(
        text.replace(ACTION_TITLE, "Embed the Safe and Together model in every team"), encoding="utf-8"
    )
    assert main(["add", str(changed), "--store", str(store), "--no-validate"]) == 0
    third = current_generation(store)
    assert tables(third / si.FILE) == whole_index(third, tmp_path)
    assert titles(third, "CSPC.P.2.1") == ["Embed the Safe and Together model in every team"]
    assert titles(third, "CSPC.P.2.1", "fife") == [ACTION_TITLE]  # Fife's copy of the report is not changed
    # the other council's records are the previous index's, untouched
    fife_rows = [r for r in tables(third / si.FILE)["records"] if r[4] == "fife"]
    assert fife_rows == [r for r in kept["records"] if r[4] == "fife"]


def test_an_add_to_a_store_without_an_index_writes_a_whole_one(tmp_path, capsys):
    store = tmp_path / "store"
    assert (
        main(["build", *map(str, renamed_copies(tmp_path / "in")), "--store", str(store), "--no-validate"])
        == 0
    )
    (current_generation(store) / si.FILE).unlink()  # a store built before the index was written with it
    assert main(["add", str(fife(tmp_path / "in")), "--store", str(store), "--no-validate"]) == 0
    generation = current_generation(store)
    assert tables(generation / si.FILE) == whole_index(generation, tmp_path)


def test_the_index_is_in_a_generation_before_it_becomes_current(tmp_path, monkeypatch):
    """`build --store` and `add` write the index into the new generation's directory before the swap
    that makes it current, so a `serve` started at that moment never finds a generation without one (and
    builds its own copy). Observed at the swap itself: install is wrapped, not replaced."""
    from outcome_graph.store import build as store_build

    seen: list[bool] = []
    install = store_build.install

    def watched(directory, building, *args, **kwargs):
        seen.append((Path(building) / si.FILE).is_file())
        return install(directory, building, *args, **kwargs)

    monkeypatch.setattr(store_build, "install", watched)
    store = tmp_path / "store"
    copies = [str(p) for p in renamed_copies(tmp_path / "in")]
    assert main(["build", *copies, "--store", str(store), "--no-validate"]) == 0
    assert main(["add", str(fife(tmp_path / "in")), "--store", str(store), "--no-validate"]) == 0
    assert seen == [True, True]


def test_a_corrected_report_reads_only_its_own_graph_again_and_the_index_equals_a_whole_build(
    tmp_path, capsys
):
    """A report corrected in place (its council's shared graph and the national one unchanged): the
    index reads again only that report's records, from its graph alone, not the nation's records
    (at 10 M triples 12-18 s, BENCHMARKS.md "add2"), and is still, table by table, a whole build's.
    Both changes reach the index: an action's title (line 269) and a figure (line 450)."""
    store = tmp_path / "store"
    copies = renamed_copies(tmp_path / "in")
    assert (
        main(["build", *map(str, [*copies, fife(tmp_path / "in")]), "--store", str(store), "--no-validate"])
        == 0
    )
    before = tables(current_generation(store) / si.FILE)
    text = R20.read_text(encoding="utf-8")
    assert text.count("£3,225 .80") == 1
    changed = tmp_path / "corrected.txt"
    retitled = "Embed the Safe and Together model in every team"
    changed.write_text(
        text.replace(ACTION_TITLE, retitled).replace("£3,225 .80", "£3,300 .00"), encoding="utf-8"
    )
    capsys.readouterr()
    assert main(["add", str(changed), "--store", str(store), "--no-validate"]) == 0
    err = capsys.readouterr().err
    assert "replaced 1 named graph(s) (midlothian/report/2020-2021)" in err
    assert "search index updated for midlothian/report/2020-2021 in" in err
    generation = current_generation(store)
    after = tables(generation / si.FILE)
    assert after == whole_index(generation, tmp_path)
    assert titles(generation, "CSPC.P.2.1") == [retitled]
    # every record outside the report kept its rows (read again from nowhere)
    outside = [r for r in after["records"] if "/midlothian/report/2020-2021/" not in r[0]]
    assert outside == [r for r in before["records"] if "/midlothian/report/2020-2021/" not in r[0]]

    # the same report again: nothing replaced, nothing read, the same index
    assert main(["add", str(changed), "--store", str(store), "--no-validate"]) == 0
    assert "search index updated for nothing in" in capsys.readouterr().err
    assert tables(current_generation(store) / si.FILE) == after
