from datetime import timedelta

import pytest

from reports.selectors import (
    BreakdownRow,
    ReportError,
    ReportFilters,
    last_complete_year,
    report_years,
    validate_filters,
    yearly_report,
)
from sessions.models import Attendance, Registration, TrainingSession
from tests.factories import AgencyFactory, CountryFactory, OfficerFactory, TopicFactory
from tests.reports.conftest import attend, attend_anonymised, held_session, local


def figures(year, **kwargs):
    return yearly_report(year=year, breakdowns=(), **kwargs).current


def test_yearly_report_program_figures_match_hand_count(program):
    report = yearly_report(year=2024)

    assert report.current.sessions_held == 3
    assert report.current.sessions_by_format == {"virtual": 1, "in_person": 1, "hybrid": 1}
    assert report.current.attendances == 5
    assert report.current.officers_trained == 4
    assert report.current.agencies_reached == 3
    assert report.current.countries_reached == 2
    assert report.previous.sessions_held == 1
    assert report.previous.attendances == 1


def test_yearly_report_mexico_city_new_years_eve_session_counts_in_previous_year(db):
    session = held_session(local(2023, 12, 31, 23, 30, zone="America/Mexico_City"), zone="America/Mexico_City")
    attend(session)
    assert session.starts_at.astimezone(local(2024, 1, 1).tzinfo).year == 2024  # 1 January in UTC

    report_2023 = yearly_report(year=2023, breakdowns=("month",))
    report_2024 = yearly_report(year=2024)

    assert (report_2023.current.sessions_held, report_2023.current.attendances) == (1, 1)
    assert report_2023.breakdowns["month"][11] == BreakdownRow("2023-12", "2023-12", 1, 1, 1, 1, 1)
    assert (report_2024.current.sessions_held, report_2024.current.attendances) == (0, 0)
    assert report_2024.previous.sessions_held == 1


def test_yearly_report_tokyo_new_years_morning_counts_in_new_year(db):
    # 1 January 08:00 in Tokyo is still 31 December in UTC.
    held_session(local(2024, 1, 1, 8, zone="Asia/Tokyo"), zone="Asia/Tokyo")

    assert figures(2024).sessions_held == 1
    assert figures(2023).sessions_held == 0


def test_yearly_report_cancelled_and_draft_sessions_never_count(db):
    for status in (TrainingSession.Status.CANCELLED, TrainingSession.Status.DRAFT):
        attend(held_session(local(2024, 4, 1), status=status))

    result = figures(2024)

    assert (result.sessions_held, result.attendances, result.officers_trained) == (0, 0, 0)


def test_yearly_report_published_session_counts_only_once_started(db):
    session = held_session(local(2024, 4, 1, 10), status=TrainingSession.Status.PUBLISHED)

    assert figures(2024, now=session.starts_at - timedelta(minutes=1)).sessions_held == 0
    assert figures(2024, now=session.starts_at + timedelta(minutes=1)).sessions_held == 1


def test_yearly_report_partial_counts_absent_and_excused_do_not(db):
    session = held_session(local(2024, 4, 1))
    for status in Attendance.Status.values:
        attend(session, status=status)

    result = figures(2024)

    assert (result.attendances, result.officers_trained) == (2, 2)


def test_yearly_report_walk_ins_count(db):
    attend(held_session(local(2024, 4, 1)), source=Registration.Source.WALK_IN)

    assert figures(2024).officers_trained == 1


def test_yearly_report_officer_at_five_sessions_is_one_officer_five_attendances(db):
    officer = OfficerFactory()
    for day in range(1, 6):
        attend(held_session(local(2024, 4, day)), officer)

    result = figures(2024)

    assert (result.sessions_held, result.officers_trained, result.attendances) == (5, 1, 5)


