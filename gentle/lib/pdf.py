"""HTML to PDF for printed pages (ADR 0054): WeasyPrint, with a fetcher that reads only our own
print files, so a document never reaches the network or the rest of the disk.

Used by the groups' paper sheets (issue 24) and meant for letters and reports: render a
template to HTML, then ``html_to_pdf(html, page_size=...)``. The print stylesheet is vendored
in ``gentle/static/gentle/print/``; fonts are the system's (DejaVu, Liberation), found offline
through fontconfig.
"""

from __future__ import annotations

import mimetypes
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
    return document.write_pdf(stylesheets=stylesheets)
