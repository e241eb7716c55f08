"""What the graph holds (/id/) and the vocabulary a query needs (/def), for people and machines.

/id/ lists the councils, reports, code lists and reference frameworks of the served graph, and links the
vocabulary; /def is a table of every og: class and property: the name a query writes (og:Priority), its
label, domain and range (a union read as "A or B", never a blank node), comment, and one example query.
Examples are data: `queries/examples/*.rq`, each naming the terms it shows (`# terms: og:Priority ...`);
a term no curated example shows and that the graph uses gets the plain pattern that finds it
(`?x a og:Trend`, `?s og:rank ?o`), and a term the graph does not use has none, so that every example
shown returns rows (tests/serve/test_catalogue.py runs them all). Both pages read the store per
request, in a few bounded queries, and answer HTML, JSON, CSV and Turtle (/def's is the ontology).
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, render_template, request
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ..labels import humanise, local_name, period_text
from ..namespaces import OG, OGR, PREFIXES, shorten
from . import current_store
from .pages import labels, limits, local_href

bp = Blueprint("catalogue", __name__, template_folder="templates")

HERE = Path(__file__).with_name("catalogue.rq").read_text(encoding="utf-8")
ONTOLOGY_IRI = str(OG).rstrip("#")
_TERMS = re.compile(r"^#\s*terms\s*:\s*(.*)$", re.M)
_TITLE = re.compile(r"^#\s*title\s*:\s*(.*)$", re.M)
_OG_NAME = re.compile(r"^og:[A-Za-z][A-Za-z0-9]*$")
KINDS = ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty")


def _queries(name: str) -> str:
    """One query of catalogue.rq, by its '## name' heading."""
    parts = re.split(r"^## (\w+)\n", HERE, flags=re.M)
    found = dict(zip(parts[1::2], parts[2::2], strict=True))
    return found[name]


def _wants() -> str:
    """'html', 'json', 'csv' or 'ttl', from ?format= or Accept (HTML for a browser and by default)."""
    name = (request.args.get("format") or "").lower()
    if name in ("html", "json", "csv", "ttl", "turtle"):
        return "ttl" if name == "turtle" else name
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "text/csv", "text/turtle"])
    return {"application/json": "json", "text/csv": "csv", "text/turtle": "ttl"}.get(best or "", "html")


def _csv(header: list[str], rows: list[list[str]], name: str) -> Response:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    resp = Response(buf.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return resp


# -- /id/: what the graph holds -------------------------------------------------------------------------


def holdings() -> dict[str, list[dict]]:
    """The councils, reports, code lists and reference frameworks/statutes of the served graph."""
    timeout, _ = limits()
    rows = current_store().select(_queries("holdings"), timeout=timeout, max_rows=2000).rows
    out: dict[str, list[dict]] = {"councils": [], "reports": [], "codeLists": [], "references": []}
    names: dict[tuple[str, str], tuple] = {}
    details: dict[tuple[str, str], str] = {}
    for r in rows:
        key = (str(r["section"]), str(r["thing"]))
        # the preferred kind of name, then the smallest text: the same choice on every engine
        cand = (
            int(str(r["pref"])) if r.get("pref") is not None else 9,
            str(r.get("n") or shorten(r["thing"])),
        )
        names[key] = min(names.get(key, cand), cand)
        if r.get("d") is not None:
            details[key] = period_text(str(r["d"]))
    for (section, iri), (_, name) in names.items():
        item = {"iri": iri, "name": name, "href": local_href(iri)}
        if (section, iri) in details:
            item["detail"] = details[(section, iri)]
        out[section].append(item)
    for items in out.values():
        items.sort(key=lambda i: (i.get("detail", ""), i["name"], i["iri"]))
    return out


@bp.get("/id/")
@bp.get("/id")
def index():
    held = holdings()
    fmt = _wants()
    vocabulary = {"iri": ONTOLOGY_IRI, "name": "The outcome-graph vocabulary", "href": "/def"}
    if fmt == "json":
        doc = {**held, "vocabulary": vocabulary}
        return Response(json.dumps(doc, ensure_ascii=False, indent=1), mimetype="application/json")
    if fmt == "ttl":
        return Response(_index_turtle(held), mimetype="text/turtle")
    if fmt == "csv":
        rows = [[s, i["iri"], i["name"], i.get("detail", "")] for s, items in held.items() for i in items]
        rows.append(["vocabulary", ONTOLOGY_IRI, vocabulary["name"], ""])
        return _csv(["section", "iri", "name", "detail"], rows, "index")
    return render_template("catalogue_index.html", held=held, vocabulary=vocabulary)


SECTION_CLASSES = {
    "councils": OG.Organisation,
    "reports": OG.Report,
    "codeLists": SKOS.ConceptScheme,
    "references": None,  # statutes and frameworks: their own types are in the graph
}


def _index_turtle(held: dict[str, list[dict]]) -> bytes:
    """The index as data: the graph's root (…/id/) dcterms:hasPart each thing it lists, with its name."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    root = URIRef(str(OGR))
    for section, items in held.items():
        for i in items:
            thing = URIRef(i["iri"])
            g.add((root, DCTERMS.hasPart, thing))
            g.add((thing, RDFS.label, Literal(i["name"])))
            if SECTION_CLASSES.get(section) is not None:
                g.add((thing, RDF.type, SECTION_CLASSES[section]))
    g.add((root, DCTERMS.hasPart, URIRef(ONTOLOGY_IRI)))
    return g.serialize(format="turtle", encoding="utf-8")