def test_yearly_report_anonymised_registrations_still_count(db):
    agency = AgencyFactory(country=CountryFactory(code="BR"))
    session = held_session(local(2024, 4, 1))
    attend_anonymised(session, agency=agency)
    attend_anonymised(session, agency=agency)

    result = figures(2024)

    assert (result.attendances, result.officers_trained, result.agencies_reached, result.countries_reached) == (
        2,
        2,
        1,
        1,
    )


def test_yearly_report_uses_registration_snapshot_not_current_agency(db):
    officer = OfficerFactory(agency=AgencyFactory(country=CountryFactory(code="MX")))
    attend(held_session(local(2024, 4, 1)), officer)
    officer.agency = AgencyFactory(country=CountryFactory(code="SE"))
    officer.save()

    report = yearly_report(year=2024, breakdowns=("country",))

    assert [row.key for row in report.breakdowns["country"]] == ["MX"]


def test_yearly_report_survey_averages_and_net_promoter_score(program):
    result = figures(2024)

    assert result.survey_responses == 2
    assert result.average_overall_rating == 4.5
    assert result.average_usefulness_rating == 4.0
    assert result.average_trainer_rating == 5.0
    assert result.average_recommend_score == 8.0
    assert result.net_promoter_score == 0.0


def test_yearly_report_no_survey_answers_gives_no_averages(db):
    held_session(local(2024, 4, 1))

    result = figures(2024)

    assert (result.survey_responses, result.average_overall_rating, result.net_promoter_score) == (0, None, None)


def test_yearly_report_breakdowns_by_attendee_snapshot(program):
    report = yearly_report(year=2024, breakdowns=("region", "country", "agency"))

    assert report.breakdowns["region"] == [
        BreakdownRow("Americas", "Americas", 2, 3, 2, 2, 1),
        BreakdownRow("Europe", "Europe", 2, 2, 2, 1, 1),
    ]
    assert [(row.key, row.officers_trained, row.attendances) for row in report.breakdowns["country"]] == [
        ("MX", 2, 3),
        ("FR", 2, 2),
    ]
    assert [(row.label, row.officers_trained) for row in report.breakdowns["agency"]] == [
        ("Gendarmerie", 2),
        ("Policía Federal", 1),
        ("=Fiscalía", 1),
    ]


def test_yearly_report_breakdowns_by_session(program):
    report = yearly_report(year=2024, breakdowns=("format", "topic", "trainer", "month"))

    assert [(row.key, row.sessions, row.attendances, row.officers_trained) for row in report.breakdowns["format"]] == [
        ("virtual", 1, 2, 2),
        ("in_person", 1, 2, 2),
        ("hybrid", 1, 1, 1),
    ]
    assert [(row.key, row.sessions, row.attendances, row.officers_trained) for row in report.breakdowns["topic"]] == [
        ("tracing", 2, 4, 3),
        ("aml", 1, 2, 2),
        ("", 1, 1, 1),
    ]
    assert [(row.label, row.sessions, row.attendances) for row in report.breakdowns["topic"]][2] == ("No topic", 1, 1)
    trainer_rows = [(row.key, row.sessions, row.attendances) for row in report.breakdowns["trainer"]]
    assert trainer_rows == [(str(program["lead"].pk), 2, 4), ("", 1, 1)]
    months = {row.key: (row.sessions, row.attendances) for row in report.breakdowns["month"]}
    assert len(months) == 12
    assert (months["2024-01"], months["2024-03"], months["2024-02"]) == ((1, 2), (2, 3), (0, 0))


