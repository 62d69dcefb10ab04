import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import TopicFactory, UserFactory
from tests.reports.conftest import attend, held_session, local

PAGE = reverse("reports:yearly")


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


def test_report_page_manager_sees_key_figures(manager_client, program):
    response = manager_client.get(PAGE, {"year": 2024})

    assert response.status_code == 200
    assert response.context["report"].current.officers_trained == 4
    content = response.content.decode()
    assert '<div class="figure" data-metric="officers_trained">' in content
    assert "<svg" in content
    assert "cdn" not in content.lower()
    assert "<title>Yearly report 2024 · TrainingOps</title>" in content


def test_report_page_superuser_without_group_is_manager(client, program):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert client.get(PAGE, {"year": 2024}).status_code == 200


def test_report_page_trainer_is_refused(client, trainer):
    client.force_login(trainer.user)

    assert client.get(PAGE).status_code == 403


def test_report_page_officer_is_refused(client, officer):
    client.force_login(officer.user)

    assert client.get(PAGE).status_code == 403


def test_report_page_anonymous_is_sent_to_login(client, db):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url_name", ["reports:yearly-csv", "reports:yearly-xlsx", "reports:attendances-csv"])
def test_report_downloads_trainer_is_refused(client, trainer, url_name):
    client.force_login(trainer.user)

    assert client.get(reverse(url_name), {"year": 2024}).status_code == 403


def test_report_page_bad_year_shows_error_with_400(manager_client, db):
    response = manager_client.get(PAGE, {"year": "1066"})

    assert response.status_code == 400
    assert response.context["form"].errors["year"] == ["Ensure this value is greater than or equal to 2000."]


def test_report_page_filters_apply(manager_client, program):
    response = manager_client.get(PAGE, {"year": 2024, "region": "Europe", "format": "in_person"})

    assert response.status_code == 200
    assert response.context["report"].current.sessions_held == 1
    assert response.context["report"].current.attendances == 1


def test_report_page_year_switch_shows_previous_comparison(manager_client, program):
    response = manager_client.get(PAGE, {"year": 2023})

    assert response.context["report"].current.sessions_held == 1
    assert response.context["report"].previous.sessions_held == 0
    assert response.context["years"][-2:] == [2024, 2023]


@pytest.mark.parametrize("session_count", [1, 30])
def test_report_page_query_count_is_bounded(manager_client, django_assert_max_num_queries, session_count):
    topic = TopicFactory()
    zones = ["UTC", "America/Mexico_City", "Europe/Paris", "Asia/Manila"]
    for index in range(session_count):
        session = held_session(local(2024, 1 + index % 12, 1 + index % 28), zone=zones[index % 4])
        session.topics.add(topic)
        attend(session)

    # The first view: computed (the report's own queries, the hours delivered and the training
    # requests' funnel among them) and stored with the data fingerprint; the learning gain reads the
    # knowledge-check attempts of both years in one query.
    with django_assert_max_num_queries(22):
        response = manager_client.get(PAGE, {"year": 2024})

    assert response.context["report"].current.sessions_held == session_count


def test_summary_csv_download_escapes_and_matches_report(manager_client, program):
    response = manager_client.get(reverse("reports:yearly-csv"), {"year": 2024})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Disposition"] == 'attachment; filename="yearly-counts-2024-summary.csv"'
    assert rows[0] == ["metric", "label", "2024", "2023", "change"]
    assert rows[1] == ["sessions_held", "Sessions held", "3", "1", "2"]


def test_breakdown_csv_download_escapes_formula_agency(manager_client, program):
    response = manager_client.get(reverse("reports:yearly-csv"), {"year": 2024, "part": "agency"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["Gendarmerie", "Policía Federal", "'=Fiscalía"]


def test_csv_downloads_are_utf8_with_a_byte_order_mark_for_excel(manager_client, program):
    summary = manager_client.get(reverse("reports:yearly-csv"), {"year": 2024, "part": "agency"})
    attendances = manager_client.get(reverse("reports:attendances-csv"), {"year": 2024})

    assert summary["Content-Type"] == "text/csv; charset=utf-8"
    assert attendances["Content-Type"] == "text/csv; charset=utf-8"
    assert summary.content[:3] == b"\xef\xbb\xbf"
    assert b"".join(attendances.streaming_content)[:3] == b"\xef\xbb\xbf"
    assert "Policía Federal".encode() in summary.content


def test_breakdown_csv_download_unknown_part_is_400(manager_client, db):
    response = manager_client.get(reverse("reports:yearly-csv"), {"year": 2024, "part": "weekday"})

    assert response.status_code == 400


def test_download_bad_year_is_400_with_message(manager_client, db):
    response = manager_client.get(reverse("reports:yearly-xlsx"), {"year": "abc"})

    assert response.status_code == 400
    assert response.content.decode() == "year: Enter a whole number."


def test_xlsx_download_has_one_sheet_per_breakdown(manager_client, program):
    response = manager_client.get(reverse("reports:yearly-xlsx"), {"year": 2024})

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Summary",
        "Region",
        "Country",
        "Agency",
        "Topic",
        "Trainer",
        "Format",
        "Month",
        "Training requests",
        "Learning gain",
    ]
    assert workbook["Summary"]["A1"].font.bold is True
    assert [cell.value for cell in workbook["Agency"]["B"]][1:] == ["Gendarmerie", "Policía Federal", "'=Fiscalía"]


def test_attendance_csv_streams_without_identity_by_default(manager_client, program):
    response = manager_client.get(reverse("reports:attendances-csv"), {"year": 2024})

    assert response.streaming is True
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "date",
        "session_id",
        "session",
        "format",
        "topics",
        "country",
        "country_name",
        "region",
        "agency",
        "attendance",
        "source",
    ]
    assert len(rows) == 1 + 5
    assert rows[1][0] == "2024-01-24"
    assert sorted(row[8] for row in rows[1:]) == [
        "'=Fiscalía",
        "Gendarmerie",
        "Gendarmerie",
        "Policía Federal",
        "Policía Federal",
    ]


