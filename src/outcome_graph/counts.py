"""The counts the tool shows, each defined once as SPARQL in queries/counts/*.rq.

A count file selects the things counted, one row per thing and report (`?reportDoc ?item`); the count is
the number of distinct items of a report. Its header says in plain words what it counts, with `{year}`
for the report's year ("service-priority PIs whose {year} annual figure is Off Target"), and, where the
report states that total itself, the og:totalOf name of the stated total it is checked against:

    # title: Service-priority PIs off target
    # counts: service-priority PIs whose {year} annual figure is Off Target
    # total: pis.off_target            (optional)
    # listed: Service Plan PIs Off Target   (optional: the heading the report lists the members under)
    # note: ...                        (optional, repeatable)

Gaps, the audit, the pages and the CLI read the members from the store with these queries (see
`count_members`); the validation rule for stated totals is generated from the same text (see
`total_shapes`), so no view can count a thing differently from another.
"""

from __future__ import annotations

import re
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import OutcomeGraphError
from .query_files import header_lines

_HEADER = re.compile(r"^#\s*(title|counts|total|listed|note)\s*:\s*(.*?)\s*$")
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Variables the stated-total rule binds around a count's pattern (the count's own are ?reportDoc, ?item).
RESERVED = frozenset({"this", "code", "stated", "value", "counted", "n", "what"})


class CountDefinitionError(OutcomeGraphError):
    """A count file whose header or query is not of the expected form: names the file and line."""


@dataclass(frozen=True)
class Count:
    name: str
    title: str
    counts: str  # plain words, with {year} for the report's year
    text: str  # the membership query: SELECT DISTINCT ?reportDoc ?item
    total: str | None = None  # the og:totalOf name of the total a report states for it
    note: str = ""
    path: Path | None = None
    listed: str | None = None  # the heading under which the report lists what it counts as this

    def says(self, year: str | None) -> str:
        """What it counts, in words, for a report year ('2020-2021' or None for any year)."""
        return self.counts.replace("{year}", year_label(year) if year else "report's")

    def says_change(self, old: str, new: str) -> str:
        """What a change (queries/changes/) counts, in words, from report year `old` to `new`."""
        return self.counts.replace("{old}", year_label(old)).replace("{new}", year_label(new))

    @property
    def prologue(self) -> str:
        """The PREFIX lines."""
        return "\n".join(
            line for line in self.text.splitlines() if line.strip().upper().startswith(("PREFIX", "BASE"))
        )

    @property
    def select(self) -> str:
        """The query without its header and prologue: SELECT DISTINCT ?reportDoc ?item WHERE {...}."""
        i = re.search(r"^\s*SELECT\b", self.text, re.M | re.I)
        assert i is not None  # checked by parse_count
        return self.text[i.start() :].strip()

    @property
    def body(self) -> str:
        """The graph pattern inside the query's WHERE { ... }."""
        m = re.search(r"\bWHERE\s*\{", self.select, re.I)
        assert m is not None  # checked by parse_count
        return self.select[m.end() : self.select.rstrip().rfind("}")].strip("\n")

    def aggregate(self) -> str:
        """The count per report as one aggregate query (same members; engines agree on it)."""
        return (
            f"{self.prologue}\nSELECT ?reportDoc (COUNT(DISTINCT ?item) AS ?count)\n"
            f"WHERE {{\n  {{ {self.select} }}\n}}\nGROUP BY ?reportDoc\nORDER BY ?reportDoc\n"
        )


def year_label(year: str) -> str:
    """'2020/21' for '2020-2021' (how the reports and the pages write a year)."""
    m = re.fullmatch(r"(\d{4})-(\d{4})", year)
    return f"{m[1]}/{m[2][2:]}" if m else year


# What a count selects: its members per report; a change (queries/changes/) its members per pair of
# reports of one council, with the matching record of the earlier report where there is one.
MEMBERS = r"SELECT\s+DISTINCT\s+\?reportDoc\s+\?item\s+WHERE\b"
CHANGE_MEMBERS = r"SELECT\s+DISTINCT\s+\?oldDoc\s+\?newDoc\s+\?item(\s+\?was)?\s+WHERE\b"


