"""A light client's cheap query never waits behind heavier clients' runaways (issue 16 part 3).

The lane of user-written queries has one worker more than clients that are not light may hold
(serve.fairness, `express`), that worker runs only light clients' queries (store.workers), and the
queries of a client whose query was stopped lately run at a lower CPU priority (lanes.NICE). Checked
on the policy directly, on a real worker pool, and on a real `outcome-graph serve` under attack
(benchmarks/admission.py measured a fresh cheap query's p95 at 3-7 s under 8 and 40 attackers before).
"""

from __future__ import annotations

import http.client
import os
import threading
import time
import urllib.parse

from conftest import serving
from test_admission import PREFIX, RUNAWAY, _Holder, _until

from outcome_graph.serve import fairness
from outcome_graph.serve.fairness import FairSlots
from outcome_graph.store.lanes import LIGHT, NICE


def _used(slots: FairSlots, client: str, seconds: float) -> None:
    slots.release(client, slots.acquire(client), used=seconds)


def test_a_light_client_takes_the_express_slot_that_no_heavier_client_may():
    slots = FairSlots("adhoc", slots=3, capacity=10, max_wait=30, retry_after=5, express=1)
    _used(slots, "visitor", 0.004)  # one quick question, answered
    for i in range(5):
        _used(slots, f"runaway-{i}", 2.0)  # each had a query stopped after holding a worker 2 s
    runaways = [_Holder(slots, f"runaway-{i}") for i in range(5)]
    for h in runaways:
        h.start()
    # three run, two wait: the fourth worker is free, and no heavier client may take it
    _until(lambda: slots.state() == {"running": 3, "waiting": 2, "free": 1}, "3 running, 2 waiting")
    visitor = _Holder(slots, "visitor")
    visitor.start()
    assert visitor.got.wait(10), "the light visitor waited behind the runaways"
    assert slots.state() == {"running": 4, "waiting": 2, "free": 0}
    # the visitor's slot ends: the express one is free again, and still no runaway takes it
    visitor.let_go.set()
    _until(lambda: slots.state()["free"] == 1, "the visitor's slot back")
    time.sleep(0.05)
    assert sum(h.got.is_set() for h in runaways) == 3
    # a runaway's slot ends: an ordinary one, which the next runaway takes
    next(h for h in runaways if h.got.is_set()).let_go.set()
    _until(lambda: sum(h.got.is_set() for h in runaways) == 4, "the next runaway in")
    assert slots.state() == {"running": 3, "waiting": 1, "free": 1}
    for h in runaways:
        h.let_go.set()


def test_an_idle_lane_gives_every_slot_to_light_clients():
    """Work-conserving for the light: four light clients run at once on three ordinary slots and the
    express one."""
    slots = FairSlots("adhoc", slots=3, capacity=10, max_wait=30, retry_after=5, express=1)
    for i in range(4):
        _used(slots, f"light-{i}", 0.004)
    holders = [_Holder(slots, f"light-{i}") for i in range(4)]
    for h in holders:
        h.start()
    for h in holders:
        assert h.got.wait(10)
    assert slots.state() == {"running": 4, "waiting": 0, "free": 0}
    for h in holders:
        h.let_go.set()


def test_a_client_whose_query_was_stopped_is_not_light_and_runs_at_a_lower_priority():
    """An attacker paused after a stop knocks rarely, and its use fades below LIGHT during the pause:
    it must still not take the express slot, and its next queries yield the CPU from their start. An
    analyst whose many queries were never stopped keeps the server's priority."""
    slots = FairSlots("adhoc", slots=1, capacity=4, max_wait=30, retry_after=5, express=1)
    _used(slots, "attacker", 0.01)
    for _ in range(50):
        _used(slots, "analyst", 0.2)
    assert slots.light("attacker") and slots.nice("attacker") == 0
    slots.stopped("attacker")
    assert not slots.light("attacker") and slots.nice("attacker") == 10
    assert not slots.light("analyst") and slots.nice("analyst") == 0
    holder = _Holder(slots, "someone-heavy")
    _used(slots, "someone-heavy", 5.0)
    holder.start()
    assert holder.got.wait(10)
    attacker = _Holder(slots, "attacker")
    attacker.start()
    _until(lambda: slots.state()["waiting"] == 1, "the attacker waits: the free slot is the express one")
    assert not attacker.got.is_set()
    holder.let_go.set()
    assert attacker.got.wait(10)
    attacker.let_go.set()


def test_a_visitor_is_light_once_its_first_query_is_answered_and_an_unknown_address_is_not():
    """A newcomer's start (a second of use, fading over ten seconds) ranks unknown addresses behind
    known ones; it does not keep a visitor whose first query took milliseconds off the express worker.
    An address that only knocked (refused, or still waiting) is unknown, whatever its use."""
    slots = FairSlots("adhoc", slots=1, capacity=3, max_wait=30, retry_after=5, express=1)
    assert not slots.light("visitor")
    _used(slots, "visitor", 0.004)
    assert slots.light("visitor") and slots.usage("visitor") > fairness.LIGHT  # its start still counts
    slots.knock("knocker")
    assert slots.usage("knocker") < slots.usage("visitor") + 0.01 and not slots.light("knocker")
    _used(slots, "analyst", 0.6)  # answered, but used more than LIGHT of its own
    assert not slots.light("analyst")


