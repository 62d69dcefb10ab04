"""Check-ins of a session of several days: a scan marks its day present, "already checked in" is per day."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sessions import services
from sessions.models import Attendance, DayAttendance
from tests.factories import RegistrationFactory, SessionTrainerFactory, TrainingSessionFactory, UserFactory
from tests.sessions.api.test_check_ins import outcome, post, scan, url

pytestmark = pytest.mark.django_db

MEXICO = ZoneInfo("America/Mexico_City")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=MEXICO)


@pytest.fixture
def workshop(trainer_profile):
    """Three days in Mexico City, 10–12 March 2025, 09:00–17:00 each."""
    session = TrainingSessionFactory(starts_at=at(10, 9), ends_at=at(12, 17), timezone="America/Mexico_City")
    SessionTrainerFactory(session=session, trainer=trainer_profile)
    services.set_session_days(
        session=session,
        days=[services.DayHours(date(2025, 3, day), time(9), time(17)) for day in (10, 11, 12)],
        by=UserFactory(),
    )
    return session


def day_statuses(registration):
    return [
        (record.day.date.day, record.status)
        for record in DayAttendance.objects.filter(registration=registration).order_by("day__date")
    ]


def test_check_in_marks_the_day_of_the_scan_present_and_the_session_partial(trainer_client, workshop):
    registration = RegistrationFactory(session=workshop)

    with time_machine.travel(at(11, 9, 30)):
        response = post(trainer_client, workshop, [scan(registration, "day-two-0001", at(11, 8, 55))])

    assert outcome(response) == [("day-two-0001", "checked_in", None)]
    assert day_statuses(registration) == [(11, "present")]
    attendance = Attendance.objects.get(registration=registration)
    assert (attendance.status, attendance.checked_in_at) == ("partial", at(11, 8, 55))


def test_check_in_on_the_next_day_is_a_new_check_in_not_already_checked_in(trainer_client, workshop):
    registration = RegistrationFactory(session=workshop)
    with time_machine.travel(at(10, 9, 30)):
        post(trainer_client, workshop, [scan(registration, "day-one-0001", at(10, 9, 1))])

    with time_machine.travel(at(11, 9, 30)):
        response = post(
            trainer_client,
            workshop,
            [scan(registration, "day-two-0001", at(11, 9, 2)), scan(registration, "day-two-0002", at(11, 9, 10))],
        )
        roster = trainer_client.get(url(workshop, "roster/")).json()

    assert outcome(response) == [
        ("day-two-0001", "checked_in", None),
        ("day-two-0002", "already_checked_in", None),
    ]
    assert response.json()["results"][1]["checked_in_at"] == "2025-03-11T09:02:00-06:00"
    assert day_statuses(registration) == [(10, "present"), (11, "present")]
    assert Attendance.objects.get(registration=registration).status == "partial"
    assert roster["registrations"][0]["checked_in_at"] == "2025-03-11T09:02:00-06:00"


def test_all_days_checked_in_make_the_session_present(trainer_client, workshop):
    registration = RegistrationFactory(session=workshop)

    for day in (10, 11, 12):
        with time_machine.travel(at(day, 10)):
            post(trainer_client, workshop, [scan(registration, f"day-{day}-0001", at(day, 9))])

    assert day_statuses(registration) == [(10, "present"), (11, "present"), (12, "present")]
    assert Attendance.objects.get(registration=registration).status == "present"


def test_check_in_keeps_a_partial_day_from_the_roll_call(trainer_client, trainer_profile, workshop):
    registration = RegistrationFactory(session=workshop)
    day_two = workshop.days.get(date=date(2025, 3, 11))
    with time_machine.travel(at(11, 12)):
        services.record_day_attendance(
            registration=registration, day=day_two, status="partial", by=trainer_profile.user
        )
        post(trainer_client, workshop, [scan(registration, "day-two-0001", at(11, 11))])

    assert day_statuses(registration) == [(11, "partial")]


@pytest.mark.parametrize(
    ("scanned_at", "now"),
    [
        (at(11, 6, 30), at(11, 6, 40)),  # more than two hours before the day starts
        (at(13, 9), at(13, 9, 5)),  # the day after the last (within the session's window, on no day)
    ],
)
def test_check_in_outside_the_sessions_days_is_refused(trainer_client, workshop, scanned_at, now):
    registration = RegistrationFactory(session=workshop)

    with time_machine.travel(now):
        response = post(trainer_client, workshop, [scan(registration, "off-day-0001", scanned_at)])

    assert outcome(response) == [("off-day-0001", "refused", "outside_session_days")]
    assert not DayAttendance.objects.exists()
    assert not Attendance.objects.exists()


def test_roster_of_a_new_day_starts_with_nobody_checked_in(trainer_client, workshop):
    registration = RegistrationFactory(session=workshop)
    with time_machine.travel(at(10, 9, 30)):
        post(trainer_client, workshop, [scan(registration, "day-one-0001", at(10, 9, 1))])

    with time_machine.travel(at(11, 8)):
        roster = trainer_client.get(url(workshop, "roster/")).json()

    assert roster["registrations"][0]["checked_in_at"] is None


def test_self_check_in_marks_the_day(workshop):
    registration = RegistrationFactory(session=workshop)
    workshop.self_check_in = True
    workshop.save(update_fields=["self_check_in"])

    with time_machine.travel(at(11, 9, 15)):
        first = services.self_check_in(session=workshop, officer=registration.officer, by=registration.officer.user)
        again = services.self_check_in(session=workshop, officer=registration.officer, by=registration.officer.user)

    assert (first.status, again.status) == ("checked_in", "already_checked_in")
    assert day_statuses(registration) == [(11, "present")]
