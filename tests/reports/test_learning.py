"""The learning gain: one function (reports.learning), and the same figures in every output of the report."""

import csv
import io
import json
import re
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from reports.learning import (
    LearningGain,
    LearningGainRow,
    learning_gain,
    learning_gain_by_year,
    learning_gain_rows,
)
from reports.selectors import ReportFilters, yearly_report
from sessions.models import KnowledgeCheck, TrainingSession
from tests.factories import (
    AgencyFactory,
    CountryFactory,
    KnowledgeCheckAttemptFactory,
    OfficerFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db


def scored(check, registration, correct, *, number=1, total=4):
    return KnowledgeCheckAttemptFactory(
        knowledge_check=check, registration=registration, correct_count=correct, question_count=total, number=number
    )


def took_tests(session, officer=None, *, pre=None, post=None, **registration_fields):
    """A registration of ``session`` with first attempts scoring ``pre`` and ``post`` correct answers of 4."""
    registration = RegistrationFactory(session=session, officer=officer or OfficerFactory(), **registration_fields)
    checks = {kind: KnowledgeCheck.objects.get_or_create(session=session, kind=kind)[0] for kind in ("pre", "post")}
    if pre is not None:
        scored(checks["pre"], registration, pre)
    if post is not None:
        scored(checks["post"], registration, post)
    return registration


@pytest.fixture
def learning(program):
    """On the report's program (2024): virtual (topic tracing, trainer lead), Paris (tracing and aml, lead),
    hybrid (no topic, no trainer). Pairs (pre %, post %): virtual A 25→75, B 50→100 (a second pre-test
    attempt at 100 left out), C pre-test only (left out); Paris D 50→50; hybrid E, who erased their data, 0→50.
    """
    virtual, paris, hybrid = program["virtual"], program["paris"], program["hybrid"]
    took_tests(virtual, pre=1, post=3)
    b = took_tests(virtual, pre=2, post=4)
    scored(KnowledgeCheck.objects.get(session=virtual, kind="pre"), b, 4, number=2)
    took_tests(virtual, pre=3)
    took_tests(
        paris,
        OfficerFactory(agency=AgencyFactory(name="Policía Nacional", country=CountryFactory(code="CO"))),
        pre=2,
        post=2,
    )
    gendarmerie = AgencyFactory(name="Gendarmerie nationale", country=CountryFactory(code="FR"))
    took_tests(hybrid, None, pre=0, post=2, officer_key=uuid.uuid4(), agency=gendarmerie, country=gendarmerie.country)
    return program


def test_learning_gain_over_officers_who_took_both_tests_first_attempts(learning):
    sessions = [learning[name].pk for name in ("virtual", "paris", "hybrid")]

    assert learning_gain(sessions=sessions) == LearningGain(
        officers=4, average_pre_test_score=31.2, average_post_test_score=68.8, learning_gain=37.5
    )


def test_learning_gain_leaves_out_an_officer_with_only_one_test(program):
    took_tests(program["virtual"], pre=1)
    took_tests(program["virtual"], post=4)

    assert learning_gain(sessions=[program["virtual"].pk]) == LearningGain(0, None, None, None)


def test_learning_gain_of_one_officer(program):
    took_tests(program["virtual"], pre=1, post=2)

    assert learning_gain(sessions=[program["virtual"].pk]) == LearningGain(1, 25.0, 50.0, 25.0)


def test_learning_gain_can_be_negative(program):
    took_tests(program["virtual"], pre=4, post=1)

    assert learning_gain(sessions=[program["virtual"].pk]).learning_gain == -75.0


def test_learning_gain_narrowed_to_an_agency(learning):
    colombia = Q(registration__country__code="CO")

    gain = learning_gain(sessions=[learning["paris"].pk, learning["virtual"].pk], attendee_conditions=colombia)

    assert gain == LearningGain(1, 50.0, 50.0, 0.0)


def test_learning_gain_rows_per_topic_and_trainer(learning):
    lead = learning["lead"]

    rows = learning_gain_rows(sessions=[learning[name].pk for name in ("virtual", "paris", "hybrid")])

    assert rows == [
        LearningGainRow("topic", "tracing", "Tracing illicit funds", 3, 41.7, 75.0, 33.3),
        LearningGainRow("topic", "aml", "Anti-money-laundering", 1, 50.0, 50.0, 0.0),
        LearningGainRow("trainer", str(lead.pk), lead.user.get_full_name(), 3, 41.7, 75.0, 33.3),
    ]


def test_learning_gain_by_year_agrees_with_the_one_function(learning):
    sessions = TrainingSession.objects.filter(pk__in=[learning[name].pk for name in ("virtual", "paris")])
    previous = TrainingSession.objects.filter(pk=learning["hybrid"].pk)

    gains, rows = learning_gain_by_year(sessions=sessions, previous_sessions=previous, year=2024)

    assert gains == {2024: learning_gain(sessions=sessions), 2023: learning_gain(sessions=previous)}
    assert gains[2023] == LearningGain(1, 0.0, 50.0, 50.0)
    assert rows == learning_gain_rows(sessions=sessions)


def test_yearly_report_summary_has_the_gain_beside_satisfaction(learning):
    report = yearly_report(year=2024)

    values = report.current.metric_values()
    assert [values[key] for key in ("average_overall_rating", "learning_gain_officers", "learning_gain")] == [
        4.5,
        4,
        37.5,
    ]
    assert (report.current.average_pre_test_score, report.current.average_post_test_score) == (31.2, 68.8)
    assert report.previous.learning_gain_officers == 0
    assert [(row.scope, row.key, row.officers, row.learning_gain) for row in report.learning] == [
        ("topic", "tracing", 3, 33.3),
        ("topic", "aml", 1, 0.0),
        ("trainer", str(learning["lead"].pk), 3, 33.3),
    ]


def test_yearly_report_filter_by_topic_narrows_the_gain(learning):
    report = yearly_report(year=2024, filters=ReportFilters(topic="aml"))

    assert (report.current.learning_gain_officers, report.current.learning_gain) == (1, 0.0)


# --- Every output agrees ---

METRICS = ("learning_gain_officers", "average_pre_test_score", "average_post_test_score", "learning_gain")


def number(value) -> str:
    if value in (None, "", "—"):
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else str(value)


def expected_of(report):
    summary = {metric: number(getattr(report.current, metric)) for metric in METRICS}
    rows = [
        [
            row.scope,
            row.key,
            row.label,
            *(
                number(getattr(row, c))
                for c in ("officers", "average_pre_test_score", "average_post_test_score", "learning_gain")
            ),
        ]
        for row in report.learning
    ]
    return summary, rows


def rows_of_csv(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))[1:]


