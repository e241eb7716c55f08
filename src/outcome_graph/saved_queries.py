"""The analysts' library of saved SPARQL queries in queries/*.rq, and how their parameters are bound.

Each file starts with comment lines that describe it:

    # title: Off-target indicators by report
    # description: Every indicator whose status the report gives as Off Target, with its note.
    # param: report year 2020-2021 The report's government year (2020-2021, 2020/21 or 2020)

A parameter line is `name type default [description]`. The name is the query variable it binds
(`?report`). The default `-` means the parameter is required; `*` means it is optional and, when not
given, the variable is left free (the query then answers for every value). The types (string, code,
iri, integer, decimal, year) and how a value of each becomes a typed RDF term are parameter_terms.py's.

`# scope: council` says the question is one council's (asked of the nation, its answer and its cost grow
with every council): the query has an optional `council` parameter, which must be given on a graph of
several councils (query_layer.require_council: 400 naming them) and may be left out on a graph of one.

`# page: PARAM VALUES` says how the answer is read when the optional parameter PARAM is left out: one
value of it at a time, the values being what `queries/pages/VALUES.rq` lists (?value, in order, bound to
the query's other parameters). A person's page shows one value (a year: the latest; a council: the choice
of councils) with links to the others; a download streams every value's part in turn, each part a
bounded query (saved_pages.py). The query's ORDER BY starts with PARAM, so the parts in order are the
rows of the whole answer in order.

The terms are handed to the store as `bindings=`, which joins them to the query as a VALUES block built
from the terms' N-Triples form: user text is never pasted into the query text, so a value carrying
quotes or braces can only fail to match. Results formats are results_formats.py's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib.term import Node

from .errors import OutcomeGraphError
from .parameter_terms import PARAM_TYPES, ParameterError, to_term
from .query_files import header_lines as header_lines
from .store.bindings import values_block

__all__ = [
    "ANY",
    "PARAM_TYPES",
    "REQUIRED",
    "Parameter",
    "ParameterError",
    "QueryDefinitionError",
    "SavedQuery",
    "UnknownQuery",
    "get_query",
    "header_lines",
    "load_queries",
    "parse_query",
    "run_query",
    "to_term",
]

REQUIRED = "-"
ANY = "*"

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PROJECTS_UNIT = re.compile(r"\bSELECT\b[^{]*\?unit\b", re.IGNORECASE)
_HEADER = re.compile(r"^#\s*(title|description|param|scope|page)\s*:\s*(.*?)\s*$")
_PAGE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s+([a-z][a-z0-9-]*)$")
SCOPES = ("council",)
MARK = "#@values"


class QueryDefinitionError(OutcomeGraphError):
    """A saved query file whose header is wrong: names the file and line."""


class UnknownQuery(OutcomeGraphError):
    pass


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None  # None: required (or optional when `optional`)
    optional: bool = False
    description: str = ""

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional

    def to_term(self, value: str) -> Node:
        return to_term(self.type, value, self.name)


@dataclass(frozen=True)
class SavedQuery:
    name: str
    title: str
    description: str
    text: str
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    path: Path | None = None
    scope: str | None = None  # "council": one council's question, bounded on a national graph
    page: str | None = None  # the optional parameter whose values the answer is read by, one at a time
    page_values: str | None = None  # queries/pages/<page_values>.rq lists them

    @property
    def has_figures(self) -> bool:
        """Whether the query answers figures with their unit (it projects ?unit): its JSON then carries a
        `<name>_label` beside each figure, as its CSV does."""
        return bool(_PROJECTS_UNIT.search(self.text))

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise ParameterError(f"query {self.name!r} has no parameter {name!r} (its parameters: {known})")

    def bindings(self, values: Mapping[str, str]) -> dict[str, Node]:
        """Typed terms for the given values, defaults for the rest; optional ones left out stay free."""
        for name in values:
            self.parameter(name)
        bound: dict[str, Node] = {}
        for p in self.parameters:
            raw = values.get(p.name)
            if raw is None or raw == "":
                if p.default is not None:
                    raw = p.default
                elif p.optional:
                    continue
                else:
                    raise ParameterError(
                        f"query {self.name!r} needs the parameter {p.name!r} ({p.type}); "
                        f"give it as {p.name}=VALUE"
                    )
            bound[p.name] = p.to_term(raw)
        return bound

    def text_for(self, bound: Mapping[str, Node]) -> str:
        """The query's text for these bound terms: each `#@values` line (a grouped sub-select's own
        place, which a VALUES block first in the outer WHERE group cannot reach) holds them too, so
        that a council's count counts the council's reports, not the nation's. The outer block is
        still added by the store (store.bindings.bind)."""
        if MARK not in self.text:
            return self.text
        return self.text.replace(MARK, values_block(dict(bound)) if bound else "")

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "default": p.default,
                    "required": p.required,
                    "description": p.description,
                }
                for p in self.parameters
            ],
            "scope": self.scope,
            "page": self.page,
        }


def parse_query(text: str, name: str, path: Path | None = None) -> SavedQuery:
    where = str(path) if path else name
    meta: dict[str, str] = {}
    params: list[Parameter] = []
    for number, line in header_lines(text):
        m = _HEADER.match(line)
        if not m:
            continue
        key, rest = m[1], m[2]
        if key != "param":
            meta[key] = (meta[key] + " " + rest) if key in meta else rest
            continue
        parts = rest.split(None, 3)
        if len(parts) < 3:
            raise QueryDefinitionError(
                f"{where}:{number}: a parameter line is '# param: NAME TYPE DEFAULT [description]' "
                f"(DEFAULT '-' for required, '*' for optional); got {rest!r}"
            )
        pname, ptype, default = parts[:3]
        if not _VAR.match(pname):
            raise QueryDefinitionError(f"{where}:{number}: {pname!r} is not a SPARQL variable name")
        if ptype not in PARAM_TYPES:
            raise QueryDefinitionError(
                f"{where}:{number}: parameter {pname!r} has unknown type {ptype!r}; "
                f"use one of {', '.join(PARAM_TYPES)}"
            )
        if not re.search(r"\?" + re.escape(pname) + r"\b", text):
            raise QueryDefinitionError(f"{where}:{number}: parameter {pname!r} is not used as ?{pname}")
        param = Parameter(
            name=pname,
            type=ptype,
            default=None if default in (REQUIRED, ANY) else default,
            optional=default == ANY,
            description=parts[3] if len(parts) > 3 else "",
        )
        if param.default is not None:
            try:
                param.to_term(param.default)
            except ParameterError as e:
                raise QueryDefinitionError(f"{where}:{number}: default: {e}") from None
        params.append(param)
    for key in ("title", "description"):
        if not meta.get(key):
            raise QueryDefinitionError(f"{where}:1: the header has no '# {key}: ...' line")
    scope = meta.get("scope")
    if scope is not None:
        if scope not in SCOPES:
            raise QueryDefinitionError(
                f"{where}: '# scope: {scope}' is not a scope; use one of {', '.join(SCOPES)}"
            )
        if not any(p.name == scope and p.optional for p in params):
            raise QueryDefinitionError(
                f"{where}: '# scope: {scope}' needs an optional parameter '# param: {scope} iri * ...'"
            )
    page = values = None
    if "page" in meta:
        m = _PAGE.match(meta["page"])
        if not m:
            raise QueryDefinitionError(
                f"{where}: '# page: {meta['page']}' is not '# page: PARAM VALUES' (VALUES: a file of "
                "queries/pages/ without .rq)"
            )
        page, values = m[1], m[2]
        if not any(p.name == page and p.optional for p in params):
            raise QueryDefinitionError(
                f"{where}: '# page: {page} ...' needs an optional parameter '# param: {page} TYPE * ...'"
            )
        if path is not None and not (path.parent / "pages" / f"{values}.rq").is_file():
            raise QueryDefinitionError(
                f"{where}: '# page: {page} {values}' names {path.parent / 'pages' / (values + '.rq')}, "
                "which is not there"
            )
    return SavedQuery(
        name, meta["title"], meta["description"], text, tuple(params), path, scope, page, values
    )


def load_queries(directory: Path | None = None) -> dict[str, SavedQuery]:
    """Every queries/*.rq by name (the file name without .rq), in name order."""
    if directory is None:
        from .paths import QUERIES_DIR

        directory = QUERIES_DIR
    queries: dict[str, SavedQuery] = {}
    for path in sorted(Path(directory).glob("*.rq")):
        name = path.stem
        if not _NAME.match(name):
            raise QueryDefinitionError(f"{path}: a query's file name is lower-case words joined by '-'")
        from .counts import expand_generated

        queries[name] = parse_query(expand_generated(path.read_text(encoding="utf-8")), name, path)
    return queries


def get_query(name: str, queries: Mapping[str, SavedQuery] | None = None) -> SavedQuery:
    queries = load_queries() if queries is None else queries
    try:
        return queries[name]
    except KeyError:
        raise UnknownQuery(
            f"no saved query {name!r}; the saved queries are: {', '.join(queries) or 'none'}"
        ) from None


def run_query(
    store,
    query: SavedQuery,
    values: Mapping[str, str],
    *,
    timeout: float | None = None,
    max_rows: int | None = None,
):
    """The query's SelectResult on `store`, its parameters bound as typed terms."""
    bound = query.bindings(values)
    return store.select(query.text_for(bound), bindings=bound, timeout=timeout, max_rows=max_rows)
