"""Whose report, of which service, for which year: read from the report's content or a manifest, never
from its file name (a renamed copy of a report is the same report and gives the same graph).

- Service and year: the title line ("Children's Services Annual Performance Report 2016-2017").
- Council: a manifest row for the file, else the council the title names, else the council the text
  names: the bundled reports never say "Midlothian Council" in their title, but name Midlothian 20 times
  and no other council more than once. Names and their other forms are data (graph/curated/councils.csv,
  column `aliases`). A report that names no council clearly is an error that says what to add to the
  manifest.
- Manifest: `reports.csv` beside the report files, one row per file: `file,council,service,year`
  (service and year may be left empty; when given they must agree with the title).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import ReportError

MANIFEST = "reports.csv"
MANIFEST_COLUMNS = ("file", "council", "service", "year")
# The most-named council must be named this often, and this many times more than any other.
MIN_MENTIONS, MARGIN = 3, 3


@dataclass(frozen=True)
class Declared:
    """What a manifest row says about one file (None: not said)."""

    council: str | None = None
    service: str | None = None
    year: str | None = None
    where: str = ""  # "reports.csv line 3", for messages


@cache
def _names() -> tuple[re.Pattern, dict[str, str]]:
    """One pattern for every council's names, longest first, and the council of each name (lower case):
    one pass, so "East Renfrewshire" is read as East Renfrewshire and not also as Renfrewshire."""
    from ..curate import councils

    owner: dict[str, str] = {}
    for slug, row in sorted(councils().items()):
        for name in (row.get("aliases") or row["name"]).split(";"):
            if name.strip():
                owner[" ".join(name.split()).lower()] = slug
    alternatives = "|".join(
        re.escape(n).replace(r"\ ", r"\s+") for n in sorted(owner, key=lambda n: (-len(n), n))
    )
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE), owner


def mentions(text: str) -> Counter:
    """How often each council is named in `text` (longer names win where names overlap, and a whole
    word only, so "Aberdeen" is not "Aberdeenshire")."""
    pattern, owner = _names()
    return Counter(owner[" ".join(m.split()).lower()] for m in pattern.findall(text))


def known_councils() -> list[str]:
    return sorted(set(_names()[1].values()))


def council_from_content(title: str, text: str) -> tuple[str | None, str]:
    """The council, and how it was found (or why not)."""
    named = mentions(title)
    if len(named) == 1:
        return next(iter(named)), "named in the title"
    counts = mentions(text).most_common()
    if not counts:
        return None, "the report names no Scottish council"
    top, n = counts[0]
    runner = counts[1][1] if len(counts) > 1 else 0
    if n >= MIN_MENTIONS and n >= MARGIN * max(runner, 1):
        return top, f"named {n} times in the text"
    listed = ", ".join(f"{c} ({k})" for c, k in counts[:3])
    return None, f"the report does not name one council clearly (named: {listed})"


def read_manifest(folder: Path) -> dict[str, Declared]:
    """`reports.csv` in `folder`, by file name; {} when there is none. Errors name file, line and field."""
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("file", "council") if c not in (reader.fieldnames or [])]
        if missing:
            raise ReportError(
                str(path),
                f"the manifest has no column {', '.join(missing)}; its header must be "
                f"{','.join(MANIFEST_COLUMNS)}",
                line=1,
                field=missing[0],
            )
        out: dict[str, Declared] = {}
        known = set(known_councils())
        for row in reader:
            line = reader.line_num
            name = (row.get("file") or "").strip()
            council = (row.get("council") or "").strip() or None
            if not name:
                raise ReportError(str(path), "a row without a file name", line=line, field="file")
            if council and council not in known:
                raise ReportError(
                    str(path),
                    f"unknown council {council!r}; use one of the ids in "
                    "graph/curated/councils.csv (e.g. midlothian, fife, city-of-edinburgh)",
                    line=line,
                    field="council",
                )
            if name in out:
                raise ReportError(str(path), f"{name} is listed twice", line=line, field="file")
            out[name] = Declared(
                council,
                (row.get("service") or "").strip() or None,
                (row.get("year") or "").strip() or None,
                f"{path} line {line}",
            )
    return out


def manifest_hint(source: str) -> str:
    name = Path(source).name
    return (
        f"add a line for it to {MANIFEST} beside the file (header {','.join(MANIFEST_COLUMNS)}), "
        f'e.g. "{name},midlothian,,", or give --council'
    )
