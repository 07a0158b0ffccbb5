"""The safety plan as PDF (ADR 0063), for the client (portal) and for the care team: the
print page's content as a tagged document in one language, rendered while the request waits
(a plan is one or two pages, made in well under a second)."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from gentle.lib.pdf import html_to_pdf


def plan_pdf(page: dict, language: str) -> bytes:
    """``page``: selectors.plan_page with ``client`` and ``crisis_text``, as the print page has."""
    with translation.override(language):
        return html_to_pdf(render_to_string("safety/safety_plan_pdf.html", page))


def pdf_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
