"""Helpers for tests of PDFs (ADR 0063): the text of a PDF, and its pages as PNG images drawn
by poppler's ``pdftoppm`` (bin/test installs poppler-utils), so a test checks both what a PDF
says and that it draws."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def png_pages(data: bytes, folder: Path, name: str = "page", dpi: int = 50) -> list[Path]:
    """Every page of ``data`` as a PNG in ``folder``. With GENTLE_KEEP_PNG set to a folder, the
    pages are also copied there, to be looked at."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: install poppler-utils (bin/test does)"
    source = folder / f"{name}.pdf"
    source.write_bytes(data)
    subprocess.run([pdftoppm, "-png", "-r", str(dpi), str(source), str(folder / name)], check=True)
    pages = sorted(folder.glob(f"{name}-*.png"))
    for page in pages:
        assert page.read_bytes().startswith(PNG_SIGNATURE)
    keep = os.environ.get("GENTLE_KEEP_PNG")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for page in pages:
            shutil.copy(page, Path(keep) / page.name)
    return pages


def ink(page: Path) -> float:
    """The share of a page's pixels that are not white (a blank page gives 0)."""
    from PIL import Image

    with Image.open(page) as image:
        grey = image.convert("L")
        dark = sum(grey.histogram()[:200])
        return dark / (grey.width * grey.height)
