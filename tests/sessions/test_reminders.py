from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from messaging.models import OutboundMessage
from sessions import services
from sessions.models import Registration, TrainingSession
from sessions.tasks import send_session_reminders
from tests.factories import CountryFactory, OfficerFactory, RegistrationFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 20, 14, 0, tzinfo=UTC)
REGISTERED = START - timedelta(days=30)


@pytest.fixture
def session():
    return TrainingSessionFactory(starts_at=START, ends_at=START + timedelta(hours=3))


def registration_for(session, registered_at=REGISTERED, **kwargs):
    with time_machine.travel(registered_at, tick=False):
        return RegistrationFactory(session=session, confirmed_at=registered_at, **kwargs)


def sweep_at(moment, *, execute=True, capture=None):
    with time_machine.travel(moment, tick=False):
        if capture is None:
            return services.send_due_reminders()
        with capture(execute=execute):
            return services.send_due_reminders()


def reminder_keys():
    return sorted(OutboundMessage.objects.filter(kind="session_reminder").values_list("idempotency_key", flat=True))


def test_reminders_none_before_the_first_offset(session):
    registration_for(session)

    assert sweep_at(START - timedelta(hours=168, minutes=1)) == 0
    assert reminder_keys() == []


def test_reminders_seven_days_then_one_day_before(session, django_capture_on_commit_callbacks):
    registration = registration_for(session)

    assert sweep_at(START - timedelta(hours=168), capture=django_capture_on_commit_callbacks) == 1
    assert sweep_at(START - timedelta(hours=100), capture=django_capture_on_commit_callbacks) == 0
    assert sweep_at(START - timedelta(hours=23, minutes=58), capture=django_capture_on_commit_callbacks) == 1

    assert reminder_keys() == [
        f"reminder:{registration.pk}:168:20260320T1400Z",
        f"reminder:{registration.pk}:24:20260320T1400Z",
    ]
    assert [m.subject for m in mail.outbox] == [
        f"Reminder: {session.title} starts in 7 days",
        f"Reminder: {session.title} starts tomorrow",
    ]


def test_reminders_beat_firing_twice_queues_once(session, django_capture_on_commit_callbacks):
    registration_for(session)
    moment = START - timedelta(hours=24)

    first = sweep_at(moment, capture=django_capture_on_commit_callbacks)
    second = sweep_at(moment + timedelta(seconds=30), capture=django_capture_on_commit_callbacks)

    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1


def test_reminders_two_workers_deliver_once(session, django_capture_on_commit_callbacks):
    """Two sweeps racing both see the row pending; delivery claims it, so one email goes out."""
    registration_for(session)
    with time_machine.travel(START - timedelta(hours=24), tick=False):
        with django_capture_on_commit_callbacks(execute=False) as first:
            services.send_due_reminders()
        message = OutboundMessage.objects.get(kind="session_reminder")
        from messaging.services import enqueue_delivery

        enqueue_delivery([message.pk])
        enqueue_delivery([message.pk])
        for callback in first:
            callback()

    assert len(mail.outbox) == 1
    assert OutboundMessage.objects.get().attempts == 1


def test_reminders_registration_two_hours_before_gets_none(session):
    registration_for(session, registered_at=START - timedelta(hours=2))

    assert sweep_at(START - timedelta(hours=1)) == 0


def test_reminders_registration_three_days_before_gets_only_the_one_day_reminder(session):
    registration = registration_for(session, registered_at=START - timedelta(days=3))

    assert sweep_at(START - timedelta(days=2)) == 0
    assert sweep_at(START - timedelta(hours=24)) == 1
    assert reminder_keys() == [f"reminder:{registration.pk}:24:20260320T1400Z"]


def test_reminders_after_an_outage_only_the_latest_is_sent(session):
    registration = registration_for(session)

    assert sweep_at(START - timedelta(hours=20)) == 1
    assert reminder_keys() == [f"reminder:{registration.pk}:24:20260320T1400Z"]


def test_reminders_none_once_the_session_started(session):
    registration_for(session)

    assert sweep_at(START + timedelta(minutes=1)) == 0


@pytest.mark.parametrize(
    ("session_status", "registration_status"),
    [
        (TrainingSession.Status.CANCELLED, Registration.Status.CONFIRMED),
        (TrainingSession.Status.DRAFT, Registration.Status.CONFIRMED),
        (TrainingSession.Status.PUBLISHED, Registration.Status.CANCELLED),
        (TrainingSession.Status.PUBLISHED, Registration.Status.WAITLISTED),
    ],
)
def test_reminders_none_for_cancelled_sessions_or_registrations(session, session_status, registration_status):
    TrainingSession.objects.filter(pk=session.pk).update(status=session_status)
    registration_for(
        session,
        status=registration_status,
        waitlist_position=1 if registration_status == Registration.Status.WAITLISTED else None,
    )

    assert sweep_at(START - timedelta(hours=24)) == 0


