"""Stored reports: served again while exact, computed again after any change, on both databases.

These tests commit their writes (``transaction=True``) as a real deployment does: the data
revision moves when a writing transaction commits (PostgreSQL) or as it writes (SQLite). After each
change, the next report must equal the from-scratch reference of ``tests.reports.reference``, and
the one after it must be served from the store again.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from agencies.models import Agency, Country
from reports.models import StoredReport
from reports.revision import current_revision, installed_trigger_tables, tracked_columns
from reports.selectors import BREAKDOWNS, ReportFilters, yearly_report
from reports.tasks import refresh_stored_reports
from sessions import services
from sessions.models import Attendance, SessionTrainer, SurveyResponse, TrainingSession
from tests.factories import (
    OfficerFactory,
    RegistrationFactory,
    TrainingSessionFactory,
)
from tests.reports.conftest import running_program
from tests.reports.reference import as_reference, reference_report

pytestmark = pytest.mark.django_db(transaction=True)

FILTERS = (ReportFilters(), ReportFilters(region="Europe"), ReportFilters(topic="tracing"))
SERVED_QUERIES = 6  # BEGIN/SET LOCAL jit/COMMIT on PostgreSQL, the revision, the stored report, trainers' names


@pytest.fixture
def program(countries, roles, manager_user):
    """The running program of ``tests.reports.conftest``, committed."""
    return running_program(manager_user)


def assert_exact_then_served(year: int, *, now=None) -> None:
    """Each filtered report equals the reference (computed again if anything changed), and is then
    served from the store in a handful of queries with the same figures."""
    now = now or timezone.now()
    for filters in FILTERS:
        report = yearly_report(year=year, filters=filters, now=now)
        assert as_reference(report) == reference_report(year=year, now=now, filters=filters), filters
        with CaptureQueriesContext(connection) as queries:
            served = yearly_report(year=year, filters=filters, now=now)
        assert served == report, filters
        assert len(queries) <= SERVED_QUERIES, [query["sql"][:80] for query in queries]


def test_every_table_the_report_reads_has_the_trigger(program):
    """A table joined by a new report query without a trigger would let stale figures be served."""
    with CaptureQueriesContext(connection) as queries:
        for filters in FILTERS:
            yearly_report(year=program["year"], filters=filters, stored=False)
    read = {
        table
        for table in connection.introspection.table_names()
        if any(f'"{table}"' in query["sql"] for query in queries)
    }

    # Trainers' names are looked up each time a report is served, never stored.
    assert read - {"training_trainer", "accounts_user"} == set(tracked_columns())
    assert installed_trigger_tables() == set(tracked_columns())


def test_second_report_is_served_from_the_store(program):
    first = yearly_report(year=program["year"])
    assert StoredReport.objects.filter(year=program["year"], filters="").count() == 1

    with CaptureQueriesContext(connection) as queries:
        second = yearly_report(year=program["year"])

    assert second == first
    assert not any("training_attendance" in query["sql"] for query in queries)
    assert len(queries) <= SERVED_QUERIES


def test_reports_for_part_of_the_breakdowns_are_served_from_the_full_stored_report(program):
    full = yearly_report(year=program["year"])

    with CaptureQueriesContext(connection) as queries:
        months = yearly_report(year=program["year"], breakdowns=("month",))

    assert months.breakdowns == {"month": full.breakdowns["month"]}
    assert months.current == full.current
    assert len(queries) <= SERVED_QUERIES


def record_new_attendance(program):
    carla = OfficerFactory(agency=program["policia"])
    registration = RegistrationFactory(session=program["under_way"], officer=carla)
    services.record_attendance(registration=registration, status="partial", by=program["manager"])


def mark_absent_with_queryset_update(program):
    Attendance.objects.filter(session=program["last_month"], registration__officer=program["ana"]).update(
        status="absent"
    )


def change_attendance_with_raw_sql(program):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE training_attendance SET status = %s WHERE session_id = %s",
            ["excused", program["under_way"].pk],
        )


def retag_session(program):
    program["under_way"].topics.set([program["aml"]])


def reschedule_to_previous_year(program):
    session = program["last_month"]
    TrainingSession.objects.filter(pk=session.pk).update(starts_at=session.starts_at - timedelta(days=400))


def cancel_session(program):
    services.cancel_session(session=program["under_way"], by=program["manager"], reason="Speaker ill")


def remove_trainer(program):
    SessionTrainer.objects.filter(session=program["under_way"]).delete()


def change_survey_answer(program):
    SurveyResponse.objects.filter(pk=program["answer"].pk).update(submitted_at=timezone.now(), overall_rating=5)


def move_country_to_another_region(program):
    Country.objects.filter(code="MX").update(region="Europe")


def delete_session(program):
    program["last_month"].delete()


CHANGES = [
    record_new_attendance,
    mark_absent_with_queryset_update,
    change_attendance_with_raw_sql,
    retag_session,
    reschedule_to_previous_year,
    cancel_session,
    remove_trainer,
    change_survey_answer,
    move_country_to_another_region,
    delete_session,
]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
def test_report_is_computed_again_after_a_committed_change(program, change):
    year = program["year"]
    assert_exact_then_served(year)
    before = as_reference(yearly_report(year=year))
    revision = current_revision()

    change(program)

    assert current_revision() > revision
    assert as_reference(yearly_report(year=year)) != before
    assert_exact_then_served(year)


def test_renaming_an_agency_renames_it_in_the_stored_report(program):
    def agency_labels():
        return {row.label for row in yearly_report(year=program["year"]).breakdowns["agency"]}

    assert "Gendarmerie" in agency_labels()

    Agency.objects.filter(pk=program["gendarmerie"].pk).update(name="Gendarmerie nationale")

    assert "Gendarmerie nationale" in agency_labels()


def test_labels_are_translated_when_served_not_when_stored(program):
    program["last_month"].topics.clear()
    program["under_way"].topics.clear()
    yearly_report(year=program["year"])  # stored, computed in English

    with translation.override("es"):
        served = yearly_report(year=program["year"])

    assert [row.label for row in served.breakdowns["topic"]] == ["Sin tema"]


def test_a_published_session_starting_later_counts_from_its_start(program):
    """The stored figures hold until the next published session starts, then are computed again."""
    year, now = program["year"], timezone.now()
    soon = TrainingSessionFactory(starts_at=now + timedelta(minutes=30))
    services.record_attendance(
        registration=RegistrationFactory(session=soon, officer=OfficerFactory(agency=program["policia"])),
        status="present",
        by=program["manager"],
    )
    if soon.starts_at.year != year:  # run on New Year's Eve: the session belongs to the next report
        year = soon.starts_at.year
    held_before = yearly_report(year=year, now=now).current.sessions_held
    assert_exact_then_served(year, now=now + timedelta(minutes=29))

    after_start = now + timedelta(minutes=31)

    assert yearly_report(year=year, now=after_start).current.sessions_held == held_before + 1
    assert_exact_then_served(year, now=after_start)
    # and a report asked for an earlier moment is computed for that moment again
    assert yearly_report(year=year, now=now).current.sessions_held == held_before


def test_a_transaction_sees_its_own_uncommitted_changes_and_a_rollback_leaves_the_store_exact(program):
    year = program["year"]
    stored = yearly_report(year=year)

    class Undo(Exception):
        pass

    def change_then_undo():
        with transaction.atomic():
            Attendance.objects.filter(session=program["under_way"]).update(status="absent")
            inside = yearly_report(year=year)
            assert inside.current.attendances == stored.current.attendances - 2
            now = timezone.now()
            assert as_reference(yearly_report(year=year, now=now)) == reference_report(year=year, now=now)
            raise Undo

    with pytest.raises(Undo):
        change_then_undo()

    assert yearly_report(year=year) == stored
    assert_exact_then_served(year)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_a_change_committed_by_another_connection_is_seen(program):
    year = program["year"]
    stored = yearly_report(year=year)

    def other_process():
        try:
            Attendance.objects.filter(session=program["last_month"]).update(status="absent")
        finally:
            connections.close_all()

    worker = threading.Thread(target=other_process)
    worker.start()
    worker.join()

    assert yearly_report(year=year).current.attendances == stored.current.attendances - 2
    assert_exact_then_served(year)


def test_refresh_task_stores_this_and_last_years_report(program):
    assert not StoredReport.objects.exists()

    years = refresh_stored_reports()

    this_year = timezone.now().year
    assert years == [this_year, this_year - 1]
    assert set(StoredReport.objects.values_list("year", "filters")) == {(this_year, ""), (this_year - 1, "")}
    with CaptureQueriesContext(connection) as queries:
        report = yearly_report(year=this_year)
    assert len(queries) <= SERVED_QUERIES
    now = timezone.now()
    assert as_reference(report) == reference_report(year=this_year, now=now)


def test_filters_nobody_can_pick_are_computed_but_not_stored(program):
    odd = ReportFilters(region="x" * 400, topic="no-such-topic")

    report = yearly_report(year=program["year"], filters=odd)

    assert report.current.attendances == 0
    assert not StoredReport.objects.exists()


def test_stored_report_has_every_breakdown(program):
    yearly_report(year=program["year"], breakdowns=("month",))

    stored = StoredReport.objects.get(year=program["year"], filters="")
    assert set(stored.data["grouped"]) == set(BREAKDOWNS)


def test_a_report_stored_by_other_code_is_computed_again(program):
    """After a deployment that changes how figures are counted, figures counted the old way are not served."""
    year = program["year"]
    report = yearly_report(year=year)
    stored = StoredReport.objects.get(year=year, filters="")
    stored.data["figures"][str(year)]["attendances"] = 999
    stored.computed_by = "earlier-code"
    stored.save()

    assert yearly_report(year=year).current.attendances == report.current.attendances
    assert StoredReport.objects.get(pk=stored.pk).computed_by != "earlier-code"


def test_unapplying_the_reports_migrations_removes_the_triggers_and_writes_still_work(program):
    from django.core.management import call_command

    try:
        call_command("migrate", "reports", "zero", verbosity=0)
        assert installed_trigger_tables() == set()

        Attendance.objects.filter(session=program["under_way"]).update(status="absent")
    finally:
        call_command("migrate", "reports", verbosity=0)

    assert installed_trigger_tables() == set(tracked_columns())
    now = timezone.now()
    assert as_reference(yearly_report(year=program["year"], now=now)) == reference_report(year=program["year"], now=now)
