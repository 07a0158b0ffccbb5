"""Every action the audit log records, in one enumeration, each with its kind.

``record`` accepts only these names. The kind says what the action is: ``READ`` (someone opened
or listed something), ``WRITE`` (something was created, changed or removed) or ``EVENT`` (a
sign-in, a refusal, a notice sent: what happened to or around the record). The audit context
checks, for every request, that a GET records no write and that clinical rows changed only with a
write or an event recorded (gentle.audit.context). Names are ``<object>.<verb>``; a new action
is added here, in its group, before it is used.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    READ = "read"
    WRITE = "write"
    EVENT = "event"


READ, WRITE, EVENT = Kind.READ, Kind.WRITE, Kind.EVENT


class Action(StrEnum):
    kind: Kind

    def __new__(cls, value: str, kind: Kind):
        member = str.__new__(cls, value)
        member._value_ = value
        member.kind = kind
        return member

    ACCOUNT_DISABLE = "account.disable", WRITE
    ACCOUNT_ENABLE = "account.enable", WRITE
    ACCOUNT_SESSIONS_END = "account.sessions_end", WRITE
    ADMINISTRATION_CORRECT = "administration.correct", WRITE
    ADMINISTRATION_CREATE = "administration.create", WRITE
    ADMINISTRATION_OPEN = "administration.open", READ
    ADMINISTRATION_SAVE = "administration.save", WRITE
    ADMINISTRATION_SUBMIT = "administration.submit", WRITE
    ADMINISTRATION_VIEW = "administration.view", READ
    ALERT_ACKNOWLEDGE = "alert.acknowledge", WRITE
    ALERT_CONTACT_ATTEMPT = "alert.contact_attempt", WRITE
    ALERT_ESCALATE = "alert.escalate", WRITE
    ALERT_NOTIFY = "alert.notify", EVENT
    ALERT_OPEN = "alert.open", READ
    ALERT_RAISE = "alert.raise", WRITE
    ALERT_VIEW = "alert.view", READ
    ATTACHMENT_OPEN = "attachment.open", READ
    ATTACHMENT_VIEW = "attachment.view", READ
    AUDIT_VIEW = "audit.view", READ
    AUTH_LOGIN = "auth.login", EVENT
    AUTH_LOGIN_FAILED = "auth.login_failed", EVENT
    AUTH_LOGOUT = "auth.logout", EVENT
    BACKUP_TAKE = "backup.take", EVENT  # `gentle backup` took a copy of the database
    BACKUP_RESTORE = "backup.restore", EVENT  # `gentle restore` put a backup in place
    BREAK_GLASS_LIST = "break_glass.list", READ
    BREAK_GLASS_OPEN = "break_glass.open", WRITE  # opening emergency access grants it
    BREAK_GLASS_REVIEW = "break_glass.review", WRITE
    CALENDAR_VIEW = "calendar.view", READ
    CALENDAR_FEED_RENEW = "calendar_feed.renew", WRITE
    CALENDAR_FEED_REVOKE = "calendar_feed.revoke", WRITE
    CARE_TEAM_ADD = "care_team.add", WRITE
    CARE_TEAM_REMOVE = "care_team.remove", WRITE
    CASELOAD_VIEW = "caseload.view", READ
    CLIENT_ACCESS_LOG_VIEW = "client.access_log.view", READ
    CLIENT_ADMIN_LIST = "client.admin_list", READ
    CLIENT_ADMIN_VIEW = "client.admin_view", READ
    CLIENT_CREATE = "client.create", WRITE
    CLIENT_LIST = "client.list", READ
    CLIENT_OPEN = "client.open", READ
    CLIENT_UPDATE = "client.update", WRITE
    CLIENT_VIEW = "client.view", READ
    CLINIC_STATISTICS_COMPUTE = "clinic_statistics.compute", WRITE
    CLINIC_SWITCH = "clinic.switch", EVENT
    COMMUNICATION_OPEN = "communication.open", READ
    COMMUNICATION_STYLE = "communication.style", WRITE
    COMMUNICATION_VIEW = "communication.view", READ
    CONSENT_ADD = "consent.add", WRITE
    CONSENT_WITHDRAW = "consent.withdraw", WRITE
    COURSE_CREATE = "course.create", WRITE
    COURSE_NEW_FORM = "course.new_form", READ
    COURSE_OPEN = "course.open", READ
    COURSE_SUMMARY = "course.summary", READ
    COURSE_UPDATE = "course.update", WRITE
    COURSE_VIEW = "course.view", READ
    CRISIS_TEXT_UPDATE = "crisis_text.update", WRITE
    DIARY_REWRITE = "diary.rewrite", WRITE
    DIARY_WRITE = "diary.write", WRITE
    EXCHANGE_CREATE = "exchange.create", WRITE
    EXCHANGE_OPEN = "exchange.open", READ
    EXCHANGE_SHARE = "exchange.share", WRITE
    EXCHANGE_UNSHARE = "exchange.unshare", WRITE
    EXCHANGE_UPDATE = "exchange.update", WRITE
    EXCHANGE_VIEW = "exchange.view", READ
    FORMULATION_AGREE = "formulation.agree", WRITE
    FORMULATION_CREATE = "formulation.create", WRITE
    FORMULATION_REGENERATE = "formulation.regenerate", WRITE
    FORMULATION_UPDATE = "formulation.update", WRITE
    GOAL_ADD = "goal.add", WRITE
    GOAL_OPEN = "goal.open", READ
    GOAL_RATE = "goal.rate", WRITE
    GRIEF_ACTIVITY_ADD = "grief.activity_add", WRITE
    GRIEF_CHECK_IN = "grief.check_in", WRITE
    GRIEF_LOSS_ADD = "grief.loss_add", WRITE
    GRIEF_OPEN = "grief.open", READ
    GRIEF_SHARE = "grief.share", WRITE
    GRIEF_UNSHARE = "grief.unshare", WRITE
    GRIEF_VIEW = "grief.view", READ
    INTAKE_ASSIGN = "intake.assign", WRITE
    INTAKE_CONTACT_ATTEMPT = "intake.contact_attempt", WRITE
    INTAKE_CONVERT = "intake.convert", WRITE
    INTAKE_DECLINE = "intake.decline", WRITE
    INTAKE_LIST = "intake.list", READ
    INTAKE_OPEN = "intake.open", READ
    INTAKE_PURGE = "intake.purge", WRITE
    INTAKE_RECEIVE = "intake.receive", WRITE
    INTAKE_VIEW = "intake.view", READ
    INVENTORY_ACCEPT = "inventory.accept", WRITE
    INVENTORY_ADD = "inventory.add", WRITE
    INVENTORY_COMPARE = "inventory.compare", READ
    INVENTORY_MOVE = "inventory.move", WRITE
    INVENTORY_OPEN = "inventory.open", READ
    INVENTORY_REMOVE = "inventory.remove", WRITE
    INVENTORY_SNAPSHOT = "inventory.snapshot", WRITE
    INVENTORY_UPDATE = "inventory.update", WRITE
    INVENTORY_VIEW = "inventory.view", READ
    INVITATION_ACCEPT = "invitation.accept", WRITE
    INVITATION_CODE_FAILED = "invitation.code_failed", EVENT
    INVITATION_CREATE = "invitation.create", WRITE
    INVITATION_LETTER = "invitation.letter", WRITE
    INVITATION_LOCKED = "invitation.locked", EVENT
    INVITATION_REFUSED = "invitation.refused", EVENT
    INVITATION_REVOKE = "invitation.revoke", WRITE
    MAIL_FAILED = "mail.failed", EVENT
    MAIL_LIST = "mail.list", READ
    MAIL_QUEUE = "mail.queue", EVENT
    MEASURE_SCHEDULE_UPDATE = "measure_schedule.update", WRITE
    MEASURES_OPEN = "measures.open", READ
    MEASURES_VIEW = "measures.view", READ
    MFA_ADD = "mfa.add", WRITE
    MFA_FAILED = "mfa.failed", EVENT
    MFA_REMOVE = "mfa.remove", WRITE
    MFA_RESET = "mfa.reset", WRITE
    NOTE_ADDENDUM = "note.addendum", WRITE
    NOTE_CREATE = "note.create", WRITE
    NOTE_OPEN = "note.open", READ
    NOTE_SIGN = "note.sign", WRITE
    NOTE_UPDATE = "note.update", WRITE
    PORTAL_END = "portal.end", WRITE
    PORTAL_END_OPEN = "portal.end_open", READ
    PORTAL_EXCHANGE_OPEN = "portal.exchange_open", READ
    PORTAL_EXCHANGE_VIEW = "portal.exchange_view", READ
    PORTAL_GRIEF_OPEN = "portal.grief_open", READ
    PORTAL_GRIEF_VIEW = "portal.grief_view", READ
    PORTAL_INVITE_OPEN = "portal.invite_open", READ
    PORTAL_LINK = "portal.link", WRITE
    PORTAL_REHEARSAL_OPEN = "portal.rehearsal_open", READ
    PORTAL_REHEARSAL_VIEW = "portal.rehearsal_view", READ
    PORTAL_REVIEW_CONFIRM = "portal.review_confirm", WRITE
    PORTAL_REVIEW_NEEDED = "portal.review_needed", EVENT
    PORTAL_REVIEW_OPEN = "portal.review_open", READ
    PORTAL_SAFETY_PLAN_OPEN = "portal.safety_plan_open", READ
    PORTAL_SAFETY_PLAN_VIEW = "portal.safety_plan_view", READ
    PORTAL_SCENARIO_OPEN = "portal.scenario_open", READ
    PORTAL_SCENARIO_VIEW = "portal.scenario_view", READ
    PORTAL_TRANSITION_OPEN = "portal.transition_open", READ
    PORTAL_TRANSITION_VIEW = "portal.transition_view", READ
    PORTAL_VIEW = "portal.view", READ
    PORTAL_WORKSHEET_OPEN = "portal.worksheet_open", READ
    PORTAL_WORKSHEET_VIEW = "portal.worksheet_view", READ
    PROCESS_NOTE_CREATE = "process_note.create", WRITE
    PROCESS_NOTE_OPEN = "process_note.open", READ
    PROCESS_NOTE_READ = "process_note.read", READ
    PROCESS_NOTE_ROTATE_KEYS = "process_note.rotate_keys", WRITE
    PROCESS_NOTE_UPDATE = "process_note.update", WRITE
    PUBLIC_TEXT_RESET = "public_text.reset", WRITE
    PUBLIC_TEXT_SAVE = "public_text.save", WRITE
    RECORD_DOWNLOAD_HTML = "record.download_html", READ
    RECORD_DOWNLOAD_JSON = "record.download_json", READ
    RECORD_EXPORT_REQUEST = "record.export_request", WRITE
    RECORD_EXPORT_STATUS = "record.export_status", READ
    RECORD_EXPORT_VIEW = "record.export_view", READ
    REHEARSAL_ANNOTATE = "rehearsal.annotate", WRITE
    REHEARSAL_FINISH = "rehearsal.finish", WRITE
    REHEARSAL_OPEN = "rehearsal.open", READ
    REHEARSAL_PARTNER = "rehearsal.partner", WRITE
    REHEARSAL_RESUME = "rehearsal.resume", WRITE
    REHEARSAL_START = "rehearsal.start", WRITE
    REHEARSAL_TURN = "rehearsal.turn", WRITE
    REHEARSAL_VIEW = "rehearsal.view", READ
    RELAPSE_PLAN_CREATE = "relapse_plan.create", WRITE
    RELAPSE_PLAN_OPEN = "relapse_plan.open", READ
    RELAPSE_PLAN_UPDATE = "relapse_plan.update", WRITE
    RELAPSE_PLAN_VIEW = "relapse_plan.view", READ
    ROLE_ADD = "role.add", WRITE
    ROLE_REMOVE = "role.remove", WRITE
    ROLEPLAY_OPEN = "roleplay.open", READ
    ROLEPLAY_ROTATE_KEYS = "roleplay.rotate_keys", WRITE
    ROLEPLAY_SETTINGS = "roleplay.settings", WRITE
    ROLEPLAY_VIEW = "roleplay.view", READ
    SAFETY_LEAD_UPDATE = "safety_lead.update", WRITE
    SAFETY_PLAN_OPEN = "safety_plan.open", READ
    SAFETY_PLAN_SAVE = "safety_plan.save", WRITE
    SAFETY_PLAN_VIEW = "safety_plan.view", READ
    SCENARIO_CREATE = "scenario.create", WRITE
    SCENARIO_OPEN = "scenario.open", READ
    SCENARIO_SHARE = "scenario.share", WRITE
    SCENARIO_UNSHARE = "scenario.unshare", WRITE
    SCENARIO_UPDATE = "scenario.update", WRITE
    SCENARIO_VIEW = "scenario.view", READ
    SESSION_AGENDA = "session.agenda", WRITE
    SESSION_ATTENDANCE = "session.attendance", WRITE
    SESSION_CREATE = "session.create", WRITE
    SESSION_EXPIRED = "session.expired", EVENT
    SESSION_NEW_FORM = "session.new_form", READ
    SESSION_OPEN = "session.open", READ
    SESSION_VIEW = "session.view", READ
    SUPERVISION_ADD = "supervision.add", WRITE
    SUPERVISION_REMOVE = "supervision.remove", WRITE
    TASK_ASSIGN = "task.assign", WRITE
    TASK_DONE = "task.done", WRITE
    TASK_OPEN = "task.open", READ
    TASK_REMOVE = "task.remove", WRITE
    TASK_VIEW = "task.view", READ
    TIMELINE_EPISODE_ADD = "timeline.episode_add", WRITE
    TIMELINE_EVENT_ADD = "timeline.event_add", WRITE
    TIMELINE_EVENT_REMOVE = "timeline.event_remove", WRITE
    TIMELINE_OPEN = "timeline.open", READ
    TIMELINE_VIEW = "timeline.view", READ
    TRANSITION_CREATE = "transition.create", WRITE
    TRANSITION_OPEN = "transition.open", READ
    TRANSITION_SHARE = "transition.share", WRITE
    TRANSITION_STEP = "transition.step", WRITE
    TRANSITION_UNSHARE = "transition.unshare", WRITE
    TRANSITION_UPDATE = "transition.update", WRITE
    TRANSITION_VIEW = "transition.view", READ
    WORKSHEET_CREATE = "worksheet.create", WRITE
    WORKSHEET_FINISH = "worksheet.finish", WRITE
    WORKSHEET_OPEN = "worksheet.open", READ
    WORKSHEET_SAVE = "worksheet.save", WRITE
    WORKSHEET_SHARE = "worksheet.share", WRITE
    WORKSHEET_UNSHARE = "worksheet.unshare", WRITE
    WORKSHEET_VIEW = "worksheet.view", READ
