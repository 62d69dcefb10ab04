from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from agencies import services
from agencies.models import TrainingRequest
from messaging.models import OutboundMessage
from sessions import services as session_services
from sessions.models import TrainingSession
from tests.factories import (
    FocalPointFactory,
    OfficerFactory,
    TopicFactory,
    TrainingRequestFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db
State = TrainingRequest.State


@pytest.fixture
def focal_point(db):
    return FocalPointFactory(officer__user__first_name="Ana", officer__preferred_language="es")


def _submit(focal_point, **overrides):
    today = timezone.localdate()
    fields = {
        "agency": focal_point.agency,
        "by": focal_point.officer.user,
        "topics": [TopicFactory(name="Tracing illicit funds")],
        "period_start": today + timedelta(days=30),
        "period_end": today + timedelta(days=60),
        "expected_officers": 25,
        "format": TrainingRequest.Format.IN_PERSON,
        "language": "es",
        "venue_offered": "Sala 3",
    }
    return services.submit_training_request(**(fields | overrides))


def test_focal_point_submits_and_is_emailed_in_their_language(focal_point, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = _submit(focal_point)

    assert (request.state, request.requested_by, request.agency) == (
        State.SUBMITTED,
        focal_point.officer.user,
        focal_point.agency,
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [focal_point.officer.user.email]
    assert mail.outbox[0].subject == "Hemos recibido su solicitud de formación"
    assert request.history.first().history_user == focal_point.officer.user


def test_officer_who_is_not_focal_point_may_not_request(focal_point):
    officer = OfficerFactory(agency=focal_point.agency)
    with pytest.raises(services.TrainingRequestError, match="focal points may request"):
        services.submit_training_request(
            agency=officer.agency,
            by=officer.user,
            topics=[TopicFactory()],
            period_start=timezone.localdate(),
            period_end=timezone.localdate(),
            expected_officers=3,
        )
    assert TrainingRequest.objects.count() == 0


def test_focal_point_may_not_request_for_another_agency(focal_point):
    other = FocalPointFactory()
    with pytest.raises(services.TrainingRequestError) as caught:
        _submit(focal_point, agency=other.agency)
    assert caught.value.code == "forbidden"
    assert TrainingRequest.objects.count() == 0


def test_manager_requests_on_behalf_of_an_agency(manager_user, focal_point):
    request = _submit(focal_point, by=manager_user)
    assert request.requested_by == manager_user


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"topics": []}, "topics", "Choose at least one topic."),
        ({"period_start": timezone.localdate() - timedelta(days=1)}, "period_start", "cannot start in the past"),
        (
            {"period_start": timezone.localdate() + timedelta(days=9), "period_end": timezone.localdate()},
            "period_end",
            "must end on or after its start",
        ),
        ({"expected_officers": 0}, "expected_officers", "Expect at least one officer."),
        ({"expected_officers": -4}, "expected_officers", "Expect at least one officer."),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(focal_point, overrides, field, message):
    with pytest.raises(services.TrainingRequestError, match=message) as caught:
        _submit(focal_point, **overrides)
    assert caught.value.field == field
    assert TrainingRequest.objects.count() == 0
    assert OutboundMessage.objects.count() == 0


def test_whole_path_to_delivery_emails_each_step(manager_user, focal_point, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = _submit(focal_point, language="fr", format=TrainingRequest.Format.HYBRID)
        services.review_training_request(request=request, by=manager_user)
        services.accept_training_request(request=request, by=manager_user)
        session = services.create_session_from_request(request=request, by=manager_user)

    request.refresh_from_db()
    assert (request.state, request.session) == (State.SCHEDULED, session)
    assert (session.status, session.format, session.language, session.capacity, session.host_agency) == (
        TrainingSession.Status.DRAFT,
        TrainingSession.Format.HYBRID,
        "fr",
        25,
        focal_point.agency,
    )
    assert session.audience == TrainingSession.Audience.RESTRICTED
    assert list(session.audience_agencies.all()) == [focal_point.agency]
    assert list(session.topics.all()) == list(request.topics.all())
    assert session.title == "Tracing illicit funds"

    session.starts_at = timezone.now() - timedelta(hours=4)
    session.ends_at = timezone.now() - timedelta(hours=1)
    session.status = TrainingSession.Status.PUBLISHED
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        session_services.complete_session(session=session, by=manager_user)

    request.refresh_from_db()
    assert request.state == State.DELIVERED
    assert request.delivered_at is not None
    kinds = list(
        OutboundMessage.objects.filter(recipient=focal_point.officer.user.email).values_list("kind", flat=True)
    )
    assert sorted(kinds) == sorted(
        f"training_request_{state}" for state in ("submitted", "under_review", "accepted", "scheduled", "delivered")
    )


def test_decline_needs_a_reason_and_quotes_it(manager_user, django_capture_on_commit_callbacks):
    request = TrainingRequestFactory(requested_by__email="fp@policia.gob.mx")
    with pytest.raises(services.TrainingRequestError, match="reason for declining"):
        services.decline_training_request(request=request, by=manager_user, reason="  ")
    request.refresh_from_db()
    assert request.state == State.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        services.decline_training_request(request=request, by=manager_user, reason="No trainer that month.")

    request.refresh_from_db()
    assert (request.state, request.decline_reason) == (State.DECLINED, "No trainer that month.")
    assert mail.outbox[-1].subject == "Your training request was declined"
    assert "Reason: No trainer that month." in mail.outbox[-1].body


def test_requester_withdraws_before_scheduled_only(focal_point, manager_user):
    request = TrainingRequestFactory(agency=focal_point.agency, requested_by=focal_point.officer.user)
    services.withdraw_training_request(request=request, by=focal_point.officer.user)
    assert request.state == State.WITHDRAWN

    scheduled = TrainingRequestFactory(
        agency=focal_point.agency, requested_by=focal_point.officer.user, state=State.SCHEDULED
    )
    with pytest.raises(services.TrainingRequestError, match="A request that is scheduled cannot be withdrawn."):
        services.withdraw_training_request(request=scheduled, by=focal_point.officer.user)
    scheduled.refresh_from_db()
    assert scheduled.state == State.SCHEDULED


def test_focal_point_of_another_agency_may_not_withdraw(focal_point):
    request = TrainingRequestFactory(agency=focal_point.agency, requested_by=focal_point.officer.user)
    with pytest.raises(services.TrainingRequestError, match="Only the requester"):
        services.withdraw_training_request(request=request, by=FocalPointFactory().officer.user)
    request.refresh_from_db()
    assert request.state == State.SUBMITTED


@pytest.mark.parametrize(
    ("state", "service", "message"),
    [
        (State.UNDER_REVIEW, "review_training_request", "under review cannot be taken under review"),
        (State.ACCEPTED, "accept_training_request", "accepted cannot be accepted"),
        (State.DECLINED, "accept_training_request", "declined cannot be accepted"),
        (State.WITHDRAWN, "review_training_request", "withdrawn cannot be taken under review"),
        (State.SUBMITTED, "create_session_from_request", "submitted cannot be scheduled"),
        (State.SCHEDULED, "create_session_from_request", "scheduled cannot be scheduled"),
        (State.DELIVERED, "decline_training_request", "delivered cannot be declined"),
    ],
)
def test_transitions_out_of_order_are_refused(manager_user, state, service, message):
    request = TrainingRequestFactory(state=state)
    kwargs = {"reason": "Busy"} if service == "decline_training_request" else {}
    with pytest.raises(services.TrainingRequestError, match=message) as caught:
        getattr(services, service)(request=request, by=manager_user, **kwargs)
    assert caught.value.code == "transition"
    request.refresh_from_db()
    assert request.state == state
    assert TrainingSession.objects.count() == 0
    assert OutboundMessage.objects.count() == 0


def test_only_managers_triage(focal_point):
    request = TrainingRequestFactory(agency=focal_point.agency)
    with pytest.raises(services.TrainingRequestError, match="Only managers may triage"):
        services.accept_training_request(request=request, by=focal_point.officer.user)
    request.refresh_from_db()
    assert request.state == State.SUBMITTED


def test_completing_a_session_without_request_changes_no_request(manager_user):
    request = TrainingRequestFactory(state=State.SCHEDULED, session=TrainingSessionFactory())
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=2))
    session_services.complete_session(session=session, by=manager_user)
    request.refresh_from_db()
    assert request.state == State.SCHEDULED


