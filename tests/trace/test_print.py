"""The printed audit, opened as a PDF (pypdf), on the real 2020/21 report: every page says "page N of M"
under a running header naming the council, report and data version; the contents give the page each
section starts on; a bookmark for every section, duty and priority, each on the page its heading is;
every action, indicator and risk of the report is in the text; each excerpt is quoted once and referred
to by page after that; the PDF is tagged, titled and has a language."""

from __future__ import annotations

import os
import re

import pytest
from rdflib import URIRef

from outcome_graph.cli import main

pypdf = pytest.importorskip("pypdf")
REPORT = URIRef("https://w3id.org/outcome-graph/id/midlothian/report/2020-2021")


def _weasyprint_loads() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


if not _weasyprint_loads():
    if os.environ.get("CI") or os.environ.get("OUTCOME_GRAPH_REQUIRE_BROWSER"):
        raise RuntimeError(
            "WeasyPrint does not load: install Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
        )
    pytest.skip("WeasyPrint or Pango is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def printed(tmp_path_factory, store_dir, store):
    out = tmp_path_factory.mktemp("print") / "audit.pdf"
    assert main(["audit", "--report", "2020-2021", "--out", str(out), "--store", str(store_dir)]) == 0
    reader = pypdf.PdfReader(str(out))
    texts = [p.extract_text() or "" for p in reader.pages]
    return reader, texts


@pytest.fixture(scope="module")
def audit(tg, store):
    from outcome_graph.trace.audit import build_audit

    return build_audit(tg, "2020-2021", store=store)


def flat(text: str) -> str:
    return " ".join(text.split())


def outline(reader) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    out: list[tuple[int, str, int]] = []

    def walk(items, depth):
        for x in items:
            if isinstance(x, list):
                walk(x, depth + 1)
            else:
                out.append((depth, flat(x.title), reader.get_destination_page_number(x)))

    walk(reader.outline, 0)
    return out


def test_every_page_is_numbered_under_a_running_header(printed, store):
    from outcome_graph.trace.audit_view import data_version

    reader, texts = printed
    n = len(texts)
    header = f"Midlothian Council · 2020/21 report · data {data_version(store)}"
    assert 20 < n < 60
    for i, text in enumerate(texts, 1):
        assert f"page {i} of {n}" in text, f"page {i}"
        assert header in flat(text), f"page {i}: no running header"
    # the PDF's own page labels (a viewer's page box) are the numbers printed on the pages
    assert reader.page_labels == [str(i) for i in range(1, n + 1)]


def test_tagged_titled_with_a_language(printed):
    reader, _ = printed
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root and root["/StructTreeRoot"].get_object().get("/K")
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title.startswith("Inspection audit: Midlothian Council, Children's Services")
    boxes = {tuple(round(float(v)) for v in p.mediabox) for p in reader.pages}
    assert boxes == {(0, 0, 595, 842)}  # A4


def test_a_bookmark_for_every_section_duty_and_priority_on_its_page(printed, audit):
    reader, texts = printed
    marks = outline(reader)
    top = [t for d, t, _ in marks if d == 0]
    for section in (
        "Summary",
        "Contents",
        "By key question",
        "By duty",
        "Claims",
        "What changed since",
        "Priorities",
        "Risks in the register (4)",
        "Coverage",
        "Gaps (",
        "Validation warnings (",
    ):
        assert any(t.startswith(section) for t in top), section
    under = {}
    parent = None
    for d, t, _ in marks:
        if d == 0:
            parent = t
        elif d == 1:
            under.setdefault(parent, []).append(t)
    duties = [d["label"] for d in audit["inspection"]["duties"]]
    assert under["By duty"] == duties and len(duties) == 9
    [priorities] = [v for k, v in under.items() if k.startswith("Priorities")]
    assert [t.split(":")[0] for t in priorities] == [f"Priority {n:02d}" for n in range(1, 12)]
    # each bookmark goes to the page its heading is printed on
    for _, title, page in marks:
        assert flat(title)[:40] in flat(texts[page]), (title, page + 1)


def test_the_contents_give_each_sections_page(printed):
    reader, texts = printed
    marks = outline(reader)
    start = next(i for i, t in enumerate(texts) if "Contents Summary . ." in flat(t))
    listed = []
    for d, t, page in marks:
        if d == 0 and t not in ("Contents",) and not t.startswith("Children's Services"):
            listed.append(page + 1)
            current = t
        elif d == 1 and current.startswith(("By key question", "By duty", "Priorities")):
            listed.append(page + 1)
    contents = "\n".join(texts[start : start + 2]).split("Inspection audit, generated")[0]
    numbers = [int(m) for m in re.findall(r"\.\s*(\d+)\s*$", contents, re.M)]
    assert numbers == listed


def test_every_record_of_the_report_is_in_the_text(printed, store):
    _, texts = printed
    text = re.sub(r"\s+", "", "".join(texts))
    rows = store.select(
        """PREFIX og: <https://w3id.org/outcome-graph/def#>
        SELECT ?code WHERE { ?x og:report ?r ; og:code ?code ; a ?k .
                             FILTER (?k IN (og:Action, og:Indicator, og:Risk)) }""",
        bindings={"r": REPORT},
    ).rows
    codes = sorted({str(r["code"]) for r in rows})
    assert len(codes) > 50 and "C.RR.01-25" in codes
    assert [c for c in codes if re.sub(r"\s+", "", c) not in text] == []


def test_each_excerpt_is_quoted_once_and_referred_to_by_page(printed):
    _, texts = printed
    caption = re.compile(r"(\d{4}/\d{2}) report, lines? (\d+(?:–\d+)?)(: quoted above, p\. (\d+))?")
    quoted: dict[tuple, int] = {}
    refs = []
    for page, text in enumerate(texts, 1):
        for m in caption.finditer(flat(text)):
            key = (m[1], m[2])
            if m[3]:
                refs.append((key, int(m[4])))
            else:
                assert key not in quoted, f"{key} quoted on p. {quoted[key]} and again on p. {page}"
                quoted[key] = page
    assert len(quoted) > 60 and len(refs) > 10
    # the LGBF line the restated figures of CHN8a/CHN8b come from (2020/21 line 450) is quoted once
    assert ("2020/21", "450") in quoted
    for key, page in refs:
        assert quoted.get(key) == page, key


def test_claims_sharing_a_reason_give_it_once(printed, audit):
    _, texts = printed
    text = flat("".join(texts))
    reasons = [c["reason"] for c in audit["inspection"]["claims"]]
    shared = {r for r in reasons if reasons.count(r) > 1 and len(r) > 30}
    assert shared
    for r in shared:
        assert text.count(flat(r)) == 1, r


def test_figures_carry_their_units_and_the_summary_is_reconciled(printed):
    _, texts = printed
    text = flat("".join(texts))
    assert "15461000" not in text and "£15.46m" in text  # revenue budget target, 2016/17 line 74
    # the summary's 3 actions off target beside the report's own list of 5 (2020/21 lines 133–141)
    assert "5 listed under “Service Plan Actions Off Target” (lines 133–141)" in text
    assert "CSPC.P.8.1 (Not Available), CSPC.P.9.2 (Not Available)" in text
    assert "18: Actions on target or complete (line 208)" in text


def test_a_word_or_unknown_extension_is_refused(capsys, store_dir, tmp_path):
    out = tmp_path / "audit.docx"
    assert main(["audit", "--report", "2020-2021", "--out", str(out), "--store", str(store_dir)]) == 1
    err = capsys.readouterr().err
    assert "audit.docx" in err and ".html" in err and ".pdf" in err
    assert not out.exists()


def test_a_chart_only_for_two_figures_or_more(tg, store, audit):
    from outcome_graph.labels import from_ontology
    from outcome_graph.trace.audit_view import figures, presentation

    charts = presentation(tg, audit, store, from_ontology())["charts"]
    shown = {i["iri"] for p in audit["priorities"] for i in p["indicators"]}
    counted = {i: len({pt.period for pt in figures(store, i) if pt.number is not None}) for i in shown}
    assert {i for i, n in counted.items() if n >= 2} == set(charts)
    assert any(n < 2 for n in counted.values()) and charts


def test_a_rationale_that_repeats_the_title_is_left_out(printed):
    from outcome_graph.trace.audit_view import basis_note

    title = (
        "Measure the percentage of families who report they feel safer utilising the safe & together approach"
    )
    assert (
        basis_note(
            {"title": title, "rationale": "Families who feel safer with the Safe & Together approach."}
        )
        is None
    )
    adds = "Safe & Together: support for children affected by domestic abuse (priority 02) to stay safe."
    assert basis_note(
        {"title": "Evidence further implementation of the Safe & Together model", "rationale": adds}
    )
    text = flat("".join(printed[1]))
    assert "Families who feel safer with the Safe & Together approach" not in text
    assert "Together: support for" in text  # the rationale of CSPC.P.2.1 under KQ2, which adds to its title


def _lowest_text(page) -> float:
    ys: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            ys.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    return min((y for y in ys if y > 60), default=842.0)  # above the footer (its baseline is at y 35)


def test_no_page_is_nearly_blank(printed):
    reader, _ = printed
    top, bottom = 842 - 20 / 25.4 * 72, 18 / 25.4 * 72  # the body between the @page margins (20 mm, 18 mm)
    fills = [(top - _lowest_text(p)) / (top - bottom) for p in reader.pages]
    # every page but the last is at least a third full (a forced break per section left pages 1/4 full)
    assert [(i, round(f, 2)) for i, f in enumerate(fills[:-1], 1) if f < 1 / 3] == []
