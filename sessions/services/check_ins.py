"""Check-ins: scans of personal codes, names found by search, and officers' self check-ins.

A batch from the trainer's check-in page (sent again after a lost connection, or from two devices)
is applied item by item under the session's row lock: each item is answered on its own, a refused
item loses nothing else, and a nonce already recorded answers its first result again. A check-in
marks the registration present through ``record_attendance`` (the roll call's service), keeping the
earliest scan as the time checked in. A session of several days takes check-ins on its days only (from
two hours before each day starts): a scan marks that day present (``record_day_attendance``, which then
settles the session's attendance from its days), and "already checked in" means on that day.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions import checkin_codes
from sessions.models import Attendance, CheckIn, DayAttendance, Registration, SessionDay, TrainingSession
from sessions.selectors import CHECK_IN_OPENS_BEFORE, check_in_day, check_in_window, self_check_in_window, session_days
from sessions.selectors import checked_in_at as selectors_checked_in_at
from sessions.services.attendance import record_attendance, record_check_in_attendance
from sessions.services.base import SessionError, lock_session
from sessions.services.session_days import record_day_attendance
from trainingops.actors import on_behalf

# A device's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)
MAX_CHECK_INS_PER_BATCH = 500

REFUSAL_MESSAGES = {
    "malformed": _("This is not a check-in code of this site."),
    "bad_signature": _("This code was not issued by this site or has been altered."),
    "wrong_session": _("This code is for another session."),
    "unknown_registration": _("No registration of this session matches."),
    "cancelled": _("This registration was cancelled."),
    "not_confirmed": _("This registration is not confirmed (waitlisted)."),
    "outside_session_days": _("Check-in is open only from two hours before the start to the end of the last day."),
    "session_not_open": _("This session is not open for check-in (draft or cancelled)."),
}


class CheckInRefused(SessionError):
    code = "check_in_refused"

    def __init__(self, reason: str):
        super().__init__(REFUSAL_MESSAGES[reason])
        self.reason = reason


@dataclass(frozen=True)
class CheckInResult:
    """The answer for one item of a batch (see the contract in the API's schema)."""

    nonce: str
    status: str
    reason: str | None = None
    registration: Registration | None = None
    checked_in_at: datetime | None = None

    @property
    def message(self) -> str:
        if self.reason:
            return str(REFUSAL_MESSAGES[self.reason])
        if self.status == CheckIn.Outcome.CHECKED_IN:
            return str(_("Checked in."))
        return str(_("Already checked in."))


def refused(nonce: str, reason: str) -> CheckInResult:
    return CheckInResult(nonce=nonce, status="refused", reason=reason)


@on_behalf
def record_check_ins(*, session: TrainingSession, items: list[dict], by) -> list[CheckInResult]:
    """Record a batch of scans; one result per item, in order.

    Each item is ``{"nonce", "scanned_at", "code"}`` or ``{"nonce", "scanned_at", "registration"}``
    (an id found by search), or ``{"nonce", "malformed": True}`` for an item the API could not read.
    The batch is read and decided under the session's lock, so two devices' batches do not interleave;
    a refused item is only answered, and what the others give is written at the end in a few
    statements: their attendance by ``record_check_in_attendance``, the check-ins in one insert.
    """
    with transaction.atomic():
        locked = lock_session(session)
        batch = _Batch.load(locked, items)
        results = [batch.apply(item, by=by) for item in items]
        record_check_in_attendance(session=locked, times=batch.times, by=by)
        mark_days_present(batch.day_marks.values(), by=by)
        CheckIn.objects.bulk_create(batch.new)
    return results


@dataclass
class _Batch:
    session: TrainingSession
    registrations: dict[int, Registration]
    known: dict[str, CheckIn]
    codes: dict[str, checkin_codes.CodePayload | str]
    window: tuple
    kept: dict[int, datetime | None] = field(default_factory=dict)
    times: dict[int, datetime] = field(default_factory=dict)
    new: list[CheckIn] = field(default_factory=list)
    # A session of several days: the earliest scan per (registration, day), and the days to mark present.
    day_kept: dict[tuple[int, int], datetime] = field(default_factory=dict)
    day_marks: dict[tuple[int, int], tuple[Registration, SessionDay]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: TrainingSession, items: list[dict]) -> "_Batch":
        """Read once what the batch needs: the nonces already recorded and the registrations named."""
        nonces = {item["nonce"] for item in items if isinstance(item.get("nonce"), str)}
        known = {
            check_in.nonce: check_in
            for check_in in CheckIn.objects.filter(session=session, nonce__in=nonces).select_related(
                "registration__agency"
            )
        }
        wanted = {item["registration"] for item in items if type(item.get("registration")) is int}
        codes = {item["code"]: _read(item["code"]) for item in items if isinstance(item.get("code"), str)}
        wanted |= {code.registration_id for code in codes.values() if isinstance(code, checkin_codes.CodePayload)}
        registrations = (
            Registration.objects.filter(session=session, pk__in=wanted)
            .select_related("officer__user", "pending_officer", "agency", "attendance")
            .in_bulk()
        )
        for registration in registrations.values():
            registration.session = session
        return cls(
            session=session,
            registrations=registrations,
            known=known,
            codes=codes,
            window=check_in_window(session),
            day_kept=_earliest_scans_per_day(session, registrations),
        )

    def apply(self, item: dict, *, by) -> CheckInResult:
        """Decide one item (nothing is written here): refused, or a check-in to record at the end."""
        nonce = item.get("nonce") or ""
        if item.get("malformed"):
            return refused(nonce, "malformed")
        if nonce in self.known:
            return self._repeat(self.known[nonce])
        try:
            registration, via = self._registration_of(item)
            check_can_check_in(registration=registration, scanned_at=item["scanned_at"], window=self.window)
        except CheckInRefused as refusal:
            return refused(nonce, refusal.reason)
        scanned_at = item["scanned_at"]
        kept = self._kept_time(registration)
        now_kept = min(kept, scanned_at) if kept is not None else scanned_at
        if now_kept != kept:
            self.kept[registration.pk] = self.times[registration.pk] = now_kept
        day = check_in_day(self.session, scanned_at)
        if day is not None:  # a session of several days: checked in on that day
            key = (registration.pk, day.pk)
            kept = self.day_kept.get(key)
            now_kept = self.day_kept[key] = min(kept, scanned_at) if kept is not None else scanned_at
            self.day_marks[key] = (registration, day)
        outcome = CheckIn.Outcome.CHECKED_IN if kept is None else CheckIn.Outcome.ALREADY_CHECKED_IN
        check_in = CheckIn(
            session=self.session,
            registration=registration,
            nonce=nonce,
            via=via,
            outcome=outcome,
            scanned_at=item["scanned_at"],
            recorded_by=by,
        )
        self.new.append(check_in)
        self.known[nonce] = check_in
        return CheckInResult(nonce=nonce, status=outcome, registration=registration, checked_in_at=now_kept)

    def _kept_time(self, registration: Registration) -> datetime | None:
        if registration.pk not in self.kept:
            self.kept[registration.pk] = selectors_checked_in_at(registration)
        return self.kept[registration.pk]

    def _repeat(self, check_in: CheckIn) -> CheckInResult:
        registration = self.registrations.get(check_in.registration_id)
        kept = self._kept_time(registration) if registration else selectors_checked_in_at(check_in.registration)
        return CheckInResult(
            nonce=check_in.nonce,
            status=check_in.outcome,
            registration=registration or check_in.registration,
            checked_in_at=kept,
        )

    def _registration_of(self, item: dict) -> tuple[Registration, str]:
        if "code" in item:
            payload = self.codes[item["code"]]
            if isinstance(payload, str):
                raise CheckInRefused(payload)
            if payload.session_id != self.session.pk:
                raise CheckInRefused("wrong_session")
            registration_id, via = payload.registration_id, CheckIn.Via.CODE
        else:
            registration_id, via = item["registration"], CheckIn.Via.SEARCH
        registration = self.registrations.get(registration_id)
        if registration is None:
            raise CheckInRefused("unknown_registration")
        return registration, via


def _read(code: str) -> checkin_codes.CodePayload | str:
    """The code's payload, or the reason it is refused."""
    try:
        return checkin_codes.read_code(code)
    except checkin_codes.InvalidCode as invalid:
        return invalid.reason


def check_can_check_in(*, registration: Registration, scanned_at: datetime, window=None) -> None:
    """Refuse, with the reason, a check-in of ``registration`` scanned at ``scanned_at``."""
    session = registration.session
    if session.status not in (TrainingSession.Status.PUBLISHED, TrainingSession.Status.COMPLETED):
        raise CheckInRefused("session_not_open")
    if registration.status == Registration.Status.CANCELLED:
        raise CheckInRefused("cancelled")
    if registration.status != Registration.Status.CONFIRMED:
        raise CheckInRefused("not_confirmed")
    opens, closes = window or check_in_window(session)
    now = timezone.now()
    if opens is None or not opens <= scanned_at < closes or scanned_at > now + CLOCK_SKEW or now < opens:
        raise CheckInRefused("outside_session_days")
    if session_days(session):
        day = check_in_day(session, scanned_at)
        if day is None or min(scanned_at, now) < day.starts_at - CHECK_IN_OPENS_BEFORE:
            raise CheckInRefused("outside_session_days")


def mark_days_present(marks, *, by) -> None:
    """Mark each (registration, day) of a session of several days present, unless that day is already
    taken as present or partial (a check-in proves presence; it does not undo the roll call's partial)."""
    marks = list(marks)
    if not marks:
        return
    taken = set(
        DayAttendance.objects.filter(
            registration_id__in={registration.pk for registration, _day in marks},
            status__in=[DayAttendance.Status.PRESENT, DayAttendance.Status.PARTIAL],
        ).values_list("registration_id", "day_id")
    )
    for registration, day in marks:
        if (registration.pk, day.pk) not in taken:
            record_day_attendance(registration=registration, day=day, status=DayAttendance.Status.PRESENT, by=by)


def _earliest_scans_per_day(session: TrainingSession, registrations: dict[int, Registration]) -> dict:
    """(registration id, day id) → the earliest scan recorded on that day, for a session of several days."""
    if not session_days(session) or not registrations:
        return {}
    earliest: dict[tuple[int, int], datetime] = {}
    scans = CheckIn.objects.filter(session=session, registration_id__in=list(registrations)).values_list(
        "registration_id", "scanned_at"
    )
    for registration_id, scanned_at in scans:
        day = check_in_day(session, scanned_at)
        if day is not None:
            key = (registration_id, day.pk)
            earliest[key] = min(earliest.get(key, scanned_at), scanned_at)
    return earliest


def _check_in(
    *, registration: Registration, scanned_at: datetime, nonce: str, via: str, by, window=None
) -> tuple[CheckIn, datetime]:
    """Save one check-in and the attendance it gives; (the check-in, the time checked in kept)."""
    check_can_check_in(registration=registration, scanned_at=scanned_at, window=window)
    attendance = Attendance.objects.select_for_update().filter(registration=registration).first()
    counted = attendance is not None and attendance.status in Attendance.COUNTED
    kept = min(attendance.checked_in_at or scanned_at, scanned_at) if counted else scanned_at
    if not counted or kept != attendance.checked_in_at:
        try:
            record_attendance(
                registration=registration,
                status=attendance.status if counted else Attendance.Status.PRESENT,
                by=by,
                checked_in_at=kept,
                note=attendance.note if attendance else "",
                from_days=True,  # a session of several days: its day is marked right after
            )
        except SessionError:
            raise CheckInRefused("outside_session_days") from None
    day = check_in_day(registration.session, scanned_at)
    if day is not None:  # a session of several days: checked in on that day
        day_scans = _earliest_scans_per_day(registration.session, {registration.pk: registration})
        counted = (registration.pk, day.pk) in day_scans
        kept = min(day_scans.get((registration.pk, day.pk), scanned_at), scanned_at)
        mark_days_present([(registration, day)], by=by)
    outcome = CheckIn.Outcome.ALREADY_CHECKED_IN if counted else CheckIn.Outcome.CHECKED_IN
    check_in = CheckIn.objects.create(
        session_id=registration.session_id,
        registration=registration,
        nonce=nonce,
        via=via,
        outcome=outcome,
        scanned_at=scanned_at,
        recorded_by=by,
    )
    return check_in, kept


@on_behalf
def self_check_in(*, session: TrainingSession, officer, by) -> CheckInResult:
    """Check in ``officer`` themselves, through the code shown at the venue or the link in the meeting chat.

    Only a session with self check-in switched on, between shortly before its start and its end
    (``self_check_in_window``), and only an officer holding a confirmed seat. Opening the link again
    records nothing new and answers "already checked in".
    """
    with transaction.atomic():
        locked = lock_session(session)
        nonce = f"self-{secrets.token_urlsafe(24)}"
        registration = (
            Registration.objects.filter(session=locked, officer=officer).select_related("agency", "attendance").first()
        )
        if registration is None:
            return refused(nonce, "unknown_registration")
        registration.session = locked
        now = timezone.now()
        if not locked.self_check_in:
            return refused(nonce, "session_not_open")
        try:
            check_in, kept = _check_in(
                registration=registration,
                scanned_at=now,
                nonce=nonce,
                via=CheckIn.Via.SELF,
                by=by,
                window=self_check_in_window(locked),
            )
        except CheckInRefused as refusal:
            return refused(nonce, refusal.reason)
        return CheckInResult(nonce=nonce, status=check_in.outcome, registration=registration, checked_in_at=kept)
