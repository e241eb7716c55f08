"""SPARQL 1.1's lexical rules, exactly: the tokens of a query, read once.

Two SPARQL parsers can read one text differently (a bare CR ends a `#` comment for one and not for
another; one expands `\\uXXXX` escapes over the whole text before parsing, another only inside strings
and IRIs; Oxigraph matches keywords with no word boundary), so a check made with one parser proves
nothing about what another runs. Here the query is read once, by the terminals of the SPARQL 1.1
grammar (section 19.8), after the codepoint escapes are decoded as the grammar says (section 19.2:
before parsing, anywhere in the text); `check` reads these tokens and writes the canonical text from
them, the only text an engine is given. Anything that is not a SPARQL 1.1 token is refused here with
its line and column; SPARQL 1.2's own punctuation (`<<`, `~`, `{|`, `@en--ltr`) with a message saying
that SPARQL 1.2 is not offered.

The lexer is linear in the text: each token is one match of only the alternatives that can begin with
its first character, and no alternative scans past its token except to fail once.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_VARNAME = f"[{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_ECHAR = r"""\\[tbnrf\\"']"""
_EXPONENT = r"[eE][+-]?[0-9]+"

# In priority order: where two terminals match at one place, the grammar's longest match comes first.
# Every quantifier that could scan far is possessive, or the alternative cannot fail after scanning:
# a run of name characters (`a.a.a.a…`) is read once as a whole (`run`, split in `_split_run`) rather
# than tried as a prefixed name's prefix from each of its positions, which made the lexer quadratic.
_ALTERNATIVES = [
    r"(?P<ws>[ \t\r\n]+)",
    # SPARQL 1.2's own punctuation: refused with a message that says so (see V12_MESSAGES)
    r"(?P<v12><<\(|\)>>|<<|>>|\{\||\|\}|~)",
    r"(?P<sep>[{}(),;*=/\[\]])",  # characters that begin no other token: tried early, for speed
    rf"(?P<var>[?$]{_VARNAME})",
    rf"(?P<pname>(?:[{_BASE}][{_CHARS}.]*+(?<!\.))?:(?:{_LOCAL})?)",
    rf"(?P<word>[A-Za-z][A-Za-z0-9_]*+(?![{_CHARS}.]))",
    rf"(?P<run>[{_BASE}][{_CHARS}.]*+)",  # name characters that are no prefixed name: split later
    rf"(?P<number>[+-]?(?:[0-9]++\.[0-9]*+{_EXPONENT}|\.[0-9]++{_EXPONENT}|[0-9]++{_EXPONENT}"
    r"|[0-9]*+\.[0-9]++|[0-9]++))",
    r"(?P<comment>#[^\r\n]*+)",  # a comment ends at CR or LF (section 19.5)
    r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*+>)',
    rf'(?P<long2>"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}))*+""")',
    rf"(?P<long1>'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}))*+''')",
    rf'(?P<string2>"(?:[^"\\\n\r]|{_ECHAR})*+")',
    rf"(?P<string1>'(?:[^'\\\n\r]|{_ECHAR})*+')",
    rf"(?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)",
    r"(?P<langtag>@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+(?:--[a-zA-Z]*+)?)",
    r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|[.+\-!<>^|?])",
]
_TOKEN = re.compile("|".join(_ALTERNATIVES))
_NAMES = [re.search(r"\(\?P<(\w+)>", a).group(1) for a in _ALTERNATIVES]  # type: ignore[union-attr]


