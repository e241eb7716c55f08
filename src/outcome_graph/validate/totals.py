"""The SHACL-SPARQL constraints that check a report's stated totals, made from the count definitions
(queries/counts/*.rq) when the shapes are loaded: a shape cannot import a file, and writing the count
again in the shape is how a rule and a view come to count different things.

A node shape names the totals it checks (ogsh:countsTotal "pis.total") and its message
(ogsh:totalMessage); each name becomes one sh:SPARQLConstraint whose query counts the members of the
count whose header says `# total: pis.total`, for the report the stated total belongs to.
"""

from __future__ import annotations

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

from ..counts import Count, load_counts
from ..counts import sparql_string as _string
from ..errors import OutcomeGraphError

SH = Namespace("http://www.w3.org/ns/shacl#")
OGSH = Namespace("https://w3id.org/outcome-graph/shapes#")
PREFIXES = URIRef("https://w3id.org/outcome-graph/shapes")


def constraint_query(count: Count, total: str) -> str:
    """The constraint's SELECT: a result when the stated total differs from the count's members."""
    before, _, after = count.counts.partition("{year}")
    what = _string(before)
    if "{year}" in count.counts:
        what = f"CONCAT({_string(before)}, ?yearLabel, {_string(after)})"
    return f"""
SELECT $this ?code ?year ?stated ?what (?stated AS ?value) ?counted WHERE {{
    $this og:totalOf ?code ; og:value ?stated ; og:report ?reportDoc .
    FILTER (?code = {_string(total)})
    OPTIONAL {{
        # the members of queries/counts/{count.name}.rq in the total's report (a nested SELECT must
        # project $this: SHACL-SPARQL's rule for pre-bound variables)
        SELECT $this (COUNT(DISTINCT ?item) AS ?n) WHERE {{
            $this og:report ?reportDoc .
{count.body}
        }}
        GROUP BY $this
    }}
    # Bound after the count: rdflib evaluates the OPTIONAL's subquery with the bindings made before it,
    # so a count that uses ?year or ?period itself would see these.
    ?reportDoc og:period ?period .
    BIND (REPLACE(STR(?period), "^.*/", "") AS ?year)
    BIND (CONCAT(SUBSTR(?year, 1, 4), "/", SUBSTR(?year, 8, 2)) AS ?yearLabel)
    BIND ({what} AS ?what)
    BIND (COALESCE(?n, 0) AS ?counted)
    FILTER (?counted != ?stated)
}}"""


def add_total_constraints(shapes: Graph) -> None:
    """Adds, to every shape with ogsh:countsTotal, one constraint per total it names."""
    counts = {c.total: c for c in load_counts().values() if c.total}
    for shape in sorted(shapes.subjects(OGSH.countsTotal, None)):
        message = shapes.value(shape, OGSH.totalMessage)
        if message is None:
            raise OutcomeGraphError(f"shape {shape} names totals (ogsh:countsTotal) but no ogsh:totalMessage")
        for total in sorted(str(t) for t in shapes.objects(shape, OGSH.countsTotal)):
            count = counts.get(total)
            if count is None:
                raise OutcomeGraphError(
                    f"shape {shape} checks the total {total!r}, but no count in queries/counts/ says "
                    f"'# total: {total}'; add one"
                )
            # A blank node named after the total, so the shapes graph is the same on every load.
            node = BNode(f"total-{total}")
            shapes.add((shape, SH.sparql, node))
            shapes.add((node, RDF.type, SH.SPARQLConstraint))
            shapes.add((node, SH.prefixes, PREFIXES))
            shapes.add((node, SH.message, message))
            shapes.add((node, SH.select, Literal(constraint_query(count, total))))
            shapes.add((node, OGSH["count"], Literal(count.name)))
