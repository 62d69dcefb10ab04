"""Emails about sessions and registrations, queued through the messaging core.

Called by the services inside their transaction: the message rows commit (or roll back)
with the business change, and each idempotency key names the event it reports, so the same
event is never emailed twice.
"""

from collections.abc import Iterable
from datetime import UTC

from django.conf import settings
from django.utils import timezone

from accounts.roles import confirmed_email_condition, has_confirmed_email, remember_confirmed_email
from messaging.services import Attachment, MessageSpec, queue_message, queue_messages
from sessions import checkin_codes
from sessions.calendar import build_session_ics
from sessions.models import (
    Attendance,
    Invitation,
    KnowledgeCheck,
    Registration,
    Survey,
    SurveyResponse,
    TrainingSession,
)

ICS_MIMETYPE = "text/calendar"


def _session_url(session: TrainingSession) -> str:
    return f"{settings.SITE_URL}/sessions/{session.pk}/"


def _trusted(registration: Registration) -> bool:
    return has_confirmed_email(registration.officer.user)


def _context(registration: Registration, *, confirmed: bool) -> dict:
    session = registration.session
    return {
        "session": session,
        "registration": registration,
        "officer_name": registration.officer.user.get_full_name() or registration.officer.user.email,
        "session_url": _session_url(session),
        "my_trainings_url": f"{settings.SITE_URL}/my-trainings/",
        # The meeting link goes only to officers holding a confirmed seat, at a confirmed address.
        "meeting_url": session.meeting_url if confirmed and session.is_virtual and _trusted(registration) else "",
    }


def _ics(session: TrainingSession, registration: Registration, *, method: str = "PUBLISH") -> Attachment:
    content = build_session_ics(
        session,
        include_meeting_url=registration.status == Registration.Status.CONFIRMED and _trusted(registration),
        method=method,
        attendee_email=registration.officer.user.email,
        language=registration.officer.preferred_language,
    )
    return Attachment(filename="session.ics", content=content, mimetype=ICS_MIMETYPE)


def _check_in_code(registration: Registration) -> Attachment:
    """The personal check-in code as a PNG (drawn when the email is sent): shown at the entrance from the
    email, with no login needed."""
    return Attachment(
        filename="check-in-code.png", content=checkin_codes.sign_code(registration=registration), qr_code=True
    )


def _event_key(kind: str, registration: Registration) -> str:
    """The state being announced: the registration's status and the moment it entered it.

    A seat confirmed, a place on the waitlist taken, a cancellation: each is announced once, and a
    later change (registering again after cancelling, a promotion) is a new state with a new key.
    """
    moments = {
        Registration.Status.CONFIRMED: registration.confirmed_at,
        Registration.Status.CANCELLED: registration.cancelled_at,
        Registration.Status.WAITLISTED: registration.updated_at,
    }
    moment = moments.get(registration.status) or registration.updated_at
    return f"{kind}:{registration.pk}:{registration.status}:{moment.astimezone(UTC).isoformat()}"


def pre_test_url(session: TrainingSession) -> str:
    """The session's pre-test page (the officer signs in: it is theirs through their registration)."""
    return f"{settings.SITE_URL}/sessions/{session.pk}/pre-test/"


def post_test_url(response: SurveyResponse) -> str:
    """The post-test, reached through the same personal link as the follow-up survey."""
    return f"{survey_url(response)}knowledge-check/"


def _has_test(session: TrainingSession, kind: str) -> bool:
    return KnowledgeCheck.objects.filter(session=session, kind=kind).exists()


def _queue_for(registration: Registration, kind: str, *, confirmed: bool, attach_ics: bool) -> None:
    if registration.officer is None:
        return
    officer = registration.officer
    context = _context(registration, confirmed=confirmed)
    if confirmed and _has_test(registration.session, KnowledgeCheck.Kind.PRE):
        context["pre_test_url"] = pre_test_url(registration.session)
    queue_message(
        kind=kind,
        recipient=officer.user.email,
        language=officer.preferred_language,
        context=context,
        idempotency_key=_event_key(kind, registration),
        user=officer.user,
        session=registration.session,
        registration=registration,
        # A confirmed seat's email carries the calendar file and the personal check-in code.
        attachments=[_ics(registration.session, registration), _check_in_code(registration)] if attach_ics else [],
    )


