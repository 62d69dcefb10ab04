"""Virtual attendance from a meeting platform's participant report (parsed by ``sessions.meeting_reports``).

``plan_meeting_attendance`` matches the report's participants to the session's confirmed registrations
(by email, case-insensitive; then by name, accents, case and spacing ignored) and gives each the status
its time in the meeting earns against the session's thresholds. ``import_meeting_attendance`` saves a
plan through ``record_attendance_sheet`` (as the roll call and the API do) and adds the chosen unmatched
participants as walk-ins (``add_walk_in``), all in one transaction. Name matches are saved only when
confirmed. Importing the same report again changes nothing.

Between the preview and the confirmation the uploaded file is kept as a ``PendingMeetingReport``
(one per session and uploader, for ``PENDING_REPORT_LIFETIME``): in the database, where erasure
reaches it, rather than in the uploader's login session.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from sessions.meeting_reports import MeetingReport, MeetingReportError, Participant, fold_name, parse_meeting_report
from sessions.models import (
    Attendance,
    DayAttendance,
    PendingMeetingReport,
    Registration,
    SessionDay,
    TrainingSession,
)
from sessions.services.attendance import check_attendance_open, record_attendance_sheet
from sessions.services.base import AttendanceError
from sessions.services.session_days import (
    check_day_attendance_open,
    record_day_attendance,
    record_day_attendance_sheet,
)
from sessions.services.walk_ins import add_walk_in
from trainingops.actors import on_behalf

BY_EMAIL, BY_NAME = "email", "name"

# Long enough to check a preview and confirm it, short enough that a forgotten upload soon goes.
PENDING_REPORT_LIFETIME = timedelta(hours=2)


@dataclass
class MeetingAttendanceLine:
    participant: Participant
    status: str
    registration: Registration | None = None
    matched_by: str = ""
    current_status: str = ""
    matched_name: str = ""

    @property
    def status_label(self) -> str:
        return Attendance.Status(self.status).label

    @property
    def changes(self) -> bool:
        return self.registration is not None and self.status != self.current_status


@dataclass
class MeetingAttendancePlan:
    session: TrainingSession
    report: MeetingReport
    lines: list[MeetingAttendanceLine] = field(default_factory=list)

    @property
    def matched(self) -> list[MeetingAttendanceLine]:
        return [line for line in self.lines if line.registration is not None]

    @property
    def unmatched(self) -> list[MeetingAttendanceLine]:
        return [line for line in self.lines if line.registration is None]


def _registration_name(registration: Registration) -> str:
    if registration.officer_id is not None:
        return registration.officer.user.get_full_name()
    if registration.pending_officer_id is not None:
        return registration.pending_officer.name
    return ""


def _registration_email(registration: Registration) -> str:
    if registration.officer_id is not None:
        return registration.officer.user.email.lower()
    if registration.pending_officer_id is not None:
        return registration.pending_officer.email.lower()
    return ""


def attendance_for_minutes(session: TrainingSession, seconds: int, day: SessionDay | None = None) -> str:
    """Present, partial or absent for so long in the meeting, against the session's thresholds (and, for
    one day of a session of several days, that day's scheduled time)."""
    if day is not None:
        zone = session.timezone
        scheduled = (day.ends_at_in(zone) - day.starts_at_in(zone)).total_seconds()
    else:
        scheduled = (session.ends_at - session.starts_at).total_seconds()
    share = 100 * seconds / scheduled
    if share >= session.present_threshold_percent:
        return Attendance.Status.PRESENT
    if share >= session.partial_threshold_percent:
        return Attendance.Status.PARTIAL
    return Attendance.Status.ABSENT


