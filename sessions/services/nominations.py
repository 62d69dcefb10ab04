"""Nominations: a focal point puts officers of their agency on a session by nomination, within its quota.

A nomination of an existing officer registers them (confirmed), or, when the session needs a
manager's approval, holds a seat until the manager decides. A nomination of an email address
invites the person to sign up and holds a seat until the session's nomination deadline. Seats are
counted by ``sessions.selectors.seats_left`` under the session's row lock, like registrations.
"""

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import focal_point_agency_id, has_confirmed_email, is_manager
from agencies.models import Officer
from sessions import notifications
from sessions.models import Invitation, Nomination, Registration, TrainingSession
from sessions.selectors import (
    RegistrationState,
    is_session_open_to,
    quota_uses,
    registration_state,
    seats_left,
)
from sessions.services.base import SessionError, lock_session
from sessions.services.registrations import promote_waitlist, save_registration_snapshot
from trainingops.actors import on_behalf


class NominationError(SessionError):
    code = "nomination_refused"


def nomination_deadline(session: TrainingSession) -> datetime | None:
    """Until when a focal point may nominate, and an invited nominee's seat is held."""
    return session.nomination_deadline or session.effective_registration_closes_at


def check_can_nominate(session: TrainingSession, now: datetime | None = None) -> None:
    """Whether the session takes nominations now (who and how many aside)."""
    now = now or timezone.now()
    if session.status == TrainingSession.Status.CANCELLED:
        raise NominationError(_("This session has been cancelled."), code="cancelled")
    if not session.is_by_nomination:
        raise NominationError(
            _("This session is open to self-registration: officers register themselves."), code="not_by_nomination"
        )
    if registration_state(session, now) == RegistrationState.NOT_PUBLISHED:
        raise NominationError(_("This session is not open for nominations."), code="not_published")
    deadline = nomination_deadline(session)
    if deadline is None or now >= deadline or registration_state(session, now) == RegistrationState.CLOSED:
        raise NominationError(_("The deadline for nominations to this session has passed."), code="deadline_passed")


def _nominating_agency_id(by, agency_id: int) -> None:
    """Refuse anyone but a focal point of the agency (or a manager)."""
    if is_manager(by):
        return
    own = focal_point_agency_id(by)
    if own is None:
        raise NominationError(_("Only your agency's focal points may nominate officers."), code="not_focal_point")
    if own != agency_id:
        raise NominationError(
            _("You may only nominate officers of your own agency."), code="other_agency", field="officer"
        )


def _check_seat(session: TrainingSession, agency_id: int) -> None:
    """Refuse when the agency has neither quota nor unreserved seats left. Caller holds the lock."""
    free = seats_left(session, agency_id=agency_id)
    if free is None or free > 0:
        return
    if agency_id in quota_uses(session):
        raise NominationError(_("Your agency's quota for this session is used up."), code="quota_full")
    raise NominationError(_("This session has no seats left for your agency."), code="session_full")


def _check_not_nominated(session: TrainingSession, *, officer: Officer | None = None, email: str = "") -> None:
    active = Nomination.objects.filter(session=session, status__in=Nomination.ACTIVE)
    taken = active.filter(officer=officer).exists() if officer is not None else active.filter(email=email).exists()
    if officer is not None and not taken:
        taken = (
            Registration.objects.filter(session=session, officer=officer)
            .exclude(status=Registration.Status.CANCELLED)
            .exists()
        )
    if taken:
        raise NominationError(_("This officer is already nominated for this session."), code="already_nominated")


def _register(nomination: Nomination, session: TrainingSession, officer: Officer, now: datetime) -> Registration:
    """Give the nominee their seat: a confirmed registration (a cancelled one is reactivated)."""
    registration = Registration.objects.filter(session=session, officer=officer).first() or Registration(
        session=session, officer=officer
    )
    registration.source = Registration.Source.NOMINATION
    registration.status = Registration.Status.CONFIRMED
    registration.waitlist_position = None
    registration.confirmed_at = now
    registration.cancelled_at = None
    save_registration_snapshot(registration, officer)
    nomination.registration = registration
    nomination.status = Nomination.Status.CONFIRMED
    notifications.registration_placed(registration=registration)
    return registration


def _nominate_officer(locked: TrainingSession, officer: Officer, by, now: datetime) -> Nomination:
    _nominating_agency_id(by, officer.agency_id)
    if not officer.is_verified or not has_confirmed_email(officer.user):
        raise NominationError(
            _("Only officers with a verified affiliation and a confirmed email address can be nominated."),
            code="nominee_not_verified",
            field="officer",
        )
    if not is_session_open_to(session=locked, officer=officer):
        raise NominationError(_("This session is not open to your agency."), code="not_eligible")
    _check_not_nominated(locked, officer=officer)
    _check_seat(locked, officer.agency_id)
    nomination = Nomination(session=locked, agency_id=officer.agency_id, officer=officer, nominated_by=by)
    if locked.registration_mode == TrainingSession.RegistrationMode.NOMINATION_APPROVAL:
        nomination.status = Nomination.Status.PENDING
        nomination.save()
        notifications.nomination_pending(nomination=nomination)
    else:
        _register(nomination, locked, officer, now)
        nomination.save()
    return nomination


