"""Seats and the waitlist: register, cancel, promote; the officer's agency and country snapshot."""

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import has_confirmed_email
from agencies.models import Officer
from sessions import notifications
from sessions.models import (
    Attendance,
    Nomination,
    Registration,
    TrainingSession,
)
from sessions.selectors import RegistrationState, is_session_open_to, quota_uses, registration_state, seats_left
from sessions.services.base import RegistrationError, lock_session
from trainingops.actors import on_behalf

# Officers registering themselves: refused on sessions by nomination.
SELF_SOURCES = (Registration.Source.PORTAL, Registration.Source.API)


def _check_can_register(session: TrainingSession, officer: Officer, now: datetime, source: str) -> None:
    if not has_confirmed_email(officer.user):
        raise RegistrationError(
            _("Confirm your email address with the link we sent you before registering."), code="email_unconfirmed"
        )
    if not officer.is_verified:
        raise RegistrationError(
            _("Your affiliation has not been verified yet, so you cannot register."), code="not_verified"
        )
    state = registration_state(session, now)
    if state == RegistrationState.NOT_PUBLISHED:
        raise RegistrationError(_("This session is not open for registration."), code="not_published")
    # An invitation opens the session to its invitee whatever the audience (see accept_invitation).
    if source != Registration.Source.INVITATION and not is_session_open_to(session=session, officer=officer):
        raise RegistrationError(_("This session is not open to your agency or country."), code="not_eligible")
    if source in SELF_SOURCES and session.is_by_nomination:
        raise RegistrationError(
            _("This session is by nomination: your agency's focal point nominates its officers."),
            code="by_nomination",
        )
    if state == RegistrationState.NOT_YET_OPEN:
        raise RegistrationError(_("Registration has not opened yet."), code="window_not_open")
    if state == RegistrationState.CLOSED:
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
        locked = lock_session(session)
        _check_can_register(locked, officer, now, source)
        registration = Registration.objects.filter(session=locked, officer=officer).first()
        if registration is not None and registration.status != Registration.Status.CANCELLED:
            raise RegistrationError(_("You are already registered for this session."), code="already_registered")
        registration = registration or Registration(session=locked, officer=officer)
        registration.source = source
        registration.agency_id = officer.agency_id
        _place(registration, locked, now)
        save_registration_snapshot(registration, officer)
        notifications.registration_placed(registration=registration)
    return registration


def save_registration_snapshot(registration: Registration, officer: Officer) -> None:
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
    free = seats_left(session, agency_id=registration.agency_id)
    registration.cancelled_at = None
    if free is None or free > 0:
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
        session = lock_session(registration.session)
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
        # A nominee who cancels gives the seat up: their nomination ends with it.
        for nomination in Nomination.objects.filter(registration=current, status=Nomination.Status.CONFIRMED):
            nomination.status = Nomination.Status.WITHDRAWN
            nomination.save(update_fields=["status", "updated_at"])
        notifications.registration_cancelled(registration=current)
        if freed_seat:
            promote_waitlist(session=session)
    registration.refresh_from_db()
    return registration


def promote_waitlist(*, session: TrainingSession) -> list[Registration]:
    """Confirm waitlisted officers in order while seats are free, and email each one."""
    promoted = []
    with transaction.atomic():
        locked = lock_session(session)
        if locked.status != TrainingSession.Status.PUBLISHED:
            return promoted
        waitlisted = locked.registrations.filter(status=Registration.Status.WAITLISTED).order_by(
            "waitlist_position", "id"
        )
        if seats_left(locked) == 0:
            return promoted
        quotas = quota_uses(locked)
        if not quotas:
            free = seats_left(locked)
            waitlisted = waitlisted if free is None else waitlisted[:free]
        for registration in waitlisted:
            # With quotas each waitlisted officer asks for their agency's seats: in order, skipping
            # those whose agency has none left while seats reserved for others remain.
            if quotas:
                free = seats_left(locked, agency_id=registration.agency_id)
                if free == 0:
                    if seats_left(locked) == 0:
                        break
                    continue
            registration.status = Registration.Status.CONFIRMED
            registration.waitlist_position = None
            registration.confirmed_at = timezone.now()
            registration.save(update_fields=["status", "waitlist_position", "confirmed_at", "updated_at"])
            notifications.registration_promoted(registration=registration)
            promoted.append(registration)
    return promoted
