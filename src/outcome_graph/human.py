"""Results for people: a label beside each IRI and each figure (CSV, saved-query JSON), and text tables
that fit a terminal.

The label of an instance is its code and title from the graph (one bounded query over the IRIs of the
result, bound as typed terms); of a period, "2020/21" or "Q2 2020/21"; of a vocabulary term, its
skos:prefLabel/rdfs:label (outcome_graph.labels). Standard SPARQL results stay at /sparql.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass

from rdflib import XSD, Literal, URIRef

from .labels import Labels, number_text, period_text, value_text
from .namespaces import GOV_QUARTER, GOV_YEAR, OG, shorten

INSTANCE_LABELS = """
PREFIX og: <https://w3id.org/outcome-graph/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?code ?title ?label ?of ?period ?about ?claimType ?indicator WHERE {
  VALUES ?s { %s }
  # One triple pattern (or path) per OPTIONAL, none nested: Oxigraph looks each up for the bound ?s, where
  # an OPTIONAL of two patterns, or one holding another OPTIONAL or a BIND, was read for the whole graph
  # (every observation's indicator and period: 5.4 s at 10 M triples for the 353 IRIs of one year of
  # councils-compared, past the 10 s limit in all; flat, 0.1 s). Whether ?s is a figure (it has an
  # indicator) or a claim is decided from these in instance_labels. Every OPTIONAL here is one value per
  # record: one with many (a record's evidence, one excerpt per report) multiplies the rows of every
  # record by it (CLAIM_LINES).
  OPTIONAL { ?s og:code ?code }
  OPTIONAL { ?s og:title ?title }
  OPTIONAL { ?s skos:prefLabel ?label }
  OPTIONAL { ?s og:indicator ?indicator }
  OPTIONAL { ?s og:period ?period }
  OPTIONAL { ?s og:indicator/og:code ?ic }
  OPTIONAL { ?s og:indicator/og:title ?it }
  BIND (COALESCE(?ic, ?it) AS ?of)
  OPTIONAL { ?s og:about ?about }
  OPTIONAL { ?s a ?claimType FILTER (?claimType = og:Claim) }
}
"""
# The line of a claim's excerpt, asked only for the claims among the IRIs. In INSTANCE_LABELS it was asked
# for every IRI, and an indicator or action that recurs in a council's 47 reports has 47 excerpts: the 448
# IRIs of one year's off-target indicators gave 10,368 rows (0.6-1.6 s of the engine at 10 M triples, and
# as long again to send and convert them) where 448 rows take 0.08 s.
CLAIM_LINES = """
PREFIX og: <https://w3id.org/outcome-graph/def#>
SELECT ?s ?claimLine WHERE {
  VALUES ?s { %s }
  ?s og:evidence/og:firstLine ?claimLine .
}
"""
MAX_LOOKUP = 5000  # distinct IRIs labelled per result; beyond that a row's label is its short name


def name_of(code: str | None, title: str | None) -> str:
    """'CSPC.P.2.1 Deliver ...', never 'Care Care' when the code is the title."""
    code, title = (code or "").strip(), (title or "").strip()
    if code and title and code.casefold() != title.casefold() and not title.startswith(code):
        return f"{code} {title}"
    return title or code


def instance_labels(store, iris: list[str]) -> dict[str, str]:
    """code + title (else skos:prefLabel) of each instance IRI, in one query."""
    wanted = sorted({i for i in iris if not i.startswith((GOV_YEAR, GOV_QUARTER, str(OG)))})[:MAX_LOOKUP]
    if not wanted:
        return {}
    values = " ".join(URIRef(i).n3() for i in wanted)
    rows = store.select(INSTANCE_LABELS % values).rows
    claims = sorted({str(r["s"]) for r in rows if r.get("claimType") is not None})
    lines: dict[str, list[str]] = {}
    if claims:
        for r in store.select(CLAIM_LINES % " ".join(URIRef(i).n3() for i in claims)).rows:
            lines.setdefault(str(r["s"]), []).append(str(r["claimLine"]))
    found: dict[str, tuple] = {}
    for r in rows:
        s = str(r["s"])
        label = str(r.get("label") or "")
        if r.get("period") is not None and r.get("indicator") is not None:  # a figure: whose, and when
            label = f"{r.get('of') or 'figure'}, {period_text(str(r['period']))}"
        # a claim: its line and what it is about (each of its lines a candidate, as one row each was)
        about = f": {r['about']}" if r.get("about") is not None else ""
        for line in lines.get(s, [None]) if not label else [None]:
            said = f"claim on line {line}{about}" if line is not None else label
            cand = (str(r.get("code") or ""), str(r.get("title") or ""), said)
            found[s] = min(found.get(s, cand), cand)  # deterministic where a record has two titles
    return {s: name_of(c, t) or lab for s, (c, t, lab) in found.items() if c or t or lab}


def term_label(term, labels: Labels, names: dict[str, str]) -> str:
    """What a person reads for one result cell."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        if text.startswith((GOV_YEAR, GOV_QUARTER)):
            return period_text(text)
        if text.startswith(str(OG)):
            return labels.term(text)
        if text in names:
            return names[text]
    elif isinstance(term, Literal) and term.datatype is not None and term.datatype.endswith("decimal"):
        return number_text(str(term))
    return shorten(term)