def plan_meeting_attendance(
    *, session: TrainingSession, report: MeetingReport, day: SessionDay | None = None
) -> MeetingAttendancePlan:
    """Who in the report is who on the roll, and the attendance each one's time gives (nothing saved).

    For a session of several days the report is one day's meeting: ``day`` says which.
    """
    if session.starts_at is None or session.ends_at is None:
        raise AttendanceError(_("The session needs a start and an end to weigh the time in the meeting."))
    if day is None and SessionDay.objects.filter(session=session).exists():
        raise AttendanceError(_("This session has several days: choose the day of this meeting report."), field="day")
    registrations = Registration.objects.filter(session=session, status=Registration.Status.CONFIRMED).select_related(
        "officer__user", "pending_officer", "attendance"
    )
    if day is not None:
        records = Prefetch("day_attendances", DayAttendance.objects.filter(day=day), to_attr="day_records")
        registrations = registrations.prefetch_related(records)
    registrations = list(registrations)
    by_email = {_registration_email(registration): registration for registration in registrations}
    by_name: dict[str, list[Registration]] = {}
    for registration in registrations:
        by_name.setdefault(fold_name(_registration_name(registration)), []).append(registration)
    # One person may join twice under different names or addresses: their time is summed per registration.
    found: dict[int, tuple[Registration, str, list[Participant]]] = {}
    unmatched: list[Participant] = []
    for participant in report.participants:
        registration, how = by_email.get(participant.email) if participant.email else None, BY_EMAIL
        if registration is None:
            how = BY_NAME
            for name in (participant.name, *participant.other_names):
                candidates = by_name.get(fold_name(name), [])
                if len(candidates) == 1:  # two people of the same name: nobody is guessed
                    registration = candidates[0]
                    break
        if registration is None:
            unmatched.append(participant)
            continue
        _registration, known_how, participants = found.setdefault(registration.pk, (registration, how, []))
        participants.append(participant)
        if how == BY_EMAIL and known_how == BY_NAME:
            found[registration.pk] = (registration, BY_EMAIL, participants)
    plan = MeetingAttendancePlan(session=session, report=report)
    for registration, how, participants in found.values():
        seconds = sum(participant.seconds for participant in participants)
        first = participants[0]
        merged = Participant(
            name=first.name, email=first.email, seconds=seconds, joins=sum(p.joins for p in participants)
        )
        attendance = getattr(registration, "attendance", None)
        if day is not None:
            attendance = next(iter(registration.day_records), None)
        plan.lines.append(
            MeetingAttendanceLine(
                participant=merged,
                status=attendance_for_minutes(session, seconds, day),
                registration=registration,
                matched_by=how,
                matched_name=_registration_name(registration) or _registration_email(registration),
                current_status=attendance.status if attendance else "",
            )
        )
    for participant in unmatched:
        plan.lines.append(
            MeetingAttendanceLine(
                participant=participant, status=attendance_for_minutes(session, participant.seconds, day)
            )
        )
    return plan


@dataclass
class MeetingAttendanceResult:
    saved: int
    walk_ins: int
    unconfirmed: int


