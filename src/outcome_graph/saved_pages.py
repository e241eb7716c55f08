"""A saved query read one value of a parameter at a time (`# page: PARAM VALUES`, saved_queries.py).

A national answer (every council's figures for an indicator, every report of a council of 47 years) is
too big to be one query within the time limit, and more than a person reads at once. The values of the
page parameter come from a small query, `queries/pages/VALUES.rq` (?value in order, and optionally ?label
and ?figures), bound to the saved query's other parameters that it names. A page shows one value; a
download is every value's part in turn, each a query with that value bound: memory, the time to the first
byte and each part's time are bounded by a part, not by the nation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib.term import Node

from .namespaces import OGR
from .parameter_terms import ParameterError
from .saved_queries import SavedQuery

COUNCILS = "councils"  # the values a council's question offers to choose from (queries/pages/councils.rq)


@dataclass(frozen=True)
class PageValue:
    term: Node
    label: str
    text: str | None  # the parameter's text that names it (2019-2020, ogr:fife); None: none can
    figures: int | None = None  # rows with a value, where the values query counts them


@cache
def values_text(name: str, directory: str | None = None) -> str:
    from .paths import QUERIES_DIR

    return (Path(directory or QUERIES_DIR) / "pages" / f"{name}.rq").read_text(encoding="utf-8")


def _text_of(query: SavedQuery, param: str, term: Node) -> str | None:
    """The text a user gives to name `term` as `param`, if that text names exactly it."""
    p = query.parameter(param)
    text = str(term)
    if p.type == "year":
        text = text.rsplit("/", 1)[-1]
    elif p.type == "iri" and text.startswith(str(OGR)):
        text = "ogr:" + text[len(str(OGR)) :]
    try:
        return text if p.to_term(text) == term else None
    except ParameterError:
        return None  # a quarter of a year-paged query: reached by the download, not by a link


def _label(param_type: str, term: Node, label: str | None) -> str:
    if label:
        return label
    text = str(term).rstrip("/").rsplit("/", 1)[-1]
    if param_type == "year" and re.fullmatch(r"\d{4}-\d{4}", text):
        return f"{text[:4]}/{text[7:]}"
    return text


def page_values(
    store, query: SavedQuery, bound: Mapping[str, Node], values: str | None = None, timeout=None
) -> list[PageValue]:
    """The values of the query's page parameter (or those of queries/pages/`values`.rq), in order, for
    the other parameters bound."""
    name = values or query.page_values
    if name is None:
        raise ValueError(f"query {query.name!r} has no '# page:'")
    directory = str(query.path.parent) if query.path else None
    text = values_text(name, directory)
    used = {k: v for k, v in bound.items() if re.search(r"\?" + re.escape(k) + r"\b", text)}
    result = store.select(text, bindings=used, timeout=timeout)
    param = query.page if values is None else "council"  # the councils to choose from, else the page's
    named = any(p.name == param for p in query.parameters)  # else no text of the query's names a value
    kind = query.parameter(param).type if named else "iri"
    out = []
    for row in result.rows:
        term = row.get("value")
        if term is None:
            continue
        figures = row.get("figures")
        out.append(
            PageValue(
                term,
                _label(kind, term, str(row["label"]) if row.get("label") is not None else None),
                _text_of(query, param, term) if named else None,
                int(str(figures)) if figures is not None else None,
            )
        )
    # The order the saved query's ORDER BY gives its page variable: an IRI's or a literal's text.
    return sorted(out, key=lambda v: str(v.term))


def default_page(pages: list[PageValue]) -> PageValue | None:
    """The value a person's page opens on: the latest one a link can name that has figures (where the
    values query counts them), else the latest a link can name."""
    named = [v for v in pages if v.text is not None]
    with_figures = [v for v in named if v.figures is None or v.figures > 0]
    return (with_figures or named or [None])[-1]