def registration_placed(*, registration: Registration) -> None:
    """Confirmation with the calendar file, or notice of the waitlist position."""
    if registration.status == Registration.Status.CONFIRMED:
        _queue_for(registration, "registration_confirmed", confirmed=True, attach_ics=True)
    else:
        _queue_for(registration, "registration_waitlisted", confirmed=False, attach_ics=False)


def registration_promoted(*, registration: Registration) -> None:
    _queue_for(registration, "registration_promoted", confirmed=True, attach_ics=True)


def registration_cancelled(*, registration: Registration) -> None:
    _queue_for(registration, "registration_cancelled", confirmed=False, attach_ics=False)


def _active_registrations(session: TrainingSession, statuses):
    return (
        session.registrations.filter(status__in=statuses, officer__isnull=False)
        .select_related("officer__user", "session")
        .annotate(email_confirmed=confirmed_email_condition("officer__user"))
    )


def _each_knowing_confirmation(registrations) -> Iterable[Registration]:
    """Iterate registrations read with ``_active_registrations``: whether each address is confirmed is known."""
    for registration in registrations:
        remember_confirmed_email(registration.officer.user, registration.email_confirmed)
        yield registration


def session_changed(*, session: TrainingSession, changed_fields: list[str]) -> None:
    """Tell confirmed officers about a new time, place or link, with an updated calendar entry."""
    specs = []
    for registration in _each_knowing_confirmation(_active_registrations(session, [Registration.Status.CONFIRMED])):
        context = _context(registration, confirmed=True) | {"changed_fields": changed_fields}
        specs.append(
            MessageSpec(
                kind="session_updated",
                recipient=registration.officer.user.email,
                language=registration.officer.preferred_language,
                context=context,
                idempotency_key=f"session_updated:{session.pk}:{session.sequence}:{registration.pk}",
                user=registration.officer.user,
                session=session,
                registration=registration,
                attachments=[_ics(session, registration)],
            )
        )
    queue_messages(specs)


def session_cancelled(*, session: TrainingSession) -> None:
    """Tell everyone registered or waitlisted, with a calendar cancellation."""
    specs = []
    statuses = [Registration.Status.CONFIRMED, Registration.Status.WAITLISTED]
    for registration in _each_knowing_confirmation(_active_registrations(session, statuses)):
        specs.append(
            MessageSpec(
                kind="session_cancelled",
                recipient=registration.officer.user.email,
                language=registration.officer.preferred_language,
                context=_context(registration, confirmed=False),
                idempotency_key=f"session_cancelled:{session.pk}:{registration.pk}",
                user=registration.officer.user,
                session=session,
                registration=registration,
                attachments=[_ics(session, registration, method="CANCEL")],
            )
        )
    queue_messages(specs)


def _survey_context(registration: Registration, response: SurveyResponse, *, post_test: bool) -> dict:
    context = _context(registration, confirmed=False) | {"survey_url": survey_url(response)}
    if post_test:
        context["post_test_url"] = post_test_url(response)
    return context


def _survey_invitation(registration: Registration, response: SurveyResponse, *, post_test: bool) -> MessageSpec:
    return MessageSpec(
        kind="survey_invitation",
        recipient=registration.officer.user.email,
        language=response.language,
        context=_survey_context(registration, response, post_test=post_test),
        idempotency_key=f"survey_invitation:{response.pk}",
        user=registration.officer.user,
        session=registration.session,
        registration=registration,
        related=response,
    )


def _survey_response(survey: Survey, registration: Registration) -> SurveyResponse:
    response, _ = SurveyResponse.objects.get_or_create(
        survey=survey, registration=registration, defaults={"language": registration.officer.preferred_language}
    )
    return response


def session_completed(*, session: TrainingSession) -> None:
    """Open the follow-up survey and send each attendee (present or partial) a personal link."""
    survey, _ = Survey.objects.get_or_create(session=session)
    attended = _active_registrations(session, [Registration.Status.CONFIRMED]).filter(
        attendance__status__in=Attendance.COUNTED
    )
    post_test = _has_test(session, KnowledgeCheck.Kind.POST)
    queue_messages(
        [
            _survey_invitation(registration, _survey_response(survey, registration), post_test=post_test)
            for registration in attended
        ]
    )
    SurveyResponse.objects.filter(survey=survey, sent_at__isnull=True).update(sent_at=session.completed_at)


