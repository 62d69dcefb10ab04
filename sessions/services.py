"""Domain operations on training sessions, registrations and attendance.

The admin, the portal, the API and the Celery tasks all call these functions, so each rule
exists once. Every function runs in one transaction and raises a ``SessionError`` subclass
with a translatable message when a rule forbids the change; nothing is saved in that case.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import confirmed_email_condition, has_confirmed_email, is_manager, remember_confirmed_email
from agencies.models import Agency, AgencyEmailDomain, Officer
from sessions import notifications
from sessions.models import (
    MAX_REMINDER_OFFSET_HOURS,
    Attendance,
    Invitation,
    Registration,
    SessionTrainer,
    SurveyResponse,
    Trainer,
    TrainingSession,
)
from sessions.selectors import is_session_open_to, stale_attendance_snapshots
from trainingops.actors import on_behalf
from trainingops.validators import validate_datetime_in_range

# Fields whose change means attendees must update their calendars (a change notice is sent).
SCHEDULE_FIELDS = ("starts_at", "ends_at", "timezone", "venue", "city", "country", "meeting_url")


class SessionError(Exception):
    """A domain rule refused the change. ``code`` is machine-readable, the message is for people."""

    code = "invalid"

    def __init__(self, message, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class TransitionError(SessionError):
    code = "invalid_transition"


class RegistrationError(SessionError):
    code = "registration_refused"


class AttendanceError(SessionError):
    code = "attendance_refused"


def _lock_session(session: TrainingSession) -> TrainingSession:
    """Re-read the session holding its row lock: capacity decisions are serialised per session."""
    return TrainingSession.objects.select_for_update().get(pk=session.pk)


def _check_in_range(value: datetime | None, *, field: str) -> None:
    if value is None:
        return
    try:
        validate_datetime_in_range(value)
    except ValidationError as error:
        raise SessionError(error.messages[0], code="invalid", field=field) from error


def _validate(session: TrainingSession) -> None:
    try:
        session.full_clean(exclude=["topics", "trainers", "audience_agencies", "audience_countries"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise SessionError(messages[0], code="invalid", field=None if field == "__all__" else field) from error


# --- Session lifecycle -------------------------------------------------------------------------


@on_behalf
def create_session(*, by, **fields) -> TrainingSession:
    """Create a draft session (trainers, topics and audience lists are set by the caller afterwards)."""
    many = {name: fields.pop(name) for name in ("topics", "audience_agencies", "audience_countries") if name in fields}
    session = TrainingSession(status=TrainingSession.Status.DRAFT, created_by=by, **fields)
    _validate(session)
    with transaction.atomic():
        session.save()
        for name, values in many.items():
            getattr(session, name).set(values)
    return session


def set_session_trainers(*, session: TrainingSession, assignments: Sequence[tuple[int, str]]) -> None:
    """Make the given (trainer id, role) pairs the session's trainers, removing anyone else."""
    with transaction.atomic():
        session.session_trainers.exclude(trainer_id__in=[trainer_id for trainer_id, _ in assignments]).delete()
        for trainer_id, role in assignments:
            SessionTrainer.objects.update_or_create(session=session, trainer_id=trainer_id, defaults={"role": role})


@on_behalf
def assign_creator_as_trainer(*, session: TrainingSession, by) -> bool:
    """Make the person who created a session one of its trainers, as lead trainer.

    A trainer who is not a manager only reaches the sessions they train, so they always join
    the session they created; anyone with a trainer profile joins a session created with no
    trainer at all. Returns whether they were added.
    """
    trainer = Trainer.objects.filter(user=by).first() if by is not None else None
    if trainer is None or session.session_trainers.filter(trainer=trainer).exists():
        return False
    if session.session_trainers.exists() and is_manager(by):
        return False
    SessionTrainer.objects.create(session=session, trainer=trainer, role=SessionTrainer.Role.LEAD)
    return True


