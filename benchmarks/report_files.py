"""Report FILES for a national graph: the real reports, re-keyed to other councils and moved in time.

    python benchmarks/report_files.py OUT_DIR [--councils 32] [--years 10]

Each file is the text of the real report nearest in time (graph/reports/), with every mention of
Midlothian replaced by the council's own name (from graph/curated/councils.csv, so the report names its
council as the real ones do and its identity is read from its content) and every year moved by the same
offset: four-digit years ("2016-2017", "31-Mar- 2017"), government years ("2016/17", "16/17"). Midlothian's
2016-17 and 2020-21 files are the real ones, unchanged. `--years` is the scale factor: 32 councils x 10
years is about 1.8 M triples, x 55 years about 10 M.

File names are deliberately uninformative (report-0001.txt, ...): identity comes from the content.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from outcome_graph.curate import councils
from outcome_graph.paths import bundled_reports

FIRST_YEAR = 2016
_TITLE_YEAR = re.compile(r"(20\d\d)\s*[-/]\s*(?:20)?(\d\d)\s*$")
# one pass over every year form, longest first: "2016-2017", "2016/17", "16/17", "2017"
_YEARS = re.compile(
    r"(?<!\d)(20\d\d)(\s*[-/]\s*)(20)?(\d\d)(?!\d)|(?<![\d.])(\d\d)/(\d\d)(?![\d%])|(?<!\d)(20\d\d)(?!\d)"
)
# a government year whose cell the PDF's text split or cut ("2020/2 1", "2019/2"): moved as one, so that
# the year after it stays the next year ("2019/2 0", not "2019/2 1")
_SPLIT_YEAR = re.compile(r"(?<!\d)(20\d\d)/(\d)(?: (\d))?(?![\d/])")


def start_year(text: str) -> int:
    title = text.split("\n", 1)[0].strip()
    m = _TITLE_YEAR.search(title)
    if not m:
        raise ValueError(f"not a report title: {title!r}")
    return int(m[1])


def move_years(text: str, offset: int) -> str:
    def shift(m: re.Match) -> str:
        if m[1]:
            a, b = int(m[1]), int(m[4])
            if b != (a + 1) % 100:
                return m[1] + m[2] + (m[3] or "") + m[4]  # not a government year: only the year moves
            return f"{a + offset}{m[2]}{m[3] or ''}{(b + offset) % 100:02d}"
        if m[5]:
            a, b = int(m[5]), int(m[6])
            if b == a + 1 and 5 <= a <= 40:  # "16/17", a government year
                return f"{(a + offset) % 100:02d}/{(b + offset) % 100:02d}"
            return m[0]
        return str(int(m[7]) + offset)

    def shift_split(m: re.Match) -> str:
        a = int(m[1])
        following = f"{(a + 1) % 100:02d}"
        if m[2] != following[0] or (m[3] is not None and m[3] != following[1]):
            return shift_plain(m[0])  # not a split or cut government year
        moved = f"{(a + offset + 1) % 100:02d}"
        return f"{a + offset}/{moved[0]}" + (f" {moved[1]}" if m[3] is not None else "")

    def shift_plain(piece: str) -> str:
        return _YEARS.sub(shift, piece)

    # split and cut cells first; a placeholder keeps the general pass from moving them a second time
    held: list[str] = []

    def hold(m: re.Match) -> str:
        held.append(shift_split(m))
        return f"\0{len(held) - 1}\0"

    text = _YEARS.sub(shift, _SPLIT_YEAR.sub(hold, text))
    text = re.sub(r"\0(\d+)\0", lambda m: held[int(m[1])], text)
    lines = text.split("\n")
    # The LGBF table's header names its year columns by two digits alone ("11  12 ... 17  2017/ 18 Value")
    for i, line in enumerate(lines):
        if line.startswith("Code\tTitle\t"):
            cells = line.split("\t")
            lines[i] = "\t".join(f"{int(c) + offset:02d}" if re.fullmatch(r"\d\d", c) else c for c in cells)
    return "\n".join(lines)


def rekey(text: str, council: str, year: int) -> str:
    """The report `text` as if `council` had published it for the government year starting `year`."""
    name = councils()[council]["aliases"].split(";")[0]
    moved = move_years(text, year - start_year(text))
    return re.sub(r"(?<![\w-])Midlothian(?![\w-])", name, moved)


def two_councils(folder: Path) -> list[Path]:
    """The smallest national folder the tests use: Midlothian's two bundled reports (a.txt, b.txt) and
    Fife's copy of the 2020/21 one, moved to 2019/20 (c.txt)."""
    r16, r20 = sorted(bundled_reports(), key=lambda p: start_year(p.read_text(encoding="utf-8")))
    folder.mkdir(parents=True, exist_ok=True)
    out = [folder / "a.txt", folder / "b.txt", folder / "c.txt"]
    out[0].write_bytes(r16.read_bytes())
    out[1].write_bytes(r20.read_bytes())
    out[2].write_text(rekey(r20.read_text(encoding="utf-8"), "fife", 2019), encoding="utf-8")
    return out


def write_report_files(out: Path, councils_n: int = 32, years: int = 10) -> list[Path]:
    real = sorted(
        (start_year(p.read_text(encoding="utf-8")), p.read_text(encoding="utf-8")) for p in bundled_reports()
    )
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i, council in enumerate(sorted(councils())[:councils_n]):
        for start in range(FIRST_YEAR, FIRST_YEAR + years):
            year, text = min(real, key=lambda r: (abs(r[0] - start), r[0]))
            body = text if (council == "midlothian" and year == start) else rekey(text, council, start)
            path = out / f"report-{i * years + start - FIRST_YEAR + 1:05d}.txt"
            path.write_text(body, encoding="utf-8")
            written.append(path)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--councils", type=int, default=32)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    files = write_report_files(args.out, args.councils, args.years)
    print(f"wrote {len(files)} report files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
