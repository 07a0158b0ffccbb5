"""Courses and their sessions as FHIR R4 resources (docs/fhir.md "Export", ADR 0061): an
EpisodeOfCare per course and an Encounter per session, for a batch of clients in two queries.
Progress notes and process notes are not written: the Encounter says when, where and with whom,
not what was said."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta

from gentle.clients.models import Client
from gentle.courses.models import (
    Attendance,
    Course,
    CourseFormat,
    CourseStatus,
    Session,
    SessionMode,
)
from gentle.lib.fhir import Resource, compact, concept, gentle_code, instant, ref

EPISODE_STATUS = {
    CourseStatus.PLANNED: "planned",
    CourseStatus.ACTIVE: "active",
    CourseStatus.COMPLETED: "finished",
    CourseStatus.ENDED_EARLY: "finished",
}
# R4's Encounter has no "did not attend": a missed session was called off, and its type says
# which (Gentle's attendance code).
ENCOUNTER_STATUS = {
    Attendance.SCHEDULED: "planned",
    Attendance.ATTENDED: "finished",
    Attendance.CANCELLED: "cancelled",
    Attendance.NO_SHOW: "cancelled",
}
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ENCOUNTER_CLASS = {
    SessionMode.IN_PERSON: {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
    SessionMode.VIDEO: {"system": ACT_CODE, "code": "VR", "display": "virtual"},
    SessionMode.PHONE: {"system": ACT_CODE, "code": "VR", "display": "virtual"},
}


def resources(clients: Sequence[Client]) -> Iterator[Resource]:
    clinic_of = {client.pk: client.clinic_id for client in clients}
    courses = Course.objects.filter(client__in=list(clients)).order_by("client_id", "pk")
    formats = dict(CourseFormat.choices)
    statuses = dict(CourseStatus.choices)
    for course in courses:
        yield compact(
            {
                "resourceType": "EpisodeOfCare",
                "id": str(course.pk),
                "status": EPISODE_STATUS.get(course.status, "active"),
                "type": [
                    concept(
                        f"Interpersonal psychotherapy: {formats.get(course.format, course.format)}",
                        gentle_code("course-format", course.format),
                    ),
                    concept(
                        str(statuses.get(course.status, course.status)),
                        gentle_code("course-status", course.status),
                    ),
                ],
                "patient": ref("Patient", course.client_id),
                "managingOrganization": ref("Organization", clinic_of[course.client_id]),
                "period": {"start": instant(course.start_date), "end": instant(course.ended_on)},
                "careManager": (
                    ref("Practitioner", course.created_by_id) if course.created_by_id else None
                ),
            }
        )
    sessions = (
        Session.objects.filter(course__client__in=list(clients))
        .select_related("course")
        .only(
            "pk",
            "course_id",
            "course__client_id",
            "clinician_id",
            "starts_at",
            "minutes",
            "mode",
            "attendance",
        )
        .order_by("course__client_id", "starts_at", "pk")
    )
    attendance = dict(Attendance.choices)
    for session in sessions:
        client_id = session.course.client_id
        yield compact(
            {
                "resourceType": "Encounter",
                "id": str(session.pk),
                "status": ENCOUNTER_STATUS.get(session.attendance, "unknown"),
                "class": ENCOUNTER_CLASS.get(session.mode, ENCOUNTER_CLASS[SessionMode.IN_PERSON]),
                "type": [
                    concept(
                        str(attendance.get(session.attendance, session.attendance)),
                        gentle_code("attendance", session.attendance),
                    )
                ],
                "subject": ref("Patient", client_id),
                "episodeOfCare": [ref("EpisodeOfCare", session.course_id)],
                "participant": (
                    [{"individual": ref("Practitioner", session.clinician_id)}]
                    if session.clinician_id
                    else []
                ),
                "period": {
                    "start": instant(session.starts_at),
                    "end": instant(session.starts_at + timedelta(minutes=session.minutes)),
                },
                "length": {
                    "value": session.minutes,
                    "unit": "min",
                    "system": "http://unitsofmeasure.org",
                    "code": "min",
                },
                "serviceProvider": ref("Organization", clinic_of[client_id]),
            }
        )