@on_behalf
def update_session(*, session: TrainingSession, by, **fields) -> TrainingSession:
    """Change a session's fields, then act on what changed.

    A cancelled or completed session is final. A higher capacity promotes waitlisted officers;
    a schedule change on a published session raises the calendar SEQUENCE and notifies the
    confirmed officers.
    """
    many = {name: fields.pop(name) for name in ("topics", "audience_agencies", "audience_countries") if name in fields}
    with transaction.atomic():
        current = _lock_session(session)
        if current.status in (TrainingSession.Status.CANCELLED, TrainingSession.Status.COMPLETED):
            raise TransitionError(_("A cancelled or completed session can no longer be edited."))
        before = {name: getattr(current, name) for name in SCHEDULE_FIELDS + ("capacity",)}
        for name, value in fields.items():
            setattr(current, name, value)
        _validate(current)
        schedule_changed = [name for name in SCHEDULE_FIELDS if getattr(current, name) != before[name]]
        if schedule_changed and current.status == TrainingSession.Status.PUBLISHED:
            current.sequence += 1
        current.save()
        for name, values in many.items():
            getattr(current, name).set(values)
        if current.status == TrainingSession.Status.PUBLISHED:
            if (current.capacity or 0) > (before["capacity"] or 0):
                promote_waitlist(session=current)
            if schedule_changed:
                notifications.session_changed(session=current, changed_fields=schedule_changed)
    _copy_state(current, session)
    return session


def _copy_state(source: TrainingSession, target: TrainingSession) -> None:
    """Keep the caller's instance in step with the row we saved under lock."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


@on_behalf
def publish_session(*, session: TrainingSession, by) -> TrainingSession:
    """Open a draft session to officers. It needs dates, capacity, a trainer and where/how it happens."""
    with transaction.atomic():
        current = _lock_session(session)
        if current.status != TrainingSession.Status.DRAFT:
            raise TransitionError(
                _("Only a draft session can be published (this one is %(status)s).")
                % {"status": current.get_status_display()}
            )
        _require_publishable(current)
        current.status = TrainingSession.Status.PUBLISHED
        current.published_at = timezone.now()
        current.save(update_fields=["status", "published_at", "updated_at"])
    _copy_state(current, session)
    return session


def _require_publishable(session: TrainingSession) -> None:
    if session.starts_at is None or session.ends_at is None:
        raise TransitionError(_("Set the start and end before publishing."), field="starts_at")
    if session.capacity is None:
        raise TransitionError(_("Set the capacity before publishing."), field="capacity")
    if session.ends_at <= timezone.now():
        raise TransitionError(_("A session that has already ended cannot be published."), field="ends_at")
    if session.is_virtual and not session.meeting_url:
        raise TransitionError(_("A virtual or hybrid session needs a meeting link."), field="meeting_url")
    if session.is_in_person and not (session.city and session.country_id):
        raise TransitionError(_("An in-person or hybrid session needs a city and a country."), field="city")
    if not session.session_trainers.exists():
        raise TransitionError(_("Assign at least one trainer before publishing."))


@on_behalf
def cancel_session(*, session: TrainingSession, by, reason: str = "") -> TrainingSession:
    """Cancel a draft or published session for good and tell everyone registered or waitlisted."""
    with transaction.atomic():
        current = _lock_session(session)
        if current.status not in (TrainingSession.Status.DRAFT, TrainingSession.Status.PUBLISHED):
            raise TransitionError(
                _("A %(status)s session cannot be cancelled.") % {"status": current.get_status_display().lower()}
            )
        was_published = current.status == TrainingSession.Status.PUBLISHED
        current.status = TrainingSession.Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.cancellation_reason = reason
        current.sequence += 1
        current.save(update_fields=["status", "cancelled_at", "cancellation_reason", "sequence", "updated_at"])
        if was_published:
            notifications.session_cancelled(session=current)
    _copy_state(current, session)
    return session


@on_behalf
def complete_session(*, session: TrainingSession, by) -> TrainingSession:
    """Mark a published session as held once it has started; attendees then get their survey."""
    with transaction.atomic():
        current = _lock_session(session)
        if current.status != TrainingSession.Status.PUBLISHED:
            raise TransitionError(
                _("Only a published session can be marked completed (this one is %(status)s).")
                % {"status": current.get_status_display().lower()}
            )
        if current.starts_at is None or current.starts_at > timezone.now():
            raise TransitionError(_("A session that has not started yet cannot be marked completed."))
        current.status = TrainingSession.Status.COMPLETED
        current.completed_at = timezone.now()
        current.save(update_fields=["status", "completed_at", "updated_at"])
        notifications.session_completed(session=current)
    _copy_state(current, session)
    return session


# --- Registrations -----------------------------------------------------------------------------


def _check_can_register(session: TrainingSession, officer: Officer, now: datetime, source: str) -> None:
    if not has_confirmed_email(officer.user):
        raise RegistrationError(
            _("Confirm your email address with the link we sent you before registering."), code="email_unconfirmed"
        )
    if not officer.is_verified:
        raise RegistrationError(
            _("Your affiliation has not been verified yet, so you cannot register."), code="not_verified"
        )
    if session.status != TrainingSession.Status.PUBLISHED:
        raise RegistrationError(_("This session is not open for registration."), code="not_published")
    # An invitation opens the session to its invitee whatever the audience (see accept_invitation).
    if source != Registration.Source.INVITATION and not is_session_open_to(session=session, officer=officer):
        raise RegistrationError(_("This session is not open to your agency or country."), code="not_eligible")
    if session.registration_opens_at and now < session.registration_opens_at:
        raise RegistrationError(_("Registration has not opened yet."), code="window_not_open")
    closes_at = session.effective_registration_closes_at
    if closes_at and now >= closes_at:
        raise RegistrationError(_("Registration for this session has closed."), code="window_closed")


@on_behalf
def register_officer(*, session: TrainingSession, officer: Officer, source: str, by=None) -> Registration:
    """Register an officer: a confirmed seat while any is left, otherwise the end of the waitlist.

    The session row is locked so simultaneous registrations never overbook. A second
    registration is refused; a cancelled one is reactivated. The officer's agency and country
    are snapshotted, and the officer is emailed the outcome.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_session(session)
        _check_can_register(locked, officer, now, source)
        registration = Registration.objects.filter(session=locked, officer=officer).first()
        if registration is not None and registration.status != Registration.Status.CANCELLED:
            raise RegistrationError(_("You are already registered for this session."), code="already_registered")
        registration = registration or Registration(session=locked, officer=officer)
        registration.source = source
        _place(registration, locked, now)
        _save_snapshot(registration, officer)
        notifications.registration_placed(registration=registration)
    return registration


