"""The analysts' library of saved SPARQL queries in queries/*.rq, and how their parameters are bound.

Each file starts with comment lines that describe it:

    # title: Off-target indicators by report
    # description: Every indicator whose status the report gives as Off Target, with its note.
    # param: report year 2020-2021 The report's government year (2020-2021, 2020/21 or 2020)

A parameter line is `name type default [description]`. The name is the query variable it binds
(`?report`). The default `-` means the parameter is required; `*` means it is optional and, when not
given, the variable is left free (the query then answers for every value). Types:

    string   a plain literal, as given
    code     a record code; extraction noise is removed as the build does ("CSPC.P. 1.2a")
    iri      an absolute IRI, or a prefixed name with one of the project's prefixes (ogr:...)
    integer  xsd:integer          decimal  xsd:decimal
    year     a government year, bound as its reference.data.gov.uk IRI (the og:period of a Report)

Values are turned into typed RDF terms here and handed to the store as `bindings=`, which joins them to
the query as a VALUES block built from the terms' N-Triples form: user text is never pasted into the
query text, so a value carrying quotes or braces can only fail to match.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .errors import OutcomeGraphError
from .extract.codes import normalise_code
from .namespaces import GOV_YEAR, PREFIXES

PARAM_TYPES = ("string", "code", "iri", "integer", "decimal", "year")
REQUIRED = "-"
ANY = "*"

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*?)\s*$")
# Characters an IRI may not contain (RFC 3987 excludes them; N-Triples cannot carry them unescaped).
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_YEAR_FORMS = [
    re.compile(r"^(?P<start>20\d\d)\s*[-/]\s*(?P<end>20\d\d)$"),  # 2016-2017
    re.compile(r"^(?P<start>20\d\d)\s*[-/]\s*(?P<end>\d\d)$"),  # 2016/17, 2016-17
    re.compile(r"^(?P<start>\d\d)\s*/\s*(?P<end>\d\d)$"),  # 16/17, as the reports write it
    re.compile(r"^(?P<start>20\d\d)$"),  # 2016: the government year that starts in it
]


class QueryDefinitionError(OutcomeGraphError):
    """A saved query file whose header is wrong: names the file and line."""


class ParameterError(OutcomeGraphError):
    """A parameter value that cannot be bound: names the parameter and the expected form."""


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
        }


def to_term(kind: str, value: str, name: str = "value") -> Node:
    """The RDF term for a parameter value of the given type; ParameterError says what was expected."""
    value = value.strip()
    if kind == "string":
        return Literal(value)
    if kind == "code":
        code = normalise_code(value)
        if not code or any(c in code for c in "\n\r\t"):
            raise ParameterError(f"parameter {name!r}: a code is one line of text, e.g. CSPC.P.1.2a")
        return Literal(code)
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise ParameterError(f"parameter {name!r}: {value!r} is not a whole number")
        return Literal(int(value), datatype=XSD.integer)
    if kind == "decimal":
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ParameterError(f"parameter {name!r}: {value!r} is not a decimal number, e.g. 2951.54")
        return Literal(number, datatype=XSD.decimal)
    if kind == "year":
        return URIRef(GOV_YEAR + government_year(value, name))
    if kind == "iri":
        return URIRef(expand_iri(value, name))
    raise ParameterError(f"parameter {name!r}: unknown type {kind!r} (one of {', '.join(PARAM_TYPES)})")


def government_year(value: str, name: str = "year") -> str:
    """'2016-2017' from 2016-2017, 2016/17, 2016-17, 16/17 or 2016."""
    for form in _YEAR_FORMS:
        m = form.match(value.strip())
        if not m:
            continue
        start = int(m["start"]) + (2000 if len(m["start"]) == 2 else 0)
        end = m.groupdict().get("end")
        if end is not None and int(end) % 100 != (start + 1) % 100:
            break
        return f"{start}-{start + 1}"
    raise ParameterError(
        f"parameter {name!r}: {value!r} is not a government year; give it as 2016-2017, 2016/17 or 2016"
    )


def expand_iri(value: str, name: str = "iri") -> str:
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, _, local = value.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    if _BAD_IRI.search(value) or not _ABSOLUTE_IRI.match(value):
        raise ParameterError(
            f"parameter {name!r}: {value!r} is not an absolute IRI; give it as "
            "https://w3id.org/outcome-graph/id/... or with a prefix such as ogr:"
        )
    return value


def header_lines(text: str):
    """(line number, line) of each '#' line of a .rq file's header: the comments before its first
    non-blank line of SPARQL (saved queries and count definitions share this layout)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("#"):
            yield number, line
        elif line.strip():
            return


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
    return SavedQuery(name, meta["title"], meta["description"], text, tuple(params), path)


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
        from .counts import expand_generated  # here: counts.py reads .rq headers with this module

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
    return store.select(query.text, bindings=query.bindings(values), timeout=timeout, max_rows=max_rows)


