"""The query language: SPARQL 1.1 read once, checked, bounded, and written out as the canonical text
that is the only text any engine is given. Below serve/ and store/, importing neither.

- `lexer`: SPARQL 1.1's terminals, linear in the text;
- `check`: what a query may say (no SERVICE, LOAD or update; SPARQL's own words only) and the canonical
  text (full IRIs, no PREFIX or BASE, one space between tokens);
- `bounds`: the depth and length of every construct an engine reads recursively;
- `terms`: SPARQL's words, and IRI schemes that name an engine's procedures;
- `iri`: RFC 3986 resolution of relative IRIs.
"""

from .check import (
    Canonical,
    QueryInfo,
    Refused,
    check_dataset,
    check_query,
    for_engine,
)

__all__ = ["Canonical", "QueryInfo", "Refused", "check_dataset", "check_query", "for_engine"]
