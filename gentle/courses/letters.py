"""The letter to the referrer as a printed document (ADR 0063): its HTML in the letter's
language, and its PDF (tagged, the chart as vector graphics) through ``gentle.lib.pdf``."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from gentle.courses.models import Letter
from gentle.lib.pdf import html_to_pdf, print_chart


def letter_html(letter: Letter) -> str:
    with translation.override(letter.language):
        return render_to_string(
            "courses/letter_print.html",
            {
                "letter": letter,
                "course": letter.course,
                "client": letter.course.client,
                # our own markup (gentle.lib.svg), never typed text
                "chart": mark_safe(print_chart(letter.chart)) if letter.chart else "",  # noqa: S308
            },
        )


def letter_pdf(letter: Letter) -> bytes:
    return html_to_pdf(letter_html(letter))
