"""The store the README's first command builds (`outcome-graph serve`: the bundled reports, on first run)
keeps each report's validation as `build --store` keeps a folder's (validate/stored.py), so that the first
audit reads it instead of running pySHACL: the same results as the report validated alone, and never a
result made under other rules."""

from __future__ import annotations

import hashlib

import pytest

from outcome_graph.build import build
from outcome_graph.paths import REPORTS_DIR
from outcome_graph.serve.app import create_app
from outcome_graph.store import open_store
from outcome_graph.store.build import ensure_built
from outcome_graph.validate import stored, validate_graph
from outcome_graph.validate.bundled import keep_validation

KEYS = ("severity", "rule", "code", "report", "line", "value", "message", "focus")
REPORTS = {
    "2016-2017": "midlothian-childrens-services-2016-17.txt",
    "2020-2021": "midlothian-cspc-2020-21.txt",
}


def rows(results) -> list[tuple]:
    return sorted(tuple(str(r[k]) for k in KEYS) for r in results)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    directory = tmp_path_factory.mktemp("bundled") / "store"
    db = ensure_built(directory, progress=None, then=keep_validation)  # what `serve` builds on first run
    return directory, db.parent


def test_the_bundled_store_keeps_each_report_s_validation(bundled):
    _directory, generation = bundled
    sources = stored.read_sources(generation)
    assert sorted(sources) == [f"midlothian/report/{y}" for y in sorted(REPORTS)]
    for part, row in sources.items():
        assert (generation / stored.FOLDER / f"{part}.json").is_file()
        assert row["council"] == "midlothian" and part.endswith(row["year"])
        assert row["sha256"] == hashlib.sha256((REPORTS_DIR / REPORTS[row["year"]]).read_bytes()).hexdigest()


@pytest.fixture
def client(bundled):
    store = open_store(bundled[0], progress=None, build_if_missing=False)
    yield create_app(store=store, config={"timeout": 60, "max_rows": 10000, "cache": False}).test_client()
    store.close()


@pytest.mark.parametrize("year", sorted(REPORTS))
def test_the_first_audit_reads_the_kept_result_and_runs_no_validator(client, year, monkeypatch):
    path = REPORTS_DIR / REPORTS[year]
    assert path.is_file(), path
    fresh = validate_graph(build([path]).graph)

    def no_validator(*args, **kwargs):
        raise AssertionError("pySHACL ran: the kept result was not read")

    monkeypatch.setattr("outcome_graph.validate.validate_graph", no_validator)
    audit = client.get(f"/audit?report={year}&validate=1&format=json")
    assert audit.status_code == 200, audit.get_data(as_text=True)[:300]
    body = audit.get_json()
    assert body["validated"] is True and body["warnings"]
    assert rows(body["warnings"]) == rows(r.as_dict() for r in fresh.results if r.report in (None, year))
    # the report's own contradictions, by name: 2016/17 line 189, BS.CS.26 88% against 88% "Off Target"
    if year == "2016-2017":
        assert any(w["line"] == 189 and (w["code"] or "").startswith("BS.CS.26") for w in body["warnings"])


def test_a_result_kept_under_other_rules_is_not_served(bundled, monkeypatch):
    """The key covers the rules (shapes, vocabulary, curated data, code): changed, the report is validated
    again rather than shown an old result."""
    from outcome_graph.serve.validation import kept_result

    report = "https://w3id.org/outcome-graph/id/midlothian/report/2020-2021"
    store = open_store(bundled[0], progress=None, build_if_missing=False)
    try:
        kept = kept_result(store, report)
        assert kept is not None and kept.warnings > 0
        monkeypatch.setattr(stored, "rules_fingerprint", lambda: "other rules")
        assert kept_result(store, report) is None
    finally:
        store.close()
