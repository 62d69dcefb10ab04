"""A session of several days takes attendance day by day: session-level writes are refused, walk-ins go on a day."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from agencies.models import PendingOfficer
from sessions import services
from sessions.models import Attendance, DayAttendance, Registration
from tests.api_fixtures import token_client
from tests.factories import (
    AgencyFactory,
    DayAttendanceFactory,
    ManagerFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionDayFactory,
    SessionTrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.sessions.test_admin import post_change

pytestmark = pytest.mark.django_db

REFUSAL = (
    "This session has several days: take its attendance day by day (the roll call of each day, "
    "or sessions/{id}/days/{day_id}/attendance/ in the API)."
)


@pytest.fixture
def three_days(trainer):
    """A UTC session from 00:00 two days ago to the end of today, one four-hour day each (today the last)."""
    today = timezone.now().date()
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=2)
    session = TrainingSessionFactory(starts_at=start, ends_at=start + timedelta(days=3) - timedelta(minutes=1))
    SessionTrainerFactory(session=session, trainer=trainer)
    for offset in (2, 1, 0):
        SessionDayFactory(
            session=session, date=today - timedelta(days=offset), starts_at_time="00:00", ends_at_time="04:00"
        )
    return session


@pytest.fixture
def one_day(trainer):
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=1))
    SessionTrainerFactory(session=session, trainer=trainer)
    return session


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer.user)
    return client


def attendance_url(session):
    return f"/api/v1/sessions/{session.pk}/attendance/"


def test_bulk_attendance_on_a_session_of_several_days_is_400_and_saves_nothing(three_days):
    registration = RegistrationFactory(session=three_days)
    officer = OfficerFactory(user__email="walk.in@policia.gob.mx")
    items = [
        {"registration_id": registration.pk, "status": "present"},
        {"email": officer.user.email, "status": "present"},
    ]

    response = token_client(ManagerFactory()).post(attendance_url(three_days), items, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid input.", "code": "invalid", "errors": {"day": [REFUSAL]}}
    assert (Attendance.objects.count(), DayAttendance.objects.count()) == (0, 0)
    assert list(Registration.objects.values_list("pk", flat=True)) == [registration.pk]


def test_bulk_attendance_on_a_one_day_session_is_saved_as_before(one_day):
    registration = RegistrationFactory(session=one_day)

    response = token_client(ManagerFactory()).post(
        attendance_url(one_day), [{"registration_id": registration.pk, "status": "present"}], format="json"
    )

    assert response.status_code == 200
    assert [(row["registration_id"], row["status"]) for row in response.json()] == [(registration.pk, "present")]
    assert Attendance.objects.get().status == "present"


def test_record_attendance_on_a_session_of_several_days_is_refused(three_days, trainer):
    registration = RegistrationFactory(session=three_days)

    with pytest.raises(services.AttendanceError) as refused:
        services.record_attendance(registration=registration, status="present", by=trainer.user)

    assert (str(refused.value.message), refused.value.field) == (REFUSAL, "day")
    assert Attendance.objects.count() == 0


def test_days_still_settle_the_session_attendance(three_days, trainer):
    registration = RegistrationFactory(session=three_days)
    day = three_days.days.order_by("date").first()

    services.record_day_attendance(registration=registration, day=day, status="present", by=trainer.user)

    attendance = Attendance.objects.get(registration=registration)
    assert (attendance.status, attendance.hours_attended) == ("partial", Decimal("4.0"))


def test_walk_in_on_day_two_gets_that_day_and_the_session_attendance_settled(three_days, trainer):
    _first, second, _third = three_days.days.order_by("date")
    agency = AgencyFactory()

    attendance = services.add_walk_in(
        session=three_days,
        name="Zoé Martin",
        email="zoe.martin@example.fr",
        agency=agency,
        by=trainer.user,
        note="came late",
        day=second,
    )

    registration = Registration.objects.get(pending_officer=PendingOfficer.objects.get())
    assert list(DayAttendance.objects.values_list("registration", "day", "status")) == [
        (registration.pk, second.pk, "present")
    ]
    assert (attendance.pk, attendance.status, attendance.hours_attended, attendance.note) == (
        Attendance.objects.get(registration=registration).pk,
        "partial",
        Decimal("4.0"),
        "came late",
    )


def test_walk_in_of_an_officer_on_a_day_gets_that_day(three_days, trainer):
    _first, second, _third = three_days.days.order_by("date")
    officer = OfficerFactory(user=UserFactory(email="ana@policia.gob.mx"))

    attendance = services.add_walk_in(
        session=three_days, name="Ana", email="ana@policia.gob.mx", agency=AgencyFactory(), by=trainer.user, day=second
    )

    registration = Registration.objects.get(officer=officer)
    assert list(DayAttendance.objects.values_list("registration", "day", "status")) == [
        (registration.pk, second.pk, "present")
    ]
    assert (attendance.registration_id, attendance.status, attendance.note) == (registration.pk, "partial", "")


def test_walk_in_without_a_day_on_a_session_of_several_days_is_refused(three_days, trainer):
    with pytest.raises(services.AttendanceError) as refused:
        services.add_walk_in(
            session=three_days,
            name="Zoé Martin",
            email="zoe.martin@example.fr",
            agency=AgencyFactory(),
            by=trainer.user,
        )

    assert str(refused.value.message) == REFUSAL
    assert (Registration.objects.count(), PendingOfficer.objects.count(), Attendance.objects.count()) == (0, 0, 0)


def test_walk_in_from_the_roll_call_of_day_two_records_day_two(trainer_client, three_days):
    _first, second, _third = three_days.days.order_by("date")
    url = reverse("admin:training_trainingsession_roll_call", args=[three_days.pk]) + f"?day={second.pk}"

    response = trainer_client.post(
        url, {"action": "walk_in", "name": "Zoé Martin", "email": "zoe.martin@example.fr", "agency": AgencyFactory().pk}
    )

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert list(DayAttendance.objects.values_list("registration", "day", "status")) == [
        (registration.pk, second.pk, "present")
    ]
    assert Attendance.objects.get(registration=registration).status == "partial"


def test_walk_in_on_a_one_day_session_is_recorded_as_before(one_day, trainer):
    attendance = services.add_walk_in(
        session=one_day, name="Zoé Martin", email="zoe.martin@example.fr", agency=AgencyFactory(), by=trainer.user
    )

    assert (attendance.status, DayAttendance.objects.count()) == ("present", 0)


def test_session_page_refuses_session_attendance_of_a_session_of_several_days(trainer_client, three_days):
    registration = RegistrationFactory(session=three_days)

    response = post_change(trainer_client, three_days, **{"registrations-0-attendance_status": "present"})

    assert response.status_code == 302
    assert [str(message) for message in get_messages(response.wsgi_request)][0] == (
        f"Attendance of {registration} was not recorded: {REFUSAL}"
    )
    assert Attendance.objects.count() == 0


def test_attendance_admin_refuses_a_change_on_a_session_of_several_days(client, three_days, trainer):
    registration = RegistrationFactory(session=three_days)
    DayAttendanceFactory(registration=registration, day=three_days.days.order_by("date").first())
    settled = services.settle_attendance_from_days(registration=registration, by=trainer.user)
    client.force_login(trainer.user)

    response = client.post(
        reverse("admin:training_attendance_change", args=[settled.pk]), {"status": "present", "note": ""}
    )

    assert response.status_code == 302
    assert [str(message) for message in get_messages(response.wsgi_request)] == [REFUSAL]
    attendance = Attendance.objects.get()
    assert (attendance.status, attendance.note) == ("partial", "")
