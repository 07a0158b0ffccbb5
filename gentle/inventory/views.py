"""The inventory and closeness circle, snapshots and their comparison, attachment patterns."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gentle.accounts.decorators import role_required
from gentle.accounts.models import Role
from gentle.audit.names import Action
from gentle.clients.access import client_for
from gentle.inventory import actions, selectors
from gentle.inventory.access import person_for, snapshots_for
from gentle.inventory.forms import ECR_TARGETS, MoveForm, PersonForm, SnapshotForm
from gentle.inventory.models import Person
from gentle.lib import svg
from gentle.lib.forms import posted
from gentle.measures import actions as measure_actions
from gentle.measures.instruments import catalogue
from gentle.measures.models import Administration, Mode, Status

CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)
PERSON_FIELDS = tuple(PersonForm.base_fields)


def _circle(people, label: str, *, focusable: bool = False, movable: bool = False) -> str:
    """The drawing of the circle; on the inventory page its people can be reached with the
    keyboard (``focusable``) and, for those who may write, moved with it (``movable``)."""
    return svg.closeness_circle(
        selectors.circle_people(people),
        rings=selectors.rings(),
        label=label,
        centre=_("Me"),
        keys={"support": _("support"), "conflict": _("conflict"), "focus": _("focus")},
        ring_text=_("ring %(ring)s"),
        focusable=focusable,
        movable=movable,
        help_id="circle-help",
    )


@role_required(*CLINICAL)
def inventory(request, client_id: int):
    client = client_for(request, client_id, action=Action.INVENTORY_VIEW)
    people = selectors.accepted_people(client)
    for person in people:
        # A ring beyond the configured number shows on the outermost one, as on the circle.
        person.shown_ring = min(person.ring, selectors.rings())
    can_write = client.may.write
    return render(
        request,
        "inventory/inventory.html",
        {
            "client": client,
            "people": people,
            "can_write": can_write,
            "circle": _circle(
                people,
                _("Closeness circle of %(name)s") % {"name": client.called},
                focusable=True,
                movable=can_write,
            ),
            "rows": [(p, MoveForm(initial={"ring": p.ring}, prefix=f"p{p.pk}")) for p in people],
            "drafts": list(Person.objects.filter(client=client, accepted=False)),
            "snapshots": list(client.snapshots.all()),
            "snapshot_form": SnapshotForm(),
            "rings": range(1, selectors.rings() + 1),
        },
    )


@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def person_new(request, client_id: int):
    client = client_for(request, client_id, write=True, action=Action.INVENTORY_OPEN)
    form = PersonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.person_save(by=request.user, client=client, fields=form.cleaned_data)
        except actions.DuplicatePerson:
            form.add_error(
                "name",
                _(
                    "Someone of this name is already in the inventory. Use a "
                    "different label, such as 'Ana (sister)'."
                ),
            )
        else:
            messages.success(request, _("Added to the inventory."))
            return redirect("inventory", client_id=client.pk)
    return render(
        request,
        "inventory/person_form.html",
        {"client": client, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(*CLINICAL)
@require_http_methods(["GET", "POST"])
def person_edit(request, person_id: int):
    write = request.method == "POST"
    person = person_for(request, person_id, write=write)
    can_write = person.client.may.write
    initial = {name: getattr(person, name) for name in PERSON_FIELDS}
    form = PersonForm(posted(request), initial=initial)
    if write and form.is_valid():
        try:
            actions.person_save(
                by=request.user,
                client=person.client,
                fields=form.cleaned_data,
                person=person,
            )
        except actions.DuplicatePerson:
            form.add_error("name", _("Someone of this name is already in the inventory."))
        else:
            messages.success(request, _("Saved."))
            return redirect("inventory", client_id=person.client_id)
    return render(
        request,
        "inventory/person_form.html",
        {
            "client": person.client,
            "person": person,
            "form": form,
            "can_write": can_write,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.CLINICIAN)
@require_POST
def person_move(request, person_id: int):
    person = person_for(request, person_id, write=True)
    form = MoveForm(request.POST, prefix=f"p{person.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose one of the rings."))
    else:
        actions.person_move(by=request.user, person=person, ring=form.cleaned_data["ring"])
        messages.success(
            request,
            _("%(name)s is now on ring %(ring)s.")
            % {"name": person.name, "ring": form.cleaned_data["ring"]},
        )
    # Back to the person where the move was made (the circle, by keyboard or drag, or the
    # list), where gentle.js puts the keyboard focus again.
    where = "circle-person" if request.POST.get("from") == "circle" else "person"
    return redirect(reverse("inventory", args=[person.client_id]) + f"#{where}-{person.pk}")


@role_required(Role.CLINICIAN)
@require_POST
def person_accept(request, person_id: int):
    """Accept a client's draft entry into the inventory."""
    person = person_for(request, person_id, write=True)
    actions.person_accept(by=request.user, person=person)
    messages.success(request, _("%(name)s is now in the inventory.") % {"name": person.name})
    return redirect("inventory", client_id=person.client_id)