def parse_count(text: str, name: str, path: Path | None = None, members: str = MEMBERS) -> Count:
    where = str(path) if path else name
    meta: dict[str, str] = {}
    notes: list[str] = []
    for number, line in header_lines(text):
        m = _HEADER.match(line)
        if not m:
            raise CountDefinitionError(
                f"{where}:{number}: a count's header lines are '# title:', '# counts:', '# total:', "
                f"'# listed:' and '# note:'; got {line!r}"
            )
        if m[1] == "note":
            notes.append(m[2])
        elif m[1] in meta:
            raise CountDefinitionError(f"{where}:{number}: '# {m[1]}:' is given twice")
        else:
            meta[m[1]] = m[2]
    for key in ("title", "counts"):
        if not meta.get(key):
            raise CountDefinitionError(f"{where}:1: the header has no '# {key}: ...' line")
    if not re.search(r"^\s*" + members, text, re.M | re.I):
        form = "?oldDoc ?newDoc ?item [?was]" if members == CHANGE_MEMBERS else "?reportDoc ?item"
        raise CountDefinitionError(
            f"{where}: a count selects its members as 'SELECT DISTINCT {form} WHERE {{ ... }}'"
        )
    clash = sorted(set(re.findall(r"[?$](\w+)", text)) & RESERVED)
    if clash:
        raise CountDefinitionError(
            f"{where}: the variable(s) {', '.join('?' + v for v in clash)} are the validation rule's own "
            "(see outcome_graph.validate.totals); give them other names"
        )
    total, listed = meta.get("total"), meta.get("listed")
    return Count(name, meta["title"], meta["counts"], text, total, " ".join(notes), path, listed)


def _load(directory: Path, members: str) -> dict[str, Count]:
    out: dict[str, Count] = {}
    for path in sorted(Path(directory).glob("*.rq")):
        if not _NAME.match(path.stem):
            raise CountDefinitionError(f"{path}: a count's file name is lower-case words joined by '-'")
        out[path.stem] = parse_count(path.read_text(encoding="utf-8"), path.stem, path, members)
    return out


@cache
def load_changes(directory: Path | None = None) -> dict[str, Count]:
    """Every queries/changes/*.rq by name: what changed from one report to another of the same council
    (`outcome-graph diff`, the audit's "what changed"); words with {old} and {new}."""
    if directory is None:
        from .paths import QUERIES_DIR

        directory = QUERIES_DIR / "changes"
    return _load(Path(directory), CHANGE_MEMBERS)


@cache
def load_counts(directory: Path | None = None) -> dict[str, Count]:
    """Every queries/counts/*.rq by name, in name order."""
    if directory is None:
        from .paths import QUERIES_DIR

        directory = QUERIES_DIR / "counts"
    out = _load(Path(directory), MEMBERS)
    totals = [c.total for c in out.values() if c.total]
    if len(totals) != len(set(totals)):
        raise CountDefinitionError(f"{directory}: two counts check the same stated total")
    return out


def by_total(name: str) -> Count | None:
    """The count a stated total (og:totalOf) is checked against."""
    return next((c for c in load_counts().values() if c.total == name), None)


# The lines of a saved query that are made from the count definitions when it is loaded (see
# queries/reported-totals.rq): a comment line, so the file as written is a valid query that counts nothing.
_GENERATED = re.compile(r"^([ \t]*)# \(generated\) (UNION branches|BIND|members of ([a-z0-9-]+)):.*$", re.M)


