from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from icalendar import Calendar

from agencies.models import Officer
from sessions import services
from sessions.models import Attendance, Registration, TrainingSession
from sessions.selectors import booking_conflicts_of, waitlist_position
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    CountryFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db


def register(session, officer=None):
    return services.register_officer(
        session=session, officer=officer or OfficerFactory(), source=Registration.Source.PORTAL
    )


# --- Model constraints ---


def test_session_constraint_end_after_start():
    start = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingSessionFactory(starts_at=start, ends_at=start - timedelta(hours=1))


def test_session_constraint_capacity_at_least_one():
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingSessionFactory(capacity=0)


def test_registration_constraint_one_per_officer_and_session():
    registration = RegistrationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(session=registration.session, officer=registration.officer)


# --- Transitions ---


def draft(**kwargs):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT, **kwargs)
    SessionTrainerFactory(session=session)
    return session


def test_publish_session_draft_becomes_published(manager_user):
    session = draft()

    services.publish_session(session=session, by=manager_user)

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PUBLISHED
    assert session.published_at is not None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"starts_at": None, "ends_at": None}, "Set the start and end before publishing."),
        ({"capacity": None}, "Set the capacity before publishing."),
        ({"meeting_url": ""}, "A virtual or hybrid session needs a meeting link."),
    ],
)
def test_publish_session_incomplete_is_refused(manager_user, fields, message):
    session = draft(**fields)

    with pytest.raises(services.TransitionError) as error:
        services.publish_session(session=session, by=manager_user)

    assert str(error.value) == message
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.DRAFT


def test_publish_session_without_trainer_is_refused(manager_user):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)

    with pytest.raises(services.TransitionError, match="Assign at least one trainer"):
        services.publish_session(session=session, by=manager_user)


def test_cancel_session_is_final(manager_user):
    session = TrainingSessionFactory()
    services.cancel_session(session=session, by=manager_user, reason="Trainer ill")

    with pytest.raises(services.TransitionError):
        services.publish_session(session=session, by=manager_user)
    with pytest.raises(services.TransitionError):
        services.complete_session(session=session, by=manager_user)
    with pytest.raises(services.TransitionError):
        services.update_session(session=session, by=manager_user, title="New")
    assert TrainingSession.objects.get().status == TrainingSession.Status.CANCELLED


def test_complete_session_not_started_is_refused(manager_user):
    session = TrainingSessionFactory()

    with pytest.raises(services.TransitionError, match="has not started"):
        services.complete_session(session=session, by=manager_user)


def test_complete_session_started_sends_survey_to_attendees(manager_user, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=4))
    present = AttendanceFactory(registration__session=session, status=Attendance.Status.PRESENT)
    AttendanceFactory(registration__session=session, status=Attendance.Status.ABSENT)

    with django_capture_on_commit_callbacks(execute=True):
        services.complete_session(session=session, by=manager_user)

    assert [m.to for m in mail.outbox] == [[present.registration.officer.user.email]]
    token = present.registration.survey_response.token
    assert f"https://training.example.org/surveys/{token}/" in mail.outbox[0].body


# --- Registration ---


