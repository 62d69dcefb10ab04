"""The back office's home page: this week's sessions and what needs doing, per role."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from agencies.models import Officer
from sessions.models import Attendance, Registration, TrainingSession
from sessions.templatetags import back_office
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    ManagerFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    SurveyResponseFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
# A Wednesday: this week runs from Monday 4 to Sunday 10 March 2030.
NOW = datetime(2030, 3, 6, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def change_url(session):
    return reverse("admin:training_trainingsession_change", args=[session.pk])


def trained_session(trainer, **kwargs):
    session = TrainingSessionFactory(**kwargs)
    SessionTrainerFactory(session=session, trainer=trainer)
    return session


def at(days: float, hours: float = 3, **kwargs) -> dict:
    """A session starting ``days`` from NOW, lasting ``hours``."""
    starts_at = NOW + timedelta(days=days)
    return {"starts_at": starts_at, "ends_at": starts_at + timedelta(hours=hours), **kwargs}


def titles(sessions) -> list[str]:
    return [session.title for session in sessions]


def dashboard_of(client, user, **headers):
    client.force_login(user)
    response = client.get(INDEX, **headers)
    assert response.status_code == 200
    return response


def confirmed(session, count):
    for _ in range(count):
        RegistrationFactory(session=session)


def waitlisted(session, count):
    for position in range(1, count + 1):
        RegistrationFactory(session=session, status=Registration.Status.WAITLISTED, waitlist_position=position)


# --- This week ---


def span(start: datetime, hours: float = 3) -> dict:
    return {"starts_at": start, "ends_at": start + timedelta(hours=hours)}


def test_this_week_lists_the_trainers_own_sessions_in_their_zone(client, trainer):
    trained_session(trainer, title="Monday", **span(datetime(2030, 3, 4, 8, 0, tzinfo=UTC)))
    # Sunday 23:30 UTC is already Monday 11 March in Paris: next week there.
    trained_session(trainer, title="Sunday night", **span(datetime(2030, 3, 10, 23, 30, tzinfo=UTC)))
    trained_session(trainer, title="Draft", status=TrainingSession.Status.DRAFT, **span(NOW))
    trained_session(trainer, title="Cancelled", status=TrainingSession.Status.CANCELLED, **span(NOW))
    TrainingSessionFactory(title="Someone else's", **span(NOW))
    client.cookies["tz"] = "Europe%2FParis"

    response = dashboard_of(client, trainer.user)

    assert titles(response.context["dashboard"].this_week) == ["Monday", "Draft"]
    html = response.content.decode()
    assert "Week of 4 March; times in Paris." in html
    assert "4 Mar 09:00–12:00 (Paris)" in html


def test_this_week_of_a_manager_holds_every_session(client):
    TrainingSessionFactory(title="Monday", **span(datetime(2030, 3, 4, 8, 0, tzinfo=UTC)))
    TrainingSessionFactory(title="Sunday night", **span(datetime(2030, 3, 10, 23, 30, tzinfo=UTC)))
    TrainingSessionFactory(title="Next Monday", **span(datetime(2030, 3, 11, 0, 0, tzinfo=UTC)))

    response = dashboard_of(client, ManagerFactory())  # no zone known: UTC

    assert titles(response.context["dashboard"].this_week) == ["Monday", "Sunday night"]
    assert response.context["viewer_zone_known"] is False
    assert "data-needs-viewer-zone" in response.content.decode()


# --- Needs action ---


def test_drafts_to_publish_are_the_trainers_drafts_not_started(client, trainer):
    trained_session(trainer, title="Draft soon", status=TrainingSession.Status.DRAFT, **at(3))
    trained_session(trainer, title="Draft undated", status=TrainingSession.Status.DRAFT, starts_at=None, ends_at=None)
    trained_session(trainer, title="Draft gone by", status=TrainingSession.Status.DRAFT, **at(-3))
    trained_session(trainer, title="Published", **at(3))
    TrainingSessionFactory(title="Another's draft", status=TrainingSession.Status.DRAFT, **at(3))

    drafts = dashboard_of(client, trainer.user).context["dashboard"].drafts

    assert (titles(drafts.sessions), drafts.more) == (["Draft soon", "Draft undated"], False)


def test_few_registrations_is_under_a_quarter_of_the_seats_within_fourteen_days(client):
    confirmed(TrainingSessionFactory(title="4 of 20 in 10 days", capacity=20, **at(10)), 4)
    confirmed(TrainingSessionFactory(title="5 of 20 in 10 days", capacity=20, **at(10)), 5)
    TrainingSessionFactory(title="0 of 20 in 15 days", capacity=20, **at(15))
    TrainingSessionFactory(title="0 of 20, started", capacity=20, **at(-0.1))
    TrainingSessionFactory(title="No capacity", capacity=None, **at(2))
    TrainingSessionFactory(title="Draft", status=TrainingSession.Status.DRAFT, capacity=20, **at(2))

    response = dashboard_of(client, ManagerFactory())

    assert titles(response.context["dashboard"].few_registrations.sessions) == ["4 of 20 in 10 days"]
    assert "4 of 20 seats taken" in response.content.decode()


def test_ended_without_attendance_needs_confirmed_officers_and_no_roll_call(client):
    missing = TrainingSessionFactory(title="Ended, nobody marked", **at(-2))
    confirmed(missing, 2)
    AttendanceFactory(registration__session=TrainingSessionFactory(title="Ended, marked", **at(-2)))
    TrainingSessionFactory(title="Ended, nobody registered", **at(-2))
    confirmed(TrainingSessionFactory(title="Not ended", **at(-0.05)), 1)
    confirmed(TrainingSessionFactory(title="Cancelled", status=TrainingSession.Status.CANCELLED, **at(-2)), 1)
    completed = TrainingSessionFactory(
        title="Completed, nobody marked", status=TrainingSession.Status.COMPLETED, **at(-1)
    )
    confirmed(completed, 1)

    response = dashboard_of(client, ManagerFactory())

    found = response.context["dashboard"].attendance_missing.sessions
    assert titles(found) == ["Completed, nobody marked", "Ended, nobody marked"]
    roll_call = reverse("admin:training_trainingsession_roll_call", args=[missing.pk])
    assert f'<a href="{roll_call}">Ended, nobody marked</a>' in response.content.decode()


def test_survey_not_sent_is_a_completed_session_with_an_attendee_never_sent_it(client):
    completed = {"status": TrainingSession.Status.COMPLETED, **at(-2)}
    late = TrainingSessionFactory(title="Attendance after completion", **completed)
    AttendanceFactory(registration__session=late, status=Attendance.Status.PARTIAL)
    sent = SurveyResponseFactory(survey__session__title="Survey sent", survey__session__starts_at=NOW, sent_at=NOW)
    AttendanceFactory(registration=sent.registration)
    absent = TrainingSessionFactory(title="Only absentees", **completed)
    AttendanceFactory(registration__session=absent, status=Attendance.Status.ABSENT)
    AttendanceFactory(registration__session=TrainingSessionFactory(title="Published", **at(-2)))

    dashboard = dashboard_of(client, ManagerFactory()).context["dashboard"]

    assert titles(dashboard.survey_not_sent.sessions) == ["Attendance after completion"]


def test_long_waitlists_start_at_five_people_waiting(client):
    waitlisted(TrainingSessionFactory(title="Five waiting", **at(5)), 5)
    waitlisted(TrainingSessionFactory(title="Four waiting", **at(5)), 4)
    waitlisted(TrainingSessionFactory(title="Five waited, over", **at(-5)), 5)

    response = dashboard_of(client, ManagerFactory())

    assert titles(response.context["dashboard"].long_waitlists.sessions) == ["Five waiting"]
    assert "5 waiting" in response.content.decode()


def test_a_list_says_when_sessions_were_left_off(client, settings, monkeypatch):
    monkeypatch.setattr("sessions.dashboard.ITEMS_PER_LIST", 2)
    for day in (1, 2, 3):
        TrainingSessionFactory(title=f"Draft {day}", status=TrainingSession.Status.DRAFT, **at(day))

    response = dashboard_of(client, ManagerFactory())

    drafts = response.context["dashboard"].drafts
    assert (titles(drafts.sessions), drafts.more) == (["Draft 1", "Draft 2"], True)
    assert "More in the list of sessions…" in response.content.decode()


def test_double_bookings_are_listed_once_per_pair_with_what_clashes(client, trainer):
    ana = TrainerFactory(user__first_name="Ana", user__last_name="López")
    place = {"format": TrainingSession.Format.IN_PERSON, "venue": "Hotel Reforma", "city": "Monterrey"}
    first = trained_session(ana, title="Seizing assets", **at(3, hours=4), **place)
    second = trained_session(ana, title="AML basics", **at(3.1), **{**place, "venue": "hotel  reforma"})
    SessionTrainerFactory(session=second, trainer=trainer)
    trained_session(trainer, title="Elsewhere the same day", **at(3.2))  # only the trainer is shared: a clash
    trained_session(ana, title="Over", **at(-2))
    trained_session(ana, title="Over too", **at(-2))

    manager_view = dashboard_of(client, ManagerFactory()).context["dashboard"].conflicts

    assert [(c.session.title, c.other.title, c.trainers, c.venue) for c in manager_view] == [
        ("Seizing assets", "AML basics", (ana,), "Hotel Reforma"),
        ("AML basics", "Elsewhere the same day", (trainer,), ""),
    ]
    html = client.get(INDEX).content.decode()
    assert (
        re.sub(
            r"\s+", " ", re.search(r'<ul class="back-office-list" id="double-bookings">(.*?)</ul>', html, re.S)[1]
        ).count("overlaps")
        == 2
    )
    assert f'<a href="{change_url(first)}">Seizing assets</a>' in html


def test_double_bookings_of_a_trainer_are_those_of_their_sessions(client, trainer):
    ana = TrainerFactory()
    trained_session(ana, title="Ana's first", **at(3))
    trained_session(ana, title="Ana's second", **at(3))
    mine = trained_session(trainer, title="Mine", **at(5))
    SessionTrainerFactory(session=trained_session(ana, title="Ana's third", **at(5)), trainer=trainer)

    conflicts = dashboard_of(client, trainer.user).context["dashboard"].conflicts

    assert [(c.session.title, c.other.title) for c in conflicts] == [(mine.title, "Ana's third")]


def test_nothing_to_do_says_so(client, trainer):
    response = dashboard_of(client, trainer.user)

    assert response.context["dashboard"].needs_action is False
    assert "Nothing needs doing right now." in response.content.decode()


# --- Managers only: officers to verify, the yearly report ---


def test_manager_sees_pending_officers_linked_to_the_filtered_list_and_the_report(client):
    OfficerFactory.create_batch(2, verification_status=Officer.Verification.PENDING)
    OfficerFactory(verification_status=Officer.Verification.VERIFIED)

    html = dashboard_of(client, ManagerFactory()).content.decode()

    officers = reverse("admin:agencies_officer_changelist")
    assert f'<a href="{officers}?verification_status__exact=pending">2 officers wait for verification</a>' in html
    assert f'<a href="{reverse("reports:yearly")}">The yearly report</a>' in html


def test_manager_sees_agencies_overdue_for_reconfirmation_linked_to_the_filtered_list(client):
    AgencyFactory.create_batch(2, reconfirmation_due_on=NOW.date() - timedelta(days=1))
    AgencyFactory(reconfirmation_due_on=NOW.date())

    html = dashboard_of(client, ManagerFactory()).content.decode()

    agencies = reverse("admin:agencies_agency_changelist")
    assert (
        f'<a href="{agencies}?reconfirmation=overdue">2 agencies are overdue for their yearly reconfirmation</a>'
        in html
    )


def test_trainer_sees_neither_pending_officers_nor_the_report(client, trainer):
    OfficerFactory(verification_status=Officer.Verification.PENDING)

    response = dashboard_of(client, trainer.user)

    assert response.context["dashboard"].pending_officers is None
    assert (
        "pending-officers" in response.content.decode(),
        reverse("reports:yearly") in response.content.decode(),
    ) == (
        False,
        False,
    )


# --- Who gets a dashboard ---


def test_officer_is_sent_to_sign_in(client, officer):
    client.force_login(officer.user)

    response = client.get(INDEX)

    assert (response.status_code, response["Location"]) == (302, f"/admin/login/?next={INDEX}")


def test_staff_without_a_role_gets_the_plain_index(client):
    response = dashboard_of(client, UserFactory(is_staff=True))

    assert "dashboard" not in response.context
    assert "This week" not in response.content.decode()


@pytest.mark.parametrize(("language", "heading"), [("es", "Esta semana"), ("fr", "Cette semaine")])
def test_dashboard_speaks_the_viewers_language(client, trainer, language, heading):
    response = dashboard_of(client, trainer.user, headers={"accept-language": language})

    assert f'<h2 id="this-week-title">{heading}</h2>' in response.content.decode()


# --- The roll call link ---


def test_roll_call_link_names_the_sessions_roll_call_page():
    assert back_office.roll_call_url(TrainingSession(pk=7)) == "/admin/training/trainingsession/7/roll-call/"


# --- Query count ---


def fill_every_list(trainer, count):
    for index in range(count):
        trained_session(trainer, title=f"This week {index}", **span(NOW + timedelta(hours=index)))
        trained_session(trainer, title=f"Draft {index}", status=TrainingSession.Status.DRAFT, **at(20 + index))
        trained_session(trainer, title=f"Quiet {index}", capacity=40, **at(8, hours=1))
        confirmed(trained_session(trainer, title=f"Unmarked {index}", **at(-3)), 1)
        late = trained_session(trainer, title=f"Unsurveyed {index}", status=TrainingSession.Status.COMPLETED, **at(-4))
        AttendanceFactory(registration__session=late)
        waitlisted(trained_session(trainer, title=f"Popular {index}", capacity=1, **at(30 + index)), 5)
        OfficerFactory(verification_status=Officer.Verification.PENDING)
        AgencyFactory(reconfirmation_due_on=NOW.date() - timedelta(days=1 + index))


@pytest.mark.parametrize(("role", "queries"), [("manager", 17), ("trainer", 16)])
@pytest.mark.parametrize("count", [1, 6])
def test_dashboard_query_count_does_not_grow_with_rows(client, django_assert_num_queries, count, role, queries):
    trainer = TrainerFactory()
    fill_every_list(trainer, count)
    client.force_login(ManagerFactory() if role == "manager" else trainer.user)
    client.get(INDEX)  # the session and the user are loaded once per test client

    with django_assert_num_queries(queries):
        response = client.get(INDEX)

    dashboard = response.context["dashboard"]
    found = (dashboard.this_week, dashboard.drafts.sessions, dashboard.attendance_missing.sessions)
    assert [len(rows) for rows in found] == [count, count, count]
    found = (
        dashboard.few_registrations.sessions,
        dashboard.survey_not_sent.sessions,
        dashboard.long_waitlists.sessions,
    )
    assert [len(rows) for rows in found] == [2 * count, count, count]  # this week's sessions have few registrations too
    assert dashboard.pending_officers == (count if role == "manager" else None)
    assert dashboard.reconfirmation_overdue == (count if role == "manager" else None)