def test_attendance_csv_identity_columns_when_asked(manager_client, program):
    response = manager_client.get(reverse("reports:attendances-csv"), {"year": 2024, "identity": "1"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][-3:] == ["officer_key", "officer_name", "officer_email"]
    anonymised = [row for row in rows[1:] if row[-1] == ""]
    assert len(anonymised) == 1
    assert anonymised[0][-2] == ""


def test_manager_group_member_without_superuser_is_manager(client, program):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Managers")[0])
    client.force_login(user)

    assert client.get(PAGE, {"year": 2024}).status_code == 200


# --- Stored figures: "as of", no computation in the request, "being prepared" ---


def test_report_page_says_as_of_when_in_the_viewers_zone_and_language(manager_client, program):
    from reports.models import StoredReport

    manager_client.get(PAGE, {"year": 2024})
    StoredReport.objects.filter(year=2024, filters="").update(
        computed_at=local(2024, 12, 31, 23, 5, zone="UTC"), viewed_at=local(2024, 12, 31, 23, 5)
    )
    manager_client.cookies["tz"] = "America/Mexico_City"

    response = manager_client.get(PAGE, {"year": 2024}, HTTP_ACCEPT_LANGUAGE="es")

    content = response.content.decode()
    assert "Cifras al 31 de diciembre de 2024 a las 17:05 (Mexico City)" in content
    assert response["Last-Modified"] == "Tue, 31 Dec 2024 23:05:00 GMT"


@pytest.mark.parametrize("breakdown_rows", [1, 40])
def test_report_page_served_from_the_store_reads_no_attendance(manager_client, program, breakdown_rows):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(breakdown_rows - 1):
        attend(program["hybrid"])
    manager_client.get(PAGE, {"year": 2024})  # first view: computed and stored

    with CaptureQueriesContext(connection) as queries:
        response = manager_client.get(PAGE, {"year": 2024})

    assert response.status_code == 200
    assert not any("training_attendance" in query["sql"] for query in queries)
    assert len(queries) == 8, [query["sql"][:90] for query in queries]


def test_report_page_of_a_large_year_is_being_prepared_then_served(manager_client, program, monkeypatch):
    from reports import store

    monkeypatch.setattr(store, "COMPUTE_IN_REQUEST_MAX_SESSIONS", 1)
    monkeypatch.setattr(store, "_enqueue_refresh", lambda *, year: None)

    response = manager_client.get(PAGE, {"year": 2024})

    assert response.status_code == 202
    content = response.content.decode()
    assert '<meta http-equiv="refresh" content="10">' in content
    assert "are being prepared" in content
    store.refresh_year(year=2024)
    assert manager_client.get(PAGE, {"year": 2024}).context["report"].current.officers_trained == 4


def test_report_downloads_of_a_large_year_ask_to_retry(manager_client, program, monkeypatch):
    from reports import store

    monkeypatch.setattr(store, "COMPUTE_IN_REQUEST_MAX_SESSIONS", 1)
    monkeypatch.setattr(store, "_enqueue_refresh", lambda *, year: None)

    response = manager_client.get(reverse("reports:yearly-csv"), {"year": 2024})

    assert (response.status_code, response["Retry-After"]) == (202, "10")


@time_machine.travel(datetime(2025, 2, 10, 12, 0, tzinfo=UTC), tick=False)
def test_report_page_without_year_opens_on_last_complete_year(manager_client, program):
    response = manager_client.get(PAGE)

    assert response.status_code == 200
    assert (response.context["report"].year, response.context["report"].current.sessions_held) == (2024, 3)


@time_machine.travel(datetime(2024, 2, 10, 12, 0, tzinfo=UTC), tick=False)
def test_report_page_year_under_way_shows_no_percent_change(manager_client, program):
    response = manager_client.get(PAGE, {"year": 2024})

    assert [percent for _row, percent in response.context["summary"]] == [None] * len(response.context["summary"])