def _nominate_email(locked: TrainingSession, email: str, agency_id: int, language: str, by) -> Nomination:
    _nominating_agency_id(by, agency_id)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise NominationError(_("Enter a valid email address."), code="invalid_email", field="email") from error
    officer = Officer.objects.select_related("user").filter(user__email__iexact=email).first()
    if officer is not None:
        raise NominationError(
            _("This address belongs to an officer's account: nominate the officer instead."),
            code="has_account",
            field="email",
        )
    _check_not_nominated(locked, email=email)
    _check_seat(locked, agency_id)
    invitation = Invitation.objects.filter(session=locked, email=email).first()
    if invitation is None:
        invitation = Invitation(session=locked, email=email)
    invitation.agency_id = agency_id
    languages = [code for code, _name in settings.LANGUAGES]
    invitation.language = next((code for code in (language, locked.language) if code in languages), "en")
    invitation.status = Invitation.Status.PENDING
    invitation.invited_by = by
    invitation.save()
    Nomination.objects.filter(invitation=invitation).update(invitation=None)
    nomination = Nomination.objects.create(
        session=locked,
        agency_id=agency_id,
        email=email,
        invitation=invitation,
        status=Nomination.Status.INVITED,
        nominated_by=by,
    )
    notifications.invitations_created(session=locked, invitations=[invitation])
    return nomination