def test_register_officer_confirms_and_emails_ics(django_capture_on_commit_callbacks):
    session = TrainingSessionFactory(capacity=2)
    officer = OfficerFactory(user__email="ana@policia.gob.mx")

    with django_capture_on_commit_callbacks(execute=True):
        registration = register(session, officer)

    assert registration.status == Registration.Status.CONFIRMED
    assert registration.officer_key == officer.uuid
    assert registration.agency == officer.agency
    assert registration.country == officer.agency.country
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["ana@policia.gob.mx"]
    assert email.subject == f"Registration confirmed: {session.title}"
    assert "https://meet.example.org/session" in email.body
    assert f"https://training.example.org/sessions/{session.pk}/" in email.body
    filename, content, mimetype = email.attachments[0]
    assert (filename, mimetype) == ("session.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["UID"]) == f"session-{session.uuid}@trainingops"


def test_register_officer_full_session_waitlists_without_link(django_capture_on_commit_callbacks):
    session = TrainingSessionFactory(capacity=1)
    register(session)

    with django_capture_on_commit_callbacks(execute=True):
        second = register(session)
        third = register(session)

    assert (second.status, second.waitlist_position) == (Registration.Status.WAITLISTED, 1)
    assert (third.status, third.waitlist_position) == (Registration.Status.WAITLISTED, 2)
    assert waitlist_position(third) == 2
    assert [m.subject for m in mail.outbox] == [f"You are on the waitlist: {session.title}"] * 2
    assert all("meet.example.org" not in m.body and not m.attachments for m in mail.outbox)


def test_register_officer_twice_is_refused():
    session = TrainingSessionFactory()
    officer = OfficerFactory()
    register(session, officer)

    with pytest.raises(services.RegistrationError, match="already registered"):
        register(session, officer)
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(
    ("session_kwargs", "code"),
    [
        ({"status": TrainingSession.Status.DRAFT}, "not_published"),
        ({"status": TrainingSession.Status.CANCELLED}, "not_published"),
        ({"registration_closes_at": timezone.now() - timedelta(minutes=1)}, "window_closed"),
        ({"registration_opens_at": timezone.now() + timedelta(days=1)}, "window_not_open"),
        ({"audience": TrainingSession.Audience.RESTRICTED}, "not_eligible"),
    ],
)
def test_register_officer_refused_changes_nothing(session_kwargs, code):
    session = TrainingSessionFactory(**session_kwargs)

    with pytest.raises(services.RegistrationError) as error:
        register(session)

    assert error.value.code == code
    assert Registration.objects.count() == 0


def test_register_officer_unverified_is_refused():
    officer = OfficerFactory(verification_status=Officer.Verification.PENDING)

    with pytest.raises(services.RegistrationError) as error:
        register(TrainingSessionFactory(), officer)

    assert error.value.code == "not_verified"


def test_register_officer_restricted_audience_by_country_or_agency():
    brazil = CountryFactory(code="BR")
    session = TrainingSessionFactory(audience=TrainingSession.Audience.RESTRICTED)
    session.audience_countries.add(brazil)
    listed_agency = AgencyFactory()
    session.audience_agencies.add(listed_agency)

    assert register(session, OfficerFactory(agency=AgencyFactory(country=brazil))).status == "confirmed"
    assert register(session, OfficerFactory(agency=listed_agency)).status == "confirmed"


def test_cancel_registration_promotes_first_waitlisted(django_capture_on_commit_callbacks):
    session = TrainingSessionFactory(capacity=1)
    first = register(session)
    waiting = register(session, OfficerFactory(user__email="luis@policia.gob.mx"))
    last = register(session)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(registration=first)

    waiting.refresh_from_db()
    last.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert (last.status, waitlist_position(last)) == (Registration.Status.WAITLISTED, 1)
    promoted = [m for m in mail.outbox if m.to == ["luis@policia.gob.mx"]]
    assert [m.subject for m in promoted] == [f"A seat is yours: {session.title}"]
    assert promoted[0].attachments[0][0] == "session.ics"


def test_cancel_registration_then_register_again_reuses_row():
    session = TrainingSessionFactory()
    officer = OfficerFactory()
    registration = register(session, officer)
    services.cancel_registration(registration=registration)

    again = register(session, officer)

    assert again.pk == registration.pk
    assert again.status == Registration.Status.CONFIRMED


def test_register_cancel_register_again_announces_each_state_once(django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    officer = OfficerFactory()

    with django_capture_on_commit_callbacks(execute=True):
        registration = register(session, officer)
        services.cancel_registration(registration=registration)
        register(session, officer)
    from sessions import notifications

    current = Registration.objects.get(pk=registration.pk)
    current.save(update_fields=["source"])  # an edit that announces nothing (a new history row)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.registration_placed(registration=current)  # the same state, announced again

    assert [message.subject.split(":")[0] for message in mail.outbox] == [
        "Registration confirmed",
        "Registration cancelled",
        "Registration confirmed",
    ]


def test_update_session_capacity_increase_promotes_as_many_as_fit(manager_user):
    session = TrainingSessionFactory(capacity=1)
    for _ in range(4):
        register(session)

    services.update_session(session=session, by=manager_user, capacity=3)

    statuses = list(session.registrations.order_by("id").values_list("status", flat=True))
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted"]


def test_update_session_time_change_notifies_confirmed_with_higher_sequence(
    manager_user, django_capture_on_commit_callbacks
):
    session = TrainingSessionFactory(capacity=1)
    confirmed = register(session)
    register(session)  # waitlisted: not told about the new time
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(session=session, by=manager_user, starts_at=session.starts_at + timedelta(hours=1))

    assert [m.to for m in mail.outbox] == [[confirmed.officer.user.email]]
    event = Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 1


def test_update_session_invalid_dates_raise_clear_error(manager_user):
    session = TrainingSessionFactory()

    with pytest.raises(services.SessionError, match="must end after it starts"):
        services.update_session(session=session, by=manager_user, ends_at=session.starts_at - timedelta(hours=1))


def test_cancel_session_tells_registered_and_waitlisted(manager_user, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory(capacity=1)
    register(session)
    register(session)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session=session, by=manager_user)

    cancellations = [m for m in mail.outbox if m.subject == f"Session cancelled: {session.title}"]
    assert len(cancellations) == 2
    assert "METHOD:CANCEL" in cancellations[0].attachments[0][1]


# --- Trainer double booking ---


def test_booking_conflicts_of_compares_trainers_in_utc():
    trainer = TrainerFactory()
    start = timezone.now() + timedelta(days=3)
    lyon = TrainingSessionFactory(starts_at=start, ends_at=start + timedelta(hours=8), timezone="Europe/Paris")
    mexico = TrainingSessionFactory(
        starts_at=start + timedelta(hours=7), ends_at=start + timedelta(hours=9), timezone="America/Mexico_City"
    )
    later = TrainingSessionFactory(starts_at=start + timedelta(hours=8), ends_at=start + timedelta(hours=10))
    for session in (lyon, mexico, later):
        SessionTrainerFactory(session=session, trainer=trainer)

    conflicts = booking_conflicts_of(lyon.pk)

    assert [(c.other, c.trainers) for c in conflicts] == [(mexico, (trainer,))]


# --- Attendance ---


def test_record_attendance_is_idempotent(manager_user):
    registration = RegistrationFactory(session__starts_at=timezone.now() - timedelta(hours=1))

    first = services.record_attendance(registration=registration, status="present", by=manager_user)
    again = services.record_attendance(registration=registration, status="present", by=manager_user)

    assert first.pk == again.pk
    assert Attendance.objects.count() == 1
    assert first.history.count() == 1


def test_record_attendance_future_session_is_refused(manager_user):
    registration = RegistrationFactory()

    with pytest.raises(services.AttendanceError):
        services.record_attendance(registration=registration, status="present", by=manager_user)


def test_record_walk_in_creates_walk_in_registration(manager_user):
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=1), capacity=1)
    RegistrationFactory(session=session)
    officer = OfficerFactory()

    attendance = services.record_walk_in(session=session, officer=officer, status="present", by=manager_user)

    registration = attendance.registration
    assert (registration.source, registration.status) == (Registration.Source.WALK_IN, Registration.Status.CONFIRMED)
    assert registration.officer_key == officer.uuid


