"""The client's own pages. Later issues add questionnaires, diary, practice and progress."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gentle.accounts.decorators import role_required
from gentle.accounts.models import Role
from gentle.clients.access import own_client_record
from gentle.courses.selectors import latest_relapse_plan
from gentle.measures.access import portal_administration
from gentle.measures.instruments import catalogue
from gentle.measures.models import Administration, Mode, Status
from gentle.measures.views import answer_form
from gentle.safety.selectors import crisis_text_for


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


@role_required(Role.CLIENT)
def portal_questionnaires(request):
    client = own_client_record(request)
    assigned = Administration.objects.filter(client=client, mode=Mode.PORTAL).order_by(
        "status", "due_on", "-submitted_at"
    )
    return render(
        request,
        "portal/questionnaires.html",
        {
            "open": [a for a in assigned if a.status != Status.SUBMITTED],
            "done": [a for a in assigned if a.status == Status.SUBMITTED][:20],
            "names": {k: v.name for k, v in catalogue().items()},
        },
    )


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_fill(request, administration_id: int):
    administration = portal_administration(request, administration_id)
    if administration.status == Status.SUBMITTED:
        return redirect("portal_questionnaires")

    def done(rules):
        if rules:
            # The client sees the clinic's crisis text at once; never the alert itself.
            return render(
                request,
                "portal/crisis_now.html",
                {"crisis_text": crisis_text_for(administration.client.clinic, get_language())},
            )
        if rules is not None:
            messages.success(request, _("Thank you. Your answers are with your clinician."))
        return redirect("portal_questionnaires")

    return answer_form(
        request,
        administration,
        role=Role.CLIENT,
        template="portal/questionnaire_fill.html",
        done=done,
    )
