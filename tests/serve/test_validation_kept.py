"""Each report's validation is kept beside the store when the report is built or added (validate/stored.py),
and the pages and `outcome-graph validate --store` read it instead of running pySHACL: the same conclusions
as a fresh validation of the report alone, a council's the sum of its reports', and never a stale result
once `add` has replaced a report. Built the user's way: report files -> `outcome-graph build --store` (the
bundled Midlothian reports, and the 2020/21 report re-keyed as Fife's 2019/20)."""

from __future__ import annotations

import json
import re
import shutil
import sys
import time

import pytest
from conftest import validated

from outcome_graph.build import build
from outcome_graph.cli import main
from outcome_graph.paths import REPORTS_DIR, ROOT
from outcome_graph.serve.app import create_app
from outcome_graph.store import open_store
from outcome_graph.store.build import current_generation
from outcome_graph.validate import stored, validate_graph

sys.path.insert(0, str(ROOT / "benchmarks"))
from report_files import two_councils  # noqa: E402 - a sibling script, not a package

R20 = REPORTS_DIR / "midlothian-cspc-2020-21.txt"
OGR = "https://w3id.org/outcome-graph/id/"
KEYS = ("severity", "rule", "code", "report", "line", "value", "message", "focus")


def rows(results) -> list[tuple]:
    return sorted(tuple(str(r[k]) for k in KEYS) for r in results)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kept-files")
    two_councils(folder)
    return folder


@pytest.fixture(scope="module")
def alone(files):
    """Each report validated alone, the fresh way (no store)."""
    return {name: validate_graph(build([files / f"{name}.txt"]).graph) for name in ("a", "b", "c")}


@pytest.fixture(scope="module")
def store_dir(files, tmp_path_factory):
    directory = tmp_path_factory.mktemp("kept-store") / "store"
    assert main(["build", str(files), "--store", str(directory), "--jobs", "1"]) == 0
    return directory


def _client(directory):
    store = open_store(directory, progress=None, build_if_missing=False)
    app = create_app(store=store, config={"timeout": 60, "max_rows": 10000, "cache": False})
    return store, app.test_client()


def _no_shacl(monkeypatch):
    import outcome_graph.validate as validate

    def refuse(*args, **kwargs):
        raise AssertionError("pySHACL ran: the kept result was not read")

    monkeypatch.setattr(validate, "validate_graph", refuse)


def test_the_build_keeps_each_report_s_result_under_its_named_graph(store_dir):
    generation = current_generation(store_dir)
    kept = sorted(
        str(p.relative_to(generation / "VALIDATION")) for p in (generation / "VALIDATION").rglob("*.json")
    )
    assert kept == [
        "fife/report/2019-2020.json",
        "midlothian/report/2016-2017.json",
        "midlothian/report/2020-2021.json",
    ]


@pytest.mark.parametrize(
    "council, year, name", [("fife", "2019-2020", "c"), ("midlothian", "2016-2017", "a")]
)
def test_a_report_s_page_is_its_kept_result_and_that_is_a_fresh_validation_s(
    store_dir, alone, council, year, name, monkeypatch
):
    _no_shacl(monkeypatch)
    store, client = _client(store_dir)
    try:
        got = client.get(f"/validation?council={council}&report={year}&format=json")
        assert got.status_code == 200, got.get_data(as_text=True)[:300]
        body = got.get_json()
        assert rows(body["results"]) == rows(r.as_dict() for r in alone[name].results)
        assert (body["violations"], body["warnings"]) == (alone[name].violations, alone[name].warnings)
        assert body["warnings"] > 0, "the real reports' own contradictions are found"
        ttl = client.get(f"/validation?council={council}&report={year}&format=ttl").get_data(as_text=True)
        assert ttl.count("sh:resultMessage") >= len(body["results"]) > 0
    finally:
        store.close()


def test_a_council_s_page_is_the_sum_of_its_reports_and_agrees_with_them_together(
    store_dir, files, monkeypatch
):
    _no_shacl(monkeypatch)
    store, client = _client(store_dir)
    try:
        body = client.get("/validation?council=midlothian&format=json").get_json()
    finally:
        store.close()
    monkeypatch.undo()
    together = validate_graph(build([files / "a.txt", files / "b.txt"]).graph)
    # the council-level notes each report alone gives ("none of its formulas names feeder rows of this
    # graph": 2016/17 has no feeder rows, 2020/21 has) are kept only when every report gives them
    assert rows(body["results"]) == rows(r.as_dict() for r in together.results)
    assert "/fife/" not in json.dumps(body)