@role_required(Role.CLINICIAN)
@require_POST
def person_remove(request, person_id: int):
    person = person_for(request, person_id, write=True)
    client_id = person.client_id
    actions.person_remove(by=request.user, person=person)
    messages.success(request, _("Removed from the inventory."))
    return redirect("inventory", client_id=client_id)


@role_required(Role.CLINICIAN)
@require_POST
def snapshot_new(request, client_id: int):
    client = client_for(request, client_id, write=True, action=Action.INVENTORY_OPEN)
    form = SnapshotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the snapshot a label of up to 100 characters."))
    else:
        actions.snapshot_take(by=request.user, client=client, label=form.cleaned_data["label"])
        messages.success(request, _("Snapshot saved."))
    return redirect("inventory", client_id=client.pk)


@role_required(*CLINICAL)
def snapshot_compare(request, client_id: int):
    client = client_for(request, client_id, action=Action.INVENTORY_COMPARE)
    ids = [request.GET.get("a"), request.GET.get("b")]
    if not all(ids):
        messages.info(request, _("Choose two snapshots to compare."))
        return redirect("inventory", client_id=client.pk)
    before, after = snapshots_for(request, client, ids)
    return render(
        request,
        "inventory/compare.html",
        {
            "client": client,
            "before": before,
            "after": after,
            "before_circle": _circle(before.people, before.label),
            "after_circle": _circle(after.people, after.label),
            "changes": selectors.compare(before.people, after.people),
        },
    )


def _about_label(about: str, people: dict[int, Person]) -> str:
    if about.startswith("person:"):
        person = people.get(int(about.split(":", 1)[1] or 0))
        return person.name if person else _("(removed from the inventory)")
    return str(dict(ECR_TARGETS).get(about, about))


@role_required(*CLINICAL)
def attachment(request, client_id: int):
    """ECR-RS per relationship as points on the avoidance x anxiety plane: a reflective aid
    for the session, not a diagnosis."""
    client = client_for(request, client_id, action=Action.ATTACHMENT_VIEW)
    people = {p.pk: p for p in selectors.accepted_people(client)}
    latest: dict[str, Administration] = {}
    for administration in Administration.objects.filter(
        client=client, instrument_id="ecr_rs", status=Status.SUBMITTED, corrections__isnull=True
    ).order_by("submitted_at"):
        latest[administration.about or "?"] = administration
    points = [
        (a.scores.get("avoidance"), a.scores.get("anxiety"), _about_label(key, people))
        for key, a in latest.items()
        if a.scores.get("avoidance") is not None and a.scores.get("anxiety") is not None
    ]
    return render(
        request,
        "inventory/attachment.html",
        {
            "client": client,
            "points": points,
            "people": people.values(),
            "targets": ECR_TARGETS,
            "plane": svg.scatter(
                points,
                x_label=_("Avoidance (1–7)"),
                y_label=_("Anxiety (1–7)"),
                label=_("Attachment in each relationship"),
                keys={"mid": _("The middle of each scale (4)")},
            )
            if points
            else "",
            "can_write": client.may.write,
        },
    )


@role_required(Role.CLINICIAN)
@require_POST
def attachment_new(request, client_id: int):
    client = client_for(request, client_id, write=True, action=Action.ATTACHMENT_OPEN)
    about = request.POST.get("about", "")
    valid = {f"person:{p.pk}" for p in selectors.accepted_people(client)} | dict(ECR_TARGETS).keys()
    if about not in valid:
        messages.error(
            request, _("Choose a person from the inventory or one of the listed relationships.")
        )
        return redirect("attachment", client_id=client.pk)
    administration = measure_actions.administration_start(
        by=request.user,
        client=client,
        instrument=catalogue()["ecr_rs"],
        mode=Mode.IN_SESSION,
        about=about,
    )
    return redirect("administration_fill", administration_id=administration.pk)
