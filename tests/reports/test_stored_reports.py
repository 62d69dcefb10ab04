"""Stored reports: served at once as of their computation, refreshed after every kind of change.

These tests commit their writes (``transaction=True``) as a real deployment does; Celery runs
eagerly, so a refresh queued on commit has run when the writing call returns. After each change
and its refresh, the served report must equal the from-scratch reference of
``tests.reports.reference``.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from agencies.models import Country
from reports import store
from reports.models import RefreshRequest, StoredReport
from reports.selectors import ReportFilters, yearly_report
from reports.tasks import refresh_stored_reports
from sessions import services
from sessions.models import Attendance, SessionTrainer, SurveyResponse, TrainingSession
from tests.factories import OfficerFactory, RegistrationFactory, TrainingSessionFactory
from tests.reports.conftest import running_program
from tests.reports.reference import as_reference, reference_report

pytestmark = pytest.mark.django_db(transaction=True)

FILTERS = (ReportFilters(), ReportFilters(region="Europe"), ReportFilters(topic="tracing"))
# The stored report, and the trainers' names.
SERVED_QUERIES = 2


@pytest.fixture
def program(countries, roles, manager_user):
    """The running program of ``tests.reports.conftest``, committed."""
    return running_program(manager_user)


def flush_statistics() -> None:
    """Let this connection's write counts reach PostgreSQL's shared statistics now (they are sent
    when a connection goes idle, at most once a second), as they will have by beat's next run."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")
            cursor.execute("SELECT 1")


def store_reports(year: int) -> None:
    for filters in FILTERS:
        store.served_report(year=year, filters=filters)


def assert_served_reports_are_exact(year: int) -> None:
    now = timezone.now()
    for filters in FILTERS:
        served = store.served_report(year=year, filters=filters, now=now)
        assert as_reference(served) == reference_report(year=year, now=now, filters=filters), filters


def test_first_view_is_computed_and_stored_then_served_without_reading_the_data(program):
    year = program["year"]
    first = store.served_report(year=year)
    assert StoredReport.objects.filter(year=year, filters="").count() == 1

    with CaptureQueriesContext(connection) as queries:
        second = store.served_report(year=year)

    assert (second.current, second.previous, second.breakdowns) == (first.current, first.previous, first.breakdowns)
    assert second.as_of == StoredReport.objects.get(year=year, filters="").computed_at
    assert len(queries) == SERVED_QUERIES, [query["sql"][:80] for query in queries]
    assert not any("training_attendance" in query["sql"] for query in queries)


def test_every_table_the_report_reads_is_counted_by_the_fingerprint(program):
    """A table joined by a new report query and missing here would let changes around the models go unseen."""
    with CaptureQueriesContext(connection) as queries:
        for filters in FILTERS:
            yearly_report(year=program["year"], filters=filters)
    read = {
        table
        for table in connection.introspection.table_names()
        if any(f'"{table}"' in query["sql"] for query in queries)
    }

    assert read - {"training_trainer", "accounts_user"} == set(store.report_tables())


def record_new_attendance(program):
    carla = OfficerFactory(agency=program["policia"])
    registration = RegistrationFactory(session=program["under_way"], officer=carla)
    services.record_attendance(registration=registration, status="partial", by=program["manager"])


def retag_session(program):
    program["under_way"].topics.set([program["aml"]])


def cancel_session(program):
    services.cancel_session(session=program["under_way"], by=program["manager"], reason="Speaker ill")


def delete_session(program):
    program["last_month"].delete()


def remove_trainer(program):
    SessionTrainer.objects.filter(session=program["under_way"]).delete()


def rename_agency(program):
    agency = program["gendarmerie"]
    agency.name = "Gendarmerie nationale"
    agency.save()


SAVED_CHANGES = [record_new_attendance, retag_session, cancel_session, delete_session, remove_trainer]


@pytest.mark.parametrize("change", SAVED_CHANGES, ids=[change.__name__ for change in SAVED_CHANGES])
def test_change_through_the_models_refreshes_the_stored_reports_on_commit(program, change):
    year = program["year"]
    store_reports(year)
    before = {filters: as_reference(store.served_report(year=year, filters=filters)) for filters in FILTERS}

    change(program)

    assert as_reference(store.served_report(year=year)) != before[ReportFilters()]
    assert_served_reports_are_exact(year)
    assert not RefreshRequest.objects.exists()


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


def reschedule_to_previous_year(program):
    session = program["last_month"]
    TrainingSession.objects.filter(pk=session.pk).update(starts_at=session.starts_at - timedelta(days=400))


def change_survey_answer(program):
    SurveyResponse.objects.filter(pk=program["answer"].pk).update(submitted_at=timezone.now(), overall_rating=5)


def move_country_to_another_region(program):
    Country.objects.filter(code="MX").update(region="Europe")


CHANGES_AROUND_THE_MODELS = [
    mark_absent_with_queryset_update,
    change_attendance_with_raw_sql,
    reschedule_to_previous_year,
    change_survey_answer,
    move_country_to_another_region,
]