# -- /def: the vocabulary ---------------------------------------------------------------------------------


@cache
def curated_examples() -> dict[str, dict]:
    """The example query of each term that a file of queries/examples/ names ('og:Priority' -> example)."""
    from ..paths import QUERIES_DIR

    out: dict[str, dict] = {}
    for path in sorted((Path(QUERIES_DIR) / "examples").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        terms = _TERMS.search(text)
        title = _TITLE.search(text)
        if not terms or not title:
            raise ValueError(f"{path}: an example needs '# title:' and '# terms:' lines")
        for name in terms[1].split():
            if not _OG_NAME.match(name):
                raise ValueError(f"{path}: {name!r} in '# terms:' is not an og: name")
            out.setdefault(name, {"title": title[1].strip(), "query": text, "file": path.name})
    return out


def pattern_example(name: str, is_class: bool) -> dict:
    """The plain pattern that finds a term's uses, for a term no curated example shows."""
    assert _OG_NAME.match(name)  # an ontology term's own name: nothing a user typed
    body = f"?thing a {name}" if is_class else f"?thing {name} ?value"
    head = "?thing" if is_class else "?thing ?value"
    text = f"PREFIX og: <{OG}>\nSELECT {head} WHERE {{\n  {body} .\n}}\nLIMIT 10\n"
    return {"title": f"Things {'of class' if is_class else 'with'} {name}", "query": text, "file": None}


def vocabulary() -> list[dict]:
    """One row per og: class and property, in kind then name order."""
    timeout, _ = limits()
    store = current_store()
    rows = store.select(_queries("terms"), timeout=timeout, max_rows=20000).rows
    terms: dict[str, dict] = {}
    L = labels()
    for r in rows:
        iri = str(r["term"])
        t = terms.setdefault(
            iri,
            {
                "iri": iri,
                "name": "og:" + local_name(iri),
                "kind": local_name(str(r["kind"])),
                "label": str(r.get("label") or humanise(local_name(iri))),
                "comment": str(r.get("comment") or ""),
                "domain": set(),
                "range": set(),
            },
        )
        for key in ("domain", "range"):
            if r.get(key) is not None and not str(r.get(f"{key}Blank") or "").lower() == "true":
                t[key].add(str(r[key]))
    used = {str(r["term"]) for r in store.select(_queries("used"), timeout=timeout, max_rows=20000).rows}
    curated = curated_examples()
    out = []
    for iri in sorted(
        terms, key=lambda i: (KINDS.index(terms[i]["kind"]) if terms[i]["kind"] in KINDS else 9, i)
    ):
        t = terms[iri]
        t["domain_text"] = _either(t.pop("domain"), L)
        t["range_text"] = _either(t.pop("range"), L)
        example = curated.get(t["name"])
        if example is None and iri in used:
            example = pattern_example(t["name"], t["kind"] == "Class")
        t["example"] = example
        out.append(t)
    return out


def _either(iris: set[str], L) -> list[dict]:
    """A domain or range: its classes or datatypes ('Action or Indicator'), each with its query name."""
    out = []
    for i in sorted(iris):
        ours = i.startswith(str(OG))
        out.append(
            {
                "name": shorten(URIRef(i)),
                "label": L.term(i) if ours else "",
                "href": f"#{local_name(i)}" if ours else None,
            }
        )
    return out


@cache
def _ontology_turtle() -> bytes:
    """The vocabulary as Turtle: catalogue.rq's `ontology` asked of the reference data the store was built
    from (build.reference.static_graph, covered by the store's fingerprint), not of the store. Its
    pattern (every statement whose subject is an og: term) has no bound part an engine can start from:
    asked of a national store it read all 10 M triples, past the time limit, and its worker died (a
    500). The vocabulary is the same whatever reports the store holds (tests/serve/test_routes.py)."""
    import pyoxigraph as ox

    from ..build.reference import static_graph

    memory = ox.Store()
    memory.load(static_graph().serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    body = ox.serialize(memory.query(_queries("ontology")), format=ox.RdfFormat.N_TRIPLES)
    graph = Graph().parse(data=body, format="nt")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    return graph.serialize(format="turtle", encoding="utf-8")


@bp.get("/def")
def vocabulary_page():
    fmt = _wants()
    if fmt == "ttl":
        return Response(_ontology_turtle(), mimetype="text/turtle")
    terms = vocabulary()
    if fmt == "json":
        doc = [
            {
                "name": t["name"],
                "iri": t["iri"],
                "kind": t["kind"],
                "label": t["label"],
                "domain": [d["name"] for d in t["domain_text"]],
                "range": [d["name"] for d in t["range_text"]],
                "comment": t["comment"],
                "example": t["example"]["query"] if t["example"] else None,
            }
            for t in terms
        ]
        return Response(json.dumps(doc, ensure_ascii=False, indent=1), mimetype="application/json")
    if fmt == "csv":
        rows = [
            [
                t["name"],
                t["kind"],
                t["label"],
                " or ".join(d["name"] for d in t["domain_text"]),
                " or ".join(d["name"] for d in t["range_text"]),
                t["comment"],
                t["example"]["query"] if t["example"] else "",
            ]
            for t in terms
        ]
        return _csv(["name", "kind", "label", "domain", "range", "comment", "example"], rows, "vocabulary")
    return render_template("vocabulary.html", terms=terms)
