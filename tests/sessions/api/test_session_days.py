"""The API's days of a session and each day's attendance sheet (read and bulk update, staff only)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sessions.models import Attendance, DayAttendance, Registration
from tests.factories import (
    DayAttendanceFactory,
    RegistrationFactory,
    SessionDayFactory,
    SessionTrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(trainer_profile):
    """Two days ago to today (UTC), one day each from 00:00 to 04:00."""
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=2)
    session = TrainingSessionFactory(starts_at=start, ends_at=start + timedelta(days=3) - timedelta(minutes=1))
    SessionTrainerFactory(session=session, trainer=trainer_profile)
    for offset in range(3):
        SessionDayFactory(
            session=session, date=start.date() + timedelta(days=offset), starts_at_time=time(0), ends_at_time=time(4)
        )
    return session


def first_day(session):
    return session.days.order_by("date").first()


def sheet_url(session, day):
    return f"/api/v1/sessions/{session.pk}/days/{day.pk}/attendance/"


def test_days_are_listed_in_the_session_zone(officer_client):
    session = TrainingSessionFactory(
        starts_at=datetime(2030, 3, 10, 9, tzinfo=ZoneInfo("America/Mexico_City")),
        ends_at=datetime(2030, 3, 11, 17, tzinfo=ZoneInfo("America/Mexico_City")),
        timezone="America/Mexico_City",
    )
    day = SessionDayFactory(session=session, date=date(2030, 3, 11), starts_at_time=time(9), ends_at_time=time(13))

    response = officer_client.get(f"/api/v1/sessions/{session.pk}/days/")

    assert response.json() == [
        {
            "id": day.pk,
            "date": "2030-03-11",
            "starts_at": "2030-03-11T09:00:00-06:00",
            "ends_at": "2030-03-11T13:00:00-06:00",
            "hours": "4.0",
        }
    ]


def test_days_of_a_one_day_session_are_none(officer_client):
    assert officer_client.get(f"/api/v1/sessions/{TrainingSessionFactory().pk}/days/").json() == []


def test_days_of_a_draft_session_are_hidden_from_officers(officer_client):
    draft = TrainingSessionFactory(status="draft")

    assert officer_client.get(f"/api/v1/sessions/{draft.pk}/days/").status_code == 404


@pytest.mark.parametrize("role", ["manager", "trainer"])
def test_day_sheet_staff_read_the_days_attendance(request, role, workshop):
    client = request.getfixturevalue(f"{role}_client")
    day = first_day(workshop)
    record = DayAttendanceFactory(day=day, status=DayAttendance.Status.PARTIAL, minutes_attended=90)
    RegistrationFactory(session=workshop, status=Registration.Status.CANCELLED)

    response = client.get(sheet_url(workshop, day))

    assert response.status_code == 200
    assert [(row["registration_id"], row["status"], row["minutes_attended"]) for row in response.json()] == [
        (record.registration_id, "partial", 90)
    ]


def test_day_sheet_officer_is_403(officer_client, officer_profile, workshop):
    RegistrationFactory(session=workshop, officer=officer_profile)

    assert officer_client.get(sheet_url(workshop, first_day(workshop))).status_code == 403
    assert officer_client.post(sheet_url(workshop, first_day(workshop)), [], format="json").status_code == 403


def test_day_sheet_of_another_trainers_session_is_403(trainer_client):
    start = timezone.now() - timedelta(hours=1)
    other = TrainingSessionFactory(starts_at=start)
    day = SessionDayFactory(session=other, date=start.date(), starts_at_time=time(0), ends_at_time=time(23))

    assert trainer_client.get(sheet_url(other, day)).status_code == 403
    assert trainer_client.post(sheet_url(other, day), [], format="json").status_code == 403


def test_day_sheet_of_another_sessions_day_is_404(manager_client, workshop):
    other_day = SessionDayFactory()

    response = manager_client.get(sheet_url(workshop, other_day))

    assert response.status_code == 404


def test_day_sheet_post_marks_the_day_and_settles_the_session(trainer_client, trainer_profile, workshop):
    day = first_day(workshop)
    registration = RegistrationFactory(session=workshop)

    response = trainer_client.post(
        sheet_url(workshop, day),
        [{"registration_id": registration.pk, "status": "partial", "minutes_attended": 120}],
        format="json",
    )

    assert response.status_code == 200
    assert response.json()[0]["status"] == "partial"
    assert response.json()[0]["session_status"] == "partial"
    attendance = Attendance.objects.get()
    assert (attendance.status, attendance.hours_attended, attendance.recorded_by) == (
        "partial",
        Decimal("2.0"),
        trainer_profile.user,
    )


def test_day_sheet_post_saves_nothing_when_a_line_is_refused(manager_client, workshop):
    day = first_day(workshop)
    registration = RegistrationFactory(session=workshop)

    response = manager_client.post(
        sheet_url(workshop, day),
        [{"registration_id": registration.pk, "status": "present"}, {"registration_id": 999999, "status": "present"}],
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"1.registration_id": ["No registration with this id in this session."]}
    assert DayAttendance.objects.count() == 0


def test_day_sheet_post_refuses_a_day_not_begun(manager_client, trainer_profile):
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    session = TrainingSessionFactory(starts_at=start, ends_at=start + timedelta(days=4))
    later = SessionDayFactory(session=session, date=start.date() + timedelta(days=3))
    registration = RegistrationFactory(session=session)

    response = manager_client.post(
        sheet_url(session, later), [{"registration_id": registration.pk, "status": "present"}], format="json"
    )

    assert response.status_code == 409
    assert response.json()["detail"] == "Attendance of a day can be taken from two hours before it starts."


@pytest.mark.parametrize("registration_count", [1, 50])
def test_day_sheet_query_count_does_not_grow(manager_client, workshop, registration_count, django_assert_num_queries):
    day = first_day(workshop)
    for registration in RegistrationFactory.create_batch(registration_count, session=workshop):
        DayAttendanceFactory(day=day, registration=registration)
    # The token with its role, the session, the day, the registrations, the day's records.
    with django_assert_num_queries(5):
        response = manager_client.get(sheet_url(workshop, day))
    assert [row["status"] for row in response.json()] == ["present"] * registration_count


@pytest.mark.parametrize("day_count", [1, 20])
def test_days_query_count_does_not_grow(officer_client, day_count, django_assert_num_queries):
    start = datetime(2030, 3, 1, tzinfo=ZoneInfo("UTC"))
    session = TrainingSessionFactory(starts_at=start, ends_at=start + timedelta(days=day_count))
    for offset in range(day_count):
        SessionDayFactory(session=session, date=start.date() + timedelta(days=offset))
    # The token with its role, the session, its days.
    with django_assert_num_queries(3):
        response = officer_client.get(f"/api/v1/sessions/{session.pk}/days/")
    assert len(response.json()) == day_count
