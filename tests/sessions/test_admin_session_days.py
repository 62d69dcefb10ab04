"""The back office's days of a session (inline in the session form), saved by ``services.set_session_days``."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from sessions.models import SessionDay, TrainingSession
from tests.admin_forms import changeform_data
from tests.factories import (
    DayAttendanceFactory,
    SessionDayFactory,
    SessionTrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db

MEXICO = ZoneInfo("America/Mexico_City")


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer.user)
    return client


@pytest.fixture
def workshop(trainer):
    session = TrainingSessionFactory(
        starts_at=datetime(2030, 3, 10, 9, tzinfo=MEXICO),
        ends_at=datetime(2030, 3, 12, 17, tzinfo=MEXICO),
        timezone="America/Mexico_City",
    )
    SessionTrainerFactory(session=session, trainer=trainer)
    return session


def change_url(session):
    return reverse("admin:training_trainingsession_change", args=[session.pk])


def post_days(client, session, days: list[tuple[str, str, str]], **extra):
    page = client.get(change_url(session))
    data = changeform_data(page)
    existing = int(data["days-INITIAL_FORMS"])
    for index, (day, starts, ends) in enumerate(days):
        data.update(
            {f"days-{index}-date": day, f"days-{index}-starts_at_time": starts, f"days-{index}-ends_at_time": ends}
        )
    data["days-TOTAL_FORMS"] = str(max(len(days), existing))
    data.update(extra)
    return client.post(change_url(session), data)


def test_days_inline_adds_the_days_of_a_session(trainer_client, trainer, workshop):
    response = post_days(
        trainer_client,
        workshop,
        [("2030-03-10", "09:00", "17:00"), ("2030-03-11", "09:00", "13:00"), ("2030-03-12", "10:00", "17:00")],
    )

    assert response.status_code == 302
    days = SessionDay.objects.filter(session=workshop).order_by("date")
    assert [(day.date, day.starts_at_time, day.ends_at_time) for day in days] == [
        (date(2030, 3, 10), time(9), time(17)),
        (date(2030, 3, 11), time(9), time(13)),
        (date(2030, 3, 12), time(10), time(17)),
    ]
    assert days[0].history.get().history_user == trainer.user


def test_days_inline_refuses_a_day_outside_the_session(trainer_client, workshop):
    response = post_days(trainer_client, workshop, [("2030-03-13", "09:00", "17:00")])

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][1].formset.non_form_errors() == [
        "The day of 2030-03-13 is outside the session's start and end."
    ]
    assert SessionDay.objects.count() == 0


def test_days_inline_refuses_two_days_on_one_date(trainer_client, workshop):
    response = post_days(trainer_client, workshop, [("2030-03-10", "09:00", "12:00"), ("2030-03-10", "13:00", "17:00")])

    assert response.status_code == 200
    assert SessionDay.objects.count() == 0


def test_days_inline_refuses_removing_a_day_with_attendance(trainer_client, workshop):
    day = SessionDayFactory(session=workshop, date=date(2030, 3, 10))
    DayAttendanceFactory(day=day)

    response = post_days(trainer_client, workshop, [], **{"days-0-DELETE": "on"})

    assert response.status_code == 200
    # The admin's own check of protected rows speaks first.
    assert (
        response.context["inline_admin_formsets"][1]
        .formset.non_form_errors()[0]
        .startswith(
            "Deleting session day 2030-03-10 09:00–17:00 would require deleting the following protected related objects"
        )
    )
    assert SessionDay.objects.count() == 1


def test_days_inline_checks_days_against_a_new_session_end(trainer_client, workshop):
    SessionDayFactory(session=workshop, date=date(2030, 3, 12))

    response = post_days(trainer_client, workshop, [], ends_at_0="2030-03-11", ends_at_1="17:00")

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][1].formset.non_form_errors() == [
        "The day of 2030-03-12 is outside the session's start and end."
    ]
    assert TrainingSession.objects.get().ends_at == datetime(2030, 3, 12, 17, tzinfo=MEXICO)
