"""The layout every .rq file of queries/ shares: a header of '#' lines (title, description, parameters
or what a count counts) before its SPARQL. Read by saved_queries.py and counts.py, which import it and
not each other's readers."""

from __future__ import annotations


def header_lines(text: str):
    """(line number, line) of each '#' line of a .rq file's header: the comments before its first
    non-blank line of SPARQL (saved queries and count definitions share this layout)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("#"):
            yield number, line
        elif line.strip():
            return
