"""The printed audit: the audit's HTML laid out on A4 pages by WeasyPrint, a CSS paged-media engine.

Why WeasyPrint and not Chromium's print: the contents list needs the page each section starts on
(`target-counter()`), which a browser's print cannot give; WeasyPrint also makes the PDF's bookmarks from
the headings (`bookmark-level`), repeats table headers, keeps headings with what follows, fills the
running header and "page N of M" from `@page` margin boxes, and writes a tagged PDF/UA-1 file (structure
tree, /Lang, /Title) in one pass. It is pure Python over Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import OutcomeGraphError

PRINT_CSS = Path(__file__).resolve().parents[1] / "serve" / "static" / "print.css"
# What the command writes by the file name it is given; anything else is refused rather than written as
# HTML under a name that promises something else (a .docx that Word cannot open).
EXTENSIONS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".json": "json"}
APT_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0"


class PdfUnavailable(OutcomeGraphError):
    pass


def format_for(out: Path | None, given: str | None) -> str:
    """The output format: --format, else the --out file's extension; an unknown extension is an error
    that lists the ones understood."""
    if out is None:
        return given or "html"
    suffix = out.suffix.lower()
    if not suffix and given:
        return given
    if suffix not in EXTENSIONS:
        known = ", ".join(sorted(set(EXTENSIONS) - {".htm"}))
        raise OutcomeGraphError(
            f"--out {out.name}: the audit is written as {known}; {suffix or 'no extension'!r} is none of "
            "them (name the file audit.pdf to print it, audit.html for the page)"
        )
    by_name = EXTENSIONS[suffix]
    if given and given != by_name:
        raise OutcomeGraphError(f"--format {given} does not match --out {out.name}, which names {by_name}")
    return by_name


def css_string(text: str) -> str:
    """Text as a CSS string literal, for the running header's `content:`."""
    body = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{body}"'


def page_style(header: str, footer: str) -> str:
    """The paged-media rules with this audit's running header and footer filled in."""
    rules = PRINT_CSS.read_text(encoding="utf-8")
    return rules.replace('"{{header}}"', css_string(header)).replace('"{{footer}}"', css_string(footer))


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as e:  # OSError: the package is there, Pango is not
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise PdfUnavailable(
            f"cannot print the audit: WeasyPrint does not load ({why}). Install it (pip install weasyprint) "
            f"and Pango (Debian/Ubuntu: apt-get install {APT_PACKAGES}), or write HTML (--out audit.html)"
        ) from None
    return weasyprint


def write_pdf(html: str, out: Path) -> str:
    """Prints the audit's print HTML (trace/audit.html with printing=True) to `out` as a tagged PDF/UA-1
    file; returns the engine's name."""
    weasyprint = _weasyprint()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    document = weasyprint.HTML(string=html, base_url=str(PRINT_CSS.parent))
    # pdf/ua-1 tags the structure (headings, tables with their header cells, lists, figures) and writes
    # /MarkInfo, /Lang (from <html lang>) and /Title (from <title>, shown as the window title).
    document.write_pdf(str(out), pdf_variant="pdf/ua-1", presentational_hints=True, finisher=_label_pages)
    return f"WeasyPrint {weasyprint.__version__}"


def _label_pages(document, pdf) -> None:
    """Page labels (/PageLabels: decimal from 1), so that a viewer's page box and "go to page" use the
    numbers printed in each page's "page N of M" and in the contents; WeasyPrint writes none itself."""
    import pydyf  # WeasyPrint's own PDF writer, installed with it

    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array([0, pydyf.Dictionary({"S": "/D"})])})
