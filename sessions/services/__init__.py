"""Domain operations of the sessions app, one module per noun (as pretalx keeps ``submission/domain/``).

- ``base``: ``SessionError`` and its kinds, the session row lock;
- ``sessions``: a session's life (create, edit, trainers, publish, cancel, complete);
- ``registrations``: seats, the waitlist and the registration snapshot;
- ``attendance``: attendance, the attendance sheet (API bulk update, roll call) and walk-ins of officers;
- ``session_days``: the days of a session of several days and attendance per day;
- ``walk_ins``: walk-ins added by name, email and agency, claimed when the person signs up;
- ``check_ins``: check-ins by personal code, search and self check-in, idempotent by the device's nonce;
- ``meeting_attendance``: virtual attendance from a meeting platform's participant report;
- ``invitations``: who to invite, sending, accepting, declining;
- ``nominations``: focal points nominating their officers within agency quotas, approvals, sweeps;
- ``reminders`` and ``surveys``: what beat sends before and after a session;
- ``certificates``: certificates of attendance and their PDF.

The admin, the portal, the API and the Celery tasks all call these functions, so each rule exists
once. The public ones are re-exported here: ``from sessions.services import register_officer``.
"""

from sessions.services.attendance import (
    check_attendance_open,
    check_session_level_attendance,
    record_attendance,
    record_attendance_sheet,
    record_walk_in,
    repair_attendance_snapshots,
    send_late_survey,
)
from sessions.services.base import (
    AttendanceError,
    AttendanceSheetRejected,
    InvitationError,
    RegistrationError,
    SessionError,
    SurveyError,
    TransitionError,
    check_in_range,
    copy_session_state,
    lock_session,
    validate_session,
)
from sessions.services.check_ins import (
    CheckInRefused,
    CheckInResult,
    check_can_check_in,
    record_check_ins,
    self_check_in,
)
from sessions.services.invitations import (
    INVITATION_CHUNK_SIZE,
    INVITATION_MESSAGE_FIELDS,
    EntryStatus,
    InvitationPlan,
    Invitee,
    PlannedEntry,
    accept_invitation,
    check_can_invite,
    create_invitations,
    decline_invitation,
    drop_addresses_from_pasted,
    format_address,
    invitation_expired,
    invite_officers,
    make_requested_invitations,
    parse_pasted_addresses,
    plan_invitations,
    resume_invitation_requests,
)
from sessions.services.knowledge_checks import (
    KnowledgeCheckError,
    attempts_left,
    check_question_options,
    create_question,
    post_test_open,
    pre_test_open,
    score_answer,
    set_knowledge_check,
    submit_attempt,
)
from sessions.services.meeting_attendance import (
    MeetingAttendancePlan,
    attendance_for_minutes,
    forget_meeting_report,
    import_meeting_attendance,
    keep_meeting_report,
    kept_meeting_report,
    plan_meeting_attendance,
    purge_expired_meeting_reports,
    purge_meeting_reports_naming,
)
from sessions.services.nominations import (
    NominationError,
    approve_nomination,
    check_can_nominate,
    decline_nominated_invitation,
    expire_nominations,
    nominate,
    nomination_deadline,
    reject_nomination,
    release_quotas,
    withdraw_nomination,
)
from sessions.services.registrations import (
    attendance_snapshot,
    cancel_registration,
    promote_waitlist,
    register_officer,
    save_registration_snapshot,
)
from sessions.services.reminders import (
    due_reminder_offset,
    reminder_offsets,
    send_due_reminders,
)
from sessions.services.session_days import (
    DayHours,
    check_day_attendance_open,
    record_day_attendance,
    record_day_attendance_sheet,
    set_session_days,
    settle_attendance_from_days,
    validate_session_days,
)
from sessions.services.sessions import (
    SCHEDULE_FIELDS,
    assign_creator_as_trainer,
    cancel_session,
    complete_session,
    copy_session,
    create_session,
    publish_session,
    set_session_trainers,
    update_session,
)
from sessions.services.surveys import (
    send_survey_reminders,
    submit_survey_response,
)
from sessions.services.walk_ins import (
    WALK_IN_STATUSES,
    add_walk_in,
    claim_walk_ins,
)

__all__ = [
    "DayHours",
    "check_day_attendance_open",
    "record_day_attendance",
    "record_day_attendance_sheet",
    "set_session_days",
    "settle_attendance_from_days",
    "validate_session_days",
    "CheckInRefused",
    "CheckInResult",
    "check_can_check_in",
    "record_check_ins",
    "self_check_in",
    "KnowledgeCheckError",
    "attempts_left",
    "check_question_options",
    "create_question",
    "post_test_open",
    "pre_test_open",
    "score_answer",
    "set_knowledge_check",
    "submit_attempt",
    "MeetingAttendancePlan",
    "attendance_for_minutes",
    "import_meeting_attendance",
    "plan_meeting_attendance",
    "keep_meeting_report",
    "kept_meeting_report",
    "forget_meeting_report",
    "purge_expired_meeting_reports",
    "purge_meeting_reports_naming",
    "decline_nominated_invitation",
    "AttendanceError",
    "AttendanceSheetRejected",
    "WALK_IN_STATUSES",
    "add_walk_in",
    "check_attendance_open",
    "check_session_level_attendance",
    "claim_walk_ins",
    "record_attendance_sheet",
    "INVITATION_CHUNK_SIZE",
    "INVITATION_MESSAGE_FIELDS",
    "InvitationError",
    "NominationError",
    "approve_nomination",
    "check_can_nominate",
    "expire_nominations",
    "nominate",
    "nomination_deadline",
    "reject_nomination",
    "release_quotas",
    "withdraw_nomination",
    "EntryStatus",
    "InvitationPlan",
    "Invitee",
    "PlannedEntry",
    "RegistrationError",
    "SCHEDULE_FIELDS",
    "SessionError",
    "SurveyError",
    "TransitionError",
    "accept_invitation",
    "assign_creator_as_trainer",
    "attendance_snapshot",
    "cancel_registration",
    "cancel_session",
    "check_can_invite",
    "check_in_range",
    "complete_session",
    "copy_session_state",
    "copy_session",
    "create_invitations",
    "create_session",
    "decline_invitation",
    "drop_addresses_from_pasted",
    "due_reminder_offset",
    "invitation_expired",
    "format_address",
    "invite_officers",
    "make_requested_invitations",
    "parse_pasted_addresses",
    "resume_invitation_requests",
    "lock_session",
    "plan_invitations",
    "promote_waitlist",
    "publish_session",
    "record_attendance",
    "record_walk_in",
    "register_officer",
    "reminder_offsets",
    "repair_attendance_snapshots",
    "save_registration_snapshot",
    "send_due_reminders",
    "send_late_survey",
    "send_survey_reminders",
    "set_session_trainers",
    "submit_survey_response",
    "update_session",
    "validate_session",
]