def test_a_kept_result_is_for_its_rules_too(store_dir, monkeypatch):
    """Changed shapes, curated data or code give another key: the kept result is not read."""
    generation = current_generation(store_dir)
    row = json.loads((generation / "REPORTS.json").read_text())["reports"]["fife/report/2019-2020"]
    key = stored.result_key(row["sha256"], row["council"], row["service"], row["year"])
    assert stored.read(generation, "fife/report/2019-2020", key) is not None
    monkeypatch.setattr(stored, "rules_fingerprint", lambda: "shapes changed")
    other = stored.result_key(row["sha256"], row["council"], row["service"], row["year"])
    assert other != key and stored.read(generation, "fife/report/2019-2020", other) is None


def test_validate_store_reads_the_kept_results_with_a_line_per_report(store_dir, files, alone, capsys):
    assert main(["validate", "--store", str(store_dir), "--format", "json"]) == 0
    out = capsys.readouterr()
    assert "3 of 3 report(s) kept as validated; validating 0" in out.err
    body = json.loads(out.out)
    # the nation's result is each council's: Midlothian's two reports as together, Fife's one alone
    together = validate_graph(build([files / "a.txt", files / "b.txt"]).graph)
    expected = rows(r.as_dict() for r in [*together.results, *alone["c"].results])
    assert rows(body["results"]) == expected
    assert body["warnings"] == together.warnings + alone["c"].warnings


def test_after_add_replaces_a_report_its_old_result_is_never_served(store_dir, files, tmp_path, capsys):
    """Fife's 2019/20 report replaced by a corrected text (line 245: the year's count of complaints closed,
    22, made the sum of its quarters, 20) without validating it (`add --no-validate`): the old result is
    carried into the new generation but its key is the old report's, so the page validates the new
    report; `validate --store` then validates it (a progress line for it) and keeps its result."""
    directory = tmp_path / "store"
    shutil.copytree(store_dir, directory, symlinks=True)
    lines = (files / "c.txt").read_text(encoding="utf-8").split("\n")
    assert lines[244].startswith("Number of complaints closed in the year\t42\t1\t7\t6\t6\t22\t")
    lines[244] = lines[244].replace("\t6\t22\t", "\t6\t20\t")
    new = tmp_path / "new" / "fife.txt"
    new.parent.mkdir()
    new.write_text("\n".join(lines), encoding="utf-8")
    fresh = validate_graph(build([new]).graph)
    old = json.loads((current_generation(directory) / "VALIDATION/fife/report/2019-2020.json").read_text())
    assert rows(old["results"]) != rows(r.as_dict() for r in fresh.results), (
        "the replacement changes the findings"
    )
    assert main(["add", str(new), "--store", str(directory), "--no-validate"]) == 0
    generation = current_generation(directory)
    assert (generation / "VALIDATION/fife/report/2019-2020.json").is_file(), (
        "carried over, keyed on the old text"
    )
    store, client = _client(directory)
    try:
        body = client.get("/validation?council=fife&report=2019-2020&format=json").get_json()
    finally:
        store.close()
    assert rows(body["results"]) == rows(r.as_dict() for r in fresh.results)
    assert not [r for r in body["results"] if r["line"] == 245], "the corrected line's warning is gone"
    capsys.readouterr()
    main(["validate", "--store", str(directory), "--council", "fife", "--format", "json", "--jobs", "1"])
    out = capsys.readouterr()
    assert "0 of 1 report(s) kept as validated; validating 1" in out.err
    assert "[1/1] fife 2019-2020:" in out.err
    assert rows(json.loads(out.out)["results"]) == rows(r.as_dict() for r in fresh.results)
    assert main(["validate", "--store", str(directory), "--council", "fife"]) in (0, 1)
    assert "1 of 1 report(s) kept as validated" in capsys.readouterr().err