def sparql_string(text: str) -> str:
    """A SPARQL string literal of `text`."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _branch(count: Count, number: int, indent: str) -> str:
    """A UNION branch giving, for every stated total the count checks, the number it counts as ?n: the
    count's own members (its variables other than ?reportDoc renamed apart from the query's) counted per
    report in a grouped subquery, joined to the total by ?reportDoc (reported-totals sums ?n, 0 where
    no branch gives one).

    A grouped subquery, not the count's pattern written in beside the total's: with ?reportDoc bound by
    the total first, Oxigraph's planner walked `?record og:report ?reportDoc` (every record of the
    report) for each of the nation's 2,368 totals and reported-totals passed 30 s on a national store
    (77 s to its end; each branch alone 3-10 s). A grouped subquery cannot take the total's bindings in:
    it is planned and run once, as the count alone is (every view's own query), and joined by report."""

    def rename(m: re.Match) -> str:
        name = m[1]
        return m[0] if name == "reportDoc" else "?record" if name == "item" else f"?c{number}_{name}"

    body = re.sub(r"[?$](\w+)", rename, count.body)
    lines = [
        f"# queries/counts/{count.name}.rq: {count.counts}",
        f"?total og:totalOf {sparql_string(count.total or '')} ; og:report ?reportDoc .",
        "{ SELECT ?reportDoc (COUNT(DISTINCT ?record) AS ?n) WHERE {",
        # The saved query's parameters (council, report) are written here too (SavedQuery.text_for):
        # a grouped sub-select does not see the outer VALUES, and one council's totals would otherwise
        # be counted against every report of the nation (past 30 s at 10 M triples).
        "  #@values",
        "  ?reportDoc og:organisation ?council ; og:period ?report .",
        *("  " + line.rstrip() for line in textwrap.dedent(body).splitlines() if line.strip()),
        "} GROUP BY ?reportDoc }",
    ]
    inner = "".join(f"{indent}  {line}\n" for line in lines)
    return f"{indent}UNION {{\n{inner}{indent}}}\n"


def _words(counts: list[Count], indent: str) -> str:
    """BIND(... AS ?counts): the count's words for each stated total, with the year of ?report (a period)."""
    year = 'REPLACE(STR(?report), "^.*/", "")'
    label = f'CONCAT(SUBSTR({year}, 1, 4), "/", SUBSTR({year}, 8, 2))'
    expr = "?unknownKind"  # unbound: a total no count file names
    for c in reversed(counts):
        before, has_year, after = c.counts.partition("{year}")
        words = (
            f"CONCAT({sparql_string(before)}, {label}, {sparql_string(after)})"
            if has_year
            else sparql_string(before)
        )
        expr = f"IF(?totalOf = {sparql_string(c.total or '')},\n{indent}     {words},\n{indent}   {expr})"
    return f"{indent}BIND ({expr}\n{indent}   AS ?counts)\n"


def _members_pattern(name: str, indent: str) -> str:
    """The pattern of count `name` (queries/counts/NAME.rq) written in place: its members are ?item of
    report ?reportDoc, its other variables renamed apart (?m_...), so a saved query that counts them by
    council or year counts exactly what every view counts."""
    counts = load_counts()
    if name not in counts:
        raise CountDefinitionError(f"a saved query names the count {name!r}; counts: {', '.join(counts)}")

    def rename(m: re.Match) -> str:
        return m[0] if m[1] in ("reportDoc", "item") else f"?m_{m[1]}"

    body = re.sub(r"[?$](\w+)", rename, counts[name].body)
    lines = [f"# queries/counts/{name}.rq: {counts[name].counts}"]
    lines += [line.rstrip() for line in textwrap.dedent(body).splitlines() if line.strip()]
    return "\n".join(f"{indent}{line}" for line in lines)


def expand_generated(text: str) -> str:
    """A saved query's text with its '# (generated) ...' lines made from the count definitions (the
    counts that name a stated total, in name order): nothing is written twice."""
    stated = [c for c in load_counts().values() if c.total]

    def make(m: re.Match) -> str:
        indent = m[1]
        if m[3]:
            return _members_pattern(m[3], indent)
        if m[2] == "BIND":
            return _words(stated, indent).rstrip("\n")
        return "".join(_branch(c, i, indent) for i, c in enumerate(stated, 1)).rstrip("\n")

    return _GENERATED.sub(make, text)


def count_members(store, reports=None, timeout=None) -> dict[str, dict[str, list[str]]]:
    """{count name: {report IRI: sorted member IRIs}} read from `store` with each count's own query,
    for the reports given (their IRIs, bound as ?reportDoc by the query layer: a council's pages count
    that council's reports, never the nation's); every report of the graph when none are given."""
    from .query_layer import read_select

    bound = {"reportDoc": list(reports)} if reports is not None else None
    out: dict[str, dict[str, list[str]]] = {}
    for name, c in load_counts().items():
        members: dict[str, set[str]] = defaultdict(set)
        if reports is None or bound["reportDoc"]:
            part = f"the count {c.title!r} (queries/counts/{name}.rq)"
            for row in read_select(store, c.text, part, bound, timeout=timeout).rows:
                members[str(row["reportDoc"])].add(str(row["item"]))
        out[name] = {r: sorted(v) for r, v in sorted(members.items())}
    return out


def change_members(
    store, reports=None, timeout=None
) -> dict[str, dict[tuple[str, str], list[tuple[str, str | None]]]]:
    """{change name: {(old report IRI, new report IRI): sorted (member, matching old record or None)}},
    for pairs of the reports given (bound as ?oldDoc and ?newDoc: one council's reports)."""
    from .query_layer import read_select

    bound = {"oldDoc": list(reports), "newDoc": list(reports)} if reports is not None else None
    out: dict[str, dict[tuple[str, str], list[tuple[str, str | None]]]] = {}
    for name, c in load_changes().items():
        members: dict[tuple[str, str], set[tuple[str, str | None]]] = defaultdict(set)
        if reports is None or bound["newDoc"]:
            part = f"the change {c.title!r} (queries/changes/{name}.rq)"
            for row in read_select(store, c.text, part, bound, timeout=timeout).rows:
                was = row.get("was")
                members[(str(row["oldDoc"]), str(row["newDoc"]))].add(
                    (str(row["item"]), str(was) if was else None)
                )
        out[name] = {pair: sorted(v, key=lambda m: (m[0], m[1] or "")) for pair, v in sorted(members.items())}
    return out
