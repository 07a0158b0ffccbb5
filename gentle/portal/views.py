"""The client's own pages. Later issues add questionnaires, diary, practice and progress."""

from datetime import timedelta

from django.contrib import messages
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.decorators import AuthenticatedHttpRequest, role_required
from gentle.accounts.models import Role
from gentle.audit.names import Action
from gentle.clients import actions as client_actions
from gentle.clients import selectors as client_selectors
from gentle.clients.access import as_id, audit_own, client_for, own_client, own_client_record
from gentle.clients.export import readable_opened
from gentle.clients.models import Client
from gentle.communication import actions as communication_actions
from gentle.communication import selectors as communication_selectors
from gentle.communication.access import portal_exchange as portal_exchange_for
from gentle.communication.access import portal_worksheet as portal_worksheet_for
from gentle.communication.forms import ExchangeForm, StatementForm, WorksheetForm
from gentle.courses.models import Course, Session
from gentle.courses.selectors import latest_relapse_plan
from gentle.formulation.models import Goal
from gentle.formulation.selectors import client_plan
from gentle.grief import actions as grief_actions
from gentle.grief import selectors as grief_selectors
from gentle.grief.access import portal_loss as portal_loss_for
from gentle.grief.access import portal_transition as portal_transition_for
from gentle.grief.forms import ActivityForm, CheckInForm, TransitionForm
from gentle.inventory import actions as inventory_actions
from gentle.inventory.forms import DraftPersonForm
from gentle.lib.forms import posted
from gentle.lib.siteurl import absolute_url
from gentle.measures import selectors as measure_selectors
from gentle.measures import views as measure_views
from gentle.measures.access import portal_administration
from gentle.measures.models import Administration, Mode, Status
from gentle.measures.views import answer_form
from gentle.notify.actions import mail_queue
from gentle.notify.models import Purpose
from gentle.portal import actions as portal_actions
from gentle.portal import record as record_copy
from gentle.portal import selectors as portal_selectors
from gentle.portal.access import own_export, task_for
from gentle.portal.forms import InviteForm, ReportForm, TaskForm
from gentle.portal.models import ExportStatus, TaskKind, tool_title
from gentle.portal.selectors import with_daily_progress
from gentle.roleplay import pages as roleplay_pages
from gentle.roleplay.access import portal_rehearsal as portal_rehearsal_for
from gentle.roleplay.access import portal_scenario as portal_scenario_for
from gentle.roleplay.forms import LibraryForm, ScenarioForm, StartForm
from gentle.safety import actions as safety_actions
from gentle.safety import selectors as safety_selectors
from gentle.safety.access import own_plan_client
from gentle.safety.forms import SafetyPlanForm
from gentle.safety.printing import pdf_or_progress
from gentle.safety.selectors import crisis_response, crisis_text_for
from gentle.timeline import actions as timeline_actions
from gentle.timeline.forms import DiaryForm


@role_required(Role.CLIENT)
def portal_home(request):
    """Mobile-first: the next session, what is due, tasks, practice tools, progress."""
    client = own_client_record(request)
    home = portal_selectors.portal_home(client)
    for task in home.tasks:
        task.url = task_url(task)
    return render(
        request,
        "portal/home.html",
        {
            "client": client,
            "team": home.team,
            "next_session": home.next_session,
            "due": home.due,
            "tasks": home.tasks,
            "grief_shared": home.grief_shared,
            "diary_today": home.diary_today,
            "diary_task": any(task.is_daily for task in home.tasks),
        },
    )


TASK_PAGES = {
    "inventory": ("portal_people", False),
    "diary": ("portal_diary", False),
    "exchange": ("portal_exchange", True),
    "worksheet": ("portal_worksheet", True),
    "scenario": ("portal_scenario", True),
    "loss": ("portal_loss", True),
    "transition": ("portal_transition", True),
}


def task_url(task) -> str:
    if task.is_practice:  # a practice task's page is its own: the words and the report
        return reverse("portal_task_report", args=[task.pk])
    name, with_id = TASK_PAGES[task.kind]
    return reverse(name, args=[task.object_id]) if with_id else reverse(name)


