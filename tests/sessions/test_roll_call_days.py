"""The roll call of a session of several days: one day at a time, the session's attendance following."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import Attendance, DayAttendance
from tests.factories import (
    DayAttendanceFactory,
    RegistrationFactory,
    SessionDayFactory,
    SessionTrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer.user)
    return client


@pytest.fixture
def three_days(trainer):
    """A UTC session from 00:00 two days ago to the end of today, one day each (today the last)."""
    today = timezone.now().date()
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=2)
    session = TrainingSessionFactory(starts_at=start, ends_at=start + timedelta(days=3) - timedelta(minutes=1))
    SessionTrainerFactory(session=session, trainer=trainer)
    for offset in (2, 1, 0):
        SessionDayFactory(
            session=session, date=today - timedelta(days=offset), starts_at_time="00:00", ends_at_time="04:00"
        )
    return session


def roll_call_url(session, day=None):
    url = reverse("admin:training_trainingsession_roll_call", args=[session.pk])
    return f"{url}?day={day.pk}" if day else url


def mark_url(session, day):
    return reverse("admin:training_trainingsession_roll_call_mark", args=[session.pk]) + f"?day={day.pk}"


def test_roll_call_opens_on_today_in_the_session_zone(trainer_client, three_days):
    response = trainer_client.get(roll_call_url(three_days))

    assert response.context["day"].date == timezone.now().date()
    assert [choice for choice, _label in response.context["statuses"]] == ["present", "partial", "absent"]


def test_roll_call_opens_on_the_first_day_when_today_is_not_one(trainer_client, trainer):
    start = timezone.now() - timedelta(days=10)
    session = TrainingSessionFactory(starts_at=start, ends_at=start + timedelta(days=2))
    SessionTrainerFactory(session=session, trainer=trainer)
    first = SessionDayFactory(
        session=session, date=start.date() + timedelta(days=1), starts_at_time="00:00", ends_at_time="01:00"
    )
    SessionDayFactory(
        session=session, date=start.date() + timedelta(days=2), starts_at_time="00:00", ends_at_time="01:00"
    )

    assert trainer_client.get(roll_call_url(session)).context["day"] == first


def test_roll_call_of_a_day_shows_that_days_attendance(trainer_client, three_days):
    first = three_days.days.order_by("date").first()
    registration = RegistrationFactory(session=three_days)
    DayAttendanceFactory(day=first, registration=registration, status=DayAttendance.Status.PARTIAL)

    response = trainer_client.get(roll_call_url(three_days, first))

    assert [line.status for line in response.context["lines"]] == ["partial"]
    assert trainer_client.get(roll_call_url(three_days)).context["lines"][0].status == ""


def test_roll_call_unknown_day_is_not_found(trainer_client, three_days):
    other_day = SessionDayFactory()

    assert trainer_client.get(f"{roll_call_url(three_days)}?day={other_day.pk}").status_code == 404
    assert trainer_client.get(f"{roll_call_url(three_days)}?day=x").status_code == 404


def test_roll_call_post_marks_the_day_and_settles_the_session(trainer_client, trainer, three_days):
    first = three_days.days.order_by("date").first()
    registration = RegistrationFactory(session=three_days)

    response = trainer_client.post(roll_call_url(three_days, first), {f"status-{registration.pk}": "present"})

    assert response.status_code == 302
    record = DayAttendance.objects.get()
    assert (record.day, record.status, record.recorded_by) == (first, "present", trainer.user)
    attendance = Attendance.objects.get()
    assert (attendance.status, attendance.hours_attended, attendance.recorded_by) == (
        "partial",
        Decimal("4.0"),
        trainer.user,
    )


def test_roll_call_all_present_marks_the_day_for_everyone_unmarked(trainer_client, three_days):
    day = three_days.days.order_by("date").last()
    registrations = RegistrationFactory.create_batch(2, session=three_days)

    trainer_client.post(roll_call_url(three_days, day), {"all_present": "1"})

    assert sorted(DayAttendance.objects.values_list("registration_id", "status")) == [
        (registrations[0].pk, "present"),
        (registrations[1].pk, "present"),
    ]


def test_roll_call_mark_saves_one_tap_of_the_day(trainer_client, three_days):
    day = three_days.days.order_by("date").last()
    registration = RegistrationFactory(session=three_days)

    response = trainer_client.post(mark_url(three_days, day), {"registration": registration.pk, "status": "absent"})

    assert (response.status_code, json.loads(response.content)["status"]) == (200, "absent")
    assert list(DayAttendance.objects.values_list("day_id", "status")) == [(day.pk, "absent")]
    assert Attendance.objects.get().status == "absent"


def test_roll_call_mark_refuses_excused_for_a_day(trainer_client, three_days):
    day = three_days.days.order_by("date").last()
    registration = RegistrationFactory(session=three_days)

    response = trainer_client.post(mark_url(three_days, day), {"registration": registration.pk, "status": "excused"})

    assert (response.status_code, json.loads(response.content)) == (400, {"error": "Unknown attendance status."})
    assert DayAttendance.objects.count() == 0


@pytest.mark.parametrize("item_count", [1, 35])
def test_roll_call_of_a_day_query_count_does_not_grow_with_registrations(
    trainer_client, three_days, django_assert_num_queries, item_count
):
    day = three_days.days.order_by("date").first()
    for registration in RegistrationFactory.create_batch(item_count, session=three_days):
        DayAttendanceFactory(day=day, registration=registration)

    with django_assert_num_queries(11):
        response = trainer_client.get(roll_call_url(three_days, day))

    assert [line.status for line in response.context["lines"]] == ["present"] * item_count
