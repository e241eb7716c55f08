"""The bounds of the query check hold the Oxigraph server up (issue 16 part 2): for every construct an
engine reads recursively, the longest query the check accepts is sent to a real `oxigraph
serve-read-only` process, which must still answer afterwards; one more and the check refuses, naming
the construct and its limit. A control shows that the unchecked query of the issue does kill the server,
so that "still answers" means something.
"""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from conftest import free_port, oxigraph_binary, stop

from outcome_graph.sparql import Refused, check_query
from outcome_graph.sparql.bounds import LIMITS, MAX_DEPTH, MAX_TOTAL, MAX_UNARY

P = "<http://example.org/p>"

# construct -> (query of size n, what the refusal names)
CONSTRUCTS = {
    "operators +": (lambda n: "ASK { FILTER(" + "1+" * n + "1 > 0) }", "operators in expressions"),
    "operators *": (lambda n: "ASK { FILTER(" + "2*" * n + "1 > 0) }", "operators in expressions"),
    "operators &&": (lambda n: "ASK { FILTER(" + "true&&" * n + "true) }", "operators in expressions"),
    "operators ||": (lambda n: "ASK { FILTER(" + "false||" * n + "true) }", "operators in expressions"),
    "path sequence": (lambda n: "ASK { ?s " + "/".join([P] * (n + 1)) + " ?o }", "steps in property paths"),
    "path alternative": (
        lambda n: "ASK { ?s " + "|".join([P] * (n + 1)) + " ?o }",
        "steps in property paths",
    ),
    "collection": (lambda n: f"ASK {{ ?s {P} (" + " 1" * n + ") }", "items in collections"),
    "triple patterns": (
        lambda n: "ASK { " + " ".join(f"?s {P} ?o{i} ." for i in range(n)) + " }",
        "triple patterns",
    ),
    "object list": (lambda n: f"ASK {{ ?s {P} " + ",".join(["1"] * (n + 1)) + " }", "triple patterns"),
    "group patterns": (lambda n: "ASK { " + "{} " * n + "}", "group patterns"),
    "UNION": (lambda n: "ASK { {} " + "UNION {} " * n + "}", "group patterns"),
    "OPTIONAL": (lambda n: "ASK { " + "OPTIONAL {} " * n + "}", "group patterns"),
    "MINUS": (lambda n: "ASK { " + "MINUS {} " * n + "}", "group patterns"),
    "BIND": (lambda n: "ASK { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(n)) + " }", "BINDs"),
    "brackets ( )": (lambda n: "ASK { FILTER(" + "(" * n + "1" + ")" * n + " > 0) }", "nested too deeply"),
    "braces { }": (lambda n: "ASK " + "{" * n + "}" * n, "nested too deeply"),
    "blank nodes [ ]": (
        lambda n: f"ASK {{ ?s {P} " + f"[ {P} " * n + "1" + " ]" * n + " }",
        "triple patterns",
    ),
    "subqueries": (
        lambda n: "ASK { " + "{ SELECT * WHERE " * n + "{}" + " }" * n + " }",
        "nested too deeply",
    ),
    "unary !": (lambda n: "ASK { FILTER(" + "!" * n + "true) }", "unary operators in a row"),
}


def accepted(text: str) -> bool:
    try:
        check_query(text)
        return True
    except Refused:
        return False


def longest_accepted(make) -> int:
    """The largest n whose query the check accepts (the bound), found by doubling then halving."""
    low, high = 1, 2
    while accepted(make(high)):
        low, high = high, high * 2
        assert high < 100_000, "no bound: the check accepts any length"
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if accepted(make(middle)) else (low, middle)
    return low