def late_survey_invitation(*, registration: Registration, survey: Survey) -> None:
    """The survey link of one attendee whose attendance (or account) came after the session's completion.

    Queued once: the key ``survey_invitation:<response pk>`` is the one ``session_completed`` uses.
    """
    response = _survey_response(survey, registration)
    post_test = _has_test(registration.session, KnowledgeCheck.Kind.POST)
    queue_messages([_survey_invitation(registration, response, post_test=post_test)])
    if response.sent_at is None:
        response.sent_at = timezone.now()
        response.save(update_fields=["sent_at"])


# --- Invitations, reminders and survey reminders ------------------------------------------------


def invitation_url(invitation: Invitation) -> str:
    return f"{settings.SITE_URL}/invitations/{invitation.token}/"


def survey_url(response: SurveyResponse) -> str:
    return f"{settings.SITE_URL}/surveys/{response.token}/"


def invitations_created(*, session: TrainingSession, invitations: Iterable[Invitation]) -> None:
    """Queue one invitation per row, in the invitee's language, with their personal RSVP link.

    The key names the invitation, so a re-run fan-out queues only what is still missing.
    """
    specs = []
    for invitation in invitations:
        user = invitation.officer.user if invitation.officer_id else None
        name = (user.get_full_name() if user else "") or ""
        specs.append(
            MessageSpec(
                kind="invitation",
                recipient=invitation.email,
                language=invitation.language,
                context={
                    "session": session,
                    "session_url": _session_url(session),
                    "registration_closes_at": session.effective_registration_closes_at,
                    # Invitees are not registered yet: the meeting link waits for a confirmed seat.
                    "meeting_url": "",
                },
                # Thousands of invitations to one session differ only by name and link: render
                # the session's email once per language and fill those in.
                render_group=f"{session.pk}:{session.sequence}",
                personal={"officer_name": name, "rsvp_url": invitation_url(invitation)},
                idempotency_key=f"invitation:{invitation.pk}",
                user=user,
                session=session,
                related=invitation,
            )
        )
    queue_messages(specs)


def reminder_key(registration: Registration, offset_hours: int) -> str:
    """One reminder per registration, offset and start time (a rescheduled session is reminded anew)."""
    start = registration.session.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return f"reminder:{registration.pk}:{offset_hours}:{start}"


def session_reminders(*, due: Iterable[tuple[Registration, int]]) -> list:
    """Queue a reminder for each (registration, offset) pair; virtual ones carry the meeting link."""
    specs = []
    for registration, offset_hours in due:
        context = _context(registration, confirmed=True) | {
            "offset_hours": offset_hours,
            "offset_days": offset_hours // 24 if offset_hours % 24 == 0 else None,
        }
        specs.append(
            MessageSpec(
                kind="session_reminder",
                recipient=registration.officer.user.email,
                language=registration.officer.preferred_language,
                context=context,
                idempotency_key=reminder_key(registration, offset_hours),
                user=registration.officer.user,
                session=registration.session,
                registration=registration,
            )
        )
    return queue_messages(specs)


def survey_reminder(*, response: SurveyResponse) -> None:
    """The one reminder of an unanswered follow-up survey, with the same personal link."""
    registration = response.registration
    queue_message(
        kind="survey_reminder",
        recipient=registration.officer.user.email,
        language=response.language,
        context=_survey_context(
            registration, response, post_test=_has_test(registration.session, KnowledgeCheck.Kind.POST)
        ),
        idempotency_key=f"survey_reminder:{response.pk}",
        user=registration.officer.user,
        session=registration.session,
        registration=registration,
        related=response,
    )


def _nomination_message(nomination, kind: str) -> None:
    if nomination.officer is None:
        return
    officer = nomination.officer
    session = nomination.session
    queue_message(
        kind=kind,
        recipient=officer.user.email,
        language=officer.preferred_language,
        context={
            "session": session,
            "officer_name": officer.user.get_full_name() or officer.user.email,
            "session_url": _session_url(session),
            "my_trainings_url": f"{settings.SITE_URL}/my-trainings/",
            "meeting_url": "",
        },
        idempotency_key=f"{kind}:{nomination.pk}",
        user=officer.user,
        session=session,
    )


def nomination_pending(*, nomination) -> None:
    """The officer is told they were nominated and that a manager will confirm their seat."""
    _nomination_message(nomination, "nomination_pending")


def nomination_rejected(*, nomination) -> None:
    _nomination_message(nomination, "nomination_rejected")
