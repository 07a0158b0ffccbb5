"""The clinic's public pages and consultation form (anyone), and the intake queue (the
clinic's administrators and clinicians)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.context import clinic_context
from gentle.accounts.decorators import role_required
from gentle.accounts.models import Clinic, Membership, Role, User
from gentle.courses.forms import COURSE_FIELDS, CourseForm
from gentle.intake import actions, selectors
from gentle.intake.access import intake_for, staff_role
from gentle.intake.forms import (
    AssignForm,
    ConvertForm,
    DeclineForm,
    PublicTextForm,
    RequestForm,
    started_token,
)
from gentle.intake.models import IntakeContactAttempt, PublicText, RequestStatus
from gentle.lib.forms import posted
from gentle.safety.forms import ContactAttemptForm
from gentle.safety.selectors import crisis_text_for, risk_phrases_in


def _clinic(slug):
    return get_object_or_404(Clinic, slug=slug)


def public_clinic(request, slug: str):
    clinic = _clinic(slug)
    return render(
        request,
        "intake/public.html",
        {
            "clinic": clinic,
            "sections": selectors.sections(clinic),
            "crisis_text": crisis_text_for(clinic, selectors.language()),
        },
    )


@require_http_methods(["GET", "POST"])
def reach_out(request, slug: str):
    """The consultation form. Robots get a polite nothing; floods and instant sends are
    refused kindly; nothing typed is lost on a refusal."""
    clinic = _clinic(slug)
    form = RequestForm(posted(request), initial={"started": started_token()})
    context = {
        "clinic": clinic,
        "form": form,
        "crisis_text": crisis_text_for(clinic, selectors.language()),
    }
    if request.method == "GET":
        return render(request, "intake/reach_out.html", context)
    if form.is_robot():
        return render(request, "intake/thanks.html", {"clinic": clinic, "risk": False})
    refusal, status = None, 400
    # What is missing or wrong is said first (an empty form sent at once was told "That was very
    # quick"): the stamp and the hourly count are only spent on a complete form.
    if form.is_valid():
        if form.stamp_refused() or not actions.stamp_first_use(request.POST.get("started", "")):
            refusal = _("That was very quick. Please check your message and send it again.")
        elif actions.over_rate_limit(actions.visitor_address(request), clinic):
            refusal = _(
                "We have received several requests from this connection in the last hour. "
                "Please try again later, or call the clinic."
            )
            status = 429
    if refusal or not form.is_valid():
        data = request.POST.copy()
        data["started"] = started_token()  # a fresh stamp for the next try
        context["form"] = RequestForm(data)
        context["form"].is_valid()
        context["refusal"] = refusal
        # Refused or not, words of risk get the crisis response now: the message is not sent.
        context["risk"] = bool(risk_phrases_in(request.POST.get("message", "")[:10000]))
        return render(request, "intake/reach_out.html", context, status=status)
    intake = actions.request_receive(clinic=clinic, data=form.cleaned_data)
    return render(
        request,
        "intake/thanks.html",
        {"clinic": clinic, "risk": intake.risk_words, "crisis_text": context["crisis_text"]},
    )


# The queue


def _role(request):
    return staff_role(request)


#: The requests listed in the queue (the open ones first).
SHOWN_REQUESTS = 200


@role_required(Role.ADMIN, Role.CLINICIAN)
def intake_queue(request):
    role = _role(request)
    clinic = clinic_context(request).clinic
    attempts = IntakeContactAttempt.objects.filter(intake=OuterRef("pk"))
    is_open = Q(status__in=(RequestStatus.NEW, RequestStatus.ASSIGNED))
    # The open requests first (those with risk words first among them), then those handled in
    # the last 30 days: a busy month of handled requests must not push an open one off the page.
    requests = list(
        clinic.intake_requests.select_related("assigned_to", "client")
        .annotate(reached=Exists(attempts))
        .filter(is_open | Q(handled_at__gte=timezone.now() - timedelta(days=30)))
        .order_by(
            Case(When(is_open, then=Value(0)), default=Value(1)),
            "-risk_words",
            "-created_at",
            "-pk",
        )[: SHOWN_REQUESTS + 1]
    )
    more = len(requests) > SHOWN_REQUESTS
    requests = requests[:SHOWN_REQUESTS]
    actions.queue_viewed(role=role, clinic=clinic, count=len(requests))
    return render(
        request,
        "intake/queue.html",
        {"requests": requests, "more": more, "shown": SHOWN_REQUESTS},
    )


def _clinicians(clinic):
    return (
        Membership.objects.filter(clinic=clinic, role=Role.CLINICIAN, user__is_active=True)
        .select_related("user")
        .order_by("user__display_name")
    )


def _detail(request, intake, *, assign=None, convert=None, decline=None, contact=None, status=200):
    clinic = intake.clinic
    users = User.objects.filter(pk__in=_clinicians(clinic).values("user_id")).order_by(
        "display_name"
    )
    formats = CourseForm().fields["format"].choices
    parts = (intake.name or "").split(" ", 1)
    return render(
        request,
        "intake/detail.html",
        {
            "intake": intake,
            "assign_form": assign or AssignForm(clinicians=users),
            "convert_form": convert
            or ConvertForm(
                formats=formats,
                initial={
                    "given_name": parts[0],
                    "family_name": parts[1] if len(parts) > 1 else "",
                    "format": "individual",
                    "start_date": timezone.localdate() + timedelta(days=7),
                },
            ),
            "decline_form": decline or DeclineForm(),
            "contact_form": contact or ContactAttemptForm(),
            "attempts": list(intake.contact_attempts.select_related("made_by")),
            "open": intake.status in (RequestStatus.NEW, RequestStatus.ASSIGNED),
            "screen": selectors.screen_items(),
        },
        status=status,
    )


@role_required(Role.ADMIN, Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def intake_detail(request, request_id: int):
    write = request.method == "POST"
    intake = intake_for(request, request_id, write=write)
    if not write:
        return _detail(request, intake)
    users = User.objects.filter(pk__in=_clinicians(intake.clinic).values("user_id"))
    form = AssignForm(request.POST, clinicians=users)
    if not form.is_valid():
        return _detail(request, intake, assign=form, status=400)
    actions.request_assign(
        by=request.user,
        intake=intake,
        clinician=form.cleaned_data["clinician"],
        role=_role(request),
    )
    messages.success(request, _("Assigned."))
    return redirect("intake_detail", request_id=intake.pk)


@role_required(Role.ADMIN, Role.CLINICIAN)
@require_POST
def intake_convert(request, request_id: int):
    intake = intake_for(request, request_id, write=True)
    if intake.status not in (RequestStatus.NEW, RequestStatus.ASSIGNED):
        messages.info(request, _("This request has already been dealt with."))
        return redirect("intake_detail", request_id=intake.pk)
    role = _role(request)
    if role == Role.ADMIN and intake.assigned_to is None:
        messages.error(request, _("Assign a clinician first: the new client needs a care team."))
        return redirect("intake_detail", request_id=intake.pk)
    form = ConvertForm(request.POST, formats=CourseForm().fields["format"].choices)
    course_form = CourseForm(
        {
            "format": request.POST.get("format"),
            "start_date": request.POST.get("start_date"),
            "kind": "acute",
        }
    )
    if not (form.is_valid() and course_form.is_valid()):
        return _detail(request, intake, convert=form, status=400)
    client, _course = actions.request_convert(
        by=request.user,
        intake=intake,
        data=form.cleaned_data,
        course_fields={name: course_form.cleaned_data[name] for name in COURSE_FIELDS},
        role=role,
    )
    messages.success(request, _("The client record and a planned course are ready."))
    if role == Role.CLINICIAN and intake.assigned_to in (None, request.user):
        return redirect("client_detail", client_id=client.pk)
    return redirect("intake_detail", request_id=intake.pk)


@role_required(Role.ADMIN, Role.CLINICIAN)
@require_POST
def intake_decline(request, request_id: int):
    intake = intake_for(request, request_id, write=True)
    if intake.status not in (RequestStatus.NEW, RequestStatus.ASSIGNED):
        messages.info(request, _("This request has already been dealt with."))
        return redirect("intake_detail", request_id=intake.pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _detail(request, intake, decline=form, status=400)
    try:
        emailed = actions.request_decline(
            by=request.user,
            intake=intake,
            reason=form.cleaned_data["reason"],
            role=_role(request),
        )
    except actions.ContactFirst:
        form.add_error(
            None,
            _(
                "Their message has risk words: log an attempt to reach them (below) before "
                "declining. Nothing was sent."
            ),
        )
        return _detail(request, intake, decline=form, status=400)
    if emailed:
        messages.success(request, _("Declined; the message was sent by email."))
    else:
        messages.success(request, _("Declined. They asked to be phoned: please call them."))
    return redirect("intake_queue")


@role_required(Role.ADMIN, Role.CLINICIAN)
@require_POST
def intake_contact(request, request_id: int):
    intake = intake_for(request, request_id, write=True)
    form = ContactAttemptForm(request.POST, since=intake.created_at)
    if not form.is_valid():
        return _detail(request, intake, contact=form, status=400)
    actions.contact_attempt_add(
        by=request.user, intake=intake, role=_role(request), **form.cleaned_data
    )
    messages.success(request, _("Contact attempt logged."))
    return redirect("intake_detail", request_id=intake.pk)


# The clinic's own wording


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def public_texts(request):
    clinic = clinic_context(request).clinic
    section = request.GET.get("section") or request.POST.get("section") or "ipt"
    lang = request.GET.get("language") or request.POST.get("language") or "en"
    if section not in selectors.section_ids() or lang not in ("en", "es"):
        section, lang = "ipt", "en"
    own = PublicText.objects.filter(clinic=clinic, section=section, language=lang).first()
    title, body = (own.title, own.body) if own else selectors.default_text(section, lang)
    form = PublicTextForm(posted(request), initial={"title": title, "body": body})
    if request.method == "POST" and "reset" in request.POST:
        actions.public_text_reset(by=request.user, clinic=clinic, section=section, language=lang)
        messages.success(request, _("Back to Gentle's wording."))
        return redirect(f"{request.path}?section={section}&language={lang}")
    if request.method == "POST" and form.is_valid():
        actions.public_text_save(
            by=request.user,
            clinic=clinic,
            section=section,
            language=lang,
            data=form.cleaned_data,
        )
        messages.success(request, _("Saved. It is on the public page now."))
        return redirect(f"{request.path}?section={section}&language={lang}")
    return render(
        request,
        "intake/public_texts.html",
        {
            "clinic": clinic,
            "form": form,
            "section": section,
            "language": lang,
            "sections": selectors.section_titles(),
            "custom": own is not None,
        },
        status=400 if form.errors else 200,
    )