# --- results formats -------------------------------------------------------------------------------

FORMATS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


def _json_term(term: Node) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{xml_escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{xml_escape(str(term))}</bnode>"
    attrs = ""
    if term.language:
        attrs = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype and term.datatype != XSD.string:
        attrs = f" datatype={quoteattr(str(term.datatype))}"
    return f"<literal{attrs}>{xml_escape(str(term))}</literal>"


def _tsv_term(term: Node) -> str:
    if isinstance(term, Literal) and term.datatype in (XSD.integer, XSD.decimal, XSD.double, XSD.boolean):
        return str(term)
    return term.n3()


def serialize(result, fmt: str) -> bytes:
    """A SelectResult in one of FORMATS, as the SPARQL 1.1 results formats define them."""
    names, rows = list(result.vars), result.rows
    if fmt == "json":
        doc = {
            "head": {"vars": names},
            "results": {"bindings": [{v: _json_term(r[v]) for v in names if v in r} for r in rows]},
        }
        if getattr(result, "truncated", False):
            doc["head"]["link"] = ["#truncated"]
            doc["head"]["truncated"] = True  # where /sparql says it (store/results.py)
            doc["truncated"] = True
        return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in names]
        out.append("</head>\n<results>")
        for r in rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(v)}>{_xml_term(r[v])}</binding>" for v in names if v in r]
            out.append("</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(names)
        for r in rows:
            writer.writerow([str(r[v]) if v in r else "" for v in names])
        return buf.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in names)]
        lines += ["\t".join(_tsv_term(r[v]) if v in r else "" for v in names) for r in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ParameterError(f"unknown results format {fmt!r}; use one of {', '.join(FORMATS)}")


_BARE_TSV = {str(XSD.integer), str(XSD.decimal), str(XSD.double), str(XSD.boolean)}
_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_json_term(term: dict[str, str]) -> str:
    kind, value = term["type"], term["value"]
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    datatype = term.get("datatype")
    if datatype in _BARE_TSV:
        return value
    text = '"' + value.translate(_TSV_ESCAPES) + '"'
    if "xml:lang" in term:
        return f"{text}@{term['xml:lang']}"
    if datatype and datatype != str(XSD.string):
        return f"{text}^^<{datatype}>"
    return text


def tsv_from_json(body: bytes) -> bytes:
    """The saved-query TSV of a SPARQL JSON results body (as `serialize` writes it from a SelectResult).

    The store's own TSV gives every literal in quotes with its datatype; the saved queries' TSV has always
    written numbers and booleans bare, as the SPARQL 1.1 TSV format allows, so that a spreadsheet reads
    them as numbers. Converting the engine's JSON keeps that without building a Python term per cell.
    """
    doc = json.loads(body)
    names = doc["head"]["vars"]
    lines = ["\t".join("?" + v for v in names)]
    lines += [
        "\t".join(_tsv_json_term(row[v]) if v in row else "" for v in names)
        for row in doc["results"]["bindings"]
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def format_table(result) -> str:
    """A plain-text table for a terminal: IRIs shortened with the project's prefixes."""
    names = list(result.vars)
    cells = [[shorten(r[v]) if v in r else "" for v in names] for r in result.rows]
    widths = [max([len(n)] + [min(len(c[i]), 60) for c in cells]) for i, n in enumerate(names)]

    def line(values: list[str]) -> str:
        return "  ".join(
            (v if len(v) <= 60 else v[:59] + "…").ljust(w) for v, w in zip(values, widths, strict=True)
        )

    out = [line(names), line(["-" * w for w in widths])] + [line(c) for c in cells]
    out.append(
        f"({len(cells)} row{'s' if len(cells) != 1 else ''}{', truncated' if result.truncated else ''})"
    )
    return "\n".join(s.rstrip() for s in out) + "\n"


def shorten(term: Node) -> str:
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, ns in PREFIXES.items():
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns) :]}"
        return text
    return str(term).replace("\n", " ")
