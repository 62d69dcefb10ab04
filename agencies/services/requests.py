"""Training requests: an agency asks for a training, managers triage it, a session is made from it.

Every transition locks the request's row, checks who acts and from which state, saves the new state
and emails the requester (through the outbox, in their language) in one transaction: a refused
transition saves nothing and sends nothing. "Delivered" is set by ``sessions.services.complete_session``
(through :func:`deliver_requests_of_session`) in the same transaction as the session's completion, so the
state column is the one home of the funnel's figures and the requester is told.
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_manager, may_request_training
from agencies.models import WITHDRAWABLE_STATES, Agency, TrainingRequest
from trainingops.actors import on_behalf

State = TrainingRequest.State


class TrainingRequestError(Exception):
    """A rule about training requests was broken; the message is translatable and shown to the user.

    ``code``: ``forbidden`` (who acts), ``invalid`` (the request's content, with ``field``),
    ``transition`` (the state does not allow it).
    """

    def __init__(self, message, *, code: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _invalid(message, field: str) -> TrainingRequestError:
    return TrainingRequestError(message, code="invalid", field=field)


def validate_request_fields(
    *, topics, period_start: date, period_end: date, expected_officers, today: date | None = None
) -> None:
    """The content rules shared by the form, the API and the services (each raises on the first field)."""
    today = today or timezone.localdate()
    if not list(topics):
        raise _invalid(_("Choose at least one topic."), "topics")
    if period_start < today:
        raise _invalid(_("The preferred period cannot start in the past."), "period_start")
    if period_end < period_start:
        raise _invalid(_("The preferred period must end on or after its start."), "period_end")
    if expected_officers is None or int(expected_officers) < 1:
        raise _invalid(_("Expect at least one officer."), "expected_officers")


def _requester_language(user) -> str:
    officer = getattr(user, "officer", None)
    return getattr(officer, "preferred_language", "") or settings.LANGUAGE_CODE


def _notify(request: TrainingRequest, *, kind: str = "", session=None) -> None:
    """Email the requester the request's new state: once per state, and per session for the states a
    cancelled session may bring round again (the idempotency key)."""
    from messaging.services import queue_message

    user = request.requested_by
    if user is None or not user.email:
        return
    kind = kind or f"training_request_{request.state}"
    session = session or request.session
    once = f"{kind}:{request.pk}"
    if kind in ("training_request_scheduled", "training_request_reopened"):
        once += f":{session.pk}"
    queue_message(
        kind=kind,
        recipient=user.email,
        language=_requester_language(user),
        context={
            "request": request,
            "agency": request.agency,
            "name": user.first_name or user.email,
            "reason": request.decline_reason,
            "agency_url": reverse("agencies:agency"),
            "session": session,
        },
        idempotency_key=once,
        user=user,
        related=request,
    )


def _locked(request: TrainingRequest) -> TrainingRequest:
    return (
        TrainingRequest.objects.select_for_update(of=("self",))
        .select_related("agency", "requested_by")
        .get(pk=request.pk)
    )


def _check_manager(by) -> None:
    if by is None or not is_manager(by):
        raise TrainingRequestError(_("Only managers may triage training requests."), code="forbidden")


def _refuse(current: TrainingRequest, action) -> TrainingRequestError:
    return TrainingRequestError(
        _("A request that is %(state)s cannot be %(action)s.")
        % {"state": current.get_state_display().lower(), "action": action},
        code="transition",
    )


def _move(request: TrainingRequest, current: TrainingRequest, state: str, **fields) -> TrainingRequest:
    current.state = state
    for name, value in fields.items():
        setattr(current, name, value)
    current.save(update_fields=["state", "updated_at", *fields])
    _notify(current)
    for name in ("state", "updated_at", *fields):
        setattr(request, name, getattr(current, name))
    return current


@on_behalf
@transaction.atomic
def submit_training_request(
    *,
    agency: Agency,
    by,
    topics,
    period_start: date,
    period_end: date,
    expected_officers: int,
    format: str = TrainingRequest.Format.IN_PERSON,
    language: str = "en",
    venue_offered: str = "",
    notes: str = "",
) -> TrainingRequest:
    """A focal point's request for their agency, or a manager's on behalf of any agency; emails the requester."""
    if by is None or not may_request_training(by, agency.pk):
        raise TrainingRequestError(
            _("Only managers and the agency's focal points may request a training for it."), code="forbidden"
        )
    topics = list(topics)
    validate_request_fields(
        topics=topics, period_start=period_start, period_end=period_end, expected_officers=expected_officers
    )
    if format not in TrainingRequest.Format.values:
        raise _invalid(_("Choose a format from the list."), "format")
    request = TrainingRequest.objects.create(
        agency=agency,
        requested_by=by,
        format=format,
        language=language,
        period_start=period_start,
        period_end=period_end,
        expected_officers=expected_officers,
        venue_offered=venue_offered.strip(),
        notes=notes.strip(),
    )
    request.topics.set(topics)
    _notify(request)
    return request


@on_behalf
@transaction.atomic
def review_training_request(*, request: TrainingRequest, by) -> TrainingRequest:
    """A manager takes a submitted request under review."""
    _check_manager(by)
    current = _locked(request)
    if current.state != State.SUBMITTED:
        raise _refuse(current, _("taken under review"))
    return _move(request, current, State.UNDER_REVIEW)


@on_behalf
@transaction.atomic
def accept_training_request(*, request: TrainingRequest, by) -> TrainingRequest:
    """A manager accepts a submitted or reviewed request (a session is then made from it)."""
    _check_manager(by)
    current = _locked(request)
    if current.state not in (State.SUBMITTED, State.UNDER_REVIEW):
        raise _refuse(current, _("accepted"))
    return _move(request, current, State.ACCEPTED, accepted_at=timezone.now())


@on_behalf
@transaction.atomic
def decline_training_request(*, request: TrainingRequest, by, reason: str) -> TrainingRequest:
    """A manager declines a request not yet scheduled; the reason is quoted in the requester's email."""
    _check_manager(by)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid(_("Give the agency a reason for declining."), "reason")
    current = _locked(request)
    if current.state not in WITHDRAWABLE_STATES:
        raise _refuse(current, _("declined"))
    return _move(request, current, State.DECLINED, decline_reason=reason, declined_at=timezone.now())


@on_behalf
@transaction.atomic
def withdraw_training_request(*, request: TrainingRequest, by) -> TrainingRequest:
    """The requester (or another focal point of the agency, or a manager) withdraws it before it is scheduled."""
    current = _locked(request)
    if by is None or not (by.pk == current.requested_by_id or may_request_training(by, current.agency_id)):
        raise TrainingRequestError(_("Only the requester may withdraw this request."), code="forbidden")
    if current.state not in WITHDRAWABLE_STATES:
        raise _refuse(current, _("withdrawn"))
    return _move(request, current, State.WITHDRAWN)


@on_behalf
@transaction.atomic
def create_session_from_request(*, request: TrainingRequest, by, title: str = "", capacity: int | None = None):
    """A draft session made from an accepted request, linked to it; the request is then scheduled.

    The draft has the request's topics, language, format, the agency as host and as its audience,
    is filled by nomination, holds ``capacity`` seats (by default the expected officers) and reserves
    the requesting agency a quota of its expected officers, capped by the capacity. Partner agencies
    and their quotas are added by the manager on the session.
    """
    from sessions import services as session_services
    from sessions.models import SESSION_LANGUAGES, SessionQuota, TrainingSession

    _check_manager(by)
    current = _locked(request)
    if current.state != State.ACCEPTED:
        raise _refuse(current, _("scheduled"))
    topics = list(current.topics.all())
    language = current.language if current.language in dict(SESSION_LANGUAGES) else "en"
    title = title.strip() or ", ".join(topic.name for topic in topics)[:200]
    if capacity is not None and capacity < 1:
        raise _invalid(_("Expect at least one officer."), "capacity")
    capacity = capacity or current.expected_officers
    session = session_services.create_session(
        by=by,
        title=title,
        format=current.format,
        language=language,
        capacity=capacity,
        registration_mode=TrainingSession.RegistrationMode.NOMINATION,
        host_agency=current.agency,
        country_id=current.agency.country_id if current.format != TrainingRequest.Format.VIRTUAL else None,
        venue=current.venue_offered[:200],
        audience=TrainingSession.Audience.RESTRICTED,
        topics=topics,
        audience_agencies=[current.agency],
    )
    SessionQuota.objects.create(session=session, agency=current.agency, seats=min(current.expected_officers, capacity))
    _move(request, current, State.SCHEDULED, session=session)
    return session


def deliver_requests_of_session(*, session) -> int:
    """Called by ``complete_session`` in its transaction: the scheduled request of ``session`` is delivered."""
    changed = 0
    for current in (
        TrainingRequest.objects.select_for_update(of=("self",))
        .select_related("agency", "requested_by")
        .filter(session_id=session.pk, state=State.SCHEDULED)
    ):
        _move(current, current, State.DELIVERED, delivered_at=timezone.now())
        changed += 1
    return changed


def reopen_requests_of_cancelled_session(*, session) -> int:
    """Called by ``cancel_session`` in its transaction: the request ``session`` was made from goes back
    to accepted, unlinked, so that a manager may schedule it again; its requester is told why."""
    changed = 0
    for current in (
        TrainingRequest.objects.select_for_update(of=("self",))
        .select_related("agency", "requested_by")
        .filter(session_id=session.pk, state=State.SCHEDULED)
    ):
        current.state = State.ACCEPTED
        current.session = None
        current.save(update_fields=["state", "session", "updated_at"])
        _notify(current, kind="training_request_reopened", session=session)
        changed += 1
    return changed