def _crisis(request, client) -> dict:
    """The crisis response for a page that answers the client's own risk words (rendered with
    ``{% include "safety/_crisis_response.html" %}`` in the same response as the save)."""
    return crisis_response(client.clinic, get_language(), client=client, request=request)


def _did(request, client, kind, object_id=None) -> None:
    """The client did a piece of work: its open tasks are done."""
    portal_actions.tasks_done(by=request.user, client=client, kind=kind, object_id=object_id)


@role_required(Role.CLIENT)
def portal_tasks(request):
    client = own_client_record(request)
    tasks = list(client.tasks.all()[:100])
    for task in tasks:
        task.url = task_url(task)
    with_daily_progress(client, tasks)
    return render(
        request,
        "portal/tasks.html",
        {
            "open": [t for t in tasks if t.done_at is None],
            "done": [t for t in tasks if t.done_at is not None][:20],
            "daily": any(t.is_daily and t.done_at is None for t in tasks),
        },
    )


@role_required(Role.CLIENT)
@require_POST
def portal_task_done(request, task_id: int):
    client = own_client(request)
    task = client.tasks.filter(pk=as_id(task_id)).first()
    if task is None:
        raise Http404
    if task.is_practice:  # done by reporting back how it went
        return redirect("portal_task_report", task_id=task.pk)
    if task.done_at is None:  # a second tap changes nothing
        _did(request, client, task.kind, task.object_id)
        messages.success(request, _("Marked as done."))
    return redirect("portal_tasks")


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_task_report(request: AuthenticatedHttpRequest, task_id: int) -> HttpResponse:
    """A practice task: its words, and "How did it go?" (again if it was "not yet")."""
    client = own_client(request)
    task = client.tasks.filter(pk=as_id(task_id), kind=TaskKind.PRACTICE).first()
    if task is None:
        raise Http404
    audit_own(client, Action.TASK_VIEW, object_type="task", object_id=task.pk)
    task.client = client
    initial = {"outcome": task.outcome, "report": task.report} if task.reported_at else {}
    form = ReportForm(posted(request), initial=initial)
    crisis = None
    if request.method == "POST" and form.is_valid():
        heard = portal_actions.practice_report(
            by=request.user,
            task=task,
            outcome=form.cleaned_data["outcome"],
            report=form.cleaned_data["report"],
        )
        messages.success(request, _("Saved. Your clinician reads it before your next session."))
        if not heard.crisis:
            return redirect("portal_tasks")
        crisis = _crisis(request, client)  # in this response, with the note still in the form
    return render(
        request,
        "portal/task_report.html",
        {"task": task, "form": form, "crisis": crisis},
        status=400 if form.errors else 200,
    )


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_diary(request):
    client = own_client_record(request)
    today = client.diary.filter(day=timezone.localdate()).first()
    initial = {}
    if today:  # saving again rewrites today's entry, so show it
        initial = {
            "mood": today.mood,
            "people": list(today.people.values_list("pk", flat=True)),
            "what_happened": today.what_happened,
            "how_i_felt": today.how_i_felt,
        }
    form = DiaryForm(posted(request), client=client, initial=initial)
    crisis = None
    if request.method == "POST" and form.is_valid():
        _entry, heard = timeline_actions.diary_save(
            by=request.user,
            client=client,
            data=form.cleaned_data,
            people=form.cleaned_data["people"],
        )
        # A diary task is daily: an entry does today's, and the task stays open (DAILY_KINDS).
        messages.success(request, _("Saved in your diary."))
        if not heard.crisis:
            return redirect("portal_diary")
        crisis = _crisis(
            request, client
        )  # in this response, with what was written still in the form
    entries = list(client.diary.prefetch_related("people")[:14])
    return render(
        request,
        "portal/diary.html",
        {"form": form, "entries": entries, "crisis": crisis},
        status=400 if form.errors else 200,
    )


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_people(request):
    """The client's own people: the inventory as agreed, and drafts they add for review."""
    client = own_client_record(request)
    form = DraftPersonForm(posted(request))
    crisis = None
    if request.method == "POST" and form.is_valid():
        try:
            _person, heard = inventory_actions.person_save(
                by=request.user,
                client=client,
                fields=form.cleaned_data | {"accepted": False},
                role=Role.CLIENT,
            )
        except inventory_actions.DuplicatePerson:
            form.add_error("name", _("This name is already in your list."))
        else:
            _did(request, client, "inventory")
            messages.success(request, _("Added. Your clinician will go over it with you."))
            if not heard.crisis:
                return redirect("portal_people")
            crisis = _crisis(request, client)
            form = DraftPersonForm()  # saved: a second tap would only say the name is taken
    return render(
        request,
        "portal/people.html",
        {"people": list(client.inventory.all()), "form": form, "crisis": crisis},
        status=400 if form.errors else 200,
    )