@pytest.mark.parametrize(
    "change", CHANGES_AROUND_THE_MODELS, ids=[change.__name__ for change in CHANGES_AROUND_THE_MODELS]
)
def test_change_around_the_models_is_served_as_of_before_until_beat_refreshes(program, change):
    year = program["year"]
    store_reports(year)
    stored = store.served_report(year=year)

    change(program)
    flush_statistics()

    still = store.served_report(year=year)
    assert (still.current, still.as_of) == (stored.current, stored.as_of)
    refreshed = refresh_stored_reports()
    assert (year, "") in refreshed
    assert_served_reports_are_exact(year)
    assert store.served_report(year=year).as_of > stored.as_of


def test_beat_leaves_reports_alone_while_nothing_changed(program):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps no write counts: every live report is computed again each time")
    year = program["year"]
    store_reports(year)
    flush_statistics()
    refresh_stored_reports()

    assert refresh_stored_reports() == []


def test_beat_recomputes_figures_older_than_the_maximum_age(program):
    """Figures counted by code that a deployment has changed since are not served for long."""
    year = program["year"]
    store_reports(year)
    flush_statistics()
    StoredReport.objects.update(
        computed_at=timezone.now() - store.MAX_AGE - timedelta(seconds=1), fingerprint=store.data_fingerprint()
    )

    assert (year, "") in refresh_stored_reports()


def test_a_published_session_counts_from_the_refresh_after_its_start(program):
    year, now = program["year"], timezone.now()
    soon = TrainingSessionFactory(starts_at=now + timedelta(minutes=30))
    services.record_attendance(
        registration=RegistrationFactory(session=soon, officer=OfficerFactory(agency=program["policia"])),
        status="present",
        by=program["manager"],
    )
    year = soon.starts_at.year  # on New Year's Eve the session belongs to the next report
    held_before = store.served_report(year=year, now=now).current.sessions_held
    # Time passes (the stored figures were computed two minutes ago) and the session starts.
    TrainingSession.objects.filter(pk=soon.pk).update(starts_at=now - timedelta(minutes=1))
    flush_statistics()
    StoredReport.objects.update(computed_at=now - timedelta(minutes=2), fingerprint=store.data_fingerprint())

    refresh_stored_reports()

    assert store.served_report(year=year).current.sessions_held == held_before + 1
    assert_served_reports_are_exact(year)


def test_large_year_is_prepared_in_the_background_then_served(program, monkeypatch):
    monkeypatch.setattr(store, "COMPUTE_IN_REQUEST_MAX_SESSIONS", 1)
    year = program["year"]
    queued = []
    monkeypatch.setattr(store, "_enqueue_refresh", lambda *, year: queued.append(year))

    assert store.served_report(year=year) is None
    assert store.served_report(year=year) is None

    assert queued == [year]
    refresh_stored_reports()
    now = timezone.now()
    assert as_reference(store.served_report(year=year, now=now)) == reference_report(year=year, now=now)


def test_a_burst_of_changes_queues_one_refresh_per_year(program, monkeypatch):
    store_reports(program["year"])
    queued = []
    monkeypatch.setattr(store, "_enqueue_refresh", lambda *, year: queued.append(year))

    for _ in range(5):
        record_new_attendance(program)

    assert queued == [program["year"], program["year"] + 1]
    assert set(RefreshRequest.objects.values_list("year", flat=True)) == {program["year"], program["year"] + 1}


def test_writes_queue_nothing_while_no_report_is_stored(program, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        record_new_attendance(program)

    assert callbacks == []


def test_beat_keeps_this_and_last_years_report_and_drops_reports_nobody_views(program):
    now = timezone.now()
    store.served_report(year=2015, filters=ReportFilters(region="Europe"))
    StoredReport.objects.update(viewed_at=now - store.KEEP_UNVIEWED_FOR - timedelta(minutes=1))
    store.served_report(year=2016)

    refresh_stored_reports()

    assert set(StoredReport.objects.values_list("year", "filters")) == {
        (now.year, ""),
        (now.year - 1, ""),
        (2016, ""),
    }
    assert StoredReport.objects.filter(data__isnull=True).count() == 0


def test_labels_are_translated_when_served_not_when_stored(program):
    program["last_month"].topics.clear()
    program["under_way"].topics.clear()
    store.served_report(year=program["year"])  # stored, computed in English

    with translation.override("es"):
        served = store.served_report(year=program["year"])

    assert [row.label for row in served.breakdowns["topic"]] == ["Sin tema"]


def test_renamed_agency_is_renamed_in_the_stored_report(program):
    store_reports(program["year"])

    rename_agency(program)

    labels = {row.label for row in store.served_report(year=program["year"]).breakdowns["agency"]}
    assert labels == {"Policía Federal", "Gendarmerie nationale"}


def test_filters_nobody_can_pick_are_computed_but_not_stored(program):
    odd = ReportFilters(region="x" * 400, topic="no-such-topic")

    report = store.served_report(year=program["year"], filters=odd)

    assert report.current.attendances == 0
    assert not StoredReport.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_a_report_being_refreshed_is_not_computed_twice_at_once(program):
    year = program["year"]
    store.served_report(year=year)
    stored = StoredReport.objects.get(year=year, filters="")
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                StoredReport.objects.select_for_update().get(pk=stored.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    worker = threading.Thread(target=other_worker)
    worker.start()
    locked.wait(10)
    try:
        assert store.refresh_stored_report(pk=stored.pk, fingerprint="") is False
        assert store.refresh_year(year=year) is False
    finally:
        release.set()
        worker.join()
    assert store.refresh_stored_report(pk=stored.pk, fingerprint="") is True
