"""What the query check costs per request, next to what the engine's own parse costs.

    python benchmarks/query_check.py [--repeat 200]
    python benchmarks/query_check.py --adversarial    # 8/40/80 KB texts built to make a lexer backtrack

The check (`serve.safety.check_query`: decode escapes, lex by SPARQL 1.1's rules, check the tokens,
write the canonical text) runs in the server process for every query text it has not seen (texts up to
4 KB are then cached). For each saved query (its default parameters bound) and for a few large texts,
it prints the check's median time without the cache, and, as the baseline from the same run, the median
time of pyoxigraph parsing and running the same text over an empty in-memory store (which is almost all
parse: there is no data), and the median time of rdflib's parser on the text, which the server used to
check queries with before issue 8 (in the server process, under a global lock).
"""

from __future__ import annotations

import argparse
import statistics
import time

import pyoxigraph as ox
from rdflib.plugins.sparql.parser import parseQuery

from outcome_graph.errors import OutcomeGraphError
from outcome_graph.saved_queries import load_queries
from outcome_graph.sparql.check import _check
from outcome_graph.store.bindings import bind


def median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def engine_run(store: ox.Store, text: str):
    def run():
        result = store.query(text)
        if not isinstance(result, ox.QueryBoolean):
            for _ in result:
                pass

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    texts: list[tuple[str, str]] = []
    for q in load_queries(None).values():
        try:
            texts.append((q.name, bind(q.text, q.bindings({}))))
        except OutcomeGraphError:
            continue  # a required parameter
    texts.append(("ask-empty", "ASK {}"))
    large = [
        (
            "values-2000-iris",
            "SELECT * WHERE { VALUES ?s { "
            + " ".join(f"<https://w3id.org/outcome-graph/id/x{i}>" for i in range(2000))
            + " } }",
        ),
        ("concat-25000 (issue 8)", "SELECT * WHERE { FILTER(CONCAT(" + ",".join(["1"] * 25000) + ")) }"),
    ]
    store = ox.Store()
    print(
        f"{'query':34} {'chars':>7} {'check ms':>9} {'engine ms':>10} {'check/engine':>13} {'rdflib ms':>10}"
    )
    ratios = []
    for name, text in texts + large:
        repeat = args.repeat if len(text) < 10_000 else max(3, args.repeat // 50)
        check = median_ms(lambda text=text: _check(text), repeat)
        engine = median_ms(engine_run(store, _check(text).text), repeat)
        ratio = check / engine if engine else float("nan")
        if (name, text) in texts:
            ratios.append(ratio)
            old = median_ms(lambda text=text: parseQuery(text), max(3, repeat // 10))
        else:
            old = float("nan")  # minutes: the reason for issue 8, part 2
        print(f"{name:34} {len(text):7d} {check:9.3f} {engine:10.3f} {ratio:13.2f} {old:10.2f}")
    print(
        f"saved queries: check/engine median {statistics.median(ratios):.2f}, max {max(ratios):.2f} "
        "(texts up to 4 KB are cached after the first request: a repeated query pays neither)"
    )


# Texts built to make a lexer backtrack (issue 16 part 3): the check must stay linear in their length.
ADVERSARIAL = {
    "a.a.a. (issue 16)": lambda n: "ASK { " + "a." * (n // 2) + " zz}",
    "a-a-a-": lambda n: "ASK { " + "a-" * (n // 2) + " zz}",
    "x:a.a.a.": lambda n: "ASK { ?s ?p x:" + "a." * (n // 2) + "}",
    "backslashes": lambda n: "ASK { " + "\\" * n + "}",
    '""a""a': lambda n: 'ASK { ?s ?p """' + '""a' * (n // 3) + "}",
    "<a<a<a": lambda n: "ASK { ?s ?p " + "<a" * (n // 2) + "}",
    "1.1.1.": lambda n: "ASK { ?s ?p " + "1." * (n // 2) + "}",
    "???": lambda n: "ASK { " + "?" * n + "}",
    "@a-@a-": lambda n: "ASK { ?s ?p 'x'" + "@a-" * (n // 3) + "}",
}


def adversarial() -> None:
    """The check's time on texts of 8, 40 and 80 KB built to make a lexer backtrack: linear means the
    80 KB time is about ten times the 8 KB time."""
    from outcome_graph.sparql import Refused

    print(f"{'text':20} {'8 KB ms':>9} {'40 KB ms':>9} {'80 KB ms':>9} {'80/8':>6}")
    for name, make in ADVERSARIAL.items():
        times = []
        for n in (8000, 40000, 80000):
            text = make(n)

            def run(text=text):
                try:
                    _check(text)
                except Refused:
                    pass

            times.append(median_ms(run, 5))
        print(f"{name:20} {times[0]:9.1f} {times[1]:9.1f} {times[2]:9.1f} {times[2] / times[0]:6.1f}")


if __name__ == "__main__":
    import sys

    if "--adversarial" in sys.argv:
        adversarial()
    else:
        main()
