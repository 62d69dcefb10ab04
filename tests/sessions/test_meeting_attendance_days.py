"""A meeting report for one day of a session of several days: weighed against that day, saved per day."""

from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from sessions import services
from sessions.meeting_reports import parse_meeting_report
from sessions.models import Attendance, DayAttendance, Registration
from tests.factories import (
    AgencyFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionDayFactory,
    SessionTrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ZOOM = Path(__file__).parent.parent / "data" / "meeting_reports" / "zoom_participants.csv"


def report():
    return parse_meeting_report(ZOOM.read_bytes())


@pytest.fixture
def two_days(trainer):
    """Two virtual mornings (UTC) of two hours each, two and one days ago."""
    first = (timezone.now() - timedelta(days=2)).date()
    session = TrainingSessionFactory(
        starts_at=timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=2),
        ends_at=timezone.now().replace(hour=0, minute=0, second=0, microsecond=0),
    )
    SessionTrainerFactory(session=session, trainer=trainer)
    for offset in range(2):
        SessionDayFactory(
            session=session, date=first + timedelta(days=offset), starts_at_time=time(9), ends_at_time=time(11)
        )
    return session


@pytest.fixture
def roll(two_days):
    def register(email, first, last):
        officer = OfficerFactory(user=UserFactory(email=email, first_name=first, last_name=last))
        return RegistrationFactory(session=two_days, officer=officer)

    return {
        "maria": register("Maria.Perez@policia.example", "María José", "Pérez"),
        "jean": register("jean.dupont@gendarmerie.example", "Jean", "Dupont"),
    }


def test_plan_of_a_multi_day_session_needs_its_day(two_days, roll):
    with pytest.raises(services.AttendanceError) as refused:
        services.plan_meeting_attendance(session=two_days, report=report())

    assert str(refused.value.message) == "This session has several days: choose the day of this meeting report."


def test_import_for_a_day_saves_the_days_attendance_with_minutes(two_days, roll, trainer):
    day = two_days.days.order_by("date").first()

    result = services.import_meeting_attendance(session=two_days, report=report(), by=trainer.user, day=day)

    assert result.saved == 2
    records = DayAttendance.objects.filter(day=day).order_by("registration_id")
    assert [(r.registration_id, r.status, r.minutes_attended) for r in records] == [
        (roll["maria"].pk, "present", 111),
        (roll["jean"].pk, "absent", 20),
    ]
    maria = Attendance.objects.get(registration=roll["maria"])
    assert (maria.status, maria.hours_attended, maria.recorded_by) == ("partial", Decimal("2.0"), trainer.user)


def test_import_for_a_day_again_changes_nothing(two_days, roll, trainer):
    day = two_days.days.order_by("date").first()
    walk_ins = {"ana.gomez@pnp.example": AgencyFactory()}
    services.import_meeting_attendance(session=two_days, report=report(), by=trainer.user, day=day, walk_ins=walk_ins)
    rows = (DayAttendance.history.count(), Attendance.history.count(), Registration.objects.count())

    result = services.import_meeting_attendance(
        session=two_days, report=report(), by=trainer.user, day=day, walk_ins=walk_ins
    )

    assert (result.saved, result.walk_ins) == (0, 0)
    assert (DayAttendance.history.count(), Attendance.history.count(), Registration.objects.count()) == rows
    walk_in = Registration.objects.get(source=Registration.Source.WALK_IN)
    assert list(walk_in.day_attendances.values_list("status", "minutes_attended")) == [("present", 100)]


def test_command_imports_for_the_day_given(two_days, roll, capsys):
    day = two_days.days.order_by("date").last()

    call_command("import_meeting_attendance", "--session", str(two_days.pk), "--day", day.date.isoformat(), str(ZOOM))

    assert sorted(DayAttendance.objects.filter(day=day).values_list("status", flat=True)) == ["absent", "present"]
    assert "Saved 2 attendance records" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2030-13-01", "--day must be a date as YYYY-MM-DD, not '2030-13-01'."),
        ("2001-01-01", "has no day on 2001-01-01"),
    ],
)
def test_command_refuses_a_day_that_is_not_one(two_days, value, message):
    with pytest.raises(CommandError) as refused:
        call_command("import_meeting_attendance", "--session", str(two_days.pk), "--day", value, str(ZOOM))

    assert message in str(refused.value)
    assert DayAttendance.objects.count() == 0


def test_back_office_import_for_the_day_of_the_roll_call(client, trainer, two_days, roll):
    day = two_days.days.order_by("date").first()
    client.force_login(trainer.user)
    url = reverse("admin:training_trainingsession_meeting_attendance", args=[two_days.pk]) + f"?day={day.pk}"
    with ZOOM.open("rb") as upload:
        preview = client.post(url, {"action": "preview", "report": upload})
    assert preview.context["day"] == day

    response = client.post(url, {"action": "confirm"})

    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("admin:training_trainingsession_roll_call", args=[two_days.pk]) + f"?day={day.pk}"
    )
    assert DayAttendance.objects.filter(day=day).count() == 2
