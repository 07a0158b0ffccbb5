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
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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

    @property
    def label(self) -> StrOrPromise:
        """What a person reads for this action (LABELS, below)."""
        return LABELS[self]

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
    API_TOKEN_CREATE = "api_token.create", WRITE
    API_TOKEN_LIST = "api_token.list", READ
    API_TOKEN_REVOKE = "api_token.revoke", WRITE
    API_TOKEN_USE = "api_token.use", EVENT  # one per API request made with a token
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
    CALENDAR_BOOK_FORM = "calendar.book_form", READ
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
    COURSE_WATCH = "course_watch.refresh", WRITE
    CLINIC_THRESHOLDS_FIX = "clinic_thresholds.fix", WRITE
    CLINIC_SWITCH = "clinic.switch", EVENT
    COURSE_RESULTS_STORE = "course_results.store", WRITE
    COMMUNICATION_OPEN = "communication.open", READ
    COMMUNICATION_STYLE = "communication.style", WRITE
    COMMUNICATION_VIEW = "communication.view", READ
    CONSENT_ADD = "consent.add", WRITE
    CONSENT_WITHDRAW = "consent.withdraw", WRITE
    COMMENT_ADD = "comment.add", WRITE
    COMMENT_REPLY = "comment.reply", WRITE
    COMMENT_RESOLVE = "comment.resolve", WRITE
    COURSE_CREATE = "course.create", WRITE
    COURSE_GRID = "course.grid", READ
    COURSE_NEW_FORM = "course.new_form", READ
    COURSE_OPEN = "course.open", READ
    COURSE_SUMMARY = "course.summary", READ
    COURSE_TRIAGE = "course.triage", WRITE
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
    FHIR_BUNDLE_DOWNLOAD = "fhir.bundle_download", READ
    FHIR_EXPORT_DOWNLOAD = "fhir_export.download", READ
    FHIR_EXPORT_RESUME = "fhir_export.resume", WRITE
    FHIR_EXPORT_START = "fhir_export.start", WRITE
    FIDELITY_CLINICIAN_VIEW = "fidelity.clinician_view", READ
    FIDELITY_OPEN = "fidelity.open", READ
    FIDELITY_RATE = "fidelity.rate", WRITE
    FIDELITY_RECORDED = "fidelity.recorded", WRITE
    FIDELITY_SETTINGS_SET = "fidelity_settings.set", WRITE
    FIDELITY_SAMPLE = "fidelity.sample", WRITE
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
    GROUP_CREATE = "group.create", WRITE
    GROUP_LIST = "group.list", READ
    GROUP_MEMBER_ADD = "group.member_add", WRITE
    GROUP_MEMBER_LEAVE = "group.member_leave", WRITE
    GROUP_OPEN = "group.open", READ
    GROUP_PAPER = "group.paper", READ
    GROUP_PHQ9_SEND = "group.phq9_send", WRITE
    GROUP_PROGRAMME = "group.programme", READ
    GROUP_PROGRAMME_CSV = "group.programme_csv", READ
    GROUP_SCHEDULE = "group.schedule", WRITE
    GROUP_SESSION_CANCEL = "group.session_cancel", WRITE
    GROUP_SESSION_MOVE = "group.session_move", WRITE
    GROUP_SESSION_RECORD = "group.session_record", WRITE
    GROUP_SESSION_VIEW = "group.session_view", READ
    GROUP_UPDATE = "group.update", WRITE
    GROUP_VIEW = "group.view", READ
    HOME_SUPERVISION_VIEW = "home.supervision_view", READ
    HOME_VIEW = "home.view", READ
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
    NOTE_COSIGN = "note.cosign", WRITE
    NOTE_CREATE = "note.create", WRITE
    NOTE_OPEN = "note.open", READ
    NOTE_SIGN = "note.sign", WRITE
    NOTE_SETTINGS_SET = "note_settings.set", WRITE
    NOTE_UPDATE = "note.update", WRITE
    OUTCOME_REPORT_VIEW = "outcome_report.view", READ
    OUTCOME_REPORT_CSV = "outcome_report.csv", READ
    OUTCOME_REPORT_PDF = "outcome_report.pdf", WRITE
    OUTCOME_REPORT_PDF_DOWNLOAD = "outcome_report.pdf_download", READ
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
    RECORD_DOWNLOAD_PDF = "record.download_pdf", READ
    LETTER_CREATE = "letter.create", WRITE
    LETTER_FINAL = "letter.final", WRITE
    LETTER_LIST = "letter.list", READ
    LETTER_OPEN = "letter.open", READ
    LETTER_PDF = "letter.pdf", READ
    LETTER_STATUS = "letter.status", READ
    LETTER_UPDATE = "letter.update", WRITE
    LETTER_VIEW = "letter.view", READ
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
    SAFETY_PLAN_PDF = "safety_plan.pdf", WRITE
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
    SESSION_CANCEL = "session.cancel", WRITE
    SESSION_CREATE = "session.create", WRITE
    SESSION_EXPIRED = "session.expired", EVENT
    SESSION_MOVE = "session.move", WRITE
    SESSION_MOVE_FORM = "session.move_form", READ
    SESSION_NEW_FORM = "session.new_form", READ
    SESSION_OPEN = "session.open", READ
    SESSION_PARTICIPANTS = "session.participants", WRITE
    SESSION_TOOL_LINK = "session.tool_link", WRITE
    SESSION_TOOL_UNLINK = "session.tool_unlink", WRITE
    SESSION_REMOTE_CHECK = "session.remote_check", WRITE
    SESSION_ROLE_PLAY = "session.role_play", WRITE
    SESSION_ROLE_PLAY_DELETE = "session.role_play_delete", WRITE
    SESSION_ROLE_PLAY_EDIT = "session.role_play_edit", WRITE
    SESSION_REMIND = "session.remind", EVENT
    SESSION_VIEW = "session.view", READ
    SUPERVISION_ADD = "supervision.add", WRITE
    SUPERVISION_REMOVE = "supervision.remove", WRITE
    SUPERVISION_LOG_VIEW = "supervision_log.view", READ
    SUPERVISION_MEETING_ADD = "supervision_meeting.add", WRITE
    TASK_ASSIGN = "task.assign", WRITE
    TASK_DONE = "task.done", WRITE
    TASK_OPEN = "task.open", READ
    TASK_PRACTICE_ASSIGN = "task.practice_assign", WRITE
    TASK_REMOVE = "task.remove", WRITE
    TASK_REPORT = "task.report", WRITE
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


