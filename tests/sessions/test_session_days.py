"""Sessions of several days: their days, attendance per day, and the session's attendance that follows."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from agencies.services import erase_officer
from reports.selectors import yearly_report
from sessions import services
from sessions.calendar import build_session_ics
from sessions.models import Attendance, DayAttendance, SessionDay, TrainingSession
from sessions.selectors import roll_call_day
from sessions.services.certificates import held_on, issue_certificate, render_certificate_pdf
from tests.factories import (
    OfficerFactory,
    RegistrationFactory,
    SessionDayFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MEXICO = ZoneInfo("America/Mexico_City")


def workshop(
    start: date = date(2025, 3, 10), days: int = 3, status=TrainingSession.Status.COMPLETED, **kwargs
) -> TrainingSession:
    """A workshop in Mexico City from 09:00 on ``start`` to 17:00 ``days`` days later, with no days yet."""
    return TrainingSessionFactory(
        starts_at=datetime.combine(start, time(9), tzinfo=MEXICO),
        ends_at=datetime.combine(start + timedelta(days=days - 1), time(17), tzinfo=MEXICO),
        timezone="America/Mexico_City",
        status=status,
        **kwargs,
    )


def day_hours(start: date, count: int, *, ends=time(17)) -> list[services.DayHours]:
    return [services.DayHours(start + timedelta(days=n), time(9), ends) for n in range(count)]


def with_days(session: TrainingSession, count: int = 3) -> list[SessionDay]:
    start = session.starts_at.astimezone(session.timezone).date()
    return services.set_session_days(session=session, days=day_hours(start, count), by=None)


def test_set_session_days_creates_the_days_by_date():
    session = workshop()

    days = services.set_session_days(
        session=session,
        days=[
            services.DayHours(date(2025, 3, 11), time(9), time(17)),
            services.DayHours(date(2025, 3, 10), time(9), time(13)),
        ],
        by=UserFactory(),
    )

    assert [(day.date, day.hours) for day in days] == [
        (date(2025, 3, 10), Decimal("4.0")),
        (date(2025, 3, 11), Decimal("8.0")),
    ]
    assert days[0].starts_at == datetime(2025, 3, 10, 9, tzinfo=MEXICO)


def test_set_session_days_records_the_actor_in_history():
    manager = UserFactory()
    session = workshop()

    day = services.set_session_days(session=session, days=day_hours(date(2025, 3, 10), 1), by=manager)[0]

    assert day.history.get().history_user == manager


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (
            [services.DayHours(date(2025, 3, 9), time(9), time(17))],
            "The day of 2025-03-09 is outside the session's start and end.",
        ),
        (
            [services.DayHours(date(2025, 3, 10), time(8), time(17))],
            "The day of 2025-03-10 is outside the session's start and end.",
        ),
        (
            [services.DayHours(date(2025, 3, 12), time(9), time(18))],
            "The day of 2025-03-12 is outside the session's start and end.",
        ),
        (
            [services.DayHours(date(2025, 3, 11), time(13), time(9))],
            "The day of 2025-03-11 must end after it starts.",
        ),
        (
            [
                services.DayHours(date(2025, 3, 11), time(9), time(12)),
                services.DayHours(date(2025, 3, 11), time(13), time(17)),
            ],
            "Two days of the session fall on the same date.",
        ),
    ],
)
def test_set_session_days_refuses_days_that_do_not_fit(days, message):
    session = workshop()

    with pytest.raises(services.SessionError) as refused:
        services.set_session_days(session=session, days=days, by=None)

    assert str(refused.value.message) == message
    assert SessionDay.objects.count() == 0


def test_set_session_days_refuses_more_than_31_days():
    session = workshop(days=40)

    with pytest.raises(services.SessionError) as refused:
        services.set_session_days(session=session, days=day_hours(date(2025, 3, 10), 32), by=None)

    assert str(refused.value.message) == "A session has at most 31 days."


def test_set_session_days_changes_hours_and_removes_days_without_attendance():
    session = workshop()
    with_days(session, 3)

    days = services.set_session_days(session=session, days=day_hours(date(2025, 3, 10), 2, ends=time(12)), by=None)

    assert [(day.date, day.ends_at_time) for day in days] == [
        (date(2025, 3, 10), time(12)),
        (date(2025, 3, 11), time(12)),
    ]


def test_set_session_days_refuses_removing_a_day_with_attendance():
    session = workshop()
    days = with_days(session, 3)
    services.record_day_attendance(
        registration=RegistrationFactory(session=session), day=days[2], status="present", by=None
    )

    with pytest.raises(services.SessionError) as refused:
        services.set_session_days(session=session, days=day_hours(date(2025, 3, 10), 2), by=None)

    assert str(refused.value.message) == "A day with attendance taken cannot be removed."
    assert SessionDay.objects.filter(session=session).count() == 3


def test_one_day_session_keeps_its_one_attendance_and_no_days():
    session = workshop(days=1)
    registration = RegistrationFactory(session=session)

    attendance = services.record_attendance(registration=registration, status="present", by=None)

    assert (attendance.status, attendance.hours_attended) == ("present", None)
    assert list(session.days.all()) == []


@pytest.mark.parametrize(
    ("day_statuses", "status", "hours"),
    [
        (["present", "present", "present"], "present", Decimal("24.0")),
        (["present", "absent", "present"], "partial", Decimal("16.0")),
        (["present", "partial", "absent"], "partial", Decimal("12.0")),
        (["absent", "absent", "absent"], "absent", Decimal("0.0")),
        (["present"], "partial", Decimal("8.0")),
    ],
)
def test_session_attendance_follows_from_the_days(day_statuses, status, hours):
    session = workshop()
    days = with_days(session)
    registration = RegistrationFactory(session=session)

    for day, day_status in zip(days, day_statuses, strict=False):
        services.record_day_attendance(registration=registration, day=day, status=day_status, by=None)

    attendance = Attendance.objects.get(registration=registration)
    assert (attendance.status, attendance.hours_attended) == (status, hours)


def test_partial_day_counts_the_minutes_recorded():
    session = workshop()
    days = with_days(session, 2)
    registration = RegistrationFactory(session=session)

    services.record_day_attendance(registration=registration, day=days[0], status="present", by=None)
    services.record_day_attendance(
        registration=registration, day=days[1], status="partial", minutes_attended=150, by=None
    )

    assert Attendance.objects.get(registration=registration).hours_attended == Decimal("10.5")


def test_record_day_attendance_records_the_actor_on_day_and_session():
    trainer_user = UserFactory()
    session = workshop()
    days = with_days(session)
    registration = RegistrationFactory(session=session)

    record = services.record_day_attendance(registration=registration, day=days[0], status="present", by=trainer_user)

    assert (record.recorded_by, record.history.get().history_user) == (trainer_user, trainer_user)
    assert Attendance.objects.get(registration=registration).history.get().history_user == trainer_user


def test_record_day_attendance_again_changes_nothing():
    session = workshop()
    days = with_days(session)
    registration = RegistrationFactory(session=session)
    services.record_day_attendance(registration=registration, day=days[0], status="present", by=None)

    services.record_day_attendance(registration=registration, day=days[0], status="present", by=None)

    assert DayAttendance.history.count() == 1
    assert Attendance.history.count() == 1


def test_record_day_attendance_refuses_a_day_of_another_session():
    session = workshop()
    other_day = with_days(workshop(title="Other"))[0]

    with pytest.raises(services.AttendanceError) as refused:
        services.record_day_attendance(
            registration=RegistrationFactory(session=session), day=other_day, status="present", by=None
        )

    assert str(refused.value.message) == "This day belongs to another session."


def test_record_day_attendance_refuses_a_day_not_started():
    yesterday = timezone.now().astimezone(MEXICO).date() - timedelta(days=1)
    session = workshop(start=yesterday, status=TrainingSession.Status.PUBLISHED)
    day = SessionDayFactory(session=session, date=yesterday + timedelta(days=2))

    with pytest.raises(services.AttendanceError) as refused:
        services.record_day_attendance(
            registration=RegistrationFactory(session=session), day=day, status="present", by=None
        )

    assert str(refused.value.message) == "Attendance of a day can be taken from two hours before it starts."


def test_record_day_attendance_sheet_saves_every_line_or_none():
    session = workshop()
    days = with_days(session)
    first, second = RegistrationFactory(session=session), RegistrationFactory(session=session)
    services.record_day_attendance_sheet(
        session=session, day=days[0], items=[{"registration_id": first.pk, "status": "present"}], by=None
    )

    with pytest.raises(services.AttendanceSheetRejected) as rejected:
        services.record_day_attendance_sheet(
            session=session,
            day=days[1],
            items=[
                {"registration_id": first.pk, "status": "present"},
                {"registration_id": second.pk, "status": "excused"},
            ],
            by=None,
        )

    assert {index: str(error.message) for index, error in rejected.value.errors.items()} == {
        1: "Unknown attendance status."
    }
    assert list(DayAttendance.objects.values_list("registration_id", "day_id")) == [(first.pk, days[0].pk)]


def test_roll_call_day_is_today_in_the_session_zone_else_the_first():
    session = workshop()
    days = with_days(session)
    # 02:00 UTC on 12 March is still 11 March in Mexico City.
    assert roll_call_day(days, MEXICO, now=datetime(2025, 3, 12, 2, tzinfo=ZoneInfo("UTC"))) == days[1]
    assert roll_call_day(days, MEXICO, now=datetime(2025, 4, 1, tzinfo=ZoneInfo("UTC"))) == days[0]
    assert roll_call_day([], MEXICO) is None


def test_yearly_report_counts_a_multi_day_session_as_a_one_day_session_with_the_same_people():
    """A session counts once and each attendance once, however many days it has."""

    def figures():
        report = yearly_report(year=2025, breakdowns=()).current
        return (report.sessions_held, report.attendances, report.officers_trained, report.agencies_reached)

    officers = [OfficerFactory() for _ in range(3)]
    multi_day = workshop()
    days = with_days(multi_day)
    for officer, statuses in zip(
        officers, [["present"] * 3, ["present", "absent", "partial"], ["absent"] * 3], strict=True
    ):
        registration = RegistrationFactory(session=multi_day, officer=officer)
        for day, status in zip(days, statuses, strict=True):
            services.record_day_attendance(registration=registration, day=day, status=status, by=None)
    multi_day_figures = figures()
    multi_day.status = TrainingSession.Status.CANCELLED
    multi_day.save()

    one_day = workshop(days=1)
    for officer, status in zip(officers, ["present", "partial", "absent"], strict=True):
        registration = RegistrationFactory(session=one_day, officer=officer)
        services.record_attendance(registration=registration, status=status, by=None)

    assert multi_day_figures == figures() == (1, 2, 2, len({officer.agency_id for officer in officers[:2]}))


def test_certificate_of_a_multi_day_session_states_the_days_and_hours_attended():
    session = workshop()
    days = with_days(session)
    registration = RegistrationFactory(session=session, officer__preferred_language="fr")
    for day, status in zip(days, ["present", "absent", "partial"], strict=True):
        services.record_day_attendance(registration=registration, day=day, status=status, by=None)

    certificate = issue_certificate(registration=registration)

    assert (certificate.hours, certificate.attendance_status, certificate.days) == (
        Decimal("12.0"),
        "partial",
        [{"date": "2025-03-10", "hours": "8.0"}, {"date": "2025-03-12", "hours": "4.0"}],
    )
    lines = {}
    for language in ("en", "es", "fr"):
        with translation.override(language):
            lines[language] = held_on(certificate)
    assert lines == {
        "en": "on March 10, 2025 (8 h), March 12, 2025 (4 h) — 12 hours in all",
        "es": "el 10 de marzo de 2025 (8 h), 12 de marzo de 2025 (4 h) — 12 horas en total",
        "fr": "les 10 mars 2025 (8 h), 12 mars 2025 (4 h) — 12 heures au total",
    }
    assert render_certificate_pdf(certificate=certificate).startswith(b"%PDF-")


def test_certificate_of_a_one_day_session_keeps_its_date_and_hours():
    session = workshop(days=1)
    registration = RegistrationFactory(session=session)
    services.record_attendance(registration=registration, status="present", by=None)

    certificate = issue_certificate(registration=registration)

    assert (certificate.hours, certificate.days) == (Decimal("8.0"), [])
    with translation.override("en"):
        assert held_on(certificate) == "held on March 10, 2025 — 8 hours"


def test_certificate_verify_page_lists_the_days(client):
    session = workshop()
    days = with_days(session, 2)
    registration = RegistrationFactory(session=session)
    for day in days:
        services.record_day_attendance(registration=registration, day=day, status="present", by=None)
    certificate = issue_certificate(registration=registration)

    page = client.get(
        reverse("sessions:certificate_verify", args=[certificate.code]), headers={"accept-language": "en"}
    )

    assert "16 hours in all, on these days:" in page.content.decode()
    assert "<li>March 10, 2025 (8 h)</li><li>March 11, 2025 (8 h)</li>" in page.content.decode()


def upcoming_workshop() -> TrainingSession:
    session = TrainingSessionFactory(
        starts_at=datetime(2030, 3, 10, 9, tzinfo=MEXICO),
        ends_at=datetime(2030, 3, 11, 17, tzinfo=MEXICO),
        timezone="America/Mexico_City",
        capacity=5,
        title="Tracing workshop",
    )
    SessionDayFactory(session=session, date=date(2030, 3, 10), starts_at_time=time(9), ends_at_time=time(17))
    SessionDayFactory(session=session, date=date(2030, 3, 11), starts_at_time=time(9), ends_at_time=time(13))
    return session


def test_ics_of_a_multi_day_session_has_one_event_per_day():
    session = upcoming_workshop()

    events = Calendar.from_ical(build_session_ics(session, include_meeting_url=False)).walk("VEVENT")

    assert [(str(event["UID"]), event.decoded("DTSTART"), event.decoded("DTEND")) for event in events] == [
        (
            f"session-{session.uuid}@trainingops",
            datetime(2030, 3, 10, 9, tzinfo=MEXICO),
            datetime(2030, 3, 10, 17, tzinfo=MEXICO),
        ),
        (
            f"session-{session.uuid}-day-2@trainingops",
            datetime(2030, 3, 11, 9, tzinfo=MEXICO),
            datetime(2030, 3, 11, 13, tzinfo=MEXICO),
        ),
    ]


def test_ics_of_a_one_day_session_is_one_event_as_before():
    session = TrainingSessionFactory()

    events = Calendar.from_ical(build_session_ics(session, include_meeting_url=False)).walk("VEVENT")

    assert [str(event["UID"]) for event in events] == [f"session-{session.uuid}@trainingops"]


@pytest.mark.parametrize(
    ("language", "subject", "days_line"),
    [
        (
            "en",
            "Registration confirmed: Tracing workshop",
            "Days:\n- March 10, 2030, 9 a.m. – 5 p.m.\n- March 11, 2030, 9 a.m. – 1 p.m.\n",
        ),
        (
            "es",
            "Inscripción confirmada: Tracing workshop",
            "Días:\n- 10 de marzo de 2030, 09:00 – 17:00\n- 11 de marzo de 2030, 09:00 – 13:00\n",
        ),
        (
            "fr",
            "Inscription confirmée : Tracing workshop",
            "Jours:\n- 10 mars 2030, 09:00 – 17:00\n- 11 mars 2030, 09:00 – 13:00\n",
        ),
    ],
)
def test_confirmation_email_lists_the_days(django_capture_on_commit_callbacks, language, subject, days_line):
    session = upcoming_workshop()
    officer = OfficerFactory(user__email="ana@policia.gob.mx", preferred_language=language)

    with django_capture_on_commit_callbacks(execute=True):
        services.register_officer(session=session, officer=officer, source="portal")

    email = mail.outbox[0]
    assert (email.to, email.subject) == (["ana@policia.gob.mx"], subject)
    assert days_line in email.body
    assert len(Calendar.from_ical(email.attachments[0][1]).walk("VEVENT")) == 2


def test_portal_session_page_lists_the_days(client):
    session = upcoming_workshop()

    page = client.get(reverse("sessions:detail", args=[session.pk]), headers={"accept-language": "en"})

    assert page.status_code == 200
    assert (
        '<ul class="session-days" id="session-days"><li>March 10, 2030, 9 a.m. – 5 p.m.</li>'
        "<li>March 11, 2030, 9 a.m. – 1 p.m.</li></ul>"
    ) in page.content.decode()


def test_erasure_keeps_the_days_and_the_counts_of_a_multi_day_session():
    session = workshop()
    days = with_days(session)
    officer = OfficerFactory()
    registration = RegistrationFactory(session=session, officer=officer)
    for day, status in zip(days, ["present", "partial", "absent"], strict=True):
        services.record_day_attendance(registration=registration, day=day, status=status, by=None)
    issue_certificate(registration=registration)
    before = yearly_report(year=2025, breakdowns=()).current

    erase_officer(officer=officer, by=officer.user)

    after = yearly_report(year=2025, breakdowns=()).current
    assert (
        (after.attendances, after.officers_trained, after.agencies_reached)
        == (
            before.attendances,
            before.officers_trained,
            before.agencies_reached,
        )
        == (1, 1, 1)
    )
    assert sorted(DayAttendance.objects.filter(registration=registration).values_list("status", flat=True)) == [
        "absent",
        "partial",
        "present",
    ]
    attendance = Attendance.objects.get(registration=registration)
    assert (attendance.status, attendance.hours_attended, attendance.registration.officer) == (
        "partial",
        Decimal("12.0"),
        None,
    )