def test_yearly_report_filters_apply_to_every_figure(program):
    by_format = yearly_report(year=2024, filters=ReportFilters(format="in_person"), breakdowns=("country",))
    by_topic = figures(2024, filters=ReportFilters(topic="tracing"))
    by_region = yearly_report(year=2024, filters=ReportFilters(region="Europe"), breakdowns=("format",))

    assert (by_format.current.sessions_held, by_format.current.attendances, by_format.previous.sessions_held) == (
        1,
        2,
        0,
    )
    assert [row.key for row in by_format.breakdowns["country"]] == ["FR", "MX"]
    assert (by_topic.sessions_held, by_topic.attendances, by_topic.officers_trained) == (2, 4, 3)
    assert (by_region.current.sessions_held, by_region.current.attendances, by_region.current.countries_reached) == (
        2,
        2,
        1,
    )
    assert [(row.key, row.sessions, row.attendances) for row in by_region.breakdowns["format"]] == [
        ("virtual", 0, 0),
        ("in_person", 1, 1),
        ("hybrid", 1, 1),
    ]
    assert by_region.current.survey_responses == 0


def test_yearly_report_unknown_topic_matches_nothing(program):
    assert figures(2024, filters=ReportFilters(topic="nope")).sessions_held == 0


@pytest.mark.parametrize("year", ["abc", 1999, 2101, None])
def test_yearly_report_bad_year_raises_report_error(db, year):
    with pytest.raises(ReportError):
        yearly_report(year=year)


def test_yearly_report_bad_breakdown_raises_report_error(db):
    with pytest.raises(ReportError, match="weekday"):
        yearly_report(year=2024, breakdowns=("weekday",))


def test_validate_filters_bad_format_raises_report_error(db):
    with pytest.raises(ReportError, match="webinar"):
        validate_filters(format="webinar")


def test_yearly_report_query_count_is_constant(db, django_assert_max_num_queries):
    topic = TopicFactory()
    for day in range(1, 20):
        session = held_session(local(2024, 1 + day % 12, day), zone=["UTC", "Asia/Tokyo", "America/Lima"][day % 3])
        session.topics.add(topic)
        attend(session)

    # The learning gain and the hours delivered read one query each; PostgreSQL adds the savepoint with
    # its SET LOCAL jit = off and the release (reports.selectors.without_jit).
    with django_assert_max_num_queries(10):
        yearly_report(year=2024)


def test_report_years_lists_mexico_city_new_years_eve_in_its_local_year(db):
    held_session(local(2023, 12, 31, 23, 30, zone="America/Mexico_City"), zone="America/Mexico_City")

    assert report_years(now=local(2026, 6, 1)) == [2026, 2023]


def test_report_years_lists_tokyo_new_years_morning_in_its_local_year(db):
    held_session(local(2024, 1, 1, 8, 0, zone="Asia/Tokyo"), zone="Asia/Tokyo")

    assert report_years(now=local(2026, 6, 1)) == [2026, 2024]


def test_last_complete_year_is_the_year_before_today():
    assert last_complete_year(now=local(2026, 12, 31, 23, 0)) == 2025


def test_report_years_reads_each_session_zone_not_the_server_zone(db, settings):
    settings.TIME_ZONE = "America/Mexico_City"
    held_session(local(2024, 1, 1, 3, 0))
    held_session(local(2022, 7, 15, zone="Europe/Paris"), zone="Europe/Paris")

    assert report_years(now=local(2026, 6, 1)) == [2026, 2024, 2022]


def test_agency_filter_gives_each_agency_its_row_of_the_breakdown(program):
    rows = yearly_report(year=2024, breakdowns=("agency",)).breakdowns["agency"]

    filtered = {
        row.key: yearly_report(year=2024, filters=ReportFilters(agency=int(row.key)), breakdowns=()).current
        for row in rows
    }

    assert {
        key: (figures.sessions_held, figures.attendances, figures.officers_trained, figures.countries_reached)
        for key, figures in filtered.items()
    } == {row.key: (row.sessions, row.attendances, row.officers_trained, row.countries_reached) for row in rows}
    policia = next(row.key for row in rows if row.label == "Policía Federal")
    # Policía Federal: Ana in two sessions, and both survey answers of the virtual session (its officers').
    assert (filtered[policia].attendances, filtered[policia].survey_responses) == (2, 2)
    assert filtered[policia].average_overall_rating == 4.5
