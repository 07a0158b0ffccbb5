"""The door to administrations: through their client (care team), or the client's own portal."""

from __future__ import annotations

from django.http import Http404

from gentle.accounts.decorators import AuthenticatedHttpRequest
from gentle.clients.access import as_id, client_object, own_client_record
from gentle.measures.models import Administration, Mode


def administration_for(
    request: AuthenticatedHttpRequest, administration_id: str | int, *, write: bool = False
) -> Administration:
    return client_object(
        request, Administration, administration_id, write=write, verb="administration"
    )


def portal_administration(
    request: AuthenticatedHttpRequest, administration_id: str | int
) -> Administration:
    """A questionnaire assigned to the signed-in client for their portal."""
    client = own_client_record(request)
    administration = Administration.objects.filter(
        pk=as_id(administration_id), client=client, mode=Mode.PORTAL
    ).first()
    if administration is None:
        raise Http404
    administration.client = client
    return administration