@role_required(Role.CLIENT)
def portal_progress(request):
    """The client's own scores and goals. Never risk alerts or clinical flags."""
    client = own_client_record(request)
    latest = Course.objects.filter(client=client).order_by("-start_date", "-pk").first()
    return render(
        request,
        "portal/progress.html",
        {
            # The client's own questionnaires only, as scores: no clinician ratings (such as the
            # C-SSRS), no bands that read as flags ("suggests prolonged grief"), no alerts.
            "results": [
                r
                for r in measure_selectors.client_results(client, bands=False, expected_for=latest)
                if r.instrument.rater != "clinician"
            ],
            "goals": progress_goals(client),
            "plan": latest_relapse_plan(client),
        },
    )


def progress_goals(client) -> list:
    """Goals across the client's courses with their ratings in order: two queries."""
    goals = list(
        Goal.objects.filter(course__client=client)
        .prefetch_related("ratings")
        .order_by("created_at", "pk")
    )
    for goal in goals:
        goal.rated = sorted(goal.ratings.all(), key=lambda r: r.rated_at)
        latest = goal.rated[-1].rating if goal.rated else None
        levels = {-2: goal.minus2, -1: goal.minus1, 0: goal.zero, 1: goal.plus1, 2: goal.plus2}
        goal.now = levels.get(latest, "")
        goal.latest = latest
    return goals


@role_required(Role.CLIENT)
def portal_plan(request):
    """The client's relapse-prevention plan from their latest course that has one."""
    client = own_client_record(request)
    plan = latest_relapse_plan(client)
    return render(request, "portal/plan.html", {"client": client, "plan": plan})


@role_required(Role.CLIENT)
def portal_focus(request):
    """ "My focus and plan": the formulation as the client agreed it, sessions held and left,
    the goals, and the plan for staying well at the end."""
    client = own_client_record(request)
    return render(request, "portal/focus.html", {"client": client, "page": client_plan(client)})


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_safety_plan(request):
    """The client's safety plan, which they see and change themselves. Their words go through
    the safety path; risk words bring the crisis response in this same response."""
    write = request.method == "POST"
    client = own_plan_client(request, write=write)
    page = safety_selectors.plan_page(client, number=request.GET.get("version"))
    sections = safety_selectors.plan_sections()
    form = SafetyPlanForm(posted(request), sections=sections, version=page["plan"])
    status = 400 if form.errors else 200
    if write and form.is_valid():
        try:
            version, heard = safety_actions.safety_plan_save(
                by=request.user,
                client=client,
                sections=form.section_texts(),
                based_on=form.cleaned_data["based_on"],
                role=Role.CLIENT,
            )
        except safety_actions.PlanConflict:
            form, status = SafetyPlanForm.after_conflict(request.POST, page["plan"]), 409
        else:
            if not heard.crisis:
                messages.success(
                    request,
                    _("Saved. Your clinician will see it.") if version else _("Nothing changed."),
                )
                return redirect("portal_safety_plan")
            page = safety_selectors.plan_page(client)
            form = SafetyPlanForm(sections=sections, version=page["plan"])
            page["crisis"] = safety_selectors.crisis_response(
                client.clinic, get_language(), client=client, request=request
            )
    page.update(client=client, form=form, can_write=True)
    return render(request, "portal/safety_plan.html", page, status=status)