def test_assign_creator_as_trainer_trainer_always_joins_own_session():
    creator = TrainerFactory()
    session = SessionTrainerFactory().session  # created with someone else as trainer

    assert services.assign_creator_as_trainer(session=session, by=creator.user) is True
    assert services.assign_creator_as_trainer(session=session, by=creator.user) is False
    assert session.session_trainers.get(trainer=creator).role == "lead"


def test_assign_creator_as_trainer_manager_joins_only_a_session_without_trainers(manager_user):
    TrainerFactory(user=manager_user)
    staffed = SessionTrainerFactory().session
    empty = TrainingSessionFactory()

    assert services.assign_creator_as_trainer(session=staffed, by=manager_user) is False
    assert services.assign_creator_as_trainer(session=empty, by=manager_user) is True


def test_set_session_trainers_replaces_the_list():
    session = SessionTrainerFactory().session
    newcomer = TrainerFactory()

    services.set_session_trainers(session=session, assignments=[(newcomer.pk, "co")])

    assert list(session.session_trainers.values_list("trainer_id", "role")) == [(newcomer.pk, "co")]


@pytest.mark.parametrize("already_registered", [0, 20])
def test_registering_costs_the_same_queries_however_many_have_registered(
    django_assert_num_queries, django_capture_on_commit_callbacks, already_registered
):
    """A registration holds its session's seat lock: what it runs is bounded whatever the seats taken (the
    confirmation email included: queued as a row, sent after the commit)."""
    session = TrainingSessionFactory(capacity=50)
    RegistrationFactory.create_batch(already_registered, session=session, status=Registration.Status.CONFIRMED)
    officer = OfficerFactory()

    with django_capture_on_commit_callbacks(execute=False), django_assert_num_queries(19):
        registration = services.register_officer(session=session, officer=officer, source="portal")

    assert registration.status == Registration.Status.CONFIRMED