def test_reminders_none_for_erased_officer(session):
    registration = registration_for(session)
    Registration.objects.filter(pk=registration.pk).update(officer=None)

    assert sweep_at(START - timedelta(hours=24)) == 0


def test_reminders_session_override_replaces_default(django_capture_on_commit_callbacks):
    session = TrainingSessionFactory(starts_at=START, ends_at=START + timedelta(hours=3), reminder_offsets_hours=[2])
    registration = registration_for(session)

    assert sweep_at(START - timedelta(hours=24)) == 0
    assert sweep_at(START - timedelta(hours=2), capture=django_capture_on_commit_callbacks) == 1
    assert reminder_keys() == [f"reminder:{registration.pk}:2:20260320T1400Z"]
    assert mail.outbox[0].subject == f"Reminder: {session.title} starts in 2 hours"


def test_reminders_settings_default_offsets(settings, session):
    settings.REMINDER_OFFSETS_HOURS = [48]
    registration_for(session)

    assert sweep_at(START - timedelta(hours=24)) == 1
    assert reminder_keys()[0].split(":")[2] == "48"


def test_reminders_invalid_override_values_are_ignored():
    session = TrainingSessionFactory(reminder_offsets_hours=[24, "x", -3, 0, True, 24])

    assert services.reminder_offsets(session) == [24]


def test_reminders_empty_override_means_no_reminders(session):
    TrainingSession.objects.filter(pk=session.pk).update(reminder_offsets_hours=[])
    registration_for(session)

    assert sweep_at(START - timedelta(hours=1)) == 0


def test_reminders_virtual_session_carries_meeting_link(session):
    registration_for(session)

    sweep_at(START - timedelta(hours=24))

    message = OutboundMessage.objects.get(kind="session_reminder")
    assert "https://meet.example.org/session" in message.body_text
    assert "https://meet.example.org/session" in message.body_html


def test_reminders_in_person_session_has_place_and_no_link():
    session = TrainingSessionFactory(
        starts_at=START,
        ends_at=START + timedelta(hours=8),
        format=TrainingSession.Format.IN_PERSON,
        meeting_url="",
        venue="SSPC auditorium",
        city="Mexico City",
        country=CountryFactory(code="MX"),
        timezone="America/Mexico_City",
    )
    registration_for(session)

    sweep_at(START - timedelta(hours=24))

    body = OutboundMessage.objects.get(kind="session_reminder").body_text
    assert "SSPC auditorium, Mexico City" in body
    assert "Meeting link" not in body


def test_reminders_rescheduled_session_is_reminded_for_the_new_date(session, manager_user):
    registration = registration_for(session)
    sweep_at(START - timedelta(hours=24))
    later = START + timedelta(days=7)
    with time_machine.travel(START - timedelta(hours=23), tick=False):
        services.update_session(session=session, by=manager_user, starts_at=later, ends_at=later + timedelta(hours=3))

    assert sweep_at(later - timedelta(hours=24)) == 1
    assert reminder_keys() == [
        f"reminder:{registration.pk}:24:20260320T1400Z",
        f"reminder:{registration.pk}:24:20260327T1400Z",
    ]


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en", "Reminder: {title} starts tomorrow"),
        ("es", "Recordatorio: {title} empieza mañana"),
        ("fr", "Rappel : {title} commence demain"),
    ],
)
def test_reminders_rendered_in_the_officer_language(session, language, subject):
    registration_for(session, officer=OfficerFactory(preferred_language=language))

    sweep_at(START - timedelta(hours=24))

    message = OutboundMessage.objects.get(kind="session_reminder")
    assert message.language == language
    assert f'<html lang="{language}">' in message.body_html
    assert message.subject == subject.format(title=session.title)


def test_send_session_reminders_task_queues_due_ones(session):
    registration_for(session)

    with time_machine.travel(START - timedelta(hours=24), tick=False):
        assert send_session_reminders() == 1
        assert send_session_reminders() == 0


@pytest.mark.parametrize("registration_count", [1, 10])
def test_reminders_sweep_queries_do_not_grow_with_registrations(registration_count, django_assert_max_num_queries):
    session = TrainingSessionFactory(starts_at=START, ends_at=START + timedelta(hours=3))
    for _ in range(registration_count):
        registration_for(session)
    sweep_at(START - timedelta(hours=24))

    with django_assert_max_num_queries(5), time_machine.travel(START - timedelta(hours=23), tick=False):
        assert services.send_due_reminders() == 0
