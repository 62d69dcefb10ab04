from datetime import timedelta

import pytest
from django.core import mail
from icalendar import Calendar

from messaging.models import OutboundMessage
from sessions import services
from sessions.calendar import session_uid
from sessions.models import Registration, TrainingSession
from tests.factories import CountryFactory, OfficerFactory, RegistrationFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def event_of(message):
    return Calendar.from_ical(message.attachments[0]["content"]).walk("VEVENT")[0]


def calendar_of(message):
    return Calendar.from_ical(message.attachments[0]["content"])


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_time_change_notice_in_officer_language_with_same_uid_higher_sequence(manager_user, language):
    session = TrainingSessionFactory()
    RegistrationFactory(session=session, officer=OfficerFactory(preferred_language=language))

    services.update_session(session=session, by=manager_user, starts_at=session.starts_at + timedelta(hours=2))

    message = OutboundMessage.objects.get(kind="session_updated")
    event = event_of(message)
    assert message.language == language
    assert f'<html lang="{language}">' in message.body_html
    assert str(event["UID"]) == session_uid(session)
    assert int(event["SEQUENCE"]) == 1
    assert str(calendar_of(message)["METHOD"]) == "PUBLISH"


def test_time_change_notice_names_what_changed(manager_user):
    session = TrainingSessionFactory()
    RegistrationFactory(session=session)

    services.update_session(session=session, by=manager_user, starts_at=session.starts_at + timedelta(hours=2))

    body = OutboundMessage.objects.get(kind="session_updated").body_text
    assert "What changed:\n- date and time\n" in body


def test_venue_change_notice_carries_new_place(manager_user):
    session = TrainingSessionFactory(
        format=TrainingSession.Format.IN_PERSON,
        meeting_url="",
        venue="Room A",
        city="Mexico City",
        country=CountryFactory(code="MX"),
    )
    RegistrationFactory(session=session)

    services.update_session(session=session, by=manager_user, venue="Auditorium B")

    message = OutboundMessage.objects.get(kind="session_updated")
    assert "What changed:\n- place\n" in message.body_text
    assert "Auditorium B, Mexico City" in message.body_text
    assert "Auditorium B" in str(event_of(message)["LOCATION"])


def test_meeting_link_change_notice_carries_new_link(manager_user):
    session = TrainingSessionFactory(meeting_url="https://meet.example.org/old")
    RegistrationFactory(session=session)

    services.update_session(session=session, by=manager_user, meeting_url="https://meet.example.org/new")

    message = OutboundMessage.objects.get(kind="session_updated")
    assert "What changed:\n- meeting link\n" in message.body_text
    assert "https://meet.example.org/new" in message.body_text
    assert "https://meet.example.org/old" not in message.body_text
    assert "https://meet.example.org/new" in str(event_of(message)["DESCRIPTION"])


def test_two_changes_give_two_notices_with_rising_sequence(manager_user):
    session = TrainingSessionFactory()
    RegistrationFactory(session=session)

    services.update_session(session=session, by=manager_user, venue="Room 1")
    services.update_session(session=session, by=manager_user, venue="Room 2")

    sequences = [
        int(event_of(m)["SEQUENCE"]) for m in OutboundMessage.objects.filter(kind="session_updated").order_by("id")
    ]
    assert sequences == [1, 2]


def test_change_notice_not_sent_to_waitlisted_or_cancelled(manager_user):
    session = TrainingSessionFactory()
    confirmed = RegistrationFactory(session=session)
    RegistrationFactory(session=session, status=Registration.Status.WAITLISTED, waitlist_position=1)
    RegistrationFactory(session=session, status=Registration.Status.CANCELLED)

    services.update_session(session=session, by=manager_user, starts_at=session.starts_at + timedelta(hours=1))

    assert list(OutboundMessage.objects.filter(kind="session_updated").values_list("recipient", flat=True)) == [
        confirmed.officer.user.email
    ]


def test_title_change_sends_no_notice(manager_user):
    session = TrainingSessionFactory()
    RegistrationFactory(session=session)

    services.update_session(session=session, by=manager_user, title="Renamed")

    assert OutboundMessage.objects.filter(kind="session_updated").count() == 0


def test_draft_change_sends_no_notice(manager_user):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)
    RegistrationFactory(session=session)

    services.update_session(session=session, by=manager_user, starts_at=session.starts_at + timedelta(hours=1))

    assert OutboundMessage.objects.filter(kind="session_updated").count() == 0


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_cancellation_notice_in_officer_language_with_method_cancel(manager_user, language):
    session = TrainingSessionFactory()
    RegistrationFactory(session=session, officer=OfficerFactory(preferred_language=language))
    RegistrationFactory(
        session=session,
        officer=OfficerFactory(preferred_language=language),
        status=Registration.Status.WAITLISTED,
        waitlist_position=1,
    )
    RegistrationFactory(session=session, status=Registration.Status.CANCELLED)

    services.cancel_session(session=session, by=manager_user, reason="Trainer ill")

    messages = list(OutboundMessage.objects.filter(kind="session_cancelled"))
    assert len(messages) == 2
    for message in messages:
        assert message.language == language
        assert f'<html lang="{language}">' in message.body_html
        assert str(calendar_of(message)["METHOD"]) == "CANCEL"
        assert str(event_of(message)["UID"]) == session_uid(session)
        assert int(event_of(message)["SEQUENCE"]) == 1
        assert str(event_of(message)["STATUS"]) == "CANCELLED"


def test_cancellation_delivered_once_even_if_queued_again(manager_user, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    RegistrationFactory(session=session)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session=session, by=manager_user)
    from sessions import notifications

    with django_capture_on_commit_callbacks(execute=True):
        notifications.session_cancelled(session=session)

    assert len(mail.outbox) == 1
