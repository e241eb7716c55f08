"""Bodies for the Graph Store protocol cut at line ends: whole (`chunks`) or made piece by piece from
groups of lines (`line_chunks`, the union of a national load). Every line arrives once, whole, in order."""

from hypothesis import given
from hypothesis import strategies as st

from outcome_graph.store.gsp import line_chunks

LINE = st.binary(min_size=1, max_size=40).map(lambda b: b.replace(b"\n", b" "))
GROUPS = st.lists(st.lists(LINE, max_size=12), max_size=8)


@given(GROUPS, st.integers(min_value=1, max_value=120))
def test_line_chunks_send_every_line_once_whole_and_in_order(groups, size):
    lines = [line for group in groups for line in group]
    pieces = list(line_chunks(groups, size))
    assert b"".join(pieces) == b"".join(line + b"\n" for line in lines)
    assert all(piece.endswith(b"\n") for piece in pieces if piece)
    longest = max((len(line) + 1 for line in lines), default=0)
    assert all(len(piece) < size + longest for piece in pieces), "a piece is cut once it reaches the size"
    assert pieces == [b""] if not lines else b"" not in pieces, (
        "no lines: one empty body, as chunks(b'') gives"
    )
