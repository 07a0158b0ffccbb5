"""The clinic's outcome report (issue 25 part 3, ADR 0058): the page, its CSV and its PDF, for
the clinic's administrators and supervisors (``report_clinic``). Counts and clinicians' names
only, never a client's; each opening is audited as a read with the number of finished courses
it counts.

The PDF is rendered by the worker (``tasks.render_report_pdf``) with its progress shown, as the
client's record copy is: a breakdown over forty clinicians takes WeasyPrint several seconds
(docs/performance.md)."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import AuthenticatedHttpRequest, role_required
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients.access import REPORT_ROLES, record_list_read, report_clinic
from gentle.lib import pdf, svg
from gentle.lib.outcomes import Z_95, Z_998, Proportion, funnel_limits
from gentle.reports.models import PdfStatus, ReportPdf
from gentle.reports.report import (
    BREAKDOWNS,
    FIGURE_NAMES,
    Period,
    Report,
    Row,
    build,
    default_period,
)
from gentle.reports.tasks import render_report_pdf

DATE = forms.DateInput(attrs={"type": "date"})

# The page shows the breakdown's lines this many at a time under the clinic's line, with links
# to the others: a breakdown by 300 groups was 362 KB in one page (docs/performance.md). The CSV
# and the PDF keep every line.
LINES_PER_PAGE = 25


class ReportFilter(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE)
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE)
    breakdown = forms.ChoiceField(
        label=gettext_lazy("Break down by"), choices=list(BREAKDOWNS.items()), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period is before its start."))
        return data


def _report(request: AuthenticatedHttpRequest) -> tuple[ReportFilter, Report]:
    """The filter form and the report it asks for. A date that is not a date, or a period that
    ends before it starts, is said beside its field and the default period is used for it."""
    clinic = report_clinic(request)
    today = timezone.localdate()
    period = default_period(today)
    form = ReportFilter(request.GET or None, initial={"start": period.start, "end": period.end})
    start: date = period.start
    end: date = period.end
    breakdown = ""
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
        if "end" not in form.errors and "start" not in form.errors:
            start = data.get("start") or start
            end = data.get("end") or end
        breakdown = data.get("breakdown") or ""
    return form, build(clinic, Period(start, end), breakdown)


def _short(index: int) -> str:
    return str(index + 1)


def _funnel(report: Report) -> tuple[str, list[dict[str, Any]]]:
    """The funnel plot of recovery by clinician and its table: each clinician with at least
    one case at the start, numbered; within or outside the 95% and 99.8% limits."""
    clinic = report.clinic_recovery
    rows: list[dict[str, Any]] = []
    if clinic.rate is None:
        return "", rows
    points = []
    for row in report.by_clinician:
        recovery: Proportion = dict(row.figures)["recovery"]
        if recovery.rate is None:
            continue
        low95, high95 = funnel_limits(clinic.rate, recovery.n, z=Z_95)
        low998, high998 = funnel_limits(clinic.rate, recovery.n, z=Z_998)
        if recovery.rate > high998 or recovery.rate < low998:
            # xgettext:no-python-format
            where = _("outside the 99.8% limits")
        elif recovery.rate > high95 or recovery.rate < low95:
            # xgettext:no-python-format
            where = _("outside the 95% limits")
        else:
            where = _("within the limits")
        short = _short(len(rows))
        rows.append(
            {
                "short": short,
                "label": row.label,
                "recovery": recovery,
                "limits95": (round(low95 * 100, 1), round(high95 * 100, 1)),
                "limits998": (round(low998 * 100, 1), round(high998 * 100, 1)),
                "where": where,
            }
        )
        points.append((recovery.n, recovery.rate, short))
    drawing = svg.funnel(
        points,
        rate=clinic.rate,
        limits=lambda rate, n, z: funnel_limits(rate, n, z=z),
        z_inner=Z_95,
        z_outer=Z_998,
        x_label=_("Cases at the start (n)"),
        y_label=_("Recovery"),
        label=_("Funnel plot: each clinician's recovery rate against their number of cases"),
        keys={
            "rate": _("The clinic's recovery rate (%(percent)s%%)") % {"percent": clinic.percent},
            # xgettext:no-python-format
            "inner": _("95% control limits"),
            # xgettext:no-python-format
            "outer": _("99.8% control limits"),
            "unit": _("A clinician (numbered as in the table)"),
        },
    )
    return drawing, rows


def context_for(report: Report) -> dict[str, Any]:
    """What the page and the PDF show of ``report``."""
    funnel, funnel_rows = _funnel(report)
    return {
        "report": report,
        "figure_names": list(FIGURE_NAMES.values()),
        "breakdown_name": BREAKDOWNS.get(report.breakdown, ""),
        "funnel": funnel,
        "funnel_rows": funnel_rows,
    }


def _context(form: ReportFilter, report: Report, page: Page[Row]) -> dict[str, Any]:
    query = form.data.copy() if form.is_bound else None
    if query is not None:
        query.pop("page", None)
    return {
        **context_for(report),
        "form": form,
        "query": query.urlencode() if query is not None else "",
        "page": page,
        "lines": [report.total, *page.object_list],
    }


@role_required(*REPORT_ROLES)
def outcomes(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, report = _report(request)
    page = Paginator(report.rows, LINES_PER_PAGE).get_page(request.GET.get("page"))
    record_list_read(request, Action.OUTCOME_REPORT_VIEW, count=report.total.finished)
    return render(
        request,
        "reports/outcomes.html",
        _context(form, report, page),
        status=400 if form.errors else 200,
    )


def _cell(text: str) -> str:
    """A spreadsheet does not run a cell that starts with a formula character."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _value(number: float | None) -> str:
    return "" if number is None else f"{number:g}"


