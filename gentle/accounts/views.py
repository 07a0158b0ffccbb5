from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gentle.accounts.models import Role
from gentle.accounts.selectors import clinic_people, memberships_of


@login_required
@require_GET
def clinic_people_view(request):
    """The administrator's list of people and roles in their clinic."""
    memberships = memberships_of(request.user)
    request._gentle_memberships = memberships
    admin_of = [m.clinic for m in memberships if m.role == Role.ADMIN]
    if not admin_of:
        raise Http404
    clinic = admin_of[0]
    return render(
        request, "accounts/people.html", {"clinic": clinic, "people": clinic_people(clinic)}
    )