def _accepted(focal_point, manager, **overrides):
    request = _submit(focal_point, **overrides)
    services.accept_training_request(request=request, by=manager)
    return request


def test_session_from_request_reserves_the_agency_a_quota_of_its_expected_officers(manager_user, focal_point):
    request = _accepted(focal_point, manager_user, expected_officers=25)

    session = services.create_session_from_request(request=request, by=manager_user, capacity=35)

    assert (session.capacity, session.registration_mode) == (35, TrainingSession.RegistrationMode.NOMINATION)
    assert list(session.quotas.values_list("agency", "seats")) == [(focal_point.agency_id, 25)]
    assert session.quotas.get().history.get().history_user == manager_user


def test_session_from_request_caps_the_quota_at_the_capacity(manager_user, focal_point):
    request = _accepted(focal_point, manager_user, expected_officers=40)

    session = services.create_session_from_request(request=request, by=manager_user, capacity=30)

    assert list(session.quotas.values_list("agency", "seats")) == [(focal_point.agency_id, 30)]


def test_session_from_request_with_no_capacity_is_refused_and_nothing_saved(manager_user, focal_point):
    request = _accepted(focal_point, manager_user)

    with pytest.raises(services.TrainingRequestError, match="at least one officer"):
        services.create_session_from_request(request=request, by=manager_user, capacity=0)

    request.refresh_from_db()
    assert (request.state, TrainingSession.objects.count()) == (State.ACCEPTED, 0)


def test_cancelling_the_session_of_a_request_takes_it_back_to_accepted_and_tells_the_requester(
    manager_user, focal_point, django_capture_on_commit_callbacks
):
    request = _accepted(focal_point, manager_user)
    session = services.create_session_from_request(request=request, by=manager_user)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        session_services.cancel_session(session=session, by=manager_user, reason="El formador está enfermo.")

    request.refresh_from_db()
    assert (request.state, request.session) == (State.ACCEPTED, None)
    latest = request.history.first()
    assert (latest.state, latest.history_user) == (State.ACCEPTED, manager_user)
    [email] = mail.outbox
    assert (email.to, email.subject) == (
        [focal_point.officer.user.email],
        "La sesión de su solicitud de formación ha sido cancelada",
    )
    assert f"La sesión «{session.title}»" in email.body
    assert "El formador está enfermo." in email.body

    again = services.create_session_from_request(request=request, by=manager_user)

    request.refresh_from_db()
    assert (request.state, request.session) == (State.SCHEDULED, again)
    assert OutboundMessage.objects.filter(kind="training_request_scheduled").count() == 2


def test_cancelling_a_session_made_from_no_request_changes_no_request(manager_user, focal_point):
    request = _accepted(focal_point, manager_user)
    services.create_session_from_request(request=request, by=manager_user)

    session_services.cancel_session(session=TrainingSessionFactory(), by=manager_user)

    request.refresh_from_db()
    assert request.state == State.SCHEDULED