def _save_snapshot(registration: Registration, officer: Officer) -> None:
    """Save the registration with the officer's current key, agency and country.

    A registration reactivated after a cancellation may already have an attendance (taken before
    it was cancelled): its copy of the snapshot, which the yearly report reads, follows.
    """
    reactivated = registration.pk is not None
    registration.officer_key = officer.uuid
    registration.agency_id = officer.agency_id
    registration.country_id = officer.agency.country_id
    registration.save()
    if reactivated:
        Attendance.objects.filter(registration=registration).update(**attendance_snapshot(registration))


def attendance_snapshot(registration: Registration) -> dict:
    """The registration's session and snapshot as copied onto its attendance (see ``Attendance``)."""
    return {name: getattr(registration, name) for name in Attendance.SNAPSHOT_FIELDS}


def _place(registration: Registration, session: TrainingSession, now: datetime) -> None:
    """Confirm when a seat is free, else append to the waitlist. Caller holds the session lock."""
    taken = session.registrations.filter(status=Registration.Status.CONFIRMED).count()
    registration.cancelled_at = None
    if session.capacity is None or taken < session.capacity:
        registration.status = Registration.Status.CONFIRMED
        registration.waitlist_position = None
        registration.confirmed_at = now
    else:
        last = session.registrations.filter(status=Registration.Status.WAITLISTED).aggregate(
            last=Max("waitlist_position")
        )["last"]
        registration.status = Registration.Status.WAITLISTED
        registration.waitlist_position = (last or 0) + 1


@on_behalf
def cancel_registration(*, registration: Registration, by=None) -> Registration:
    """Cancel a seat or leave the waitlist; a freed seat goes to the first waitlisted officer."""
    with transaction.atomic():
        session = _lock_session(registration.session)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            raise RegistrationError(_("This registration is already cancelled."), code="already_cancelled")
        if session.status != TrainingSession.Status.PUBLISHED:
            raise RegistrationError(_("Registrations of this session can no longer be changed."), code="closed")
        freed_seat = current.status == Registration.Status.CONFIRMED
        current.status = Registration.Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.waitlist_position = None
        current.save(update_fields=["status", "cancelled_at", "waitlist_position", "updated_at"])
        notifications.registration_cancelled(registration=current)
        if freed_seat:
            promote_waitlist(session=session)
    registration.refresh_from_db()
    return registration


