"""The client's own pages. Later issues add questionnaires, diary, practice and progress."""

from django.shortcuts import render

from gentle.accounts.decorators import role_required
from gentle.accounts.models import Role
from gentle.clients.access import own_client_record
from gentle.courses.selectors import latest_relapse_plan


@role_required(Role.CLIENT)
def portal_home(request):
    client = own_client_record(request)
    team = list(client.care_team.select_related("user").filter(role="clinician"))
    return render(request, "portal/home.html", {"client": client, "team": team})


@role_required(Role.CLIENT)
def portal_plan(request):
    """The client's relapse-prevention plan from their latest course that has one."""
    client = own_client_record(request)
    plan = latest_relapse_plan(client)
    return render(request, "portal/plan.html", {"client": client, "plan": plan})