# --- the worker pool ---------------------------------------------------------------------------------


def _run_as(pool, request: dict, *, light: bool, nice: int, timeout: float = 10.0) -> dict:
    light_token, nice_token = LIGHT.set(light), NICE.set(nice)
    try:
        return pool.run(request, timeout)
    finally:
        LIGHT.reset(light_token)
        NICE.reset(nice_token)


def test_the_express_worker_runs_light_queries_and_heavier_ones_run_lowered(built_store):
    from outcome_graph.store import QueryTimeout
    from outcome_graph.store.workers import WorkerPool

    pool = WorkerPool(str(built_store.path), size=2, express=1)
    ask = {"op": "execute", "query": "ASK {}", "media_type": "application/sparql-results+json"}
    runaway = {"op": "execute", "query": RUNAWAY, "media_type": "application/sparql-results+json"}
    try:
        (express,) = list(pool._express.queue)
        (ordinary,) = list(pool._idle.queue)
        base = os.getpriority(os.PRIO_PROCESS, 0)
        # the heavier client's runaway holds the ordinary worker, at 12 below the server's priority
        stopped: list[BaseException] = []

        def heavy() -> None:
            try:
                _run_as(pool, runaway, light=False, nice=12, timeout=3)
            except QueryTimeout as e:
                stopped.append(e)

        thread = threading.Thread(target=heavy)
        thread.start()
        _until(lambda: pool._idle.empty(), "the runaway on the ordinary worker")
        _until(lambda: os.getpriority(os.PRIO_PROCESS, ordinary.process.pid) == min(19, base + 12), "lowered")
        # a light client's query is answered meanwhile, on the express worker, at the server's priority
        started = time.monotonic()
        assert b"true" in _run_as(pool, ask, light=True, nice=0)["body"]
        assert time.monotonic() - started < 2, "the light query waited for the runaway"
        assert express.answered == 1 and ordinary.answered == 0
        assert os.getpriority(os.PRIO_PROCESS, express.process.pid) == base
        thread.join(30)
        assert stopped, "the runaway ran past its time limit unstopped"
        # a client that is not light never runs on the express worker, even when it is the idle one
        _until(lambda: not pool._idle.empty(), "the runaway's worker replaced")
        for _ in range(3):
            assert b"true" in _run_as(pool, ask, light=False, nice=0)["body"]
        assert express.answered == 1
    finally:
        pool.close()


# --- a real server under attack ----------------------------------------------------------------------


def _get(port: int, path: str, source: str, timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _sparql(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def test_a_light_visitor_is_answered_at_once_while_eight_addresses_keep_runaways_in_flight(tmp_path_factory):
    """benchmarks/admission.py's case at eight attackers: each address keeps one runaway in flight and
    sends again as soon as answered (after 50 ms when refused). Before the express worker, a visitor's
    fresh cheap query waited for a runaway to be stopped and its worker replaced: 1.2-1.7 s for most,
    up to 5.7 s. The visitor here asked its first question just before the attack began (so it is no
    longer unknown, but its newcomer's start has not faded); each of its fresh queries is now answered
    within a second."""
    with serving(tmp_path_factory, "express", "--timeout", "6") as port:
        visitor = "127.0.6.1"
        status, body = _get(port, _sparql(f"ASK {{}} # first {time.time_ns()}"), visitor)
        assert status == 200, body
        stop = threading.Event()
        answered: list[int] = []

        def attacker(source: str) -> None:
            while not stop.is_set():
                try:
                    status, _ = _get(port, _sparql(f"{RUNAWAY} # {source} {time.time_ns()}"), source, 20)
                except OSError:
                    status = 0
                answered.append(status)
                if status != 200:
                    time.sleep(0.05)

        threads = [
            threading.Thread(target=attacker, args=(f"127.0.7.{i + 1}",), daemon=True) for i in range(8)
        ]
        for t in threads:
            t.start()
        try:
            deadline = time.monotonic() + 20
            while answered.count(503) + answered.count(429) < 8:  # every attacker's first runaway stopped
                assert time.monotonic() < deadline, f"the runaways were not stopped: {answered}"
                time.sleep(0.1)
            for i in range(5):
                text = PREFIX + f"ASK {{ ?s a og:Report }} # visitor {i} {time.time_ns()}"
                started = time.monotonic()
                status, body = _get(port, _sparql(text), visitor)
                seconds = time.monotonic() - started
                assert status == 200, f"visitor's query {i}: {status} {body[:200]!r}"
                assert seconds < 1.0, f"visitor's query {i} waited {seconds:.2f} s behind the runaways"
                time.sleep(0.2)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
