"""An action row whose cells do not fit its table's header, placed by the form of each cell (a code, the
action text, a date, a percentage, a status note), or the reason it cannot be: the rule of
actions.py's docstring ("A row whose cell count is not the header's ...")."""

from __future__ import annotations

import re

from .codes import split_leading_code
from .values import parse_cell

_DATE = re.compile(r"^\d{1,2}-[A-Za-z]{3}-\d{4}$")
_HAS_LETTER = re.compile(r"[A-Za-z]")
_NOTE_HEAD = re.compile(r"^(?:Q\d\s*)?\d\d/\d\d\s*:")


def _texty(cell: str) -> bool:
    """Text, not an icon's glyph or leftover ("Ø", "I", "8", "83", "⊘")."""
    return (len(cell) > 1 and bool(_HAS_LETTER.search(cell))) or len(cell) > 3


def by_form(cells: list[str], layout: str | None) -> list[str] | str:
    """The row's cells in the header's positions, placed by form; or why they cannot be."""
    texts_before = 2 if layout == "priority" else 1
    code_cell = cells[0] if cells else ""
    if code_cell and not split_leading_code(code_cell)[0] and _HAS_LETTER.search(code_cell):
        return f"its first cell {code_cell!r} is not a code, so the Code and Action cannot be told apart"
    forms: dict[str, list[int]] = {"due": [], "progress": [], "comment": []}
    for i, c in enumerate(cells[1:], start=1):
        if _DATE.match(re.sub(r"\s+", "", c)):
            forms["due"].append(i)
        elif parse_cell(c).unit == "Percent":
            forms["progress"].append(i)
        elif _NOTE_HEAD.match(c):
            forms["comment"].append(i)
    if not any(forms.values()):
        return "no cell has the form of a due date, a progress percentage or a status note"
    if any(len(at) > 1 for at in forms.values()):
        return "two cells have the form of one column's (two dates, percentages or status notes)"
    first_form = min([at[0] for at in forms.values() if at], default=len(cells))
    if any(split_leading_code(c)[0] for c in cells[1:first_form]):
        return "a code stands after the first cell"
    between = [c for c in cells[1:first_form] if c]
    texts = [c for c in between if _texty(c)]
    if len(texts) != texts_before:
        return f"{len(texts)} text cell(s) stand where the layout has {texts_before}"
    formed = {at[0] for at in forms.values() if at}
    after = [c for i, c in enumerate(cells) if i >= first_form and i not in formed and c]
    if any(_texty(c) for c in after):
        return f"cells {after!r} have no place by their form"
    code = code_cell if split_leading_code(code_cell)[0] else ""
    icon = " ".join([c for c in between if not _texty(c)] + after)
    pick = {k: cells[at[0]] if at else "" for k, at in forms.items()}
    return [code, *texts, pick["due"], icon, pick["progress"], pick["comment"]]
