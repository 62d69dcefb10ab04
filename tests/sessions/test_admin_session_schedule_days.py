"""The back office's session page: a new start and end are checked with the days (nothing saved
when a day is left outside); moving the session and its days together on the page is saved."""

from datetime import date, datetime, time

import pytest

from sessions.models import SessionDay, TrainingSession
from tests.factories import SessionDayFactory
from tests.sessions.test_admin_session_days import MEXICO, post_days, trainer_client, workshop  # noqa: F401

pytestmark = pytest.mark.django_db


def test_session_page_refuses_a_later_start_leaving_a_day_outside(trainer_client, workshop):  # noqa: F811
    SessionDayFactory(session=workshop, date=date(2030, 3, 10))

    response = post_days(trainer_client, workshop, [], starts_at_0="2030-03-11", starts_at_1="09:00")

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][1].formset.non_form_errors() == [
        "The day of 2030-03-10 is outside the session's start and end."
    ]
    assert TrainingSession.objects.get().starts_at == datetime(2030, 3, 10, 9, tzinfo=MEXICO)
    assert SessionDay.objects.get().date == date(2030, 3, 10)


def test_session_page_moves_the_session_and_its_days_together(trainer_client, trainer, workshop):  # noqa: F811
    SessionDayFactory(session=workshop, date=date(2030, 3, 10), starts_at_time=time(9), ends_at_time=time(17))

    response = post_days(
        trainer_client,
        workshop,
        [("2030-03-17", "09:00", "17:00"), ("2030-03-18", "09:00", "13:00")],
        starts_at_0="2030-03-17",
        ends_at_0="2030-03-19",
    )

    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert (session.starts_at, session.ends_at) == (
        datetime(2030, 3, 17, 9, tzinfo=MEXICO),
        datetime(2030, 3, 19, 17, tzinfo=MEXICO),
    )
    days = SessionDay.objects.order_by("date")
    assert [(day.date, day.ends_at_time) for day in days] == [
        (date(2030, 3, 17), time(17)),
        (date(2030, 3, 18), time(13)),
    ]
    assert {day.history.latest().history_user for day in days} == {trainer.user}
    assert session.history.latest().history_user == trainer.user
