"""The yearly report stays equal to a from-scratch computation after every kind of change.

The report counts attendance from the copy of the registration's snapshot that each attendance
carries (``Attendance.session``, ``officer_key``, ``agency``, ``country``) and joins session facts
at query time. Each test changes the data through the service a user's action goes through, then
compares the report with ``tests.reports.reference``, which reads the registrations themselves.
"""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from agencies.services import erase_officer
from reports.selectors import ReportFilters, yearly_report
from sessions import services
from sessions.models import Attendance, Registration
from tests.factories import (
    OfficerFactory,
    RegistrationFactory,
    TrainingSessionFactory,
)
from tests.reports.conftest import running_program
from tests.reports.reference import as_reference, reference_report

pytestmark = pytest.mark.django_db

FILTERS = (ReportFilters(), ReportFilters(region="Europe"), ReportFilters(topic="tracing"))


def assert_report_is_exact(year: int) -> None:
    now = timezone.now()
    for filters in FILTERS:
        report = yearly_report(year=year, filters=filters, now=now)
        assert as_reference(report) == reference_report(year=year, now=now, filters=filters), filters


@pytest.fixture
def program(manager_user):
    return running_program(manager_user)


def registration_of(session, officer) -> Registration:
    return Registration.objects.get(session=session, officer=officer)


def test_report_is_exact_after_attendance_recorded(program):
    carla = OfficerFactory(agency=program["policia"])
    registration = RegistrationFactory(session=program["under_way"], officer=carla)

    services.record_attendance(registration=registration, status="partial", by=program["manager"])

    assert yearly_report(year=program["year"]).current.officers_trained >= 3
    assert_report_is_exact(program["year"])


def test_record_attendance_copies_the_snapshot_saved_not_the_callers_stale_copy(program):
    """A trainer's page loaded before the officer registered again from another agency."""
    stale = RegistrationFactory(session=program["under_way"], officer=OfficerFactory(agency=program["policia"]))
    Registration.objects.filter(pk=stale.pk).update(agency=program["gendarmerie"], country_id="FR")

    attendance = services.record_attendance(registration=stale, status="present", by=program["manager"])

    assert (attendance.agency_id, attendance.country_id) == (program["gendarmerie"].pk, "FR")
    assert_report_is_exact(program["year"])


@pytest.mark.parametrize("statuses", [("absent",), ("excused", "partial"), ("absent", "present")])
def test_report_is_exact_after_attendance_status_changes(program, statuses):
    registration = registration_of(program["under_way"], program["ben"])

    for status in statuses:
        services.record_attendance(registration=registration, status=status, by=program["manager"])
        assert_report_is_exact(program["year"])


def test_report_is_exact_after_walk_in(program):
    walk_in = OfficerFactory(agency=program["gendarmerie"])

    services.record_walk_in(session=program["under_way"], officer=walk_in, status="present", by=program["manager"])

    assert_report_is_exact(program["year"])


def test_report_is_exact_after_cancelled_registration_returns_as_walk_in_from_another_agency(program):
    """The attendance taken before the cancellation now counts under the officer's new agency."""
    ana, session = program["ana"], program["under_way"]
    services.cancel_registration(registration=registration_of(session, ana))
    ana.agency = program["gendarmerie"]
    ana.save()

    attendance = services.record_walk_in(session=session, officer=ana, status="present", by=program["manager"])

    attendance.refresh_from_db()
    assert (attendance.agency_id, attendance.country_id) == (program["gendarmerie"].pk, "FR")
    assert_report_is_exact(program["year"])


def test_report_is_exact_after_cancelled_registration_is_registered_again_from_another_agency(program):
    ana, session = program["ana"], program["under_way"]
    services.cancel_registration(registration=registration_of(session, ana))
    ana.agency = program["gendarmerie"]
    ana.save()

    registration = services.register_officer(session=session, officer=ana, source=Registration.Source.PORTAL)

    assert registration.attendance.country_id == "FR"
    assert_report_is_exact(program["year"])


def test_report_is_exact_and_unchanged_after_account_erasure(program):
    before = yearly_report(year=program["year"])

    erase_officer(officer=program["ana"], by=program["ana"].user)

    after = yearly_report(year=program["year"])
    assert (after.current, after.previous, after.breakdowns) == (before.current, before.previous, before.breakdowns)
    assert_report_is_exact(program["year"])


def test_report_is_exact_after_session_cancelled(program):
    services.cancel_session(session=program["under_way"], by=program["manager"], reason="Speaker ill")

    assert_report_is_exact(program["year"])


def test_report_is_exact_after_session_rescheduled_to_previous_year(program):
    session = program["under_way"]
    starts_at = session.starts_at - timedelta(days=400)

    services.update_session(
        session=session, by=program["manager"], starts_at=starts_at, ends_at=starts_at + timedelta(hours=3)
    )

    assert_report_is_exact(program["year"])
    assert_report_is_exact(program["year"] - 1)


def test_report_is_exact_after_time_zone_change_moves_session_into_next_year(program):
    year = program["year"]
    new_years_eve = TrainingSessionFactory(starts_at=datetime(year - 1, 12, 31, 23, 30, tzinfo=UTC))
    services.record_attendance(
        registration=RegistrationFactory(session=new_years_eve, officer=program["ana"]),
        status="present",
        by=program["manager"],
    )
    assert_report_is_exact(year)
    before = yearly_report(year=year).current.attendances

    services.update_session(session=new_years_eve, by=program["manager"], timezone="Asia/Tokyo")

    assert yearly_report(year=year).current.attendances == before + 1
    assert_report_is_exact(year)


def test_report_is_exact_after_session_deleted(program):
    program["last_month"].delete()

    assert Attendance.objects.filter(session=program["last_month"].pk).count() == 0
    assert_report_is_exact(program["year"])


# --- Verifying and repairing the copies ---


def test_sync_attendance_snapshots_check_passes_when_copies_agree(program, capsys):
    call_command("sync_attendance_snapshots", "--check")

    assert capsys.readouterr().out == "All 6 attendance records agree with their registrations.\n"


def test_sync_attendance_snapshots_repairs_a_copy_written_around_the_services(program, capsys):
    attendance = registration_of(program["under_way"], program["ana"]).attendance
    Attendance.objects.filter(pk=attendance.pk).update(country_id="FR", agency_id=program["gendarmerie"].pk)
    now = timezone.now()
    assert as_reference(yearly_report(year=program["year"], now=now)) != reference_report(year=program["year"], now=now)
    with pytest.raises(CommandError, match="^1 of 6 attendance records differ from their registrations.$"):
        call_command("sync_attendance_snapshots", "--check")

    call_command("sync_attendance_snapshots")

    assert capsys.readouterr().out == "Repaired 1 of 6 attendance records.\n"
    attendance.refresh_from_db()
    assert (attendance.agency_id, attendance.country_id) == (program["policia"].pk, "MX")
    assert_report_is_exact(program["year"])


def test_migration_copies_registration_snapshots_onto_attendance(program):
    migration = importlib.import_module("sessions.migrations.0003_attendance_snapshot_copy")
    Attendance.objects.update(country_id="FR", agency_id=program["gendarmerie"].pk, officer_key=program["ben"].uuid)

    migration.copy_registration_snapshots(apps, None)

    assert list(
        Attendance.objects.filter(registration__officer=program["ana"]).values_list("country_id", flat=True)
    ) == [
        "MX",
        "MX",
        "MX",
    ]
    assert_report_is_exact(program["year"])