@on_behalf
def import_meeting_attendance(
    *,
    session: TrainingSession,
    report: MeetingReport,
    by,
    confirmed_names: set[str] = frozenset(),
    walk_ins: dict[str, Agency] | None = None,
    day: SessionDay | None = None,
) -> MeetingAttendanceResult:
    """Save the report's attendance: every line, or none.

    ``confirmed_names`` holds the participant keys (``Participant.key``) of name matches the user
    confirmed; other name matches are left out. ``walk_ins`` maps the keys of unmatched participants
    (with an email, and present or partial by their time) to the agency to add them under.

    For a session of several days, ``day`` is the day of the meeting: its attendance is saved through
    ``record_day_attendance_sheet`` with each person's minutes, and the session's follows from the days.
    """
    if day is None:
        check_attendance_open(session)
    else:
        check_day_attendance_open(day)
    walk_ins = walk_ins or {}
    with transaction.atomic():
        plan = plan_meeting_attendance(session=session, report=report, day=day)
        items, unconfirmed = [], 0
        for line in plan.matched:
            if line.matched_by == BY_NAME and line.participant.key not in confirmed_names:
                unconfirmed += 1
                continue
            if not line.changes:
                continue
            if day is not None:
                minutes = line.participant.seconds // 60
                items.append(
                    {"registration_id": line.registration.pk, "status": line.status, "minutes_attended": minutes}
                )
                continue
            attendance = getattr(line.registration, "attendance", None)
            note = attendance.note if attendance else ""
            items.append({"registration_id": line.registration.pk, "status": line.status, "note": note})
        if items and day is not None:
            record_day_attendance_sheet(session=session, day=day, items=items, by=by)
        elif items:
            record_attendance_sheet(session=session, items=items, by=by)
        added = 0
        unmatched = {line.participant.key: line for line in plan.unmatched}
        for key, agency in walk_ins.items():
            line = unmatched.get(key)
            if line is None:
                continue  # matched meanwhile (added by the same import before): nothing to add
            if not line.participant.email:
                raise AttendanceError(
                    _("%(name)s has no email in the report: add them from the roll call.")
                    % {"name": line.participant.name}
                )
            if line.status == Attendance.Status.ABSENT:
                raise AttendanceError(
                    _("%(name)s was in the meeting too briefly to be added as a walk-in.")
                    % {"name": line.participant.name}
                )
            attendance = add_walk_in(
                session=session,
                name=line.participant.name,
                email=line.participant.email,
                agency=agency,
                status=line.status,
                by=by,
                day=day,
            )
            if day is not None:
                record_day_attendance(
                    registration=attendance.registration,
                    day=day,
                    status=line.status,
                    by=by,
                    minutes_attended=line.participant.seconds // 60,
                )
            added += 1
    return MeetingAttendanceResult(saved=len(items), walk_ins=added, unconfirmed=unconfirmed)


@transaction.atomic
def keep_meeting_report(*, session: TrainingSession, by, data: bytes) -> PendingMeetingReport:
    """Keep an uploaded report until ``by`` confirms its import or it expires, replacing their earlier
    upload for the session. Expired uploads of anyone go at the same time."""
    now = timezone.now()
    PendingMeetingReport.objects.filter(Q(expires_at__lte=now) | Q(session=session, uploaded_by=by)).delete()
    kept = PendingMeetingReport.objects.create(
        session=session, uploaded_by=by, data=bytes(data), uploaded_at=now, expires_at=now + PENDING_REPORT_LIFETIME
    )
    return kept


def kept_meeting_report(*, session: TrainingSession, by) -> bytes | None:
    """The report ``by`` uploaded for the session and has not confirmed, unless it expired."""
    kept = PendingMeetingReport.objects.filter(session=session, uploaded_by=by, expires_at__gt=timezone.now()).first()
    return bytes(kept.data) if kept is not None else None


def forget_meeting_report(*, session: TrainingSession, by) -> None:
    """Drop the kept upload once its import is saved: nothing of it stays."""
    PendingMeetingReport.objects.filter(session=session, uploaded_by=by).delete()


def purge_expired_meeting_reports(*, now: datetime | None = None) -> int:
    """Sweep: delete the uploads nobody confirmed in time."""
    deleted, _by_model = PendingMeetingReport.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def _names_anyone(report: MeetingReport, addresses: set[str], names: set[str]) -> bool:
    for participant in report.participants:
        folded = {fold_name(name) for name in (participant.name, *participant.other_names)}
        if participant.email.lower() in addresses or folded & names:
            return True
    return False


@transaction.atomic
def purge_meeting_reports_naming(*, addresses: Iterable[str], names: Iterable[str]) -> int:
    """Erasure: delete every kept upload that lists the person (by address or name) and every
    expired one. The uploader uploads the report again if they still need it."""
    addresses = {address.lower() for address in addresses if address}
    names = {fold_name(name) for name in names if name}
    doomed = []
    for kept in PendingMeetingReport.objects.select_for_update().all():
        try:
            report = parse_meeting_report(bytes(kept.data))
        except MeetingReportError:
            doomed.append(kept.pk)  # unreadable now: nobody can check whom it names
            continue
        if kept.expires_at <= timezone.now() or _names_anyone(report, addresses, names):
            doomed.append(kept.pk)
    deleted, _by_model = PendingMeetingReport.objects.filter(pk__in=doomed).delete()
    return deleted
