"""The door to courses, sessions and notes: each is reached through its client
(``gentle.clients.access.client_for``), so the same care-team rules and audit apply.

Process notes have their own door: only their author, who must still be on the care team.
"""

from __future__ import annotations

from django.http import Http404

from gentle.clients.access import as_id, client_object
from gentle.courses.models import Course, Letter, ProcessNote, RolePlay, Session, SupervisionComment


def course_for(request, course_id, *, write: bool = False, action: str | None = None) -> Course:
    return client_object(request, Course, course_id, write=write, verb="course", action=action)


def session_for(
    request,
    session_id,
    *,
    write: bool = False,
    action: str | None = None,
    object_type: str = "session",
) -> Session:
    return client_object(
        request,
        Session,
        session_id,
        write=write,
        verb="session",
        action=action,
        object_type=object_type,
        through="course",
    )


def role_play_for(request, role_play_id, *, write: bool = False) -> RolePlay:
    """A role play through its session's door (404 for missing and forbidden alike). Only the
    session id is read before the door; the role play is read after it."""
    session_id = RolePlay.objects.filter(pk=role_play_id).values_list("session_id", flat=True)
    found = session_id.first()
    if found is None:
        raise Http404
    session = session_for(request, found, write=write)
    play = RolePlay.objects.select_related("recorded_by", "edited_by").get(pk=role_play_id)
    play.session = session
    return play


def process_note_for(request, session_id, *, action: str) -> tuple[Session, ProcessNote | None]:
    """The signed-in clinician's own process note for a session they may write in.
    Nobody else's process note is ever returned."""
    session = session_for(
        request, session_id, write=True, action=action, object_type="process_note"
    )
    note = ProcessNote.objects.filter(session=session, author=request.user).first()
    return session, note


def comment_for(request, comment_id) -> SupervisionComment:
    """A supervision comment through its course's door, for someone who takes part in its
    threads (``client.may.discuss``: the client's supervisors and the team's clinicians);
    404 for missing and forbidden alike. Only the course id is read before the door."""
    course_id = (
        SupervisionComment.objects.filter(pk=as_id(comment_id))
        .values_list("course_id", flat=True)
        .first()
    )
    if course_id is None:
        raise Http404
    course = course_for(request, course_id)
    if not course.client.may.discuss:
        raise Http404
    comment = SupervisionComment.objects.get(pk=comment_id)
    comment.course = course
    return comment


def letter_for(request, letter_id, *, write: bool = False, action: str | None = None) -> Letter:
    """A letter to the referrer through its course's client (404 for missing and forbidden
    alike)."""
    return client_object(
        request,
        Letter,
        letter_id,
        write=write,
        verb="letter",
        action=action,
        object_type="letter",
        through="course",
    )
