"""HTML to PDF for printed pages (ADR 0054): WeasyPrint, with a fetcher that reads only our own
print files, so a document never reaches the network or the rest of the disk.

Used by the groups' paper sheets (issue 24) and meant for letters and reports: render a
template to HTML, then ``html_to_pdf(html, page_size=...)``. The print stylesheet is vendored
in ``gentle/static/gentle/print/``; fonts are the system's (DejaVu, Liberation), found offline
through fontconfig.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PRINT_DIR = Path(__file__).resolve().parent.parent / "static" / "gentle" / "print"
PRINT_CSS = PRINT_DIR / "print.css"

# The paper sizes offered (a query parameter's values) and their CSS @page size.
PAGE_SIZES = {"a4": "A4", "letter": "letter"}
DEFAULT_PAGE_SIZE = "a4"


class RefusedURL(ValueError):
    """A document asked for something outside our print files (the network, other files)."""


class PrintFilesOnly(URLFetcher):
    """Answers ``file:`` URLs inside ``PRINT_DIR`` and refuses everything else (http, https,
    data, other files, ``..`` out of the folder). WeasyPrint logs a refused resource and renders
    without it."""

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"not one of our print files: {parts.scheme}:")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(PRINT_DIR) or not path.is_file():
            raise RefusedURL("not one of our print files")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def page_size_css(page_size: str, *, landscape: bool = False) -> str:
    size = PAGE_SIZES[page_size]
    return f"@page {{ size: {size}{' landscape' if landscape else ''}; }}"


def html_to_pdf(html: str, *, page_size: str = DEFAULT_PAGE_SIZE, landscape: bool = False) -> bytes:
    """The PDF of ``html`` (a whole document) on ``page_size`` paper (a key of ``PAGE_SIZES``),
    with the print stylesheet. Relative URLs in the document resolve inside ``PRINT_DIR``."""
    fetcher = PrintFilesOnly()
    stylesheets = [
        CSS(filename=str(PRINT_CSS), url_fetcher=fetcher),
        CSS(string=page_size_css(page_size, landscape=landscape), url_fetcher=fetcher),
    ]
    document = HTML(string=html, base_url=PRINT_DIR.as_uri() + "/", url_fetcher=fetcher)
    # Tagged (ADR 0063): a screen reader follows the headings, paragraphs and tables; the
    # document's language and title come from <html lang> and <title>.
    return document.write_pdf(stylesheets=stylesheets, pdf_tags=True)


# The charts of gentle.lib.svg on paper (ADR 0063): the site styles them from gentle.css by
# class, but WeasyPrint styles an inline SVG's elements from neither the page's stylesheets nor
# a <style> reaching into a nested <svg> (the plot area). So each element gets its print style
# as a ``style`` attribute: the site's chart rules in print's greys and one colour that also
# reads in black and white. Keys are an element's classes, most specific first.
CHART_STYLES: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"marker", "phase"}), "stroke:#555;stroke-width:1;stroke-dasharray:3 3"),
    (frozenset({"frame"}), "fill:none;stroke:#777;stroke-width:0.8"),
    (frozenset({"grid"}), "stroke:#ddd;stroke-width:0.6"),
    (frozenset({"line"}), "fill:none;stroke:#1f6f68;stroke-width:2"),
    (frozenset({"dot"}), "fill:#fff;stroke:#17534e;stroke-width:1.5"),
    (frozenset({"expected"}), "fill:none;stroke:#555;stroke-width:1.5;stroke-dasharray:6 4"),
    (frozenset({"marker"}), "stroke:#000;stroke-width:1.2"),
    (frozenset({"band", "severity-0"}), "stroke:none;fill:#f2f2f2"),
    (frozenset({"band", "severity-1"}), "stroke:none;fill:#e6e6e6"),
    (frozenset({"band", "severity-2"}), "stroke:none;fill:#dadada"),
    (frozenset({"band", "severity-3"}), "stroke:none;fill:#cecece"),
    (frozenset({"band", "severity-4"}), "stroke:none;fill:#c2c2c2"),
    (frozenset({"axis-title"}), "font-size:8.5pt;font-weight:bold;fill:#333"),
    (frozenset({"tick"}), "font-size:8pt;fill:#333"),
    (frozenset({"tick-label"}), "font-size:8pt;fill:#333"),
)
_SVG_ELEMENT = re.compile(r'<(rect|line|polyline|circle|path|text) class="([^"]*)"')


def print_chart(chart: str) -> str:
    """A chart drawn by ``gentle.lib.svg`` with its print style on each element (see
    ``CHART_STYLES``); still vector graphics. The caller marks it safe: it is our own markup."""

    def styled(match: re.Match[str]) -> str:
        classes = set(match.group(2).split())
        style = next((s for keys, s in CHART_STYLES if keys <= classes), "")
        extra = f' style="{style}"' if style else ""
        return f'<{match.group(1)} class="{match.group(2)}"{extra}'

    return _SVG_ELEMENT.sub(styled, chart)
