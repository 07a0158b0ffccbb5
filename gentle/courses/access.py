"""The door to courses, sessions and notes: each is reached through its client
(``gentle.clients.access.client_for``), so the same care-team rules and audit apply.

Process notes have their own door: only their author, who must still be on the care team.
"""

from __future__ import annotations

from django.http import Http404

from gentle.clients.access import as_id, client_for
from gentle.courses.models import Course, ProcessNote, Session


def course_for(request, course_id, *, write: bool = False, action: str | None = None) -> Course:
    course = Course.objects.filter(pk=as_id(course_id)).first()
    if course is None:
        raise Http404
    course.client = client_for(
        request,
        course.client_id,
        write=write,
        action=action or ("course.open" if write else "course.view"),
        object_type="course",
        object_id=course.pk,
    )
    return course


def session_for(
    request,
    session_id,
    *,
    write: bool = False,
    action: str | None = None,
    object_type: str = "session",
) -> Session:
    session = Session.objects.select_related("course").filter(pk=as_id(session_id)).first()
    if session is None:
        raise Http404
    session.course.client = client_for(
        request,
        session.course.client_id,
        write=write,
        action=action or ("session.open" if write else "session.view"),
        object_type=object_type,
        object_id=session.pk,
    )
    return session


def process_note_for(request, session_id, *, action: str) -> tuple[Session, ProcessNote | None]:
    """The signed-in clinician's own process note for a session they may write in.
    Nobody else's process note is ever returned."""
    session = session_for(
        request, session_id, write=True, action=action, object_type="process_note"
    )
    note = ProcessNote.objects.filter(session=session, author=request.user).first()
    return session, note