def promote_waitlist(*, session: TrainingSession) -> list[Registration]:
    """Confirm waitlisted officers in order while seats are free, and email each one."""
    promoted = []
    with transaction.atomic():
        locked = _lock_session(session)
        if locked.status != TrainingSession.Status.PUBLISHED:
            return promoted
        taken = locked.registrations.filter(status=Registration.Status.CONFIRMED).count()
        free = None if locked.capacity is None else locked.capacity - taken
        waitlisted = locked.registrations.filter(status=Registration.Status.WAITLISTED).order_by(
            "waitlist_position", "id"
        )
        for registration in waitlisted if free is None else waitlisted[: max(free, 0)]:
            registration.status = Registration.Status.CONFIRMED
            registration.waitlist_position = None
            registration.confirmed_at = timezone.now()
            registration.save(update_fields=["status", "waitlist_position", "confirmed_at", "updated_at"])
            notifications.registration_promoted(registration=registration)
            promoted.append(registration)
    return promoted


# --- Attendance --------------------------------------------------------------------------------


@on_behalf
def record_attendance(
    *, registration: Registration, status: str, by, checked_in_at: datetime | None = None, note: str = ""
) -> Attendance:
    """Set (or correct) the attendance of one registration; repeating the same call changes nothing."""
    if status not in Attendance.Status.values:
        raise AttendanceError(_("Unknown attendance status."), field="status")
    session = registration.session
    if session.status not in (TrainingSession.Status.PUBLISHED, TrainingSession.Status.COMPLETED):
        raise AttendanceError(_("Attendance is taken only for published or completed sessions."))
    if session.starts_at is None or session.starts_at > timezone.now() + timedelta(hours=2):
        raise AttendanceError(_("Attendance can be taken from two hours before the session starts."))
    if registration.status == Registration.Status.CANCELLED:
        raise AttendanceError(_("This registration was cancelled."))
    if checked_in_at is None and status in Attendance.COUNTED:
        checked_in_at = timezone.now()
    _check_in_range(checked_in_at, field="checked_in_at")
    with transaction.atomic():
        # The registration's row is locked and read again, so the snapshot copied onto the attendance
        # is the one saved, even if the officer registers again from another agency meanwhile.
        snapshot = attendance_snapshot(Registration.objects.select_for_update().get(pk=registration.pk))
        attendance = Attendance.objects.select_for_update().filter(registration=registration).first()
        if attendance and (attendance.status, attendance.note) == (status, note):
            return attendance
        attendance = attendance or Attendance(registration=registration)
        for name, value in snapshot.items():
            setattr(attendance, name, value)
        attendance.status = status
        attendance.checked_in_at = checked_in_at if status in Attendance.COUNTED else None
        attendance.recorded_by = by
        attendance.note = note
        attendance.save()
    return attendance


def repair_attendance_snapshots() -> int:
    """Copy each registration's session and snapshot onto its attendance where the copy differs.

    The services keep the copies equal (``record_attendance``, ``_save_snapshot``); this repairs
    rows written some other way (a raw SQL fix, a restored backup) so the yearly report counts
    them as it should. Returns how many attendance records were corrected.
    """
    registration = Registration.objects.filter(pk=OuterRef("registration_id"))
    copies = {name: Subquery(registration.values(name)[:1]) for name in Attendance.SNAPSHOT_FIELDS}
    with transaction.atomic():
        return Attendance.objects.filter(pk__in=stale_attendance_snapshots().values("pk")).update(**copies)


@on_behalf
def record_walk_in(*, session: TrainingSession, officer: Officer, status: str, by, note: str = "") -> Attendance:
    """Record someone who attended without registering: a walk-in registration plus attendance.

    Capacity and the registration window do not apply to people already in the room. An
    officer who was registered already just gets their attendance recorded.
    """
    with transaction.atomic():
        locked = _lock_session(session)
        registration = Registration.objects.filter(session=locked, officer=officer).first()
        if registration is None or registration.status == Registration.Status.CANCELLED:
            registration = registration or Registration(session=locked, officer=officer)
            registration.source = Registration.Source.WALK_IN
            registration.status = Registration.Status.CONFIRMED
            registration.waitlist_position = None
            registration.cancelled_at = None
            registration.confirmed_at = timezone.now()
            _save_snapshot(registration, officer)
        elif registration.status == Registration.Status.WAITLISTED:
            registration.status = Registration.Status.CONFIRMED
            registration.waitlist_position = None
            registration.confirmed_at = timezone.now()
            registration.save(update_fields=["status", "waitlist_position", "confirmed_at", "updated_at"])
        return record_attendance(registration=registration, status=status, by=by, note=note)