def from_rows(rows: list[list]) -> list[list[str]]:
    return [[str(row[0]), str(row[1]), str(row[2]).lstrip("'"), *(number(cell) for cell in row[3:])] for row in rows]


def from_json(data: dict):
    summary = {metric: number(data["summary"][metric]) for metric in METRICS}
    rows = [
        [
            row["scope"],
            row["key"],
            row["label"],
            *(
                number(row[c])
                for c in ("officers", "average_pre_test_score", "average_post_test_score", "learning_gain")
            ),
        ]
        for row in data["learning"]
    ]
    return summary, rows


@pytest.fixture
def expected(learning):
    return expected_of(yearly_report(year=2024))


def test_expected_figures_are_the_hand_counted_ones(expected, learning):
    assert expected[0] == {
        "learning_gain_officers": "4",
        "average_pre_test_score": "31.2",
        "average_post_test_score": "68.8",
        "learning_gain": "37.5",
    }


def test_page_shows_the_same_gain(client, manager_user, expected):
    client.force_login(manager_user)

    content = client.get(reverse("reports:yearly"), {"year": 2024}).content.decode()

    summary = {
        metric: number(value.strip())
        for metric, value in re.findall(
            r'<tr data-metric="(\w+)"><th scope="row">[^<]*</th>\s*<td>([^<]*)</td>', content
        )
        if metric in METRICS
    }
    section = content.split('id="learning-table"', 1)[1].split("</table>", 1)[0]
    rows = [
        [scope, key, label.split(": ", 1)[1], *(number(cell) for cell in cells.replace("<td>", "").split("</td>")[:-1])]
        for scope, key, label, cells in re.findall(
            r'<tr data-scope="(\w+)" data-key="([^"]*)"><th scope="row">([^<]*)</th>((?:<td>[^<]*</td>)+)</tr>', section
        )
    ]
    assert (summary, rows) == expected


def test_csv_xlsx_command_and_api_show_the_same_gain(client, manager_user, expected):
    client.force_login(manager_user)
    url = reverse("reports:yearly-csv")
    csv_summary = {
        row[0]: number(row[2])
        for row in rows_of_csv(client.get(url, {"year": 2024}).content.decode())
        if row[0] in METRICS
    }
    csv_rows = from_rows(rows_of_csv(client.get(url, {"year": 2024, "part": "learning"}).content.decode()))
    workbook = load_workbook(io.BytesIO(client.get(reverse("reports:yearly-xlsx"), {"year": 2024}).content))
    xlsx_summary = {
        row[0]: number(row[2])
        for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)
        if row[0] in METRICS
    }
    xlsx_rows = from_rows(list(workbook["Learning gain"].iter_rows(min_row=2, values_only=True)))
    out = io.StringIO()
    call_command("export_yearly_counts", "--year", "2024", "--format", "json", stdout=out)
    command_json = from_json(json.loads(out.getvalue()))
    out = io.StringIO()
    call_command("export_yearly_counts", "--year", "2024", "--by", "learning", stdout=out)
    command_csv = from_rows(rows_of_csv(out.getvalue()))
    api = APIClient()
    api.force_authenticate(manager_user)
    api_json = from_json(api.get("/api/v1/reports/yearly", {"year": 2024}).json())

    assert (csv_summary, csv_rows) == expected
    assert (xlsx_summary, xlsx_rows) == expected
    assert command_json == expected
    assert command_csv == expected[1]
    assert api_json == expected


@pytest.mark.parametrize("officers", [1, 12])
def test_yearly_report_queries_do_not_grow_with_tested_officers(program, django_assert_num_queries, officers):
    for _ in range(officers):
        took_tests(program["virtual"], pre=1, post=3)
        took_tests(program["paris"], pre=2, post=3)

    # PostgreSQL adds three: the savepoint, JIT off and its release (reports.selectors.without_jit);
    # the hours delivered of the impact summary read one query beside the gain's.
    with django_assert_num_queries(13 if connection.vendor == "postgresql" else 10):
        yearly_report(year=2024)
