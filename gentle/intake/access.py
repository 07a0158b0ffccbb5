"""The door to consultation requests: the administrators and clinicians of the clinic that
received them. Missing and forbidden look the same (404); every opening is audited."""

from django.db import transaction
from django.http import Http404

from gentle.accounts.context import clinic_context
from gentle.accounts.models import Role
from gentle.audit.log import record
from gentle.audit.names import Action
from gentle.clients.access import as_id, client_for
from gentle.intake.models import IntakeRequest

STAFF = (Role.ADMIN, Role.CLINICIAN)


def staff_role(request) -> str:
    """The role the person acts in for intake, or 404."""
    context = clinic_context(request)
    for role in STAFF:
        if context.clinic is not None and context.has(role):
            return role
    raise Http404


def intake_for(request, request_id, *, write: bool = False) -> IntakeRequest:
    role = staff_role(request)
    clinic = clinic_context(request).clinic
    found = IntakeRequest.objects.filter(pk=as_id(request_id), clinic=clinic).first()
    if found is None:
        raise Http404
    if found.client_id:
        # Once it is a client's record, only that client's care team may open it (audited
        # on the client, so it shows in "who opened this record").
        client_for(
            request,
            found.client_id,
            write=write,
            action=Action.INTAKE_VIEW,
            object_type="intakerequest",
            object_id=found.pk,
        )
        return found
    with transaction.atomic():
        record(
            Action.INTAKE_OPEN if write else Action.INTAKE_VIEW,
            role=role,
            clinic_id=clinic.pk,
            object_type="intakerequest",
            object_id=found.pk,
        )
    return found
