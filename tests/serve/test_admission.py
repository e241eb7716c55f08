"""Admission control (issue 8 part 3): runaway queries from one client cannot starve anyone else.

The policy itself is checked directly (no timing); the whole behaviour on a real `outcome-graph serve`
with 30 runaway queries in flight, with bounds far from what a starved request would take (a starved
request waits for the time limit, 6 s here; a served one is asked to answer within 3 s).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from conftest import free_port

from outcome_graph.serve.admission import Admission, Policy
from outcome_graph.store.lanes import ADHOC, RESERVED, Busy, Lane

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PREFIX = "PREFIX og: <https://w3id.org/outcome-graph/def#>\n"


# --- the policy ------------------------------------------------------------------------------------


def test_one_client_gets_at_most_its_share_and_then_429():
    admission = Admission(Policy(adhoc_workers=3, per_client=2, queue=4))
    lane = Lane(ADHOC, "10.0.0.1")
    with admission.slot(lane), admission.slot(lane):
        with pytest.raises(Busy) as refused:
            with admission.slot(lane):
                pass
        assert refused.value.status == 429 and refused.value.retry_after > 0
        assert "you already have 2 queries" in refused.value.message
        with admission.slot(Lane(ADHOC, "10.0.0.2")):  # another client still gets in
            pass
        with admission.slot(Lane(RESERVED, "10.0.0.1")):  # and the project's own queries too
            pass
    with admission.slot(lane):  # the share is given back when the queries end
        pass


def test_a_full_lane_refuses_at_once_with_503():
    admission = Admission(Policy(adhoc_workers=1, per_client=5, queue=0, max_wait=0.1))
    with admission.slot(Lane(ADHOC, "a")):
        with pytest.raises(Busy) as refused:
            with admission.slot(Lane(ADHOC, "b")):
                pass
    assert refused.value.status == 503 and "busy" in refused.value.message
    assert admission.refused["full"] == 1


def test_long_running_slots_leave_one_worker_for_short_queries():
    admission = Admission(Policy(adhoc_workers=3, per_client=2, per_client_long=1))
    assert admission.policy.long_slots == 2
    release_a = admission.promote("a")
    with pytest.raises(Busy) as same_client:
        admission.promote("a")
    assert same_client.value.status == 429
    release_b = admission.promote("b")
    with pytest.raises(Busy) as full:
        admission.promote("c")
    assert full.value.status == 503 and "long-running" in full.value.message
    release_a()
    admission.promote("c")()
    release_b()


def test_threads_outnumber_what_queries_can_hold():
    policy = Policy()
    held = policy.adhoc_workers + policy.queue + policy.reserved_workers + policy.reserved_queue
    assert policy.threads() > held


# --- a real server under 30 runaway queries ---------------------------------------------------------


def _get(port: int, path: str, source: str, accept: str = "*/*", timeout: float = 30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("GET", path, headers={"Accept": accept})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()  # header names: any case (granian sends lowercase)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory):
    port = free_port()
    store = tmp_path_factory.mktemp("admission-store")
    log = tmp_path_factory.mktemp("admission-log") / "serve.log"
    exe = Path(sys.executable).with_name("outcome-graph")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(exe), "serve", "--port", str(port), "--store", str(store), "--timeout", "6"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if _get(port, "/sparql?query=ASK%7B%7D", "127.0.0.1", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_thirty_runaways_from_one_client_starve_no_one(busy_server):
    port = busy_server
    outcomes: list[tuple[int, dict, bytes, float]] = []

    def runaway(i: int) -> None:
        path = "/sparql?" + urllib.parse.urlencode({"query": f"{RUNAWAY} # {i}"})
        started = time.monotonic()
        status, headers, body = _get(port, path, "127.0.0.1", "application/sparql-results+json")
        outcomes.append((status, headers, body, time.monotonic() - started))

    threads = [threading.Thread(target=runaway, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    time.sleep(1.5)  # the admitted runaways are now past their budget, running towards the limit

    others = {
        "fresh cheap query": "/sparql?"
        + urllib.parse.urlencode({"query": PREFIX + f"ASK {{ ?s a og:Report }} # {time.time_ns()}"}),
        "saved query": "/queries/risks?format=json",
        "id page": "/id/midlothian/indicator/CSPC.P.1.2a",
        "static page": "/static/outcome-graph/style.css",
        "openapi": "/openapi.json",
    }
    for label, path in others.items():
        started = time.monotonic()
        status, _, body = _get(port, path, "127.0.0.2")
        seconds = time.monotonic() - started
        assert status == 200, f"{label}: {status} {body[:300]!r}"
        assert seconds < 3, f"{label} waited {seconds:.1f} s behind the runaway queries"

    for t in threads:
        t.join(timeout=60)
    assert len(outcomes) == 30
    for status, headers, body, seconds in outcomes:
        assert status in (429, 503), body
        assert int(headers["Retry-After"]) > 0
        text = body.decode()
        assert "too many queries" in text or "time limit" in text or "long-running" in text, text
        assert seconds < 6 + 5, "a runaway is stopped at its limit, not left to run"
    refused_at_once = [o for o in outcomes if o[0] == 429 and "too many queries" in o[2].decode()]
    # Beyond its share of 2 in flight, a client's queries are refused at once; of the admitted ones, one
    # may run long and the other is stopped at its budget (one long-running query per client), which
    # frees a place for one more.
    assert len(refused_at_once) >= 30 - 6
    assert all(o[3] < 3 for o in refused_at_once)


def test_clients_sending_their_bodies_slowly_hold_only_a_few_threads(busy_server):
    """Forty uploads that never finish, from twenty addresses: at most a few are let in to receive
    their bodies (the rest get 503 with Retry-After at once), and everything else is answered."""
    port = busy_server
    slow: list[socket.socket] = []
    try:
        for i in range(40):
            s = socket.create_connection(
                ("127.0.0.1", port), timeout=10, source_address=(f"127.0.1.{i // 2 + 1}", 0)
            )
            s.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                b"Content-Length: 1000\r\n\r\nASK"  # 3 of the 1000 bytes promised, and then nothing
            )
            slow.append(s)
        time.sleep(1.0)
        for label, path in {
            "openapi": "/openapi.json",
            "fresh cheap query": "/sparql?"
            + urllib.parse.urlencode({"query": f"ASK {{}} # {time.time_ns()}"}),
            "id page": "/id/midlothian/indicator/CSPC.P.1.2a",
        }.items():
            started = time.monotonic()
            status, _, body = _get(port, path, "127.0.0.2", timeout=20)
            assert status == 200, (label, status, body[:300])
            assert time.monotonic() - started < 3, f"{label} waited behind the slow uploads"
        refused = 0
        for s in slow:
            s.settimeout(0.5)
            try:
                answer = s.recv(4096)
            except TimeoutError:
                continue  # let in: still waiting for its body
            if answer.startswith(b"HTTP/1.1 503") and b"retry-after: 5" in answer.lower():
                refused += 1
        assert refused >= 40 - 8, f"only {refused} of 40 slow uploads were refused at once"
    finally:
        for s in slow:
            s.close()
