"""The back office's calendar: month and week, in the viewer's zone, per role; bad query strings."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from sessions.models import TrainingSession
from tests.factories import (
    ManagerFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CALENDAR = reverse("admin:training_trainingsession_calendar")
NOW = datetime(2030, 3, 6, 12, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def trained_session(trainer, start: datetime, hours: float = 3, **kwargs):
    session = TrainingSessionFactory(starts_at=start, ends_at=start + timedelta(hours=hours), **kwargs)
    SessionTrainerFactory(session=session, trainer=trainer)
    return session


def calendar_of(client, user, query: str = "", **headers):
    client.force_login(user)
    response = client.get(f"{CALENDAR}{query}", **headers)
    assert response.status_code == 200
    return response


def days_with_sessions(response) -> dict[date, list[str]]:
    return {
        day.day: [session.title for session in day.sessions]
        for week in response.context["weeks"]
        for day in week
        if day.sessions
    }


def change_url(session):
    return reverse("admin:training_trainingsession_change", args=[session.pk])


# --- Month and week, in the viewer's zone ---


def test_month_puts_each_session_on_its_day_in_the_viewers_zone(client, trainer):
    # 31 March 23:30 UTC is 17:30 that day in Mexico City, and 1 April in Tokyo.
    trained_session(trainer, datetime(2030, 3, 31, 23, 30, tzinfo=UTC), title="Late in March")
    trained_session(trainer, datetime(2030, 3, 4, 15, 0, tzinfo=UTC), title="Early in March")

    mexico = calendar_of(client, trainer.user, "?month=2030-03&tz=America/Mexico_City")
    tokyo = client.get(f"{CALENDAR}?month=2030-03&tz=Asia/Tokyo")

    assert days_with_sessions(mexico) == {date(2030, 3, 4): ["Early in March"], date(2030, 3, 31): ["Late in March"]}
    # Tokyo's March grid ends on Sunday 31 March: the session is April's there.
    assert days_with_sessions(tokyo) == {date(2030, 3, 5): ["Early in March"]}
    assert "17:30–20:30" in mexico.content.decode()
    assert "Times in Mexico City." in mexico.content.decode()


def test_month_is_drawn_as_whole_weeks_monday_to_sunday(client, trainer):
    response = calendar_of(client, trainer.user, "?month=2030-03")

    weeks = response.context["weeks"]
    assert (weeks[0][0].day, weeks[-1][-1].day, len(weeks)) == (date(2030, 2, 25), date(2030, 3, 31), 5)
    assert (weeks[0][0].in_period, weeks[0][4].in_period) == (False, True)
    assert response.context["first"] == date(2030, 3, 1)


def test_week_shows_seven_days_from_monday(client, trainer):
    trained_session(trainer, datetime(2030, 3, 10, 9, 0, tzinfo=UTC), title="Sunday")
    trained_session(trainer, datetime(2030, 3, 11, 9, 0, tzinfo=UTC), title="Next Monday")

    response = calendar_of(client, trainer.user, "?view=week&week=2030-W10")

    assert [day.day for day in response.context["weeks"][0]] == [date(2030, 3, 4 + offset) for offset in range(7)]
    assert days_with_sessions(response) == {date(2030, 3, 10): ["Sunday"]}
    assert "Week of 4 March 2030 to 10 March 2030" in response.content.decode()


def test_without_a_query_the_calendar_opens_on_this_month(client, trainer):
    response = calendar_of(client, trainer.user)

    assert (response.context["view"], response.context["first"]) == ("month", date(2030, 3, 1))
    assert [day.day for week in response.context["weeks"] for day in week if day.is_today] == [date(2030, 3, 6)]


def test_a_session_over_several_days_shows_the_day_it_ends(client, trainer):
    trained_session(trainer, datetime(2030, 3, 4, 9, 0, tzinfo=UTC), hours=32, title="Two-day workshop")

    response = calendar_of(client, trainer.user, "?view=week&week=2030-W10")

    assert '<span class="calendar-time">09:00–5 Mar 17:00</span>' in response.content.decode()


def test_the_browser_zone_cookie_is_used_when_no_zone_is_given(client, trainer):
    trained_session(trainer, datetime(2030, 3, 4, 23, 30, tzinfo=UTC), title="Late")
    client.cookies["tz"] = "Asia%2FTokyo"

    response = calendar_of(client, trainer.user, "?view=week&week=2030-W10")

    assert days_with_sessions(response) == {date(2030, 3, 5): ["Late"]}
    assert response.context["viewer_zone_known"] is True


# --- Navigation ---


@pytest.mark.parametrize(
    ("query", "previous", "following"),
    [
        ("?month=2030-12", "?view=month&trainer=all&month=2030-11", "?view=month&trainer=all&month=2031-01"),
        ("?month=2030-01", "?view=month&trainer=all&month=2029-12", "?view=month&trainer=all&month=2030-02"),
        ("?view=week&week=2030-W01", "?view=week&trainer=all&week=2029-W52", "?view=week&trainer=all&week=2030-W02"),
        ("?week=2026-W53", "?view=week&trainer=all&week=2026-W52", "?view=week&trainer=all&week=2027-W01"),
    ],
)
def test_previous_and_next_links(client, query, previous, following):
    response = calendar_of(client, ManagerFactory(), query)

    assert (response.context["previous_link"], response.context["next_link"]) == (previous, following)


def test_links_keep_a_zone_given_in_the_query(client):
    response = calendar_of(client, ManagerFactory(), "?month=2030-03&tz=Europe/Paris")

    assert response.context["next_link"] == "?view=month&trainer=all&tz=Europe%2FParis&month=2030-04"


# --- Bad query strings: a clear message and the current period, never an error ---


@pytest.mark.parametrize(
    ("query", "message", "view"),
    [
        ("?month=13", "“13” is not a month such as 2026-03; showing the current month.", "month"),
        ("?month=2030-13", "“2030-13” is not a month such as 2026-03; showing the current month.", "month"),
        ("?month=1999-12", "“1999-12” is not a month such as 2026-03; showing the current month.", "month"),
        ("?view=week&week=abc", "“abc” is not a week such as 2026-W11; showing the current week.", "week"),
        ("?view=week&week=2030-W60", "“2030-W60” is not a week such as 2026-W11; showing the current week.", "week"),
        ("?view=year", "Select a valid choice. year is not one of the available choices.", "month"),
        ("?trainer=abc", "Select a valid choice. abc is not one of the available choices.", "month"),
        ("?month=" + "9" * 500, "Ensure this value has at most 7 characters (it has 500).", "month"),
    ],
)
def test_bad_query_strings_say_so_and_fall_back(client, query, message, view):
    response = calendar_of(client, ManagerFactory(), query)

    assert response.context["errors"] == [message]
    assert (response.context["view"], response.context["first"]) == (
        view,
        date(2030, 3, 4) if view == "week" else date(2030, 3, 1),
    )
    assert f'<p class="errornote" role="alert">{message}</p>' in response.content.decode()


def test_a_bad_zone_falls_back_to_utc(client):
    response = calendar_of(client, ManagerFactory(), "?tz=Mars/Olympus_Mons")

    assert (response.context["viewer_zone"], response.context["viewer_zone_known"]) == (UTC, False)


# --- Who sees what ---


def test_trainer_starts_on_their_own_sessions_and_may_see_everyones(client, trainer):
    own = trained_session(trainer, datetime(2030, 3, 5, 9, 0, tzinfo=UTC), title="Mine")
    trained_session(TrainerFactory(), datetime(2030, 3, 7, 9, 0, tzinfo=UTC), title="A colleague's")

    mine = calendar_of(client, trainer.user, "?month=2030-03")
    everyone = client.get(f"{CALENDAR}?month=2030-03&trainer=all")

    assert days_with_sessions(mine) == {date(2030, 3, 5): ["Mine"]}
    assert days_with_sessions(everyone) == {date(2030, 3, 5): ["Mine"], date(2030, 3, 7): ["A colleague's"]}
    html = everyone.content.decode()
    # A colleague's session is shown, not linked: its page is theirs to work on.
    assert (f'<a href="{change_url(own)}">Mine</a>' in html, "<span>A colleague&#x27;s</span>" in html) == (True, True)


def test_manager_sees_every_session_linked_and_may_pick_a_trainer(client):
    ana, luis = TrainerFactory(), TrainerFactory()
    first = trained_session(ana, datetime(2030, 3, 5, 9, 0, tzinfo=UTC), title="Ana's")
    trained_session(luis, datetime(2030, 3, 7, 9, 0, tzinfo=UTC), title="Luis's")
    TrainingSessionFactory(
        title="Cancelled", status=TrainingSession.Status.CANCELLED, starts_at=datetime(2030, 3, 8, tzinfo=UTC)
    )

    everyone = calendar_of(client, ManagerFactory(), "?month=2030-03")
    only_ana = client.get(f"{CALENDAR}?month=2030-03&trainer={ana.pk}")

    assert days_with_sessions(everyone) == {date(2030, 3, 5): ["Ana's"], date(2030, 3, 7): ["Luis's"]}
    assert days_with_sessions(only_ana) == {date(2030, 3, 5): ["Ana's"]}
    assert f'<a href="{change_url(first)}">Ana&#x27;s</a>' in everyone.content.decode()


def test_officer_is_sent_to_sign_in(client, officer):
    client.force_login(officer.user)

    response = client.get(CALENDAR)

    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("admin:login"))


def test_staff_without_a_role_is_refused(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(CALENDAR).status_code == 403


@pytest.mark.parametrize(("language", "title"), [("es", "Calendario"), ("fr", "Calendrier")])
def test_calendar_speaks_the_viewers_language(client, trainer, language, title):
    response = calendar_of(client, trainer.user, headers={"accept-language": language})

    assert f"<h1>{title}</h1>" in response.content.decode()


# --- Query count ---


@pytest.mark.parametrize("count", [1, 8])
def test_calendar_query_count_does_not_grow_with_sessions(client, django_assert_num_queries, trainer, count):
    for index in range(count):
        session = trained_session(trainer, datetime(2030, 3, 1 + index, 9, 0, tzinfo=UTC), title=f"Session {index}")
        SessionTrainerFactory(session=session, trainer=TrainerFactory())
    client.force_login(trainer.user)
    client.get(CALENDAR)

    with django_assert_num_queries(9):
        response = client.get(f"{CALENDAR}?month=2030-03&trainer=all")

    assert sum(len(day.sessions) for week in response.context["weeks"] for day in week) == count
