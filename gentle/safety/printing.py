"""The safety plan as PDF (ADR 0063), for the client (portal) and for the care team: the print
page's content as a tagged document in one language, rendered by the worker as every document
is. The page asked for shows how far it has got and, until it is ready, the print-friendly
page, which needs no worker: a plan is never out of reach while a PDF is being made. A plan
saved by the care team or the client is made at once in the client's language, so that it is
usually ready before anyone asks."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation

from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients.models import Client
from gentle.safety.models import PlanPdfStatus, SafetyPlanPdf

KEPT = timedelta(days=1)  # a PDF no longer asked for is made again after this


def plan_html(page: dict[str, Any], language: str) -> str:
    """``page``: selectors.plan_page with ``client`` and ``crisis_text``, as the print page has."""
    with translation.override(language):
        return render_to_string("safety/safety_plan_pdf.html", page)


def _digest(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def _found(client: Client, html: str) -> SafetyPlanPdf | None:
    return (
        SafetyPlanPdf.objects.defer("html", "content")
        .filter(client=client, digest=_digest(html))
        .first()
    )


def ask_for_pdf(client: Client, html: str, language: str, version_number: int) -> SafetyPlanPdf:
    """The PDF of ``html``: the one already made or being made, or (also when the last
    attempt failed) a new one the worker is asked to make, audited."""
    from gentle.safety.tasks import render_plan_pdf

    job = _found(client, html)
    if job is not None and job.status != PlanPdfStatus.FAILED:
        return job
    with transaction.atomic():
        if job is None:
            SafetyPlanPdf.objects.filter(
                client=client, created_at__lt=timezone.now() - KEPT
            ).delete()
            try:
                with transaction.atomic():  # two people asking at once: one row
                    job = SafetyPlanPdf.objects.create(
                        client=client,
                        digest=_digest(html),
                        language=language,
                        version_number=version_number,
                        html=html,
                    )
            except IntegrityError:
                return SafetyPlanPdf.objects.defer("html", "content").get(
                    client=client, digest=_digest(html)
                )
        else:
            SafetyPlanPdf.objects.filter(pk=job.pk).update(status=PlanPdfStatus.QUEUED, html=html)
            job.status = PlanPdfStatus.QUEUED
        record(
            Action.SAFETY_PLAN_PDF,
            client=client,
            object_type="safety_plan",
            object_id=client.pk,
            detail=f"version={version_number} language={language} pdf={job.pk}",
        )
        render_plan_pdf.enqueue(job.pk)  # a row of the same transaction (the database backend)
    return job


def prepare_current(client: Client) -> SafetyPlanPdf:
    """Ask the worker for the current plan's PDF in the client's language (after a save)."""
    from gentle.safety import selectors

    with translation.override(client.language):
        page = selectors.plan_page(client)
    page.update(
        client=client, crisis_text=selectors.crisis_text_for(client.clinic, client.language)
    )
    shown = page["shown"]
    html = plan_html(page, client.language)
    return ask_for_pdf(client, html, client.language, shown.number if shown else 0)


def pdf_or_progress(
    request: HttpRequest,
    page: dict[str, Any],
    language: str,
    *,
    name: str,
    template: str,
) -> HttpResponse:
    """GET: the plan's PDF once the worker has made it; until then the page (or, for
    gentle.js's polling, the part of it) that says how far it has got, or offers to make it.
    POST: ask the worker for it (nothing is written on a GET)."""
    client: Client = page["client"]
    shown = page["shown"]
    html = plan_html(page, language)
    if request.method == "POST":
        ask_for_pdf(client, html, language, shown.number if shown else 0)
        return redirect(request.get_full_path())
    job = _found(client, html)
    polled = request.headers.get("X-Gentle-Background") == "1"
    if job is not None and job.status == PlanPdfStatus.DONE and not polled:
        content = SafetyPlanPdf.objects.values_list("content", flat=True).get(pk=job.pk)
        return pdf_response(bytes(content or b""), name)
    context = {**page, "job": job, "poll_url": request.get_full_path()}
    if polled:
        return render(request, "safety/_plan_pdf_status.html", context)
    return render(request, template, context)


def pdf_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
