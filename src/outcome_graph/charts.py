"""An indicator's figures over time as an SVG chart: every report's figures, quarters and years, the
target as a dashed line, each point coloured by its status, a figure one report restates differently
from another ringed, and a figure whose period the extractor inferred drawn hollow. Pure: points in,
SVG text out. The chart is a picture of a table that is always shown beside it (figures_table), so
nothing is only in the picture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from html import escape

from .labels import Labels, period_text, value_text, year_text
from .svg import STATUS_COLOURS, TEXT_STYLE, key_row

NO_STATUS = "#ffffff"
SHAPES = ("circle", "square", "diamond", "triangle")
W, H, LEFT, RIGHT, TOP, BOTTOM = 680, 258, 64, 16, 24, 52  # TOP: room for the axis note


@dataclass(frozen=True)
class Point:
    period: str  # '2020-2021' or '2020-2021 Q2'
    report: str  # the report year the figure was read from: '2020-2021'
    value: str | None  # lexical decimal; None where the report says N/A
    unit: str | None = None  # local name: Percent, GBP, Number
    status: str | None = None  # local name: OnTarget ...
    target: str | None = None
    inferred: bool = False  # the extractor placed the figure in this period by inference
    line: int | None = None  # the report line it was read from
    rank: int | None = None  # LGBF: the council's national rank that year, as this report gives it
    quartile: int | None = None
    precision: str | None = None  # og:precision: the place value of the last digit the report wrote

    @property
    def number(self) -> Decimal | None:
        try:
            return Decimal(self.value) if self.value is not None else None
        except InvalidOperation:
            return None


def slot_key(period: str) -> tuple[str, int]:
    year, _, q = period.partition(" ")
    return (year, int(q[1:]) if q.startswith("Q") and q[1:].isdigit() else 5)


def restated(points: list[Point]) -> set[tuple[str, str]]:
    """(period, report) of figures that another report gives differently for the same period, compared
    at the coarser of the two stated precisions, as queries/changes/figures-restated.rq does: 91% and
    91.25% are one figure rounded, not a restatement (tests/test_continuity.py holds the two to agree)."""
    out: set[tuple[str, str]] = set()
    valued = [p for p in points if p.number is not None]
    for a in valued:
        for b in valued:
            if a.period != b.period or a.report == b.report or a.number == b.number:
                continue
            places = [Decimal(x) for x in (a.precision, b.precision) if x is not None]
            if abs(a.number - b.number) > (max(places) if places else Decimal(0)) / 2:
                out.add((a.period, a.report))
    return out


def axis_ticks(numbers: list[Decimal]) -> list[Decimal]:
    """The vertical axis's ticks, from its start to its end. It starts at 0 unless every figure lies in
    the top half of 0..highest (87-92%): a 0-based axis would draw their movement flat, so it starts at a
    round number just below the lowest. The chart says where it starts either way."""
    lo, hi = min(numbers), max(numbers)
    if lo > 0 and hi - lo < hi / 2:
        ticks = _ticks(lo, hi if hi > lo else lo + 1)
        if ticks[0] > 0:
            return ticks
    lo = min(lo, Decimal(0))
    return _ticks(lo, hi if hi > lo else lo + 1)


def axis_note(ticks: list[Decimal], unit: str | None) -> str:
    """Where the axis starts, in words: 'Vertical axis starts at 86%, not 0' or '... starts at 0'."""
    start = value_text(str(ticks[0]), unit)
    return f"Vertical axis starts at {start}" + (", not 0" if ticks[0] > 0 else "")


def _ticks(lo: Decimal, hi: Decimal) -> list[Decimal]:
    span = hi - lo or Decimal(1)
    raw = span / 4
    magnitude = Decimal(10) ** (raw.adjusted())
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    start = (lo / step).to_integral_value(rounding="ROUND_FLOOR") * step
    out = [start]
    while out[-1] < hi:  # the last tick at or above the highest figure: nothing drawn off the chart
        out.append(out[-1] + step)
    return out


def _marker(shape: str, x: float, y: float, fill: str, dashed: bool) -> str:
    stroke = ' stroke="#1b1f24" stroke-width="1.5"' + (' stroke-dasharray="2 2"' if dashed else "")
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5.5" fill="{fill}"{stroke}/>'
    if shape == "square":
        return f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{fill}"{stroke}/>'
    if shape == "diamond":
        d = f"M{x:.1f},{y - 7:.1f} L{x + 7:.1f},{y:.1f} L{x:.1f},{y + 7:.1f} L{x - 7:.1f},{y:.1f} Z"
    else:
        d = f"M{x:.1f},{y - 7:.1f} L{x + 7:.1f},{y + 6:.1f} L{x - 7:.1f},{y + 6:.1f} Z"
    return f'<path d="{d}" fill="{fill}"{stroke}/>'


def chart_svg(points: list[Point], labels: Labels, title: str, chart_id: str = "chart") -> str:
    """The chart, or '' when no figure has a value (a table of N/As needs no picture)."""
    valued = [p for p in points if p.number is not None]
    if not valued:
        return ""
    unit = next((p.unit for p in valued if p.unit), None)
    # a slot for each period with something to draw (a figure or a target): a period every report gives
    # as N/A is in the table beside the chart, not an empty slot in it
    drawn = [p for p in points if p.number is not None or (p.target is not None and _is_number(p.target))]
    slots = sorted({p.period for p in drawn}, key=slot_key)
    reports = sorted({p.report for p in points})
    shape_of = {r: SHAPES[i % len(SHAPES)] for i, r in enumerate(reports)}
    numbers = [p.number for p in valued] + [
        Decimal(p.target) for p in points if p.target is not None and _is_number(p.target)
    ]
    ticks = axis_ticks(numbers)
    lo, hi = ticks[0], ticks[-1]
    ranked = [p for p in valued if p.rank is not None or p.quartile is not None]
    extra = 34 if ranked else 0  # the rank and quartile rows under the years
    # at least 64 px a period, so that no label runs into the next
    width = max(W, LEFT + RIGHT + 64 * len(slots))
    plot_w, plot_h = width - LEFT - RIGHT, H - TOP - BOTTOM
    step = plot_w / max(1, len(slots))

    def x_of(period: str) -> float:
        return LEFT + step * (slots.index(period) + 0.5)

    def y_of(v: Decimal) -> float:
        return TOP + plot_h - float((v - lo) / (hi - lo)) * plot_h

    again = restated(points)
    desc = "; ".join(
        f"{period_text(p.period)} ({year_text(p.report)} report): "
        f"{value_text(p.value, p.unit) or 'no figure'}"
        + (f", {labels.term(p.status)}" if p.status else "")
        + _standing(p)
        for p in sorted(points, key=lambda p: (slot_key(p.period), p.report))
    )
    note = axis_note(ticks, unit)
    height = H + 34 + extra
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="indicator-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}: figures over time</title>',
        f'<desc id="{chart_id}-d">{escape(note)}. {escape(desc)}</desc>',
        f"<style>{TEXT_STYLE} .ax{{stroke:#5b6570}} .gr{{stroke:#e1e5ea}}"
        " .tg{stroke:#1b1f24;stroke-dasharray:6 4;stroke-width:1.5} .yr{font-weight:600}</style>",
        f'<text class="axis-note" x="{LEFT}" y="{TOP - 4}">{escape(note)}</text>',
    ]
    for t in ticks:
        y = y_of(t)
        out.append(f'<line class="gr" x1="{LEFT}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(value_text(str(t), unit))}</text>"
        )
    out.append(f'<line class="ax" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}"/>')
    out.append(f'<line class="ax" x1="{LEFT}" x2="{width - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>')
    # x labels: Q1..Q4 (and "Year" for the annual figure) under each slot of a year that has quarters,
    # the government year under its slots; a year with only its annual figure is labelled once.
    years: dict[str, list[str]] = {}
    for period in slots:
        years.setdefault(period.partition(" ")[0], []).append(period)
    for year, periods in years.items():
        xs = [x_of(p) for p in periods]
        if len(periods) == 1 and " " not in periods[0]:
            out.append(
                f'<text class="yr" x="{xs[0]:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">'
                f"{escape(year_text(year))}</text>"
            )
            continue
        for period, x in zip(periods, xs, strict=True):
            q = period.partition(" ")[2] or "Year"
            out.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{escape(q)}</text>')
        mid = (min(xs) + max(xs)) / 2
        out.append(
            f'<text class="yr" x="{mid:.1f}" y="{TOP + plot_h + 32}" text-anchor="middle">'
            f"{escape(year_text(year))}</text>"
        )
    if ranked:
        out += _standing_rows(ranked, slots, x_of, TOP + plot_h + 50)
    # the target: a dashed step across the periods that give one
    for p in sorted(
        (p for p in points if p.target is not None and _is_number(p.target)), key=lambda p: slot_key(p.period)
    ):
        y, x = y_of(Decimal(p.target)), x_of(p.period)
        out.append(
            f'<line class="tg" x1="{x - step / 2 + 2:.1f}" x2="{x + step / 2 - 2:.1f}" '
            f'y1="{y:.1f}" y2="{y:.1f}"><title>target {escape(value_text(p.target, p.unit))} '
            f"({escape(period_text(p.period))})</title></line>"
        )
    # each report's quarterly figures joined within a year
    for r in reports:
        series = sorted(
            (p for p in valued if p.report == r and " " in p.period), key=lambda p: slot_key(p.period)
        )
        for a, b in zip(series, series[1:], strict=False):
            if a.period.split(" ")[0] == b.period.split(" ")[0]:
                out.append(
                    f'<line x1="{x_of(a.period):.1f}" y1="{y_of(a.number):.1f}" x2="{x_of(b.period):.1f}" '
                    f'y2="{y_of(b.number):.1f}" stroke="#8a8f96" stroke-width="1"/>'
                )
    offsets = {r: (i - (len(reports) - 1) / 2) * 6 for i, r in enumerate(reports)}
    for p in sorted(valued, key=lambda p: (slot_key(p.period), p.report)):
        x, y = x_of(p.period) + offsets[p.report], y_of(p.number)
        fill = STATUS_COLOURS.get(p.status or "", NO_STATUS)
        tip = f"{period_text(p.period)}: {value_text(p.value, p.unit)} ({year_text(p.report)} report"
        tip += f", line {p.line})" if p.line else ")"
        if p.status:
            tip += f" — {labels.term(p.status)}"
        tip += _standing(p).replace(", ", " — ", 1)
        if p.inferred:
            tip += " — period inferred by the extractor"
        if (p.period, p.report) in again:
            tip += " — restated: another report gives a different figure"
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="10" fill="none" stroke="#6a1b9a" stroke-width="2"/>'
            )
        out.append(
            f"<g><title>{escape(tip)}</title>{_marker(shape_of[p.report], x, y, fill, p.inferred)}</g>"
        )
    # the key: exactly what is drawn
    ky, kx = H + 14 + extra, LEFT
    items = []
    for r in reports:
        items.append((_marker(shape_of[r], 0, 0, "#ffffff", False), f"{year_text(r)} report"))
    for s in [s for s in STATUS_COLOURS if any(p.status == s for p in valued)]:
        items.append(
            (f'<rect x="-5" y="-5" width="10" height="10" fill="{STATUS_COLOURS[s]}"/>', labels.term(s))
        )
    if any(p.target is not None for p in points):
        items.append(('<line class="tg" x1="-9" x2="9" y1="0" y2="0"/>', "target"))
    if again:
        items.append(('<circle r="7" fill="none" stroke="#6a1b9a" stroke-width="2"/>', "restated"))
    if any(p.inferred for p in valued):
        items.append(
            ('<circle r="5" fill="#fff" stroke="#1b1f24" stroke-dasharray="2 2"/>', "period inferred")
        )
    key, _ = key_row([(_centred(mark, ky), text) for mark, text in items], kx, ky + 4, label_dx=20, gap=14)
    out += key
    out.append("</svg>")
    return "\n".join(out)


def standing_change(points: list[Point], p: Point, attr: str) -> str:
    """How an LGBF rank or quartile moved: 'was 13 in 2018/19' (the year before, in the same report) and
    'was 18 in the 2016/17 report' (the same year, ranked differently by an earlier report); '' if neither
    differs. `attr` is 'rank' or 'quartile'."""
    v = getattr(p, attr)
    if v is None:
        return ""
    bits = []
    before = [
        q
        for q in points
        if q.report == p.report
        and " " not in q.period
        and getattr(q, attr) is not None
        and slot_key(q.period) < slot_key(p.period)
    ]
    if before:
        q = max(before, key=lambda q: slot_key(q.period))
        if getattr(q, attr) != v:
            bits.append(f"{getattr(q, attr)} in {period_text(q.period)}")
    earlier = [
        q for q in points if q.period == p.period and q.report < p.report and getattr(q, attr) is not None
    ]
    if earlier:
        q = max(earlier, key=lambda q: q.report)
        if getattr(q, attr) != v:
            bits.append(f"{getattr(q, attr)} in the {year_text(q.report)} report")
    return "was " + "; ".join(bits) if bits else ""


def _standing(p: Point) -> str:
    """', rank 10, quartile 2' (LGBF), or ''."""
    bits = [
        f"rank {p.rank}" if p.rank is not None else "",
        f"quartile {p.quartile}" if p.quartile is not None else "",
    ]
    return "".join(f", {b}" for b in bits if b)


def _standing_rows(ranked: list[Point], slots: list[str], x_of, y: int) -> list[str]:
    """Rows 'Rank' and 'Quartile' under the years: each period's as each report gives it, oldest report
    first ('18→15' where a later report ranks the same year differently)."""
    out = []
    for dy, name, attr in ((0, "Rank", "rank"), (16, "Quartile", "quartile")):
        out.append(f'<text class="yr" x="{LEFT - 6}" y="{y + dy}" text-anchor="end">{name}</text>')
        for period in slots:
            seen: list[int] = []
            for p in sorted((p for p in ranked if p.period == period), key=lambda p: p.report):
                v = getattr(p, attr)
                if v is not None and (not seen or seen[-1] != v):
                    seen.append(v)
            if seen:
                text = "→".join(str(v) for v in seen)
                out.append(f'<text x="{x_of(period):.1f}" y="{y + dy}" text-anchor="middle">{text}</text>')
    return out


def _centred(mark: str, y: int) -> Callable[[int], str]:
    """A key's mark, drawn about its own origin, centred 8 px right of where the key's row puts it."""
    return lambda x: f'<g transform="translate({x + 8},{y})">{mark}</g>'


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def points_from_rows(rows) -> list[Point]:
    """Points from rows of serve/indicator-figures.rq (dicts of variable -> RDF term)."""
    from .labels import local_name
    from .trace.graph import period_label

    out = []
    for r in rows:
        out.append(
            Point(
                period=period_label(str(r["period"])),
                report=local_name(str(r["reportYear"])),
                value=str(r["value"]) if r.get("value") is not None else None,
                unit=local_name(str(r["unit"])) if r.get("unit") is not None else None,
                status=local_name(str(r["status"])) if r.get("status") is not None else None,
                target=str(r["target"]) if r.get("target") is not None else None,
                inferred=str(r.get("inferred", "")).lower() in ("true", "1"),
                line=int(str(r["firstLine"])) if r.get("firstLine") is not None else None,
                rank=int(str(r["rank"])) if r.get("rank") is not None else None,
                quartile=int(str(r["quartile"])) if r.get("quartile") is not None else None,
                precision=str(r["precision"]) if r.get("precision") is not None else None,
            )
        )
    return sorted(set(out), key=lambda p: (slot_key(p.period), p.report, p.line or 0))


def points_from_trace(tg, indicator: str) -> list[Point]:
    """Points of one indicator from a trace graph (every report's observations)."""
    out = []
    for o in tg.g.successors(indicator):
        d = tg.node(o)
        if d.get("kind") != "Observation" or not d.get("period"):
            continue
        first = next((tg.node(e).get("first") for e in tg.g.successors(o) if tg.kind(e) == "Excerpt"), None)
        for report in d.get("reports") or ["?"]:
            out.append(
                Point(
                    period=d["period"],
                    report=report,
                    value=d.get("value"),
                    unit=d.get("unit"),
                    status=d.get("status"),
                    target=d.get("target"),
                    inferred=bool(d.get("inferred")),
                    line=first,
                    rank=d.get("rank"),
                    quartile=d.get("quartile"),
                    precision=d.get("precision"),
                )
            )
    return sorted(set(out), key=lambda p: (slot_key(p.period), p.report, p.line or 0))