def test_the_key_s_code_is_all_the_code_a_report_s_validation_runs():
    """The kept results are keyed on the code outside the serving packages (validate.stored.SERVING), so a
    change to a page keeps them; that holds only while reading, building and validating a report loads
    none of them. Run in a fresh interpreter: what it has imported once the report is validated."""
    import subprocess

    script = (
        "import sys\n"
        "from outcome_graph.build import build_from_extractions\n"
        "from outcome_graph.extract import extract_report\n"
        "from outcome_graph.validate import validate_graph\n"
        f"validate_graph(build_from_extractions([extract_report({str(R20)!r})]).graph)\n"
        "print(sorted(m for m in sys.modules if m.startswith('outcome_graph.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    loaded = eval(out)  # noqa: S307 - a list printed by the script above
    assert "outcome_graph.validate.engine" in loaded and "outcome_graph.build" in loaded
    assert [m for m in loaded if m.split(".")[1] in stored.SERVING] == []


def test_a_report_without_a_kept_result_is_read_with_the_app_s_time_limit(store_dir, monkeypatch):
    """Where no result is kept, /validation reads the report's graph with the app's time limit (the one
    every page's reads have), not the store's own default."""
    from outcome_graph.query_layer import Flight, ScopeError
    from outcome_graph.serve import validation

    seen: list = []

    def read(store, scope, timeout=None):
        seen.append((scope.reports, timeout))
        raise ScopeError("stopped here", 503)

    monkeypatch.setattr(validation, "kept_result", lambda store, report: None)
    monkeypatch.setattr(validation, "scope_graph", read)
    monkeypatch.setattr(validation, "_SUMMARIES", Flight(size=2))
    monkeypatch.setattr(validation, "_REPORTS", Flight(size=2))
    store = open_store(store_dir, progress=None, build_if_missing=False)
    try:
        app = create_app(store=store, config={"timeout": 37, "max_rows": 10000, "cache": False})
        got = app.test_client().get("/validation?council=fife&report=2019-2020&format=json")
    finally:
        store.close()
    assert got.status_code >= 400
    assert seen == [((f"{OGR}fife/report/2019-2020",), 37)]


def test_a_national_run_says_the_time_left_and_keeps_each_result_as_it_is_made(store_dir, tmp_path, capsys):
    """Nothing kept (a store built before results were kept, or the rules changed): each report's line
    says n of N and the time left, and each result is kept when it is made, so a run stopped by a report
    that cannot be read keeps the reports done before it, says so, and the next run starts from there."""
    directory = tmp_path / "store"
    shutil.copytree(store_dir, directory, symlinks=True)
    generation = current_generation(directory)
    shutil.rmtree(generation / "VALIDATION")
    texts = sorted((generation / "reports").iterdir())
    last = "midlothian-childrens-services-partnership-and-communities-2020-21.txt"
    assert texts[-1].name == last
    saved = texts[-1].read_bytes()
    texts[-1].unlink()  # the last of the run (by file name) cannot be read
    assert main(["validate", "--store", str(directory), "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert "0 of 3 report(s) kept as validated; validating 3" in err
    assert re.search(
        r"^\[1/3\] fife 2019-2020: \d+ violation\(s\), \d+ warning\(s\); .+ so far, about .+ left$", err, re.M
    )
    assert re.search(r"^\[2/3\] midlothian 2016-2017: .+ so far, about .+ left$", err, re.M)
    assert last in err and "the 2 report(s) validated before it are kept" in err
    kept = sorted(
        str(p.relative_to(generation / "VALIDATION")) for p in (generation / "VALIDATION").rglob("*.json")
    )
    assert kept == ["fife/report/2019-2020.json", "midlothian/report/2016-2017.json"]
    texts[-1].write_bytes(saved)
    assert main(["validate", "--store", str(directory), "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "2 of 3 report(s) kept as validated; validating 1" in err
    assert re.search(r"^\[1/1\] midlothian 2020-2021: .+; .+ in all$", err, re.M)


def test_a_council_s_page_runs_no_validation_in_the_request_and_the_background_fills_it_in(
    store_dir, files, alone, tmp_path, monkeypatch
):
    """A store whose results are not kept: the council's page never runs pySHACL in the request. It answers
    at once with what is known and hands the other reports to a background job (one report at a time, in
    another thread); a download is all of the council's results or a 503 naming what is missing; a later
    request shows what the background validated without validating anything itself; once every report is
    validated the page is the whole council's, as validated together."""
    import threading

    import outcome_graph.validate as validate
    from outcome_graph.serve import validation, validation_jobs

    # a copy has the same generation, so the other tests' validations in this process would be reused
    validation._REPORTS.clear()
    validation._SUMMARIES.clear()
    validation_jobs.forget()
    directory = tmp_path / "store"
    shutil.copytree(store_dir, directory, symlinks=True)
    shutil.rmtree(current_generation(directory) / "VALIDATION")
    calls: list[str] = []  # the thread each validation ran in
    real = validate.validate_graph
    hold = threading.Event()  # the background's validations wait for it: the requests below see them pending

    def counted(graph, *args, **kwargs):
        calls.append(threading.current_thread().name)
        assert hold.wait(120)
        return real(graph, *args, **kwargs)

    monkeypatch.setattr(validate, "validate_graph", counted)
    command = "outcome-graph validate --store STORE --council midlothian"
    store, client = _client(directory)
    try:
        got = client.get("/validation?council=midlothian&format=csv")
        assert got.status_code == 503 and int(got.headers["Retry-After"]) > 0
        text = got.get_data(as_text=True)
        assert "2 report(s) not validated yet (2016-2017, 2020-2021)" in text and command in text
        assert "being validated in the background" in text
        body = client.get("/validation?council=midlothian&format=json").get_json()
        assert (body["complete"], body["reports"], body["not_validated"], body["validating"]) == (
            False,
            [],
            ["2016-2017", "2020-2021"],
            True,
        )
        assert body["results"] == [] and body["command"] == command
        html = client.get("/validation?council=midlothian").get_data(as_text=True)
        assert "0 of 2 reports validated." in html and "Not validated yet: 2016/17, 2020/21" in html
        assert "being validated in the background" in html and "format=csv" not in html
        deadline = time.monotonic() + 30
        while not calls:  # the job has started on the first report, in a thread of its own
            assert time.monotonic() < deadline
            time.sleep(0.05)
        hold.set()
        body = validated(client, "/validation?council=midlothian&format=json")
        assert calls == ["validation", "validation"], "one job, one report at a time, none in a request"
        assert body["reports"] == ["2016-2017", "2020-2021"] and body["not_validated"] == []
        monkeypatch.undo()
        together = validate_graph(build([files / "a.txt", files / "b.txt"]).graph)
        assert rows(body["results"]) == rows(r.as_dict() for r in together.results)
        assert client.get("/validation?council=midlothian&format=csv").status_code == 200
        assert len(calls) == 2, "the reports validated by the background are not validated again"
    finally:
        store.close()

    # a fresh server (a new process: nothing validated in its memory) on the same store, where one report
    # was validated (a report's own page validates it in its request, as the audit does): the council's
    # page at once with that one, the other being validated
    validation._REPORTS.clear()
    validation._SUMMARIES.clear()
    validation_jobs.forget()
    calls.clear()
    hold.clear()
    monkeypatch.setattr(validate, "validate_graph", counted)
    directory2 = tmp_path / "store2"
    shutil.copytree(directory, directory2, symlinks=True)
    store, client = _client(directory2)
    try:
        threading.Timer(0.5, hold.set).start()  # the report's own page waits for its own validation
        one = client.get("/validation?council=midlothian&report=2016-2017&format=json").get_json()
        assert one["complete"] and calls == [threading.current_thread().name]
        hold.clear()
        body = client.get("/validation?council=midlothian&format=json").get_json()
        assert (body["complete"], body["reports"], body["not_validated"]) == (
            False,
            ["2016-2017"],
            ["2020-2021"],
        )
        assert rows(body["results"]) == rows(r.as_dict() for r in alone["a"].results)
        html = client.get("/validation?council=midlothian").get_data(as_text=True)
        assert "1 of 2 reports validated." in html and "Not validated yet: 2020/21" in html
        assert "<code>outcome-graph validate --store STORE --council midlothian</code>" in html
        assert str(directory2) not in html  # no answer names the store's files (serve/app.py)
    finally:
        hold.set()
        store.close()


def test_a_report_the_background_cannot_validate_is_named_and_tried_again_at_the_next_request(
    store_dir, tmp_path, monkeypatch
):
    """A report whose graph cannot be read is listed as not validated with what went wrong (never shown as
    validated, never stopping the job's other reports), and the next request queues it again."""
    from outcome_graph.errors import OutcomeGraphError
    from outcome_graph.serve import validation, validation_jobs

    validation._REPORTS.clear()
    validation._SUMMARIES.clear()
    validation_jobs.forget()
    directory = tmp_path / "store"
    shutil.copytree(store_dir, directory, symlinks=True)
    shutil.rmtree(current_generation(directory) / "VALIDATION")
    real = validation.scope_graph

    def broken(store, scope, timeout=None):
        if scope.years == ("2016-2017",):
            raise OutcomeGraphError("the report's graph could not be read (a test's break)")
        return real(store, scope, timeout)

    monkeypatch.setattr(validation, "scope_graph", broken)
    store, client = _client(directory)
    try:
        url = "/validation?council=midlothian&format=json"
        deadline = time.monotonic() + 120
        while not (body := client.get(url).get_json())["failed"]:
            assert time.monotonic() < deadline, "the failure was never reported"
            time.sleep(0.2)
        assert body["failed"] == [
            {"report": "2016-2017", "message": "the report's graph could not be read (a test's break)"}
        ]
        while (body := client.get(url).get_json())["reports"] != ["2020-2021"]:  # the other, validated
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert body["not_validated"] == ["2016-2017"] and not body["complete"]
        html = client.get("/validation?council=midlothian").get_data(as_text=True)
        assert "Could not be validated just now" in html and "a test&#39;s break" in html
        assert client.get(url).get_json()["failed"], "not queued again by every request"
        monkeypatch.setattr(validation, "scope_graph", real)  # mended, and the retry's time has come
        monkeypatch.setattr(validation_jobs, "RETRY", 0.0)
        body = validated(client, url)
        assert body["reports"] == ["2016-2017", "2020-2021"] and body["failed"] == []
    finally:
        store.close()