# What a person reads in the audit log for each action (the code stays beside it, small), and
# for each family of actions (the part of the name before the first dot), which the log's
# filter offers. tests/test_audit_names.py checks that every action and family has one.
LABELS: dict[Action, StrOrPromise] = {
    Action.ACCOUNT_DISABLE: _("Disabled an account"),
    Action.ACCOUNT_ENABLE: _("Enabled an account"),
    Action.ACCOUNT_SESSIONS_END: _("Signed a person out everywhere"),
    Action.ADMINISTRATION_CORRECT: _("Started a correction of a questionnaire"),
    Action.ADMINISTRATION_CREATE: _("Started a questionnaire"),
    Action.ADMINISTRATION_OPEN: _("Opened a questionnaire to fill in"),
    Action.ADMINISTRATION_SAVE: _("Saved answers to a questionnaire"),
    Action.ADMINISTRATION_SUBMIT: _("Submitted a questionnaire"),
    Action.ADMINISTRATION_VIEW: _("Viewed a questionnaire"),
    Action.ALERT_ACKNOWLEDGE: _("Acknowledged a safety alert"),
    Action.ALERT_CONTACT_ATTEMPT: _("Logged a contact attempt for an alert"),
    Action.ALERT_ESCALATE: _("Escalated a safety alert"),
    Action.ALERT_NOTIFY: _("Sent notice of a safety alert"),
    Action.ALERT_OPEN: _("Opened a safety alert to act on it"),
    Action.ALERT_RAISE: _("Raised a safety alert"),
    Action.API_TOKEN_CREATE: _("Created an API token"),
    Action.API_TOKEN_LIST: _("Viewed the API tokens"),
    Action.API_TOKEN_REVOKE: _("Revoked an API token"),
    Action.API_TOKEN_USE: _("Used an API token"),
    Action.ALERT_VIEW: _("Viewed a safety alert"),
    Action.ATTACHMENT_OPEN: _("Opened attachment patterns to edit"),
    Action.ATTACHMENT_VIEW: _("Viewed attachment patterns"),
    Action.AUDIT_VIEW: _("Viewed the audit log"),
    Action.AUTH_LOGIN: _("Signed in"),
    Action.AUTH_LOGIN_FAILED: _("Failed to sign in"),
    Action.AUTH_LOGOUT: _("Signed out"),
    Action.BACKUP_TAKE: _("Took a backup"),
    Action.BACKUP_RESTORE: _("Restored a backup"),
    Action.BREAK_GLASS_LIST: _("Viewed emergency accesses"),
    Action.BREAK_GLASS_OPEN: _("Opened emergency access to a record"),
    Action.BREAK_GLASS_REVIEW: _("Reviewed an emergency access"),
    Action.CALENDAR_BOOK_FORM: _("Opened the calendar's form to book a session"),
    Action.CALENDAR_VIEW: _("Viewed the calendar"),
    Action.CALENDAR_FEED_RENEW: _("Renewed a calendar feed link"),
    Action.CALENDAR_FEED_REVOKE: _("Revoked a calendar feed link"),
    Action.CARE_TEAM_ADD: _("Added someone to a care team"),
    Action.CARE_TEAM_REMOVE: _("Removed someone from a care team"),
    Action.CASELOAD_VIEW: _("Viewed the caseload"),
    Action.CLIENT_ACCESS_LOG_VIEW: _("Viewed who opened a record"),
    Action.CLIENT_ADMIN_LIST: _("Listed the clinic's client records"),
    Action.CLIENT_ADMIN_VIEW: _("Viewed a client's administrative details"),
    Action.CLIENT_CREATE: _("Created a client record"),
    Action.CLIENT_LIST: _("Listed clients"),
    Action.CLIENT_OPEN: _("Opened a client record to edit"),
    Action.CLIENT_UPDATE: _("Changed a client record"),
    Action.CLIENT_VIEW: _("Viewed a client record"),
    Action.CLINIC_STATISTICS_COMPUTE: _("Computed the clinic's statistics"),
    Action.COURSE_WATCH: _("Checked the current courses for the supervisors' homes"),
    Action.CLINIC_THRESHOLDS_FIX: _("Fixed the outcome thresholds of finished courses"),
    Action.CLINIC_SWITCH: _("Switched clinic"),
    Action.COMMUNICATION_OPEN: _("Opened communication work to edit"),
    Action.COMMUNICATION_STYLE: _("Added a reflection on communication style"),
    Action.COMMUNICATION_VIEW: _("Viewed communication work"),
    Action.CONSENT_ADD: _("Recorded a consent"),
    Action.CONSENT_WITHDRAW: _("Recorded a consent withdrawn"),
    Action.COMMENT_ADD: _("Commented on a course as its supervisor"),
    Action.COMMENT_REPLY: _("Answered a supervision comment"),
    Action.COMMENT_RESOLVE: _("Resolved a supervision comment"),
    Action.COURSE_CREATE: _("Started a course"),
    Action.COURSE_GRID: _("Viewed a course session by session"),
    Action.COURSE_NEW_FORM: _("Opened the form for a new course"),
    Action.COURSE_OPEN: _("Opened a course to edit"),
    Action.COURSE_SUMMARY: _("Viewed a course summary"),
    Action.COURSE_TRIAGE: _("Recorded where a counselling course leads"),
    Action.COURSE_UPDATE: _("Changed a course"),
    Action.COURSE_VIEW: _("Viewed a course"),
    Action.CRISIS_TEXT_UPDATE: _("Changed the crisis text"),
    Action.DIARY_REWRITE: _("Rewrote a diary entry"),
    Action.DIARY_WRITE: _("Wrote a diary entry"),
    Action.EXCHANGE_CREATE: _("Started a communication analysis"),
    Action.EXCHANGE_OPEN: _("Opened a communication analysis to edit"),
    Action.EXCHANGE_SHARE: _("Shared a communication analysis with the client"),
    Action.EXCHANGE_UNSHARE: _("Stopped sharing a communication analysis"),
    Action.EXCHANGE_UPDATE: _("Changed a communication analysis"),
    Action.EXCHANGE_VIEW: _("Viewed a communication analysis"),
    Action.FHIR_BUNDLE_DOWNLOAD: _("Downloaded a record as a FHIR Bundle"),
    Action.FHIR_EXPORT_DOWNLOAD: _("Downloaded a file of the clinic's FHIR export"),
    Action.FHIR_EXPORT_RESUME: _("Resumed the clinic's FHIR export"),
    Action.FHIR_EXPORT_START: _("Started the clinic's FHIR export"),
    Action.FIDELITY_CLINICIAN_VIEW: _("Opened a clinician's fidelity over time"),
    Action.FIDELITY_OPEN: _("Opened a session's fidelity rating"),
    Action.FIDELITY_RATE: _("Rated a session's fidelity"),
    Action.FIDELITY_RECORDED: _("Marked whether a session was recorded for supervision"),
    Action.FIDELITY_SETTINGS_SET: _("Changed the fidelity sampling rate"),
    Action.FIDELITY_SAMPLE: _("Updated the sessions sampled for supervisors' ratings"),
    Action.FORMULATION_AGREE: _("Recorded the formulation as agreed"),
    Action.FORMULATION_CREATE: _("Started a formulation"),
    Action.FORMULATION_REGENERATE: _("Drafted the formulation again"),
    Action.FORMULATION_UPDATE: _("Changed a formulation"),
    Action.GOAL_ADD: _("Added a goal"),
    Action.GOAL_OPEN: _("Opened goals to edit"),
    Action.GOAL_RATE: _("Rated a goal"),
    Action.GRIEF_ACTIVITY_ADD: _("Logged a grief activity"),
    Action.GRIEF_CHECK_IN: _("Added a grief check-in"),
    Action.GRIEF_LOSS_ADD: _("Added a loss"),
    Action.GRIEF_OPEN: _("Opened grief work to edit"),
    Action.GRIEF_SHARE: _("Shared grief work with the client"),
    Action.GRIEF_UNSHARE: _("Stopped sharing grief work"),
    Action.GRIEF_VIEW: _("Viewed grief work"),
    Action.GROUP_CREATE: _("Set up a group"),
    Action.GROUP_LIST: _("Listed groups"),
    Action.GROUP_MEMBER_ADD: _("Added a member to a group"),
    Action.GROUP_MEMBER_LEAVE: _("Recorded a member leaving a group"),
    Action.GROUP_OPEN: _("Opened a group to change it"),
    Action.GROUP_PAPER: _("Printed a group session's guide or sheet"),
    Action.GROUP_PHQ9_SEND: _("Sent the PHQ-9 to group members' phones"),
    Action.GROUP_PROGRAMME: _("Viewed the groups programme's figures"),
    Action.OUTCOME_REPORT_VIEW: _("Viewed the clinic's outcome report"),
    Action.OUTCOME_REPORT_CSV: _("Downloaded the clinic's outcome report (CSV)"),
    Action.OUTCOME_REPORT_PDF: _("Asked for the clinic's outcome report as a PDF"),
    Action.OUTCOME_REPORT_PDF_DOWNLOAD: _("Downloaded the clinic's outcome report (PDF)"),
    Action.COURSE_RESULTS_STORE: _("Stored the outcomes of finished courses"),
    Action.GROUP_PROGRAMME_CSV: _("Downloaded the groups programme's figures"),
    Action.GROUP_SCHEDULE: _("Made a group's session schedule"),
    Action.GROUP_SESSION_CANCEL: _("Cancelled a group session"),
    Action.GROUP_SESSION_MOVE: _("Moved a group session"),
    Action.GROUP_SESSION_RECORD: _("Recorded a group session"),
    Action.GROUP_SESSION_VIEW: _("Viewed a group session's record"),
    Action.GROUP_UPDATE: _("Changed a group"),
    Action.GROUP_VIEW: _("Viewed a group and its members"),
    Action.HOME_SUPERVISION_VIEW: _("Viewed what needs a look in the supervised clients' courses"),
    Action.HOME_VIEW: _("Viewed their home page (today's clients and work to do)"),
    Action.INTAKE_ASSIGN: _("Assigned a consultation request"),
    Action.INTAKE_CONTACT_ATTEMPT: _("Logged a contact attempt for a request"),
    Action.INTAKE_CONVERT: _("Made a consultation request a client"),
    Action.INTAKE_DECLINE: _("Declined a consultation request"),
    Action.INTAKE_LIST: _("Listed consultation requests"),
    Action.INTAKE_OPEN: _("Opened a consultation request to act on it"),
    Action.INTAKE_PURGE: _("Deleted old consultation requests"),
    Action.INTAKE_RECEIVE: _("Received a consultation request"),
    Action.INTAKE_VIEW: _("Viewed a consultation request"),
    Action.INVENTORY_ACCEPT: _("Accepted a person the client added"),
    Action.INVENTORY_ADD: _("Added a person to the inventory"),
    Action.INVENTORY_COMPARE: _("Compared closeness circles"),
    Action.INVENTORY_MOVE: _("Moved a person on the closeness circle"),
    Action.INVENTORY_OPEN: _("Opened the inventory to edit"),
    Action.INVENTORY_REMOVE: _("Removed a person from the inventory"),
    Action.INVENTORY_SNAPSHOT: _("Kept a snapshot of the closeness circle"),
    Action.INVENTORY_UPDATE: _("Changed a person in the inventory"),
    Action.INVENTORY_VIEW: _("Viewed the inventory"),
    Action.INVITATION_ACCEPT: _("Accepted an invitation"),
    Action.INVITATION_CODE_FAILED: _("Gave a wrong invitation code"),
    Action.INVITATION_CREATE: _("Sent an invitation"),
    Action.INVITATION_LETTER: _("Printed an invitation letter"),
    Action.INVITATION_LOCKED: _("Locked an invitation after wrong codes"),
    Action.INVITATION_REFUSED: _("Refused an invitation link"),
    Action.INVITATION_REVOKE: _("Revoked an invitation"),
    Action.MAIL_FAILED: _("Could not send an email"),
    Action.MAIL_LIST: _("Viewed outgoing mail"),
    Action.MAIL_QUEUE: _("Queued an email"),
    Action.MEASURE_SCHEDULE_UPDATE: _("Changed the questionnaire schedule"),
    Action.MEASURES_OPEN: _("Opened questionnaires to give one"),
    Action.MEASURES_VIEW: _("Viewed scores"),
    Action.MFA_ADD: _("Set up two-factor sign-in"),
    Action.MFA_FAILED: _("Gave a wrong two-factor code"),
    Action.MFA_REMOVE: _("Removed two-factor sign-in"),
    Action.MFA_RESET: _("Reset two-factor sign-in"),
    Action.NOTE_ADDENDUM: _("Added an addendum to a progress note"),
    Action.NOTE_COSIGN: _("Co-signed a supervisee's progress note"),
    Action.NOTE_CREATE: _("Started a progress note"),
    Action.NOTE_OPEN: _("Opened a progress note"),
    Action.NOTE_SIGN: _("Signed a progress note"),
    Action.NOTE_SETTINGS_SET: _("Changed whether notes need a co-signature"),
    Action.NOTE_UPDATE: _("Changed a progress note"),
    Action.PORTAL_END: _("Ended a client's portal access"),
    Action.PORTAL_END_OPEN: _("Opened the page to end portal access"),
    Action.PORTAL_EXCHANGE_OPEN: _("Client opened a communication analysis to edit"),
    Action.PORTAL_EXCHANGE_VIEW: _("Client viewed a communication analysis"),
    Action.PORTAL_GRIEF_OPEN: _("Client opened grief work to edit"),
    Action.PORTAL_GRIEF_VIEW: _("Client viewed grief work"),
    Action.PORTAL_INVITE_OPEN: _("Opened the page to invite a client"),
    Action.PORTAL_LINK: _("Linked a portal account to a client"),
    Action.PORTAL_REHEARSAL_OPEN: _("Client opened a rehearsal"),
    Action.PORTAL_REHEARSAL_VIEW: _("Client viewed a rehearsal"),
    Action.PORTAL_REVIEW_CONFIRM: _("Confirmed a client's portal access"),
    Action.PORTAL_REVIEW_NEEDED: _("Portal access needs a review"),
    Action.PORTAL_REVIEW_OPEN: _("Opened the review of portal access"),
    Action.PORTAL_SAFETY_PLAN_OPEN: _("Client opened their safety plan to edit"),
    Action.PORTAL_SAFETY_PLAN_VIEW: _("Client viewed their safety plan"),
    Action.PORTAL_SCENARIO_OPEN: _("Client opened a role-play scenario"),
    Action.PORTAL_SCENARIO_VIEW: _("Client viewed a role-play scenario"),
    Action.PORTAL_TRANSITION_OPEN: _("Client opened a transition worksheet to edit"),
    Action.PORTAL_TRANSITION_VIEW: _("Client viewed a transition worksheet"),
    Action.PORTAL_VIEW: _("Client viewed their portal"),
    Action.PORTAL_WORKSHEET_OPEN: _("Client opened a worksheet to edit"),
    Action.PORTAL_WORKSHEET_VIEW: _("Client viewed a worksheet"),
    Action.PROCESS_NOTE_CREATE: _("Started a process note"),
    Action.PROCESS_NOTE_OPEN: _("Opened a process note to edit"),
    Action.PROCESS_NOTE_READ: _("Read a process note"),
    Action.PROCESS_NOTE_ROTATE_KEYS: _("Re-encrypted process notes with a new key"),
    Action.PROCESS_NOTE_UPDATE: _("Changed a process note"),
    Action.PUBLIC_TEXT_RESET: _("Put back Gentle's wording on a public page"),
    Action.PUBLIC_TEXT_SAVE: _("Changed the wording of a public page"),
    Action.RECORD_DOWNLOAD_HTML: _("Downloaded a readable copy of a record"),
    Action.RECORD_DOWNLOAD_JSON: _("Downloaded a data copy of a record"),
    Action.RECORD_DOWNLOAD_PDF: _("Downloaded a copy of a record as PDF"),
    Action.LETTER_CREATE: _("Started a letter to the referrer"),
    Action.LETTER_FINAL: _("Made a letter to the referrer final"),
    Action.LETTER_LIST: _("Listed the letters of a course"),
    Action.LETTER_OPEN: _("Opened a letter to the referrer to edit"),
    Action.LETTER_PDF: _("Downloaded a letter to the referrer"),
    Action.LETTER_STATUS: _("Checked a letter's PDF progress"),
    Action.LETTER_UPDATE: _("Changed a letter to the referrer"),
    Action.LETTER_VIEW: _("Viewed a letter to the referrer"),
    Action.RECORD_EXPORT_REQUEST: _("Asked for a copy of a record"),
    Action.RECORD_EXPORT_STATUS: _("Checked a record copy's progress"),
    Action.RECORD_EXPORT_VIEW: _("Viewed a copy of a record"),
    Action.REHEARSAL_ANNOTATE: _("Added a note to a rehearsal"),
    Action.REHEARSAL_FINISH: _("Finished a rehearsal"),
    Action.REHEARSAL_OPEN: _("Opened a rehearsal"),
    Action.REHEARSAL_PARTNER: _("The role-play partner answered"),
    Action.REHEARSAL_RESUME: _("Resumed a rehearsal"),
    Action.REHEARSAL_START: _("Started a rehearsal"),
    Action.REHEARSAL_TURN: _("Took a turn in a rehearsal"),
    Action.REHEARSAL_VIEW: _("Viewed a rehearsal"),
    Action.RELAPSE_PLAN_CREATE: _("Started a plan for staying well"),
    Action.RELAPSE_PLAN_OPEN: _("Opened a plan for staying well to edit"),
    Action.RELAPSE_PLAN_UPDATE: _("Changed a plan for staying well"),
    Action.RELAPSE_PLAN_VIEW: _("Viewed a plan for staying well"),
    Action.ROLE_ADD: _("Gave someone a role"),
    Action.ROLE_REMOVE: _("Took a role away from someone"),
    Action.ROLEPLAY_OPEN: _("Opened role-play to edit"),
    Action.ROLEPLAY_ROTATE_KEYS: _("Re-encrypted role-play keys with a new key"),
    Action.ROLEPLAY_SETTINGS: _("Changed the role-play partner settings"),
    Action.ROLEPLAY_VIEW: _("Viewed role-play"),
    Action.SAFETY_LEAD_UPDATE: _("Changed the safety lead"),
    Action.SAFETY_PLAN_OPEN: _("Opened a safety plan to edit"),
    Action.SAFETY_PLAN_PDF: _("Asked for a safety plan as a PDF"),
    Action.SAFETY_PLAN_SAVE: _("Saved a safety plan"),
    Action.SAFETY_PLAN_VIEW: _("Viewed a safety plan"),
    Action.SCENARIO_CREATE: _("Created a role-play scenario"),
    Action.SCENARIO_OPEN: _("Opened a role-play scenario to edit"),
    Action.SCENARIO_SHARE: _("Shared a role-play scenario with the client"),
    Action.SCENARIO_UNSHARE: _("Stopped sharing a role-play scenario"),
    Action.SCENARIO_UPDATE: _("Changed a role-play scenario"),
    Action.SCENARIO_VIEW: _("Viewed a role-play scenario"),
    Action.SESSION_AGENDA: _("Ticked off a session's agenda"),
    Action.SESSION_ATTENDANCE: _("Recorded attendance at a session"),
    Action.SESSION_CANCEL: _("Cancelled a session"),
    Action.SESSION_CREATE: _("Booked a session"),
    Action.SESSION_PARTICIPANTS: _("Recorded who took part in a session"),
    Action.SESSION_EXPIRED: _("A sign-in ended after a time limit"),
    Action.SESSION_MOVE: _("Moved a session to another time"),
    Action.SESSION_MOVE_FORM: _("Opened the form to move or cancel a session"),
    Action.SESSION_NEW_FORM: _("Opened the form for a new session"),
    Action.SESSION_OPEN: _("Opened a session to edit"),
    Action.SESSION_TOOL_LINK: _("Linked a tool to the session it was used in"),
    Action.SESSION_TOOL_UNLINK: _("Removed a tool's link to a session"),
    Action.SESSION_REMOTE_CHECK: _("Recorded where the client was for a video or phone session"),
    Action.SESSION_ROLE_PLAY: _("Recorded a role play done in a session"),
    Action.SESSION_ROLE_PLAY_DELETE: _("Removed a role play recorded in a session"),
    Action.SESSION_ROLE_PLAY_EDIT: _("Corrected a role play recorded in a session"),
    Action.SESSION_REMIND: _("Queued a reminder of a session for the client"),
    Action.SESSION_VIEW: _("Viewed a session"),
    Action.SUPERVISION_ADD: _("Started a supervision"),
    Action.SUPERVISION_REMOVE: _("Ended a supervision"),
    Action.SUPERVISION_LOG_VIEW: _("Read a supervision log"),
    Action.SUPERVISION_MEETING_ADD: _("Recorded a supervision meeting"),
    Action.TASK_ASSIGN: _("Assigned a task"),
    Action.TASK_DONE: _("Marked a task done"),
    Action.TASK_OPEN: _("Opened tasks to edit"),
    Action.TASK_PRACTICE_ASSIGN: _("Set a practice task"),
    Action.TASK_REMOVE: _("Removed a task"),
    Action.TASK_REPORT: _("Reported back on a practice task"),
    Action.TASK_VIEW: _("Viewed tasks"),
    Action.TIMELINE_EPISODE_ADD: _("Added an episode to the timeline"),
    Action.TIMELINE_EVENT_ADD: _("Added a life event to the timeline"),
    Action.TIMELINE_EVENT_REMOVE: _("Removed a life event from the timeline"),
    Action.TIMELINE_OPEN: _("Opened the timeline to edit"),
    Action.TIMELINE_VIEW: _("Viewed the timeline"),
    Action.TRANSITION_CREATE: _("Started a transition worksheet"),
    Action.TRANSITION_OPEN: _("Opened a transition worksheet to edit"),
    Action.TRANSITION_SHARE: _("Shared a transition worksheet with the client"),
    Action.TRANSITION_STEP: _("Added a step to a transition worksheet"),
    Action.TRANSITION_UNSHARE: _("Stopped sharing a transition worksheet"),
    Action.TRANSITION_UPDATE: _("Changed a transition worksheet"),
    Action.TRANSITION_VIEW: _("Viewed a transition worksheet"),
    Action.WORKSHEET_CREATE: _("Started a worksheet"),
    Action.WORKSHEET_FINISH: _("Finished a worksheet"),
    Action.WORKSHEET_OPEN: _("Opened a worksheet to edit"),
    Action.WORKSHEET_SAVE: _("Saved a worksheet"),
    Action.WORKSHEET_SHARE: _("Shared a worksheet with the client"),
    Action.WORKSHEET_UNSHARE: _("Stopped sharing a worksheet"),
    Action.WORKSHEET_VIEW: _("Viewed a worksheet"),
}

