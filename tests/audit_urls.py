"""Views that get their audit wrong, for tests/test_audit_names.py only: the audit context must
catch each (tests run with GENTLE_AUDIT_STRICT)."""

from django.db import transaction
from django.http import HttpResponse
from django.urls import path

from gentle.audit.log import record
from gentle.clients.models import Client


def write_on_get(request):
    record("client.update", object_type="client", object_id=1)
    return HttpResponse("ok")


def write_recorded_as_view(request):
    client = Client.objects.get(pk=request.POST["client"])
    client.preferred_name = request.POST["name"]
    client.save()
    record("client.view", client=client, object_type="client", object_id=client.pk)
    return HttpResponse("ok")


def write_recorded_as_write(request):
    client = Client.objects.get(pk=request.POST["client"])
    client.preferred_name = request.POST["name"]
    client.save()
    record("client.update", client=client, object_type="client", object_id=client.pk)
    return HttpResponse("ok")


def change_rolled_back(request):
    client = Client.objects.get(pk=request.POST["client"])
    try:
        with transaction.atomic():
            client.preferred_name = request.POST["name"]
            client.save()
            raise RuntimeError("the audit row could not be written")
    except RuntimeError:
        return HttpResponse("nothing was changed", status=503)


urlpatterns = [
    path("rolled-back/", change_rolled_back),
    path("get-writes/", write_on_get),
    path("write-as-view/", write_recorded_as_view),
    path("write-as-write/", write_recorded_as_write),
]