@role_required(Role.CLIENT)
def portal_safety_plan_print(request):
    client = own_plan_client(request)
    page = safety_selectors.plan_page(client, number=request.GET.get("version"))
    page.update(client=client, crisis_text=crisis_text_for(client.clinic, get_language()))
    return render(request, "safety/safety_plan_print.html", page)


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_safety_plan_pdf(request):
    """The client's plan as PDF, in the language they read the portal in (ADR 0063)."""
    client = own_plan_client(request)
    page = safety_selectors.plan_page(client, number=request.GET.get("version"))
    language = get_language()
    page.update(
        client=client,
        crisis_text=crisis_text_for(client.clinic, language),
        for_client=True,
        url=reverse("portal_safety_plan"),
        print_url=reverse("portal_safety_plan_print"),
    )
    return pdf_or_progress(
        request, page, language, name="my-safety-plan.pdf", template="safety/plan_pdf.html"
    )


#: The answered questionnaires the client's list shows, latest first.
ANSWERED_SHOWN = 20


@role_required(Role.CLIENT)
def portal_questionnaires(request):
    client = own_client_record(request)
    assigned = Administration.objects.filter(client=client, mode=Mode.PORTAL)
    # The latest answered ones only: a long course of weekly questionnaires is not read whole.
    return render(
        request,
        "portal/questionnaires.html",
        {
            "open": list(
                assigned.exclude(status=Status.SUBMITTED).order_by("status", "due_on", "pk")
            ),
            "done": list(
                assigned.filter(status=Status.SUBMITTED)
                .defer("answers", "scores")
                .order_by("-submitted_at", "-pk")[:ANSWERED_SHOWN]
            ),
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
                {
                    "crisis": measure_views.client_crisis(
                        administration, rules, role=Role.CLIENT, request=request
                    )
                },
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


# Loss and change: the grief curve and transition worksheets the care team shared.


@role_required(Role.CLIENT)
def portal_loss_and_change(request):
    client = own_client_record(request)
    return render(
        request,
        "portal/loss_and_change.html",
        {
            "losses": list(client.losses.filter(shared_with_client=True)),
            "transitions": list(client.transitions.filter(shared_with_client=True)),
        },
    )


def _loss_page(request, loss, *, activity_form=None, check_in_form=None, crisis=None):
    """The client's curve: no clinician flag; a refused entry keeps what was typed (400); the
    client's own risk words are answered with the crisis response."""
    series = grief_selectors.curve_data(loss)
    return render(
        request,
        "portal/loss.html",
        {
            "loss": loss,
            "curve": grief_selectors.curve_svg(loss, series),
            "series": series,
            "activity_form": activity_form or ActivityForm(loss=loss),
            "check_in_form": check_in_form or CheckInForm(loss=loss),
            "crisis": crisis,
        },
        status=400 if activity_form or check_in_form else 200,
    )


@role_required(Role.CLIENT)
def portal_loss(request, loss_id: int):
    return _loss_page(request, portal_loss_for(request, loss_id))


def _portal_log(request, loss_id, form_class, add, message):
    loss = portal_loss_for(request, loss_id, write=True)
    form = form_class(request.POST, loss=loss)
    if not form.is_valid():
        key = "activity_form" if form_class is ActivityForm else "check_in_form"
        return _loss_page(request, loss, **{key: form})
    _saved, heard = add(by=request.user, loss=loss, data=form.cleaned_data, role=Role.CLIENT)
    _did(request, loss.client, "loss", loss.pk)
    messages.success(request, message)
    if heard.crisis:
        return _loss_page(request, loss, crisis=_crisis(request, loss.client))
    return redirect("portal_loss", loss_id=loss.pk)


@role_required(Role.CLIENT)
@require_POST
def portal_activity_add(request, loss_id: int):
    return _portal_log(
        request, loss_id, ActivityForm, grief_actions.activity_add, _("Added to your log.")
    )


@role_required(Role.CLIENT)
@require_POST
def portal_check_in_add(request, loss_id: int):
    return _portal_log(
        request, loss_id, CheckInForm, grief_actions.check_in_add, _("Check-in saved.")
    )


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_transition(request, transition_id: int):
    write = request.method == "POST"
    transition = portal_transition_for(request, transition_id, write=write)
    initial = {name: getattr(transition, name) for name in TransitionForm.base_fields}
    form = TransitionForm(posted(request), initial=initial)
    form.fields["phase"].label = _("Where I am now (optional)")
    crisis = None
    if write and form.is_valid():
        _saved, heard = grief_actions.transition_save(
            by=request.user,
            client=transition.client,
            data=form.cleaned_data,
            transition=transition,
            role=Role.CLIENT,
        )
        _did(request, transition.client, "transition", transition.pk)
        messages.success(request, _("Saved. Your clinician will see it."))
        if not heard.crisis:
            return redirect("portal_transition", transition_id=transition.pk)
        crisis = _crisis(request, transition.client)
        transition.title = form.cleaned_data["title"]
    return render(
        request,
        "portal/transition.html",
        {
            "transition": transition,
            "form": form,
            "steps": list(transition.steps.all()),
            "crisis": crisis,
        },
        status=400 if form.errors else 200,
    )


# Communication: exchanges and worksheets the care team shared, and statement feedback.


@role_required(Role.CLIENT)
def portal_communication(request):
    client = own_client_record(request)
    return render(
        request,
        "portal/communication.html",
        {
            "exchanges": list(client.exchanges.filter(shared_with_client=True)),
            "worksheets": list(client.worksheets.filter(shared_with_client=True)),
            "kinds": communication_selectors.kind_names(),
        },
    )


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_exchange(request, exchange_id: int):
    write = request.method == "POST"
    exchange = portal_exchange_for(request, exchange_id, write=write)
    form = ExchangeForm(
        posted(request),
        client=exchange.client,
        initial=communication_selectors.exchange_initial(exchange),
    )
    crisis = None
    if write and form.is_valid():
        _saved, heard = communication_actions.exchange_save(
            by=request.user,
            client=exchange.client,
            data=form.cleaned_data,
            exchange=exchange,
            role=Role.CLIENT,
        )
        _did(request, exchange.client, "exchange", exchange.pk)
        messages.success(request, _("Saved. Your clinician will see it."))
        if not heard.crisis:
            return redirect("portal_exchange", exchange_id=exchange.pk)
        crisis = _crisis(request, exchange.client)
    return render(
        request,
        "portal/exchange.html",
        {
            "exchange": exchange,
            "form": form,
            "feedback": None
            if crisis
            else communication_selectors.feedback(exchange.could_have_said),
            "can_write": True,
            "crisis": crisis,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_worksheet(request, worksheet_id: int):
    write = request.method == "POST"
    worksheet = portal_worksheet_for(request, worksheet_id, write=write)
    # Finishing happens once: a finished worksheet offers "Save changes" only (a "finish" sent
    # from a page opened before it was finished saves, and it stays finished).
    finish = write and "finish" in request.POST and worksheet.completed_at is None
    form = WorksheetForm(posted(request), worksheet=worksheet, finishing=finish)
    crisis = None
    if write and form.is_valid():
        heard = communication_actions.worksheet_save(
            by=request.user,
            worksheet=worksheet,
            answers=form.cleaned_data,
            finish=finish,
            role=Role.CLIENT,
        )
        if finish:
            _did(request, worksheet.client, "worksheet", worksheet.pk)
        if not heard.crisis:
            messages.success(request, _("Finished. Well done.") if finish else _("Saved."))
            return redirect("portal_worksheet", worksheet_id=worksheet.pk)
        messages.success(request, _("Saved."))  # no praise for words of risk
        crisis = _crisis(request, worksheet.client)
        worksheet.refresh_from_db()
    context = communication_selectors.worksheet_page(worksheet, form.steps)
    context.update(form=form, can_write=True, crisis=crisis)
    return render(request, "portal/worksheet.html", context, status=400 if form.errors else 200)


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_statement(request):
    """Statement feedback for the client. Nothing typed here is stored, except that the
    client's own risk words are heard (an alert with the words around them) and answered with
    the crisis response, never with feedback."""
    client = own_client(request)
    form = StatementForm(posted(request))
    form.fields["text"].help_text = _("Write it as you would say it.")
    found, crisis = None, None
    if form.is_valid():
        text = form.cleaned_data["text"]
        heard = communication_actions.statement_hear(by=request.user, client=client, text=text)
        if heard.crisis:
            crisis = _crisis(request, client)
        else:
            found = communication_selectors.feedback(text)
    return render(
        request,
        "portal/statement.html",
        {"form": form, "feedback": found, "crisis": crisis},
        status=400 if form.errors else 200,
    )


# Role play: rehearsing a difficult conversation.


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_roleplay(request):
    client = own_client_record(request)
    forms = (ScenarioForm(client=client), LibraryForm(client=client))
    if request.method == "POST":
        scenario, forms, heard = roleplay_pages.add_scenario(request, client, role=Role.CLIENT)
        if scenario and heard.crisis:
            return _scenario_page(request, scenario, crisis=_crisis(request, client))
        if scenario:
            return redirect("portal_scenario", scenario_id=scenario.pk)
    return render(
        request,
        "portal/roleplay.html",
        {
            "scenarios": list(client.scenarios.filter(shared_with_client=True)),
            "form": forms[0],
            "library_form": forms[1],
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.CLIENT)
def portal_scenario(request, scenario_id: int):
    return _scenario_page(request, portal_scenario_for(request, scenario_id))


def _scenario_page(request, scenario, *, crisis=None):
    return render(
        request,
        "portal/scenario.html",
        {
            "scenario": scenario,
            "rehearsals": list(scenario.rehearsals.all()),
            "start_form": StartForm(),
            "start_url": reverse("portal_rehearsal_start", args=[scenario.pk]),
            "can_write": True,
            "portal": True,
            "crisis": crisis,
        },
    )


@role_required(Role.CLIENT)
@require_POST
def portal_rehearsal_start(request, scenario_id: int):
    scenario = portal_scenario_for(request, scenario_id, write=True)
    return roleplay_pages.start(
        request, scenario, role=Role.CLIENT, page="portal_rehearsal", back="portal_scenario"
    )


def _rehearsal_page(request, rehearsal, *, turn_form=None, end_form=None, crisis=None):
    context = roleplay_pages.rehearsal_context(
        rehearsal, turn_form=turn_form, end_form=end_form, request=request
    )
    if crisis:  # the client's own risk words in the reflection
        context["crisis"] = crisis
    context.update(
        can_write=True,
        portal=True,
        turn_url=reverse("portal_rehearsal", args=[rehearsal.pk]),
        end_url=reverse("portal_rehearsal_end", args=[rehearsal.pk]),
    )
    status = 400 if (turn_form or end_form) else 200
    return render(request, "portal/rehearsal.html", context, status=status)


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_rehearsal(request, rehearsal_id: int):
    write = request.method == "POST"
    rehearsal = portal_rehearsal_for(request, rehearsal_id, write=write)
    if not write:
        return _rehearsal_page(request, rehearsal)
    return roleplay_pages.take_turn(
        request,
        rehearsal,
        role=Role.CLIENT,
        page="portal_rehearsal",
        render_page=lambda **forms: _rehearsal_page(request, rehearsal, **forms),
    )


@role_required(Role.CLIENT)
@require_POST
def portal_rehearsal_end(request, rehearsal_id: int):
    rehearsal = portal_rehearsal_for(request, rehearsal_id, write=True)
    response = roleplay_pages.finish(
        request,
        rehearsal,
        role=Role.CLIENT,
        page="portal_rehearsal",
        render_page=lambda **forms: _rehearsal_page(request, rehearsal, **forms),
    )
    if response.status_code != 400:  # finished (a reflection of risk answers with help: 200)
        _did(request, rehearsal.client, "scenario", rehearsal.scenario_id)
    return response


# My record: a copy to download, consents, and who opened the record.

EXPORT_KEPT = timedelta(days=1)
# A copy made before copies had a PDF (ADR 0063) offers none.
HAS_PDF = ExpressionWrapper(Q(pdf__isnull=False), output_field=BooleanField())


@role_required(Role.CLIENT)
@require_http_methods(["GET", "POST"])
def portal_record(request):
    client = own_client_record(request)
    if request.method == "POST":
        recent = client.exports.filter(
            created_at__gte=timezone.now() - timedelta(minutes=1)
        ).exists()
        if not recent:  # a double tap asks once
            portal_actions.export_request(by=request.user, client=client)
        messages.success(request, _("Your copy is being prepared. It appears below."))
        return redirect("portal_record")
    return render(
        request,
        "portal/record.html",
        {
            "exports": list(
                client.exports.defer("data", "pdf")
                .annotate(has_pdf=HAS_PDF)
                .filter(created_at__gte=timezone.now() - EXPORT_KEPT)[:5]
            ),
            "consents": list(client.consents.all()),
            "opened": readable_opened(record_copy.opened_summary(client)),
        },
    )


@role_required(Role.CLIENT)
def portal_export_status(request, export_id: int):
    """The progress of a copy being prepared (polled by gentle.js while it runs)."""
    export = own_export(request, export_id, action=Action.RECORD_EXPORT_STATUS)
    export.has_pdf = export.pdf is not None
    return render(request, "portal/export_status.html", {"export": export})


def _ready(request, export_id, action):
    export = own_export(request, export_id, action=action)
    if export.status != ExportStatus.DONE:
        raise Http404
    return export


@role_required(Role.CLIENT)
def portal_export_json(request, export_id: int):
    export = _ready(request, export_id, "record.download_json")
    response = JsonResponse(export.data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    name = f"my-record-{export.created_at:%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(Role.CLIENT)
def portal_export_pdf(request, export_id: int):
    """The copy as PDF, made by the worker with the copy itself (ADR 0063)."""
    export = _ready(request, export_id, Action.RECORD_DOWNLOAD_PDF)
    if export.pdf is None:  # a copy made before PDFs were
        raise Http404
    response = HttpResponse(bytes(export.pdf), content_type="application/pdf")
    name = f"my-record-{export.created_at:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(Role.CLIENT)
def portal_export_html(request, export_id: int):
    export = _ready(request, export_id, "record.download_html")
    return HttpResponse(record_copy.render_html(export.data))


# For the care team: inviting the client to the portal, and the tasks between sessions.


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def portal_invite(request, client_id: int):
    """The link goes by email to the client only; the page shows the code for the letter
    handed over in person, never the link (ADR 0013)."""
    client = client_for(request, client_id, write=True, action=Action.PORTAL_INVITE_OPEN)
    if not client.may.manage_portal:
        # Emergency access is for care, not for handing the record a new login.
        raise Http404
    if client.user_id:
        messages.info(request, _("This client already uses the portal."))
        return redirect("client_detail", client_id=client.pk)
    form = InviteForm(posted(request), initial={"email": client.email})
    if request.method == "POST" and form.is_valid():
        try:
            invitation, token, code = client_actions.portal_invitation_create(
                by=request.user, client=client, email=form.cleaned_data["email"]
            )
        except client_actions.PortalInviteRefused as refusal:
            form.add_error("email", str(refusal))
        else:
            link = absolute_url(reverse("invitation_accept", args=[token]))
            with override(client.language):  # the client's language, not the clinician's
                subject = _("Your invitation to %(clinic)s") % {"clinic": client.clinic.name}
                body = render_to_string(
                    "portal/invitation_email.txt",
                    {"client": client, "invitation": invitation, "link": link},
                )
            mail_queue(
                to=invitation.email,
                subject=subject,
                body=body,
                purpose=Purpose.PORTAL_INVITATION,
                clinic_id=client.clinic_id,
                by=request.user,
            )
            return render(
                request,
                "portal/invitation_letter.html",
                {
                    "client": client,
                    "invitation": invitation,
                    "code": code,
                    "asks_birth_date": client.date_of_birth is not None,
                },
            )
    return render(
        request,
        "portal/invite.html",
        {
            "client": client,
            "form": form,
            "open_invitation": client_selectors.open_portal_invitation(client),
        },
        status=400 if form.errors else 200,
    )


def _team_clinicians_client(request, client_id: int, action: str):
    client = client_for(request, client_id, write=True, action=action)
    if not client.may.manage_portal:
        raise Http404
    return client


@role_required(Role.CLINICIAN)
@require_POST
def portal_access_confirm(request, client_id: int):
    """The remaining care team confirmed with the client that the portal login is theirs."""
    client = _team_clinicians_client(request, client_id, "portal.review_open")
    if client_actions.portal_access_confirm(by=request.user, client=client):
        messages.success(request, _("Confirmed. The portal login stays."))
    else:
        messages.info(request, _("There was nothing to confirm."))
    return redirect("client_detail", client_id=client.pk)


@role_required(Role.CLINICIAN)
@require_POST
def portal_access_end(request, client_id: int):
    """End the client's portal login: it loses the record and its sessions end."""
    client = _team_clinicians_client(request, client_id, "portal.end_open")
    if client_actions.portal_access_end(by=request.user, client=client):
        messages.success(
            request,
            _("Portal access ended. To give the client access again, send a new invitation."),
        )
    else:
        messages.info(request, _("This client has no portal login."))
    return redirect("client_detail", client_id=client.pk)


@role_required(Role.CLINICIAN, Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def client_tasks(request, client_id: int):
    write = request.method == "POST"
    client = client_for(
        request, client_id, write=write, action=Action.TASK_OPEN if write else Action.TASK_VIEW
    )
    form = TaskForm(posted(request))
    if write and form.is_valid():
        data = form.cleaned_data
        target = portal_actions.task_target(client, data["kind"], data["object_id"])
        if data["kind"] == TaskKind.PRACTICE:
            done = _set_practice(request, client, form)
            if done is not None:
                return done
        elif data["kind"] in portal_actions.TARGETS and target is None:
            form.add_error("kind", _("Choose a piece of work of this client's."))
        else:
            # A typed title is kept as typed; otherwise the tool's name, read in each
            # reader's language.
            title_key, title = "", data["title"]
            if not title:
                title_key, title = tool_title(data["kind"], target)
            portal_actions.task_assign(
                by=request.user,
                client=client,
                kind=data["kind"],
                target=target,
                title=title,
                title_key=title_key,
                due_on=data["due_on"],
            )
            messages.success(request, _("Task assigned. The client sees it in the portal."))
            return redirect("client_tasks", client_id=client.pk)
    tasks = list(client.tasks.all())
    with_daily_progress(client, tasks)
    return render(
        request,
        "portal/client_tasks.html",
        {
            "client": client,
            "tasks": tasks,
            "form": form,
            "can_write": client.may.write,
        },
        status=400 if form.errors else 200,
    )


def _set_practice(
    request: AuthenticatedHttpRequest, client: Client, form: TaskForm
) -> HttpResponse | None:
    """Set a practice task from the tasks page or a session's page (back to that page); None
    with the form's error when the session is not this client's."""
    data = form.cleaned_data
    session = None
    if data["session"]:
        session = Session.objects.filter(pk=data["session"], course__client=client).first()
        if session is None:
            form.add_error(None, _("That session is not this client's."))
            return None
    portal_actions.practice_assign(
        by=request.user,
        client=client,
        title=data["title"].strip(),
        due_on=data["due_on"],
        session=session,
    )
    messages.success(
        request,
        _("Practice task set. The client sees it in the portal and can tell you how it went."),
    )
    if session is not None:
        return redirect("session_detail", session_id=session.pk)
    return redirect("client_tasks", client_id=client.pk)


@role_required(Role.CLINICIAN)
@require_POST
def client_task_remove(request, task_id: int):
    task = task_for(request, task_id, write=True)
    portal_actions.task_remove(by=request.user, task=task)
    messages.success(request, _("Task removed."))
    return redirect("client_tasks", client_id=task.client_id)