FAMILIES: dict[str, StrOrPromise] = {
    "account": _("Accounts"),
    "administration": _("Questionnaires"),
    "alert": _("Safety alerts"),
    "api_token": _("API tokens"),
    "attachment": _("Attachment patterns"),
    "audit": _("Audit log"),
    "auth": _("Signing in and out"),
    "backup": _("Backups"),
    "break_glass": _("Emergency access"),
    "calendar": _("Calendar"),
    "calendar_feed": _("Calendar feeds"),
    "care_team": _("Care teams"),
    "caseload": _("Caseload"),
    "client": _("Client records"),
    "clinic": _("Switching clinic"),
    "clinic_statistics": _("Clinic statistics"),
    "clinic_thresholds": _("Outcome thresholds"),
    "comment": _("Supervision comments"),
    "communication": _("Communication"),
    "consent": _("Consents"),
    "course": _("Courses"),
    "course_results": _("Stored course outcomes"),
    "course_watch": _("Supervisors' course checks"),
    "crisis_text": _("Crisis text"),
    "diary": _("Mood diary"),
    "exchange": _("Communication analyses"),
    "fhir": _("FHIR records"),
    "fhir_export": _("FHIR exports"),
    "fidelity": _("Session fidelity ratings"),
    "fidelity_settings": _("Fidelity sampling"),
    "formulation": _("Formulations"),
    "goal": _("Goals"),
    "grief": _("Grief work"),
    "group": _("Groups"),
    "home": _("Home page"),
    "intake": _("Consultation requests"),
    "letter": _("Letters to referrers"),
    "inventory": _("Interpersonal inventory"),
    "invitation": _("Invitations"),
    "mail": _("Outgoing mail"),
    "measure_schedule": _("Questionnaire schedules"),
    "measures": _("Scores"),
    "mfa": _("Two-factor sign-in"),
    "note": _("Progress notes"),
    "note_settings": _("Note signing settings"),
    "outcome_report": _("Outcome report"),
    "portal": _("Client portal"),
    "process_note": _("Process notes"),
    "public_text": _("Public pages"),
    "record": _("Record copies"),
    "rehearsal": _("Rehearsals"),
    "relapse_plan": _("Plans for staying well"),
    "role": _("Roles"),
    "roleplay": _("Role-play"),
    "safety_lead": _("Safety lead"),
    "safety_plan": _("Safety plans"),
    "scenario": _("Role-play scenarios"),
    "session": _("Sessions"),
    "supervision": _("Supervision"),
    "supervision_log": _("Supervision logs"),
    "supervision_meeting": _("Supervision meetings"),
    "task": _("Tasks"),
    "timeline": _("Timeline"),
    "transition": _("Transition worksheets"),
    "worksheet": _("Worksheets"),
}


def family_of(code: str) -> str:
    """The family of an action's code: ``note`` for ``note.sign``."""
    return code.split(".", 1)[0]


def label_of(code: str) -> StrOrPromise:
    """The label of a stored action code; a code no longer in the enumeration (rows are kept
    for ever) is shown as it is."""
    try:
        return LABELS[Action(code)]
    except ValueError:
        return code


def family_choices() -> list[tuple[str, str]]:
    """The families as (code, label) for a choice list, in the reader's alphabetical order."""
    return sorted(((code, str(label)) for code, label in FAMILIES.items()), key=lambda c: c[1])
