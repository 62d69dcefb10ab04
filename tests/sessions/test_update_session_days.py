"""A session of several days keeps its days within its start and end when the session is edited
(``services.update_session``): a schedule that leaves a day outside is refused and nothing is saved."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from messaging.models import OutboundMessage
from sessions import services
from sessions.models import SessionDay, TrainingSession
from tests.factories import RegistrationFactory, TrainingSessionFactory, UserFactory

pytestmark = pytest.mark.django_db

MEXICO = ZoneInfo("America/Mexico_City")
START, END = datetime(2030, 3, 10, 9, tzinfo=MEXICO), datetime(2030, 3, 12, 17, tzinfo=MEXICO)


@pytest.fixture
def workshop():
    """A published workshop in Mexico City, 10–12 March 2030, one day each from 09:00 to 17:00."""
    session = TrainingSessionFactory(
        starts_at=START, ends_at=END, timezone="America/Mexico_City", status=TrainingSession.Status.PUBLISHED
    )
    days = [services.DayHours(date(2030, 3, day), time(9), time(17)) for day in (10, 11, 12)]
    services.set_session_days(session=session, days=days, by=None)
    return session


def stored(session):
    session = TrainingSession.objects.get(pk=session.pk)
    return (
        session.starts_at,
        session.ends_at,
        str(session.timezone),
        session.sequence,
        [(day.date, day.starts_at_time, day.ends_at_time) for day in SessionDay.objects.filter(session=session)],
        session.history.count(),
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"starts_at": datetime(2030, 3, 11, 9, tzinfo=MEXICO)},
            "starts_at",
            "The session's day of 2030-03-10 would fall outside this start and end; change its days too.",
        ),
        (
            {"ends_at": datetime(2030, 3, 12, 12, tzinfo=MEXICO)},
            "ends_at",
            "The session's day of 2030-03-12 would fall outside this start and end; change its days too.",
        ),
        (
            {"starts_at": datetime(2030, 3, 17, 9, tzinfo=MEXICO), "ends_at": datetime(2030, 3, 19, 17, tzinfo=MEXICO)},
            "starts_at",
            "The session's day of 2030-03-10 would fall outside this start and end; change its days too.",
        ),
        # The days are hours in the session's zone: two hours west, 17:00 there is after the session's end.
        (
            {"timezone": "America/Los_Angeles"},
            "ends_at",
            "The session's day of 2030-03-12 would fall outside this start and end; change its days too.",
        ),
    ],
)
def test_update_session_refuses_a_schedule_leaving_a_day_outside(workshop, fields, field, message):
    RegistrationFactory(session=workshop)
    before = stored(workshop)

    with pytest.raises(services.SessionError) as error:
        services.update_session(session=workshop, by=UserFactory(), **fields)

    assert (error.value.code, error.value.field, str(error.value.message)) == ("invalid", field, message)
    assert stored(workshop) == before
    assert OutboundMessage.objects.filter(kind="session_updated").count() == 0


def test_update_session_keeps_a_schedule_that_still_holds_the_days(workshop):
    person = UserFactory()

    services.update_session(
        session=workshop, by=person, starts_at=datetime(2030, 3, 10, 8, tzinfo=MEXICO), title_en="Longer"
    )

    workshop.refresh_from_db()
    assert (workshop.starts_at, workshop.title_en) == (datetime(2030, 3, 10, 8, tzinfo=MEXICO), "Longer")
    assert workshop.history.latest().history_user == person


def test_update_session_of_one_day_is_not_checked_against_days():
    session = TrainingSessionFactory(starts_at=START, ends_at=END, timezone="America/Mexico_City")

    services.update_session(session=session, by=None, starts_at=datetime(2030, 3, 11, 9, tzinfo=MEXICO))

    assert TrainingSession.objects.get(pk=session.pk).starts_at == datetime(2030, 3, 11, 9, tzinfo=MEXICO)


def test_update_session_moves_the_session_and_its_days_together(workshop):
    person = UserFactory()
    week_later = [services.DayHours(date(2030, 3, day), time(9), time(17)) for day in (17, 18)]

    services.update_session(
        session=workshop,
        by=person,
        days=week_later,
        starts_at=datetime(2030, 3, 17, 9, tzinfo=MEXICO),
        ends_at=datetime(2030, 3, 18, 17, tzinfo=MEXICO),
    )

    days = SessionDay.objects.filter(session=workshop).order_by("date")
    assert [day.date for day in days] == [date(2030, 3, 17), date(2030, 3, 18)]
    assert {day.history.latest().history_user for day in days} == {person}
    workshop.refresh_from_db()
    assert (workshop.starts_at, workshop.ends_at) == (
        datetime(2030, 3, 17, 9, tzinfo=MEXICO),
        datetime(2030, 3, 18, 17, tzinfo=MEXICO),
    )


def test_update_session_refuses_new_days_that_do_not_fit_and_saves_nothing(workshop):
    before = stored(workshop)

    with pytest.raises(services.SessionError) as error:
        services.update_session(
            session=workshop,
            by=None,
            days=[services.DayHours(date(2030, 3, 20), time(9), time(17))],
            starts_at=datetime(2030, 3, 17, 9, tzinfo=MEXICO),
            ends_at=datetime(2030, 3, 18, 17, tzinfo=MEXICO),
        )

    assert (error.value.code, error.value.field) == ("outside_session", "days")
    assert stored(workshop) == before