def _by_first_character() -> dict[str, re.Pattern]:
    """For each ASCII character, the token expression made of only the alternatives that can begin
    with it (in the same order): one short match per token instead of trying twenty alternatives."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    starts = [
        (" \t\r\n", {"ws"}),
        ("<", {"v12", "iri", "punct"}),
        (">", {"v12", "punct"}),
        ("({|", {"v12", "sep", "punct"}),
        (")", {"v12", "sep"}),
        ("~", {"v12"}),
        ("},;*=/[]", {"sep"}),
        ("?$", {"var", "punct"}),
        (letters, {"pname", "word", "run"}),
        (":", {"pname"}),
        ("0123456789", {"number"}),
        ("+-.", {"number", "punct"}),
        ("#", {"comment"}),
        ('"', {"long2", "string2"}),
        ("'", {"long1", "string1"}),
        ("_", {"bnode"}),
        ("@", {"langtag"}),
        ("^&!", {"punct"}),
    ]
    table: dict[str, re.Pattern] = {}
    for chars, names in starts:
        expression = re.compile("|".join(a for a, n in zip(_ALTERNATIVES, _NAMES, strict=True) if n in names))
        for char in chars:
            table[char] = expression
    return table


_FIRST = _by_first_character()
# What a run of name characters that is not a prefixed name holds: SPARQL words, numbers, `.` and `-`.
_RUN_PART = re.compile(
    r"(?P<word>[A-Za-z][A-Za-z0-9_]*+)"
    rf"|(?P<number>[+-]?(?:[0-9]++\.[0-9]*+{_EXPONENT}|\.[0-9]++{_EXPONENT}|[0-9]++{_EXPONENT}"
    r"|[0-9]*+\.[0-9]++|[0-9]++))"
    r"|(?P<punct>[.\-])"
)
V12 = "SPARQL 1.2 is not offered here: this server reads SPARQL 1.1"
V12_MESSAGES = {
    "<<(": "a triple term `<<( … )>>`",
    ")>>": "a triple term `<<( … )>>`",
    "<<": "a reified triple `<< … >>` (for less-than before an IRI, write a space: `< <…>`)",
    ">>": "a reified triple `<< … >>`",
    "{|": "an annotation `{| … |}`",
    "|}": "an annotation `{| … |}`",
    "~": "a reifier `~`",
}
# Anchored at the start of a run of backslashes, so that a long run is scanned once, not from each of
# its positions.
_CODEPOINT = re.compile(r"(?<!\\)(\\++)(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", "\\": "\\", '"': '"', "'": "'"}
_WRITE = str.maketrans(
    {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
)


class LexError(ValueError):
    """The text is not a sequence of SPARQL 1.1 tokens; `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int, column: int, what: str = "SPARQL syntax error"):
        super().__init__(f"{what} at line {line}, column {column}: {message}")
        self.line, self.column = line, column


class Token(NamedTuple):
    kind: str  # iri, string, var, bnode, pname, langtag, number, word, punct
    text: str  # as written in the canonical text
    value: str  # an IRI's or string's content, a pname's or word's text
    offset: int  # where the token starts in the decoded query text
    end: int  # and where it ends


def decode_escapes(text: str) -> str:
    """`\\uXXXX` and `\\UXXXXXXXX` replaced by their characters, once, over the whole text.

    A backslash that is itself escaped (`\\\\u0041` in a string) starts no escape.
    """

    def replace(m: re.Match) -> str:
        slashes = m.group(1)
        if len(slashes) % 2 == 0:
            return m.group(0)
        code = int(m.group(2) or m.group(3), 16)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            line, column = _position(text, m.start() + len(slashes) - 1)
            raise LexError(f"{m.group(0)[len(slashes) - 1 :]} is not a character", line, column)
        return slashes[:-1] + chr(code)

    return _CODEPOINT.sub(replace, text)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ECHARS[m.group(1)], body, flags=re.S)


def _fail(text: str, position: int) -> LexError:
    line, column = _position(text, position)
    char = text[position]
    what = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
    hint = " (an unterminated string, or an escape other than \\t \\b \\n \\r \\f \\\\ \\\" \\')"
    return LexError(f"{what} does not begin a SPARQL token" + (hint if char in "\"'" else ""), line, column)


_SKIP = frozenset(("ws", "comment"))
_STRING_KINDS = {"long1": 3, "long2": 3, "string1": 1, "string2": 1}


def _v12(text: str, start: int, what: str) -> LexError:
    return LexError(f"{what} is SPARQL 1.2; {V12}", *_position(text, start), what="refused")


def tokens(text: str) -> list[Token]:
    """The tokens of a query text whose codepoint escapes are already decoded; LexError if any is bad.

    Linear in the length of the text: one match per token, of only the alternatives that can begin
    with its first character, none of which scans past the token it matches except to fail once.
    """
    out: list[Token] = []
    append = out.append
    position, size = 0, len(text)
    first = _FIRST.get
    while position < size:
        m = first(text[position], _TOKEN).match(text, position)
        if m is None:
            raise _fail(text, position)
        start = position
        position = stop = m.end()
        kind = m.lastgroup
        if kind in _SKIP:
            continue
        raw = m.group()
        quote = _STRING_KINDS.get(kind)
        if quote:
            value = _unescape(raw[quote:-quote]) if "\\" in raw else raw[quote:-quote]
            append(Token("string", '"' + value.translate(_WRITE) + '"', value, start, stop))
        elif kind == "sep":
            append(Token("punct", raw, raw, start, stop))
        elif kind == "run":
            _split_run(text, raw, start, append)
        elif kind == "v12":
            raise _v12(text, start, V12_MESSAGES[raw])
        elif kind == "langtag" and "--" in raw:
            raise _v12(text, start, f"a base direction (`{raw}`)")
        else:
            append(Token(kind, raw, raw[1:-1] if kind == "iri" else raw, start, stop))
    return out


def _split_run(text: str, run: str, start: int, append) -> None:
    """The tokens of a run of name characters followed by no `:` (`a.a.a`, `true.`, `x-1`): SPARQL
    words, numbers, `.` and `-`, exactly as the token expression reads them one at a time."""
    at = 0
    for m in _RUN_PART.finditer(run):
        if m.start() != at:
            raise _fail(text, start + at)
        at = m.end()
        kind = m.lastgroup
        append(Token(kind, m.group(), m.group(), start + m.start(), start + at))
    if at != len(run):
        raise _fail(text, start + at)


def position_in(decoded: str, offsets, starts, offset: int) -> tuple[int, int]:
    """The (line, column) in `decoded` of the token found at `offset` of the canonical text; `offsets`
    and `starts` say where each token starts in the one and the other."""
    if not offsets:
        return 1, 1
    index = max(0, bisect.bisect_right(starts, offset) - 1)
    return _position(decoded, offsets[index])
