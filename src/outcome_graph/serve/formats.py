"""Which media type to answer with: the `format` parameter (for browsers) first, then Accept."""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

from ..store.results import CSV, JSON, JSONLD, NTRIPLES, RDFXML, TSV, TURTLE, XML

# format= names a browser user can type; each maps to one media type.
FORMAT_NAMES = {
    "json": JSON,
    "xml": XML,
    "csv": CSV,
    "tsv": TSV,
    "ttl": TURTLE,
    "turtle": TURTLE,
    "nt": NTRIPLES,
    "ntriples": NTRIPLES,
    "jsonld": JSONLD,
    "json-ld": JSONLD,
    "n3": TURTLE,  # SPARQLWrapper's N3; Turtle is N3
    "rdf": RDFXML,  # SPARQLWrapper's RDF and RDFXML
    "rdf+xml": RDFXML,
    "rdfxml": RDFXML,
}
# For a graph (CONSTRUCT, DESCRIBE) SPARQLWrapper's XML and JSON mean RDF/XML and JSON-LD.
GRAPH_FORMAT_NAMES = {**FORMAT_NAMES, "xml": RDFXML, "json": JSONLD}

# What each query form can be given as, best first (the first is the default for */* or no Accept),
# with the generic types clients commonly send mapped to the specific one they mean.
OFFERS = {
    "SELECT": {
        JSON: JSON,
        XML: XML,
        CSV: CSV,
        TSV: TSV,
        "application/json": JSON,
        "application/xml": XML,
        "text/xml": XML,
    },
    "ASK": {JSON: JSON, XML: XML, "application/json": JSON, "application/xml": XML, "text/xml": XML},
    "CONSTRUCT": {
        TURTLE: TURTLE,
        NTRIPLES: NTRIPLES,
        JSONLD: JSONLD,
        RDFXML: RDFXML,
        "application/json": JSONLD,
        "text/plain": NTRIPLES,
        "application/x-turtle": TURTLE,
        "text/n3": TURTLE,
        "text/rdf+n3": TURTLE,
        "application/xml": RDFXML,
    },
}
OFFERS["DESCRIBE"] = OFFERS["CONSTRUCT"]


class UnknownFormat(ValueError):
    pass


def offered(form: str) -> list[str]:
    return list(dict.fromkeys(OFFERS[form].values()))


def choose(form: str, accept: MIMEAccept, format_name: str | None) -> str | None:
    """The media type for a `form` query, or None when nothing the client accepts can be given.

    Raises UnknownFormat for a `format` value that names no format at all.
    """
    offers = OFFERS[form]
    if format_name:
        name = format_name.strip().lower()
        names = GRAPH_FORMAT_NAMES if form in ("CONSTRUCT", "DESCRIBE") else FORMAT_NAMES
        media_type = names.get(name) or (name if name in offers else None)
        if media_type is None:
            raise UnknownFormat(
                f"unknown format {format_name!r}: use one of {', '.join(sorted(FORMAT_NAMES))}"
            )
        return offers.get(media_type)  # a format this form cannot be given as: None (406)
    if not accept:
        return next(iter(offers.values()))
    best = accept.best_match(list(offers))
    return offers[best] if best else None


def content_type(media_type: str) -> str:
    if media_type.startswith("text/") or media_type in (NTRIPLES,):
        return f"{media_type}; charset=utf-8"
    return media_type
