"""What a query may say: the words of SPARQL 1.1 (and the few of SPARQL 1.2 that Oxigraph reads), and
no IRI in a scheme that names an engine's own procedures.

A remote store may be an engine with extensions that reach outside the data. Virtuoso, the most common
production server, runs any SQL built-in named as a function in the `bif:` scheme (`bif:http_get` fetches
a URL from the server, tried in tests/store/test_servers.py) and stored procedures in `sql:`, predefines
those prefixes so a query need not declare them, and reads pragmas and options that are not SPARQL at
all (`DEFINE get:soft "replace"`, `OPTION (...)`), some of which make it fetch documents. So the check
holds a query to the language itself: every bare word must be one of SPARQL's (keywords and built-in
functions, any case), every prefixed name must use a prefix the query declares, and no IRI, prefix
namespace or BASE may be in a scheme listed in PROCEDURE_SCHEMES.
"""

from __future__ import annotations

# Section 19.8 of SPARQL 1.1 Query (keywords, built-in calls, aggregates) and of SPARQL 1.1 Update
# (so that an update is refused as one, 403, not as an unknown word).
QUERY_WORDS = """
BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK FROM NAMED GROUP BY HAVING ORDER
ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND MINUS UNION FILTER NOT EXISTS IN
A TRUE FALSE
STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE
ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS
TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI
ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE
COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR
"""
UPDATE_WORDS = "INSERT DELETE LOAD CLEAR DROP CREATE ADD MOVE COPY WITH DATA INTO TO USING DEFAULT ALL"
# SPARQL 1.2 (RDF 1.2 triple terms, base direction) and LATERAL, which the embedded engine reads.
SPARQL_12_WORDS = "TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE LANGDIR HASLANG HASLANGDIR STRLANGDIR LATERAL"

WORDS = frozenset((QUERY_WORDS + " " + UPDATE_WORDS + " " + SPARQL_12_WORDS).split())

# IRI schemes that name an engine's procedures rather than anything in the data (lower case).
PROCEDURE_SCHEMES = ("bif:", "sql:")


def is_procedure(iri: str) -> bool:
    """True for an IRI that names an engine procedure (`bif:http_get`, `SQL:x`): schemes ignore case."""
    return iri.lstrip().lower().startswith(PROCEDURE_SCHEMES)