CSV_HEAD = (
    "breakdown",
    "name",
    "period_start",
    "period_end",
    "referrals",
    "started",
    "finished",
    "completed",
    "ended_early",
    "not_yet",
)
CSV_FIGURES = (
    "completion",
    "paired",
    "recovery",
    "reliable_improvement",
    "reliable_recovery",
    "reliable_deterioration",
    "response",
    "remission",
)


@role_required(*REPORT_ROLES)
def outcomes_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The report's table as CSV: the clinic's line, then the breakdown's lines; each figure
    as count, n, percent and its 95% interval."""
    _form, report = _report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="outcome-report-{day}.csv"'
    writer = csv.writer(response)
    head = list(CSV_HEAD)
    for name in CSV_FIGURES:
        head += [f"{name}_count", f"{name}_n", f"{name}_percent", f"{name}_low", f"{name}_high"]
    writer.writerow(head)
    for row in [report.total, *report.rows]:
        line: list[Any] = [
            report.breakdown if row is not report.total else "",
            _cell(row.label),
            report.period.start.isoformat(),
            report.period.end.isoformat(),
            "" if row.referrals is None else row.referrals,
            row.started,
            row.finished,
            row.finished - row.ended_early,
            row.ended_early,
            row.not_yet,
        ]
        for _name, figure in row.figures:
            line += [
                figure.count,
                figure.n,
                _value(figure.percent),
                _value(figure.low_percent),
                _value(figure.high_percent),
            ]
        writer.writerow(line)
    record_list_read(request, Action.OUTCOME_REPORT_CSV, count=report.total.finished)
    return response


def _audit_pdf(request: AuthenticatedHttpRequest, action: str, job: ReportPdf) -> None:
    params = job.params
    record(
        action,
        role=clinic_context(request).primary_role(),
        clinic_id=job.clinic_id,
        object_type="report_pdf",
        object_id=job.pk,
        detail=f"start={params['start']} end={params['end']} breakdown={params['breakdown']}",
    )


def _mine(request: AuthenticatedHttpRequest) -> ReportPdf | None:
    """This person's latest PDF of the report of this clinic."""
    return (
        ReportPdf.objects.filter(requested_by=request.user, clinic=report_clinic(request))
        .defer("content")
        .first()
    )


@role_required(*REPORT_ROLES)
def outcomes_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the PDF asked for last, with its progress. POST: ask for a PDF of the report for
    the period and breakdown posted; the worker renders it (ADR 0058)."""
    clinic = report_clinic(request)
    if request.method == "POST":
        form = ReportFilter(request.POST)
        size = request.POST.get("size", pdf.DEFAULT_PAGE_SIZE)
        if form.is_valid() and size in pdf.PAGE_SIZES:
            default = default_period(timezone.localdate())
            data = form.cleaned_data
            params = {
                "start": (data.get("start") or default.start).isoformat(),
                "end": (data.get("end") or default.end).isoformat(),
                "breakdown": data.get("breakdown") or "",
                "size": size,
                "language": get_language() or "en",
            }
            with transaction.atomic():
                job = ReportPdf.objects.create(
                    clinic=clinic, requested_by=request.user, params=params
                )
                _audit_pdf(request, Action.OUTCOME_REPORT_PDF, job)
                render_report_pdf.enqueue(job.pk)
            return redirect("outcome_report_pdf")
        if size not in pdf.PAGE_SIZES:
            form.add_error(None, _("Choose a paper size (a4 or letter)."))
        return render(
            request,
            "reports/pdf.html",
            {"form": form, "job": _mine(request)},
            status=400,
        )
    return render(request, "reports/pdf.html", {"form": None, "job": _mine(request)})


@role_required(*REPORT_ROLES)
def outcomes_pdf_status(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The progress of the PDF being prepared (polled by gentle.js while it runs)."""
    return render(request, "reports/_pdf_status.html", {"job": _mine(request)})


@role_required(*REPORT_ROLES)
def outcomes_pdf_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    """This person's latest PDF of the report, once ready; until then, the page that shows
    how far it has got."""
    job = (
        ReportPdf.objects.filter(
            requested_by=request.user, clinic=report_clinic(request), status=PdfStatus.DONE
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if job is None or job.content is None:
        return redirect("outcome_report_pdf")
    _audit_pdf(request, Action.OUTCOME_REPORT_PDF_DOWNLOAD, job)
    response = HttpResponse(bytes(job.content), content_type="application/pdf")
    day = job.created_at.date().isoformat()
    response["Content-Disposition"] = f'inline; filename="outcome-report-{day}.pdf"'
    return response