@pytest.fixture(scope="module")
def read_only_server(tmp_path_factory):
    location = tmp_path_factory.mktemp("bounds-store")
    store = ox.Store(str(location))
    store.add(
        ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal(1))
    )
    store.flush()
    del store
    servers = []

    def start() -> str:
        port = free_port()
        process = subprocess.Popen(
            [
                oxigraph_binary(),
                "serve-read-only",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        servers.append(process)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            if answers(base):
                return base
            time.sleep(0.1)
        raise RuntimeError("the oxigraph server did not start")

    yield start
    for process in servers:
        stop(process)


def answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def send(base: str, text: str) -> int | None:
    data = urllib.parse.urlencode({"query": text}).encode()
    request = urllib.request.Request(f"{base}/query", data=data)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None  # the server closed the connection: it died


@pytest.mark.server
def test_the_unchecked_query_of_the_issue_kills_the_server(read_only_server):
    """Control: without the check, 7,000 chained `+` abort `oxigraph serve-read-only`."""
    base = read_only_server()
    send(base, "ASK { FILTER(" + "1+" * 7000 + "1 > 0) }")
    time.sleep(0.5)
    assert not answers(base)


@pytest.mark.server
def test_at_every_bound_the_server_stays_up_and_one_more_is_refused_by_name(read_only_server):
    base = read_only_server()
    for name, (make, named) in CONSTRUCTS.items():
        n = longest_accepted(make)
        with pytest.raises(Refused) as refused:
            check_query(make(n + 1))
        assert named in refused.value.message, (name, refused.value.message)
        assert refused.value.status == 400
        canonical = check_query(make(n)).text
        status = send(base, canonical)
        assert status == 200, (name, n, status)
        assert answers(base), f"{name}: the server died on the longest query the check accepts (n={n})"


@pytest.mark.server
def test_all_bounds_at_once_keep_the_server_up(read_only_server):
    """The totals bound their sum: one query holding as much of every construct as the check accepts."""
    base = read_only_server()
    parts = [
        f"FILTER({'1+' * 900}1 > 0)",
        f"?s {'/'.join([P] * 90)} ?o .",
        " ".join(f"?s {P} ?t{i} ." for i in range(5)),
        "{} " * 100,
        " ".join(f"BIND(1 AS ?v{i})" for i in range(200)),
    ]
    text = "ASK { " + " ".join(parts) + " " + "{" * (MAX_DEPTH - 2) + "}" * (MAX_DEPTH - 2) + " }"
    info = check_query(text)
    assert send(base, info.text) == 200
    assert answers(base)
    with pytest.raises(Refused, match=f"more than {MAX_TOTAL} "):
        check_query(text.replace("BIND(1 AS ?v0)", "{} " * 200 + "BIND(1 AS ?v0)"))


def test_the_limits_are_what_the_messages_say():
    for key, (limit, what) in LIMITS.items():
        assert 0 < limit <= MAX_TOTAL, key
        assert what
    assert MAX_UNARY < MAX_DEPTH


@pytest.mark.server
def test_over_the_endpoint_a_query_the_embedded_engine_cannot_parse_in_a_sandbox_is_not_sent(
    read_only_server, monkeypatch
):
    """The layer under the bounds: with the bounds switched off, the issue's 7,000 chained `+` reach the
    remote store, which parses them first in a sandboxed worker on a stack smaller than the server's;
    that worker dies, the query is refused with a message that says why, and the server stays up."""
    from outcome_graph.sparql import bounds, check
    from outcome_graph.store import QueryError
    from outcome_graph.store.remote import RemoteStore

    base = read_only_server()
    store = RemoteStore(f"{base}/query", timeout=60)
    assert store.ask("ASK { FILTER(" + "1+" * 999 + "1 > 0) }") is True  # within the bounds: sent, answered
    monkeypatch.setattr(check, "check_bounds", lambda toks: None)
    assert bounds.check_bounds is not check.check_bounds
    with pytest.raises(QueryError, match="not sent to the SPARQL server"):
        store.ask("ASK { FILTER(" + "1+" * 7000 + "1 > 0) }")
    assert answers(base)
