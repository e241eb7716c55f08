"""How many gaps of each kind each of a council's reports has, asked of the store: one grouped count per
gap kind over the council's reports (the count files of queries/counts/ themselves, grouped by report),
and the stated totals that disagree from the saved query reported-totals (which counts with the same
files). The page of every report of a council shows these numbers and the rows of one report only, so
it costs what it shows: reading the structure of a council's 47 reports into a trace graph to count
their gaps took 41 s at 10 M triples.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from ..counts import Count, load_counts
from ..query_layer import Scope, read_select
from ..query_layer.reads import values_for
from ..query_layer.scope import local
from ..saved_queries import load_queries
from .gaps import GAP_COUNTS, GAP_KINDS

WORKERS = 3  # queries asked at once: the totals' (the slowest) beside the counts, on a 2-core machine


def grouped(count: Count, reports: list) -> str:
    """The count's own membership query counted per report, for `reports` only. The report IRIs are
    written first in its WHERE, and first in each MINUS block that reads ?reportDoc: a MINUS side sees
    no outer binding, so the engine read it for the whole nation (every action implementing a duty, every
    observation with a figure: 14 s and 21 s for a council's 47 reports at 10 M triples). The same rows:
    every row the MINUS could remove has its ?reportDoc among `reports`, so rows of other reports never
    remove one."""
    values = values_for({"reportDoc": reports})
    body = _in_minus(count.body, values)
    return (
        f"{count.prologue}\nSELECT ?reportDoc (COUNT(DISTINCT ?item) AS ?count)\nWHERE {{\n"
        f"  {{ SELECT DISTINCT ?reportDoc ?item WHERE {{\n  {values}\n{body}\n  }} }}\n}}\n"
        "GROUP BY ?reportDoc\n"
    )


def _in_minus(body: str, values: str) -> str:
    """`body` with `values` first in each MINUS { ... } block that mentions ?reportDoc."""
    out, at = [], 0
    for m in re.finditer(r"\bMINUS\s*\{", body):
        if m.start() < at:
            continue  # a MINUS nested in one already written
        depth, end = 1, m.end()
        while depth and end < len(body):
            depth += {"{": 1, "}": -1}.get(body[end], 0)
            end += 1
        block = body[m.end() : end - 1]
        inner = f" {values}\n{block}" if re.search(r"[?$]reportDoc\b", block) else block
        out += [body[at : m.end()], inner, "}"]
        at = end
    return "".join(out) + body[at:]


def report_gap_counts(store, scope: Scope, timeout: float | None = None) -> list[dict]:
    """[{"report": year, "counts": {gap kind: number}}] for each report of `scope`, in year order: the
    numbers the page of that report gives for its gaps (one definition of each)."""
    year_of = dict(zip(scope.reports, scope.years, strict=True))
    out = {y: dict.fromkeys(GAP_KINDS, 0) for y in scope.years}
    if not scope.reports:
        return []

    def per_report(kind: str) -> list[tuple[str, int]]:
        name = GAP_COUNTS[kind]
        count = load_counts()[name]
        part = f"the count {count.title!r} of each report (queries/counts/{name}.rq)"
        rows = read_select(store, grouped(count, scope.report_terms), part, timeout=timeout).rows
        return [(str(r["reportDoc"]), int(r["count"])) for r in rows]

    # The queries are independent and each waits on the engine (which runs without the interpreter's
    # lock, or on a server): asked side by side, the page waits for the slowest rather than the sum.
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        totals = pool.submit(_totals_disagreeing, store, scope, timeout)
        answers = {kind: pool.submit(per_report, kind) for kind in GAP_COUNTS}
        for kind, answer in answers.items():  # in GAP_COUNTS order, whatever order they finish in
            for report, n in answer.result():
                if report in year_of:
                    out[year_of[report]][kind] = n
        for year in totals.result():
            if year in out:
                out[year]["total-disagrees"] += 1
    return [{"report": y, "counts": out[y]} for y in sorted(out)]


def _totals_disagreeing(store, scope: Scope, timeout: float | None) -> list[str]:
    """The report year of each stated total whose count (a count file naming it) gives another number:
    trace.gaps.total_disagrees's test, asked of reported-totals for the council's reports."""
    query = load_queries()["reported-totals"]
    bound = query.bindings({"council": f"ogr:{scope.council}"} if scope.council else {})
    part = "the totals each report states (queries/reported-totals.rq)"
    rows = read_select(
        store, query.text_for(bound), part, {k: [v] for k, v in bound.items()}, timeout=timeout
    ).rows
    return [
        local(str(r["report"]))
        for r in rows
        if r.get("counts") is not None and float(r["reported"]) != float(r["counted"])
    ]