def row_cell(row: dict, var: str, labels: Labels, names: dict[str, str]) -> str:
    """One cell of a row for people: a figure in the row's unit ("33.5 days"), else the term's label."""
    term = row.get(var)
    if _is_decimal(term) and row.get("unit") is not None:
        return value_text(str(term), str(row["unit"]))
    return term_label(term, labels, names)


def _iri_columns(result) -> list[str]:
    return [v for v in result.vars if any(isinstance(r.get(v), URIRef) for r in result.rows)]


def _is_decimal(term) -> bool:
    return isinstance(term, Literal) and term.datatype is not None and str(term.datatype) == str(XSD.decimal)


def figure_columns(result) -> list[str]:
    """The columns that hold figures (og:value, og:target and the like are xsd:decimal): each gets a
    `<name>_label` beside it, the figure in the row's unit (its `unit` column) as people write it."""
    return [
        v for v in result.vars if not v.endswith("_label") and any(_is_decimal(r.get(v)) for r in result.rows)
    ]


@dataclass
class Labelled:
    """A SELECT result with a `<name>_label` literal beside each figure column ("£15.46m" beside
    15461000): the plain number stays for machines, the label is for people."""

    vars: list[str]
    rows: list[dict]
    truncated: bool = False


def with_figure_labels(result) -> Labelled:
    figures = set(figure_columns(result))
    names: list[str] = []
    for v in result.vars:
        names.append(v)
        if v in figures and f"{v}_label" not in result.vars:
            names.append(f"{v}_label")
    rows = []
    for r in result.rows:
        row = dict(r)
        for v in figures:
            if r.get(v) is not None:
                row[f"{v}_label"] = Literal(value_text(str(r[v]), str(r.get("unit") or "") or None))
        rows.append(row)
    return Labelled(names, rows, bool(getattr(result, "truncated", False)))


def labelled_csv(result, labels: Labels, names: dict[str, str]) -> bytes:
    """The saved query's CSV for people: each IRI column keeps the IRI (for joining) and gains a
    `<name>_label` column beside it."""
    result = with_figure_labels(result)
    iri_cols = set(_iri_columns(result))
    header: list[str] = []
    for v in result.vars:
        header.append(v)
        if v in iri_cols:
            header.append(f"{v}_label")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in result.rows:
        row = []
        for v in result.vars:
            term = r.get(v)
            row.append("" if term is None else str(term))
            if v in iri_cols:
                row.append(term_label(term, labels, names) if isinstance(term, URIRef) else "")
        w.writerow(row)
    return buf.getvalue().encode("utf-8")


def text_table(result, labels: Labels, names: dict[str, str], width: int | None = None) -> str:
    """A terminal table of labels. When the columns do not fit the terminal, each row is printed as a
    block of `name: value` lines instead, so no line runs hundreds of characters."""
    width = width or shutil.get_terminal_size((100, 24)).columns
    cols = list(result.vars)
    cells = [[row_cell(r, v, labels, names) for v in cols] for r in result.rows]
    cap = 40
    widths = [max([len(n)] + [min(len(c[i]), cap) for c in cells]) for i, n in enumerate(cols)]
    count = f"({len(cells)} row{'s' if len(cells) != 1 else ''}{', truncated' if result.truncated else ''})"
    if sum(widths) + 2 * (len(cols) - 1) <= width:

        def line(values: list[str]) -> str:
            return "  ".join(
                (v if len(v) <= cap else v[: cap - 1] + "…").ljust(w)
                for v, w in zip(values, widths, strict=True)
            ).rstrip()

        out = [line(cols), line(["-" * w for w in widths])] + [line(c) for c in cells]
        return "\n".join(out + [count]) + "\n"
    pad = max(len(n) for n in cols) if cols else 0
    out = []
    for i, c in enumerate(cells, 1):
        out.append(f"── {i} " + "─" * max(0, min(width, 80) - len(str(i)) - 4))
        for name, value in zip(cols, c, strict=True):
            if value:
                out += _wrapped(f"{name.rjust(pad)}: ", value, width)
    return "\n".join(out + [count]) + "\n"


def _wrapped(lead: str, value: str, width: int) -> list[str]:
    import textwrap

    room = max(20, width - len(lead))
    parts = textwrap.wrap(value, room) or [""]
    return [lead + parts[0]] + [" " * len(lead) + p for p in parts[1:]]
