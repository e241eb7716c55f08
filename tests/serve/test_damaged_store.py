"""A damaged store (issue 8 part 4): rebuilt from the reports, saying so, or a one-line message saying
what is wrong and what to do; never a traceback, a stray link or generation, or a file path in an
HTTP answer. Real store builds in temporary directories."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import free_port

from outcome_graph.serve.app import create_app
from outcome_graph.store import StoreError, open_store
from outcome_graph.store.build import ensure_built
from outcome_graph.store.embedded import EmbeddedStore
from outcome_graph.store.layout import GRAPH_PART, NAMED_GRAPH

CATALOGUE = (
    f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ ?s <{GRAPH_PART}> ?o }} UNION {{ ?s <{NAMED_GRAPH}> ?o }} }}"
)

PREFIX = "PREFIX og: <https://w3id.org/outcome-graph/def#>\n"


def _generations(directory: Path) -> list[Path]:
    return sorted(directory.glob("gen-*"))


def _scramble(files: list[Path]) -> None:
    for f in files:
        size = f.stat().st_size
        with f.open("r+b") as out:
            out.write(os.urandom(size))


def _open(directory: Path, said: list[str]):
    return open_store(directory, progress=said.append, workers=1)


def _assert_tidy(directory: Path) -> None:
    assert len(_generations(directory)) == 1, _generations(directory)
    assert not list(directory.glob(".current-*")) and not list(directory.glob("building-*"))
    assert (directory / "current").is_symlink()


def test_corrupted_database_files_are_rebuilt_from_the_reports(tmp_path, graph_ntriples):
    said: list[str] = []
    with _open(tmp_path, said) as store:
        count = store.triple_count()
    _scramble(sorted(tmp_path.glob("gen-*/db/*.sst")))
    said.clear()
    with _open(tmp_path, said) as store:
        # the build's triples, and the store's catalogue of its named graphs (store/layout.py)
        catalogue = store.select(CATALOGUE).rows[0]["n"].toPython()
        assert store.triple_count() == count == graph_ntriples.count(b"\n") + catalogue
        assert catalogue > 0
    assert any("is damaged" in s and "rebuilding it from the reports" in s for s in said), said
    _assert_tidy(tmp_path)


def test_a_database_the_workers_cannot_open_is_rebuilt(tmp_path):
    """Damage the checksums cannot see (a store from before they were kept): the open is the check."""
    said: list[str] = []
    with _open(tmp_path, said) as store:
        count = store.triple_count()
    generation = _generations(tmp_path)[0]
    (generation / "CHECKSUMS").unlink()
    _scramble(sorted(generation.glob("db/*.sst")))
    said.clear()
    with _open(tmp_path, said) as store:
        assert store.triple_count() == count
    assert any("cannot be opened" in s and "rebuilding" in s for s in said), said
    _assert_tidy(tmp_path)


def test_current_made_a_directory_is_moved_aside_and_rebuilt(tmp_path):
    said: list[str] = []
    with _open(tmp_path, said) as store:
        count = store.triple_count()
    (tmp_path / "current").unlink()
    (tmp_path / "current").mkdir()
    (tmp_path / "current" / "note.txt").write_text("kept")
    # what the crash this used to cause left behind: a swap link of a process long gone, a spare generation
    os.symlink(_generations(tmp_path)[0].name, tmp_path / ".current-4194999")
    (tmp_path / "gen-spare-1").mkdir()
    said.clear()
    with _open(tmp_path, said) as store:
        assert store.triple_count() == count
    assert any("moved it aside" in s for s in said), said
    aside = list(tmp_path.glob("damaged-current-*"))
    assert len(aside) == 1 and (aside[0] / "note.txt").read_text() == "kept", "nothing is deleted"
    assert not list(tmp_path.glob(".current-*")) and len(_generations(tmp_path)) == 1
    assert (tmp_path / "current").is_symlink()


def test_a_store_location_that_is_a_file_is_one_clear_line(tmp_path):
    location = tmp_path / "store.txt"
    location.write_text("not a store")
    with pytest.raises(StoreError, match="is a file, not a directory"):
        ensure_built(location, progress=None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "outcome_graph.cli",
            "serve",
            "--store",
            str(location),
            "--port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is a file, not a directory" in lines[0], result.stderr
    assert location.read_text() == "not a store"


def test_a_port_in_use_is_one_line_and_serving_is_never_said(tmp_path, built_store):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        store_dir = built_store.path.parent.parent
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "outcome_graph.cli",
                "serve",
                "--store",
                str(store_dir),
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert "serving" not in result.stdout and "Traceback" not in result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


def test_files_damaged_while_serving_never_show_a_path_or_a_500(tmp_path, graph_ntriples):
    db = ensure_built(tmp_path, fingerprint="test", source=lambda progress: graph_ntriples, progress=None)
    store = EmbeddedStore(db, workers=1, timeout=3)
    try:
        client = create_app(store=store, config={"timeout": 3, "cache": False}).test_client()
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
        _scramble(sorted(db.glob("*.sst")))
        requests = [
            ("/sparql", {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"}),
            ("/sparql", {"query": PREFIX + "SELECT ?r WHERE { ?r a og:Risk ; og:score ?x }"}),
            ("/queries/risks", {"format": "json"}),
            ("/id/midlothian/indicator/CSPC.P.1.2a", {}),
            ("/sparql", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}),
            ("/sparql", {"query": "ASK { ?s ?p ?o }"}),  # may hang in the engine until the time limit
        ]
        for path, args in requests:
            answer = client.get(path, query_string=args)
            body = answer.get_data(as_text=True)
            assert str(tmp_path) not in body and ".sst" not in body, body
            assert answer.status_code in (200, 404, 429, 502, 503), (path, answer.status_code, body)
            if answer.status_code == 503 and "damaged" in body:
                assert "Restart the server" in body
    finally:
        store.close()