@on_behalf
def nominate(
    *,
    session: TrainingSession,
    by,
    officers: Sequence[Officer] = (),
    emails: Sequence[str] = (),
    agency_id: int | None = None,
    language: str = "",
) -> list[Nomination]:
    """Nominate officers (accounts) and people by email address for a session, all or none.

    Email nominees are counted for ``agency_id`` (the focal point's own agency by default).
    Raises ``NominationError`` for the first refusal; nothing is saved then.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = lock_session(session)
        check_can_nominate(locked, now)
        if not officers and not emails:
            raise NominationError(_("Choose at least one officer or enter an email address."), code="empty")
        nominations = [_nominate_officer(locked, officer, by, now) for officer in officers]
        if emails:
            email_agency = agency_id or focal_point_agency_id(by)
            if email_agency is None:
                raise NominationError(_("Choose the agency of the nominees."), code="agency_required", field="agency")
            nominations += [_nominate_email(locked, email, email_agency, language, by) for email in emails]
    return nominations


def _lock_nomination(nomination: Nomination) -> tuple[TrainingSession, Nomination]:
    session = lock_session(nomination.session)
    current = Nomination.objects.select_for_update(of=("self",)).select_related("officer__user").get(pk=nomination.pk)
    return session, current


def _copy(source: Nomination, target: Nomination) -> None:
    for name in ("status", "registration_id", "officer_id", "decided_by_id", "decided_at", "invitation_id"):
        setattr(target, name, getattr(source, name))


@on_behalf
def withdraw_nomination(*, nomination: Nomination, by) -> Nomination:
    """Withdraw a nomination: its seat (held or registered) is freed and the waitlist moves up."""
    with transaction.atomic():
        session, current = _lock_nomination(nomination)
        _nominating_agency_id(by, current.agency_id)
        if current.status not in Nomination.ACTIVE:
            raise NominationError(_("This nomination is no longer active."), code="not_active")
        if session.status != TrainingSession.Status.PUBLISHED:
            raise NominationError(_("Nominations of this session can no longer be changed."), code="closed")
        _release(current, Nomination.Status.WITHDRAWN, by)
        promote_waitlist(session=session)
    _copy(current, nomination)
    return nomination


def _release(nomination: Nomination, status: str, by) -> None:
    """End an active nomination: cancel its registration, revoke its invitation. Caller holds the locks."""
    if nomination.registration_id is not None:
        registration = Registration.objects.select_for_update().get(pk=nomination.registration_id)
        if registration.status != Registration.Status.CANCELLED:
            registration.status = Registration.Status.CANCELLED
            registration.cancelled_at = timezone.now()
            registration.waitlist_position = None
            registration.save(update_fields=["status", "cancelled_at", "waitlist_position", "updated_at"])
            notifications.registration_cancelled(registration=registration)
    if nomination.invitation_id is not None:
        Invitation.objects.filter(pk=nomination.invitation_id, status=Invitation.Status.PENDING).update(
            status=Invitation.Status.DECLINED, responded_at=timezone.now()
        )
    nomination.status = status
    nomination.decided_by = by
    nomination.decided_at = timezone.now()
    nomination.save()


def _check_pending(session: TrainingSession, nomination: Nomination, by) -> None:
    if not is_manager(by):
        raise NominationError(_("Only managers decide on nominations."), code="permission_denied")
    if nomination.status != Nomination.Status.PENDING:
        raise NominationError(_("This nomination is not awaiting approval."), code="not_pending")
    if session.status != TrainingSession.Status.PUBLISHED:
        raise NominationError(_("Nominations of this session can no longer be changed."), code="closed")


@on_behalf
def approve_nomination(*, nomination: Nomination, by) -> Nomination:
    """A manager confirms a pending nomination: its held seat becomes a confirmed registration."""
    with transaction.atomic():
        session, current = _lock_nomination(nomination)
        _check_pending(session, current, by)
        if current.officer is None:
            raise NominationError(_("The nominee's account was erased."), code="erased")
        current.decided_by = by
        current.decided_at = timezone.now()
        _register(current, session, current.officer, current.decided_at)
        current.save()
    _copy(current, nomination)
    return nomination


@on_behalf
def reject_nomination(*, nomination: Nomination, by) -> Nomination:
    """A manager turns a pending nomination down: the seat is freed and the officer told."""
    with transaction.atomic():
        session, current = _lock_nomination(nomination)
        _check_pending(session, current, by)
        _release(current, Nomination.Status.REJECTED, by)
        notifications.nomination_rejected(nomination=current)
        promote_waitlist(session=session)
    _copy(current, nomination)
    return nomination


def accept_nominated_invitation(*, invitation: Invitation, officer: Officer) -> Registration | None:
    """The invited nominee signed up and accepts: their held seat becomes theirs.

    Confirmed at once, or awaiting a manager's approval when the session needs it (then None).
    Caller holds the invitation's lock inside a transaction.
    """
    nomination = Nomination.objects.select_for_update().get(invitation=invitation)
    session = lock_session(invitation.session)
    if nomination.status != Nomination.Status.INVITED:
        raise NominationError(_("This nomination is no longer active."), code="not_active")
    if officer.agency_id != nomination.agency_id:
        raise NominationError(
            _("This nomination is for officers of another agency."), code="other_agency", field="officer"
        )
    if Nomination.objects.filter(session=session, officer=officer, status__in=Nomination.ACTIVE).exists():
        raise NominationError(_("This officer is already nominated for this session."), code="already_nominated")
    nomination.officer = officer
    nomination.email = ""
    if session.registration_mode == TrainingSession.RegistrationMode.NOMINATION_APPROVAL:
        nomination.status = Nomination.Status.PENDING
        nomination.save()
        return None
    _register(nomination, session, officer, timezone.now())
    nomination.save()
    return nomination.registration


def decline_nominated_invitation(*, invitation: Invitation) -> None:
    """The invited nominee will not come: their held seat is freed. Caller holds the invitation's lock."""
    nomination = Nomination.objects.select_for_update().filter(invitation=invitation).first()
    if nomination is None or nomination.status != Nomination.Status.INVITED:
        return
    session = lock_session(invitation.session)
    _release(nomination, Nomination.Status.WITHDRAWN, None)
    promote_waitlist(session=session)


def expire_nominations(*, now: datetime | None = None) -> int:
    """Sweep: release the seats held for invited nominees who did not sign up by the deadline.

    Each session is handled under its lock; a second run finds nothing left to do.
    """
    now = now or timezone.now()
    session_ids = (
        Nomination.objects.filter(status=Nomination.Status.INVITED).values_list("session_id", flat=True).distinct()
    )
    expired = 0
    for session in TrainingSession.objects.filter(pk__in=list(session_ids)):
        deadline = nomination_deadline(session)
        if deadline is not None and now < deadline and session.status == TrainingSession.Status.PUBLISHED:
            continue
        with transaction.atomic():
            locked = lock_session(session)
            for nomination in Nomination.objects.select_for_update().filter(
                session=locked, status=Nomination.Status.INVITED
            ):
                _release(nomination, Nomination.Status.EXPIRED, None)
                expired += 1
            promote_waitlist(session=locked)
    return expired


def release_quotas(*, now: datetime | None = None) -> int:
    """Sweep: on a session's quota release date, unused reserved seats join the general pool and
    the waitlist is promoted in order. Idempotent: a released session is marked and skipped."""
    now = now or timezone.now()
    released = 0
    due = TrainingSession.objects.filter(
        quota_release_at__lte=now, quotas_released_at__isnull=True, status=TrainingSession.Status.PUBLISHED
    )
    for session in due:
        with transaction.atomic():
            locked = lock_session(session)
            if locked.quotas_released_at is not None:
                continue
            TrainingSession.objects.filter(pk=locked.pk).update(quotas_released_at=now)
            locked.quotas_released_at = now
            promote_waitlist(session=locked)
            released += 1
    return released
