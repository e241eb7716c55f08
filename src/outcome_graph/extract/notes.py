"""The streams of text that run across the rows of a corporate PI table: notes and priority labels.

A note opens with its year ("16/17:", "Q4 20/21:") and any other fragment in the Note column continues
the open note, which may run on into the next row's lines (2016/17 lines 66-68). In 2016/17 the first
column names the corporate priority ("05. Process" / "invoices efficiently"), centred across the rows it
covers: a fragment opening with its number starts a label, other fragments continue it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .tables import cell_at

NOTE_START = re.compile(r"^(?:Q\d\s*)?\d\d/\d\d\s*:")
NUMBERED = re.compile(r"^(\d{1,2})\.\s*(\S.*)$")


@dataclass
class Note:
    fragments: list[str]
    last_line: int  # a note may run on past its row's lines (2016/17 lines 66-68)


def read_streams(rows: list, note_col: int, label_col: int, labelled: bool) -> list[list[str]]:
    """Attach to each row the notes that open on its lines (`row.notes`) and the label it opens
    (`row.label`); returns every label, in order. `labelled` is False where the table has a heading of its
    own instead of labels (2020/21)."""
    open_note: Note | None = None
    open_label: list[str] | None = None
    labels: list[list[str]] = []
    for row in rows:
        for ln in row.lines:
            note = cell_at(ln.cells, note_col)
            if note:
                if NOTE_START.match(note) or open_note is None:
                    open_note = Note([note], ln.number)
                    row.notes.append(open_note)
                else:
                    open_note.fragments.append(note)
                    open_note.last_line = ln.number
            label = cell_at(ln.cells, label_col)
            if label and labelled:
                m = NUMBERED.match(label)
                if m:
                    open_label = [m[2]]
                    labels.append(open_label)
                    row.label = open_label
                elif open_label is not None:
                    open_label.append(label)
    return labels