# =================================================================================================
# Invitations, reminders and follow-up surveys
# =================================================================================================


class InvitationError(SessionError):
    code = "invitation_refused"


class SurveyError(SessionError):
    code = "survey_refused"


INVITATION_CHUNK_SIZE = 500
# What an invitation email needs of each row (the session is shared, the rest is not read).
INVITATION_MESSAGE_FIELDS = (
    "id",
    "email",
    "language",
    "token",
    "session_id",
    "officer__id",
    "officer__user__id",
    "officer__user__first_name",
    "officer__user__last_name",
)


@dataclass(frozen=True)
class Invitee:
    email: str
    agency_id: int | None
    officer_id: int | None
    language: str


@dataclass
class InvitationPlan:
    """Who an invitation request would reach: new invitees, addresses already invited, bad lines."""

    invitees: list[Invitee] = dataclass_field(default_factory=list)
    skipped: list[str] = dataclass_field(default_factory=list)
    invalid: list[tuple[int, str, str]] = dataclass_field(default_factory=list)  # (line number, line, reason)


def check_can_invite(session: TrainingSession, now: datetime | None = None) -> None:
    """Invitations only make sense for a published session whose registration is still open."""
    now = now or timezone.now()
    if session.status != TrainingSession.Status.PUBLISHED:
        raise InvitationError(_("Only a published session can be invited to."), code="not_published")
    closes_at = session.effective_registration_closes_at
    if closes_at is None or closes_at <= now:
        raise InvitationError(_("Registration for this session has closed."), code="window_closed")


def _invitee_language(requested: str, session: TrainingSession) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    for candidate in (requested, session.language):
        if candidate in available:
            return candidate
    return settings.LANGUAGE_CODE


class _AgencyDirectory:
    """Active agencies by acronym or name and by verified email domain, loaded once per plan."""

    def __init__(self):
        self.by_label: dict[str, set[int]] = defaultdict(set)
        for pk, acronym, name in Agency.objects.filter(is_active=True).values_list("pk", "acronym", "name"):
            for label in (acronym, name):
                if label:
                    self.by_label[label.strip().lower()].add(pk)
        self.by_domain: dict[str, set[int]] = defaultdict(set)
        for agency_id, domain in AgencyEmailDomain.objects.filter(agency__is_active=True).values_list(
            "agency_id", "domain"
        ):
            self.by_domain[domain].add(agency_id)

    def resolve(self, label: str, email: str) -> tuple[int | None, str]:
        """The agency for an unknown address, or None with the reason it cannot be chosen."""
        if label:
            matches = self.by_label.get(label.lower(), set())
            if len(matches) == 1:
                return next(iter(matches)), ""
            if matches:
                return None, _("the agency “%(label)s” is ambiguous: use its full name") % {"label": label}
            return None, _("no active agency is called “%(label)s”") % {"label": label}
        matches = self.by_domain.get(email.rsplit("@", 1)[1], set())
        if len(matches) == 1:
            return next(iter(matches)), ""
        return None, _("unknown address: add the agency after a comma")


