"""A saved query's parameter values as typed RDF terms: the one place user text becomes a term.

The types a parameter line may name (queries/*.rq, see saved_queries.py):

    string   a plain literal, as given
    code     a record code; extraction noise is removed as the build does ("CSPC.P. 1.2a")
    iri      an absolute IRI, or a prefixed name with one of the project's prefixes (ogr:...)
    integer  xsd:integer          decimal  xsd:decimal
    year     a government year, bound as its reference.data.gov.uk IRI (the og:period of a Report)

A value that does not fit its type is a ParameterError that names the parameter and the form expected.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .errors import OutcomeGraphError
from .extract.codes import normalise_code
from .namespaces import GOV_YEAR, PREFIXES

PARAM_TYPES = ("string", "code", "iri", "integer", "decimal", "year")

# Characters an IRI may not contain (RFC 3987 excludes them; N-Triples cannot carry them unescaped).
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_YEAR_FORMS = [
    re.compile(r"^(?P<start>20\d\d)\s*[-/]\s*(?P<end>20\d\d)$"),  # 2016-2017
    re.compile(r"^(?P<start>20\d\d)\s*[-/]\s*(?P<end>\d\d)$"),  # 2016/17, 2016-17
    re.compile(r"^(?P<start>\d\d)\s*/\s*(?P<end>\d\d)$"),  # 16/17, as the reports write it
    re.compile(r"^(?P<start>20\d\d)$"),  # 2016: the government year that starts in it
]


class ParameterError(OutcomeGraphError):
    """A parameter value that cannot be bound: names the parameter and the expected form."""


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
