"""The FHIR export's pages: a client's record as a Bundle (for the care team and the client
themself), and the administrator's clinic-wide bulk export (docs/fhir.md "Export")."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import AuthenticatedHttpRequest, role_required
from gentle.accounts.models import Role
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients.access import as_id, audit_own, client_for, own_client
from gentle.clients.models import Client
from gentle.interop import actions
from gentle.interop.bulk import file_parts, stream
from gentle.interop.models import BulkExport
from gentle.interop.records import client_bundle

FHIR_JSON = "application/fhir+json"
NDJSON = "application/fhir+ndjson"
RECENT = 10


def _bundle_response(client: Client, name: str) -> HttpResponse:
    body = json.dumps(client_bundle(client), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type=f"{FHIR_JSON}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(Role.CLINICIAN, Role.SUPERVISOR)
def client_fhir_bundle(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    """The client's record as a FHIR R4 Bundle, for their care team (the read is audited)."""
    client = client_for(
        request, client_id, action=Action.FHIR_BUNDLE_DOWNLOAD, object_type="fhir_bundle"
    )
    return _bundle_response(client, f"client-{client.pk}-{timezone.localdate():%Y-%m-%d}.json")


@role_required(Role.CLIENT)
def portal_fhir_bundle(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in client's own record as a FHIR R4 Bundle (the read is audited)."""
    client = own_client(request)
    audit_own(client, Action.FHIR_BUNDLE_DOWNLOAD, object_type="fhir_bundle", object_id=client.pk)
    return _bundle_response(client, f"my-record-{timezone.localdate():%Y-%m-%d}.fhir.json")


def _export(request: AuthenticatedHttpRequest, bulk_id: int) -> BulkExport:
    clinic = clinic_context(request).clinic
    export = BulkExport.objects.filter(clinic=clinic, pk=as_id(bulk_id)).first()
    if export is None:
        raise Http404
    return export


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def fhir_exports(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clinic's bulk exports: start one, follow its progress, download its files."""
    clinic = clinic_context(request).clinic
    if clinic is None:  # role_required found a role: never, but say so for the types
        raise Http404
    if request.method == "POST":
        if actions.export_start(by=request.user, clinic=clinic) is None:
            messages.info(request, _("An export is already under way; it is shown below."))
        else:
            messages.success(request, _("The export has started. Its progress is shown below."))
        return redirect("fhir_exports")
    exports = list(BulkExport.objects.filter(clinic=clinic).select_related("requested_by")[:RECENT])
    return render(
        request,
        "interop/bulk_exports.html",
        {"exports": exports, "kept_days": settings.GENTLE_FHIR_EXPORT_DAYS},
    )


@role_required(Role.ADMIN)
def fhir_export_status(request: AuthenticatedHttpRequest, bulk_id: int) -> HttpResponse:
    """One export's row, polled while it runs."""
    return render(request, "interop/bulk_export_row.html", {"export": _export(request, bulk_id)})


@role_required(Role.ADMIN)
@require_POST
def fhir_export_resume(request: AuthenticatedHttpRequest, bulk_id: int) -> HttpResponse:
    export = _export(request, bulk_id)
    if actions.export_resume(export=export):
        messages.success(request, _("The export goes on from where it stopped."))
    else:
        messages.info(request, _("This export has not stopped: there is nothing to resume."))
    return redirect("fhir_exports")


@role_required(Role.ADMIN)
def fhir_export_file(
    request: AuthenticatedHttpRequest, bulk_id: int, resource_type: str
) -> StreamingHttpResponse:
    """One NDJSON file of a finished export, read from the database a batch at a time; every
    download is audited."""
    export = _export(request, bulk_id)
    parts = file_parts(export, resource_type)
    if parts is None:
        raise Http404
    with transaction.atomic():
        record(
            Action.FHIR_EXPORT_DOWNLOAD,
            clinic_id=export.clinic_id,
            object_type="bulkexport",
            object_id=export.pk,
            detail=f"type={resource_type}",
        )
    response = StreamingHttpResponse(stream(parts), content_type=NDJSON)
    response["Content-Disposition"] = f'attachment; filename="{resource_type}.ndjson"'
    response["Content-Length"] = str(export.sizes.get(resource_type, 0))
    return response