def _parse_pasted_lines(pasted: str) -> tuple[list[tuple[int, str, str, str]], list[tuple[int, str, str]]]:
    """Split "email[, agency]" lines into candidates (line number, line, email, label) and bad lines."""
    candidates, invalid = [], []
    for number, raw in enumerate(pasted.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = re.split(r"[,;\t]", line, maxsplit=1)
        email = parts[0].strip().lower()
        label = parts[1].strip() if len(parts) > 1 else ""
        try:
            validate_email(email)
        except ValidationError:
            invalid.append((number, line, _("not a valid email address")))
            continue
        candidates.append((number, line, email, label))
    return candidates, invalid


def plan_invitations(
    *,
    session: TrainingSession,
    agency_ids: Sequence[int] = (),
    country_codes: Sequence[str] = (),
    pasted: str = "",
    language: str = "",
) -> InvitationPlan:
    """Work out who would be invited, without writing anything.

    Officers of the chosen agencies or countries (not rejected, with an active account), plus
    each pasted address: a known officer keeps their own agency and language; an unknown
    address needs an agency (named on its line, or found by its email domain). Addresses
    already invited to the session are skipped; an address given twice counts once.
    """
    plan = InvitationPlan()
    fallback_language = _invitee_language(language, session)
    people: dict[str, Invitee] = {}
    if agency_ids or country_codes:
        officers = (
            Officer.objects.filter(Q(agency_id__in=agency_ids) | Q(agency__country_id__in=country_codes))
            .filter(user__is_active=True)
            .exclude(verification_status=Officer.Verification.REJECTED)
            .values_list("pk", "user__email", "agency_id", "preferred_language")
        )
        for pk, email, agency_id, preferred in officers:
            people[email.lower()] = Invitee(email.lower(), agency_id, pk, preferred or fallback_language)
    candidates, plan.invalid = _parse_pasted_lines(pasted)
    known = _officers_by_email([email for _n, _l, email, _a in candidates if email not in people])
    directory = _AgencyDirectory() if candidates else None
    for number, line, email, label in candidates:
        if email in people:
            continue
        if email in known:
            pk, agency_id, preferred = known[email]
            people[email] = Invitee(email, agency_id, pk, preferred or fallback_language)
            continue
        agency_id, reason = directory.resolve(label, email)
        if agency_id is None:
            plan.invalid.append((number, line, reason))
            continue
        people[email] = Invitee(email, agency_id, None, fallback_language)
    already = set(Invitation.objects.filter(session=session).values_list("email", flat=True))
    for email, invitee in people.items():
        if email in already:
            plan.skipped.append(email)
        else:
            plan.invitees.append(invitee)
    return plan


def _officers_by_email(emails: list[str]) -> dict[str, tuple[int, int, str]]:
    found = {}
    for start in range(0, len(emails), 5000):
        rows = (
            Officer.objects.annotate(email=Lower("user__email"))
            .filter(email__in=emails[start : start + 5000])
            .values_list("email", "pk", "agency_id", "preferred_language")
        )
        found.update({email: (pk, agency_id, preferred) for email, pk, agency_id, preferred in rows})
    return found


@on_behalf
def invite_officers(
    *,
    session: TrainingSession,
    by,
    agency_ids: Sequence[int] = (),
    country_codes: Sequence[str] = (),
    pasted: str = "",
    language: str = "",
) -> InvitationPlan:
    """Start inviting people to a session and report who is new, skipped or invalid.

    Nothing heavy happens here: the plan is read to answer the person at once, and one task
    (enqueued when the caller's transaction commits) creates the invitations and their
    messages in the worker, however many invitees there are.
    """
    from sessions.tasks import send_invitations

    check_can_invite(session)
    plan = plan_invitations(
        session=session, agency_ids=agency_ids, country_codes=country_codes, pasted=pasted, language=language
    )
    if plan.invitees:
        arguments = {
            "session_id": session.pk,
            "invited_by_id": getattr(by, "pk", None),
            "agency_ids": list(agency_ids),
            "country_codes": list(country_codes),
            "pasted": pasted,
            "language": language,
        }
        transaction.on_commit(partial(send_invitations.apply_async, kwargs=arguments))
    return plan


@on_behalf
def create_invitations(
    *,
    session: TrainingSession,
    by,
    agency_ids: Sequence[int] = (),
    country_codes: Sequence[str] = (),
    pasted: str = "",
    language: str = "",
) -> int:
    """The worker's half of ``invite_officers``: create the invitations and queue their emails.

    The plan is worked out again (someone may have been invited meanwhile). Rows and messages
    are written in chunks, each chunk in one transaction whose commit hands its messages to
    delivery, so sending starts while later chunks are still being written. A retried or
    repeated run only adds what is missing. Returns the number of invitations created.
    """
    check_can_invite(session)
    plan = plan_invitations(
        session=session, agency_ids=agency_ids, country_codes=country_codes, pasted=pasted, language=language
    )
    for start in range(0, len(plan.invitees), INVITATION_CHUNK_SIZE):
        chunk = plan.invitees[start : start + INVITATION_CHUNK_SIZE]
        with transaction.atomic():
            Invitation.objects.bulk_create(
                [
                    Invitation(
                        session=session,
                        email=invitee.email,
                        agency_id=invitee.agency_id,
                        officer_id=invitee.officer_id,
                        language=invitee.language,
                        invited_by=by,
                    )
                    for invitee in chunk
                ],
                ignore_conflicts=True,
            )
            invitations = (
                Invitation.objects.filter(
                    session=session, email__in=[invitee.email for invitee in chunk], status=Invitation.Status.PENDING
                )
                .select_related("officer__user")
                .only(*INVITATION_MESSAGE_FIELDS)
            )
            notifications.invitations_created(session=session, invitations=invitations)
    return len(plan.invitees)


def _lock_invitation(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().select_related("session").get(pk=invitation.pk)


def _check_invitation_open(invitation: Invitation, now: datetime) -> None:
    if invitation.status in (Invitation.Status.ACCEPTED, Invitation.Status.DECLINED):
        raise InvitationError(_("This invitation has already been answered."), code="answered")
    if invitation_expired(invitation, now):
        raise InvitationError(_("This invitation has expired: registration is closed."), code="expired")


def invitation_expired(invitation: Invitation, now: datetime | None = None) -> bool:
    """An unanswered invitation expires when its session stops taking registrations."""
    session = invitation.session
    closes_at = session.effective_registration_closes_at
    return (
        session.status != TrainingSession.Status.PUBLISHED or closes_at is None or closes_at <= (now or timezone.now())
    )


def accept_invitation(*, invitation: Invitation, officer: Officer) -> Registration:
    """Register the invited officer (a seat or the waitlist) and record the acceptance.

    The link is personal: only the account with the invited address may use it. An invitation
    opens the session to its invitee even outside the session's audience. Someone already
    registered just has the invitation marked accepted.
    """
    with transaction.atomic():
        current = _lock_invitation(invitation)
        _check_invitation_open(current, timezone.now())
        if officer.user.email.lower() != current.email.lower():
            raise InvitationError(
                _("This invitation was sent to another email address. Log in with that address to accept it."),
                code="wrong_account",
            )
        try:
            registration = register_officer(
                session=current.session, officer=officer, source=Registration.Source.INVITATION
            )
        except RegistrationError as error:
            if error.code != "already_registered":
                raise
            registration = Registration.objects.get(session=current.session, officer=officer)
        current.status = Invitation.Status.ACCEPTED
        current.officer = officer
        current.responded_at = timezone.now()
        current.save(update_fields=["status", "officer", "responded_at"])
    _copy_invitation(current, invitation)
    return registration


def decline_invitation(*, invitation: Invitation) -> Invitation:
    """Record that the invitee will not come; the token proves who they are, no login needed."""
    with transaction.atomic():
        current = _lock_invitation(invitation)
        _check_invitation_open(current, timezone.now())
        current.status = Invitation.Status.DECLINED
        current.responded_at = timezone.now()
        current.save(update_fields=["status", "responded_at"])
    _copy_invitation(current, invitation)
    return invitation


def _copy_invitation(source: Invitation, target: Invitation) -> None:
    for name in ("status", "officer_id", "responded_at"):
        setattr(target, name, getattr(source, name))


# --- Reminders ---------------------------------------------------------------------------------


def reminder_offsets(session: TrainingSession) -> list[int]:
    """Hours before the start at which the session's reminders go out, largest first.

    A session's own list replaces the site default; values that are not whole numbers of hours
    from 1 to ``MAX_REMINDER_OFFSET_HOURS`` are ignored rather than breaking the sweep.
    """
    configured = session.reminder_offsets_hours
    if configured is None or not isinstance(configured, list):
        configured = settings.REMINDER_OFFSETS_HOURS
    valid = {
        value
        for value in configured
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_REMINDER_OFFSET_HOURS
    }
    return sorted(valid, reverse=True)


def due_reminder_offset(registration: Registration, offsets: list[int], now: datetime) -> int | None:
    """The one reminder a registration should have by now, if any.

    A reminder is due once its moment (start minus offset) has passed and the session has not
    started. Only the latest due moment counts: a sweep that resumes after an outage sends the
    1-day reminder, not a stale 7-day one as well. Someone who registered after a moment was
    already told everything by their confirmation, so that moment is not reminded to them.
    """
    start = registration.session.starts_at
    if start is None or now >= start:
        return None
    registered_at = registration.confirmed_at or registration.created_at
    due = [offset for offset in offsets if start - timedelta(hours=offset) <= now]
    if not due:
        return None
    latest = min(due)
    return latest if registered_at <= start - timedelta(hours=latest) else None


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Queue the reminders that are due for confirmed officers of published, upcoming sessions.

    Safe to run as often and as concurrently as beat likes: each reminder's idempotency key
    (registration, offset, start time) lets it be queued once and delivered once. Returns the
    number of reminders newly queued.
    """
    now = now or timezone.now()
    sessions = TrainingSession.objects.filter(status=TrainingSession.Status.PUBLISHED, starts_at__gt=now)
    queued = 0
    for session in sessions:
        offsets = reminder_offsets(session)
        if not offsets or session.starts_at - timedelta(hours=offsets[0]) > now:
            continue
        registrations = session.registrations.filter(
            status=Registration.Status.CONFIRMED, officer__isnull=False, officer__user__is_active=True
        ).select_related("officer__user", "session__country")
        registrations = registrations.annotate(email_confirmed=confirmed_email_condition("officer__user"))
        due = []
        for registration in registrations:
            remember_confirmed_email(registration.officer.user, registration.email_confirmed)
            offset = due_reminder_offset(registration, offsets, now)
            if offset is not None:
                due.append((registration, offset))
        if due:
            with transaction.atomic():
                queued += len(notifications.session_reminders(due=due))
    return queued


# --- Follow-up surveys -------------------------------------------------------------------------


def submit_survey_response(
    *,
    response: SurveyResponse,
    overall_rating: int,
    usefulness_rating: int,
    trainer_rating: int,
    recommend_score: int,
    topics_wanted: Iterable = (),
    comments: str = "",
) -> SurveyResponse:
    """Store an attendee's answers. A survey is answered once; a second submission is refused."""
    with transaction.atomic():
        current = SurveyResponse.objects.select_for_update().select_related("survey").get(pk=response.pk)
        if current.submitted_at is not None:
            raise SurveyError(_("You have already answered this survey. Thank you!"), code="already_answered")
        if current.survey.closes_at and current.survey.closes_at <= timezone.now():
            raise SurveyError(_("This survey is closed."), code="closed")
        current.overall_rating = overall_rating
        current.usefulness_rating = usefulness_rating
        current.trainer_rating = trainer_rating
        current.recommend_score = recommend_score
        current.comments = comments
        current.submitted_at = timezone.now()
        try:
            current.full_clean(exclude=["survey", "registration", "token", "language"])
        except ValidationError as error:
            field_name, messages = next(iter(error.message_dict.items()))
            raise SurveyError(messages[0], code="invalid", field=field_name) from error
        current.save()
        current.topics_wanted.set(topics_wanted)
    response.refresh_from_db()
    return response


def send_survey_reminders(*, now: datetime | None = None) -> int:
    """Remind, once, each attendee whose survey is still unanswered after the configured delay.

    ``reminded_at`` is set in the transaction that queues the reminder, and the reminder's key
    names the response, so beat firing twice or two workers never remind anyone twice.
    """
    now = now or timezone.now()
    due = (
        SurveyResponse.objects.filter(
            submitted_at__isnull=True,
            reminded_at__isnull=True,
            sent_at__lte=now - settings.SURVEY_REMINDER_DELAY,
            registration__officer__isnull=False,
        )
        .filter(Q(survey__closes_at__isnull=True) | Q(survey__closes_at__gt=now))
        .values_list("pk", flat=True)
    )
    reminded = 0
    for pk in list(due):
        with transaction.atomic():
            response = (
                SurveyResponse.objects.select_for_update(of=("self",))
                .select_related("registration__officer__user", "registration__session")
                .filter(pk=pk, reminded_at__isnull=True, submitted_at__isnull=True)
                .first()
            )
            if response is None:
                continue
            notifications.survey_reminder(response=response)
            response.reminded_at = now
            response.save(update_fields=["reminded_at"])
            reminded += 1
    return reminded
